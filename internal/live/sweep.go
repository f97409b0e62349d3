package live

import (
	"context"
	"log/slog"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Lives left on air. A live normally ends with nginx-rtmp's
// on_publish_done; if the media server dies, is killed, or the callback
// is lost, nothing else would end it. The sign of life is the callbacks
// themselves: on_publish sets seen_at and on_update, which nginx sends
// every 5 s for as long as the ingest stream runs, refreshes it (at most
// every seenEvery, to spare the writer). The callback is the signal, not
// the HLS files, because it reaches any Redmark server through the
// database while the files sit on the media server's machine. A publisher
// that stays connected but sends nothing is nginx's to drop
// (drop_idle_publisher in deploy/nginx-rtmp.conf), which then sends
// on_publish_done as usual.

const (
	// seenEvery is how stale seen_at may get before an update rewrites it.
	seenEvery = 30 * time.Second
	// SilentAfter is how long a live on air may go without a callback
	// before the sweeper ends it: many missed updates, so a slow or
	// briefly unreachable Redmark does not cut a running stream.
	SilentAfter = 3 * time.Minute
	// SweepEvery is how often the live-sweep job looks.
	SweepEvery = time.Minute
)

// EndSilent ends the lives on air that have had no media server callback
// for SilentAfter, as on_publish_done would: each gets a pending replay,
// made from its recording if one exists (or given up after recordingGrace),
// and the conversion starts here when the recording is on this server. It
// returns the lives it ended. Silence counts only while this server has
// been running: callbacks that failed because Redmark was down do not
// stop nginx (notify_update_strict is off), so after a long outage the
// streams still running get SilentAfter to call back first. The update is
// conditional on the silence, so a callback that lands meanwhile keeps its
// live on air, and two sweepers end a live once (the live-sweep job is a
// cluster job all the same).
func (s *Service) EndSilent(ctx context.Context) ([]id.ID, error) {
	now := s.Now()
	if now.Sub(s.started) < SilentAfter {
		return nil, nil
	}
	cut := now.Add(-SilentAfter).UnixMilli()
	silent, err := db.IDs(s.db.Reader(ctx).Query(ctx, "SELECT id FROM lives WHERE status = ? AND seen_at < ? ORDER BY id LIMIT 100", OnAir, cut))
	if err != nil {
		return nil, err
	}
	var ended []id.ID
	for _, lid := range silent {
		ok, err := s.markEndedIf(ctx, lid, " AND status = ? AND seen_at < ?", []any{OnAir, cut})
		if err != nil {
			return ended, err
		}
		if ok {
			slog.Warn("live ended: no word from the media server", "live", lid, "silent_for", SilentAfter)
			ended = append(ended, lid)
		}
	}
	if len(ended) > 0 {
		s.startReplays()
	}
	return ended, nil
}
