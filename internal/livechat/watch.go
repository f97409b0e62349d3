package livechat

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Watch-time rewards. The page sends a heartbeat every BeatEvery while its
// tab is visible and its video plays, and a closing one (playing false)
// when either stops. The server credits the time between consecutive beats
// of one window:
//
//   - a user has one window at a time (livechat_watch, keyed by user): a
//     beat from another tab or live while the window is open is refused,
//     so two tabs never earn twice;
//   - a beat sooner than beatMin after the last counted one is ignored
//     (it moves nothing), and a gap longer than beatMax ends the window
//     without credit, so credited time never exceeds wall-clock time and
//     needs the page to keep beating;
//   - every full minute of credited time is the user's next numbered
//     minute, paid through the growth rule "live_watch" (points per minute,
//     minutes per day) as the ledger ref, so each minute pays at most once.
//
// The window row is read and written in one transaction (locked on
// PostgreSQL, the single writer on SQLite), so concurrent beats queue.

const (
	BeatEvery = 30 * time.Second
	beatMin   = 20 * time.Second
	beatMax   = 75 * time.Second
)

// Beat is one heartbeat's outcome.
type Beat struct {
	Counted bool  `json:"counted"` // this beat moved the window
	Minutes int64 `json:"minutes"` // minutes credited by this beat
	Points  int64 `json:"points"`  // points they paid (0 at the daily cap)
	// Busy: another tab or live holds the user's window.
	Busy bool `json:"busy"`
}

// Heartbeat records that uid's tab is watching live (playing: the video
// plays in a visible tab) or stopped watching (playing false).
func (s *Service) Heartbeat(ctx context.Context, uid, live id.ID, tab string, playing bool) (Beat, error) {
	if l := len(tab); l < 8 || l > 64 {
		return Beat{}, apperr.Invalid("tab must be 8 to 64 characters")
	}
	_, status, err := s.Rooms.Room(ctx, live)
	if err != nil {
		return Beat{}, err
	}
	if status != Live && playing {
		return Beat{}, apperr.Conflict("the live is not on air")
	}
	var b Beat
	now := s.Now().UnixMilli()
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		lock := ""
		if s.db.Dialect == db.Postgres {
			lock = " FOR UPDATE"
		}
		var cur struct {
			live          id.ID
			tab           string
			last, accrued int64
			minutes       int64
		}
		err := w.QueryRow(ctx, "SELECT live_id, tab, last_at, accrued_ms, minutes FROM livechat_watch WHERE user_id = ?"+lock, uid).
			Scan(&cur.live, &cur.tab, &cur.last, &cur.accrued, &cur.minutes)
		if errors.Is(err, sql.ErrNoRows) {
			if !playing {
				return nil
			}
			b.Counted = true
			_, err = w.Exec(ctx, `INSERT INTO livechat_watch (user_id, live_id, tab, last_at, accrued_ms, minutes)
				VALUES (?, ?, ?, ?, 0, 0) ON CONFLICT (user_id) DO NOTHING`, uid, live, tab, now)
			return err
		}
		if err != nil {
			return err
		}
		open := cur.last > 0 && now-cur.last <= beatMax.Milliseconds()
		mine := cur.live == live && cur.tab == tab
		switch {
		case open && !mine:
			b.Busy = true
			return nil
		case !open:
			// A new window; time since an old one is not watching time.
			if !playing {
				return nil
			}
			b.Counted = true
			_, err = w.Exec(ctx, "UPDATE livechat_watch SET live_id = ?, tab = ?, last_at = ?, accrued_ms = 0 WHERE user_id = ?", live, tab, now, uid)
			return err
		}
		gap := now - cur.last
		if playing && gap < beatMin.Milliseconds() {
			return nil // too soon: counted at the next plausible beat
		}
		b.Counted = true
		acc := cur.accrued + gap
		var credit []int64 // the minutes this beat completes
		for acc >= time.Minute.Milliseconds() {
			acc -= time.Minute.Milliseconds()
			cur.minutes++
			credit = append(credit, cur.minutes)
		}
		last := now
		if !playing {
			last = 0 // the window closes
		}
		_, err = w.Exec(ctx, "UPDATE livechat_watch SET last_at = ?, accrued_ms = ?, minutes = ? WHERE user_id = ?", last, acc, cur.minutes, uid)
		if err != nil {
			return err
		}
		// In the same transaction: a minute is numbered only if it is paid.
		for _, n := range credit {
			b.Minutes++
			if s.reward != nil {
				p, err := s.reward.EarnWatchMinute(ctx, uid, n)
				if err != nil {
					return err
				}
				b.Points += p
			}
		}
		return nil
	})
	if err != nil {
		return Beat{}, err
	}
	return b, nil
}

// EndWindows closes the watch windows open on live without crediting the
// time since their last beat: the sweeper calls it for a live whose
// stream went silent, so that time was not watching. A window it misses
// (the call failed) still closes by itself beatMax after its last beat,
// and the ended live takes no more playing beats.
func (s *Service) EndWindows(ctx context.Context, live id.ID) (int64, error) {
	res, err := s.db.Writer(ctx).Exec(ctx, "UPDATE livechat_watch SET last_at = 0, accrued_ms = 0 WHERE live_id = ? AND last_at > 0", live)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
