package livechat

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
)

// Moderation: the live's host, operators and moderators may delete
// messages, mute a user in the room for a while and ban a user from it.
// Nobody may sanction the host or themselves. Deleted messages stay in the
// table (who deleted them, when) but leave the history and every screen.

const (
	kindMute = "mute"
	kindBan  = "ban"
)

// MaxMute is the longest mute; a ban lasts until it is lifted.
const MaxMute = 7 * 24 * time.Hour

// staff can moderate every room.
func staff(u accounts.User) bool {
	return u.Role == accounts.RoleOperator || u.Role == accounts.RoleModerator
}

// moderator checks that me may moderate live and returns its host.
func (s *Service) moderator(ctx context.Context, me accounts.User, live id.ID) (id.ID, error) {
	host, _, err := s.Rooms.Room(ctx, live)
	if err != nil {
		return 0, err
	}
	if me.ID != host && !staff(me) {
		return 0, apperr.Forbidden("only the host and moderators can moderate this chat")
	}
	return host, nil
}

// CanModerate reports whether me may moderate live's chat.
func (s *Service) CanModerate(ctx context.Context, me accounts.User, live id.ID) (bool, error) {
	_, err := s.moderator(ctx, me, live)
	if errors.Is(err, apperr.ErrForbidden) {
		return false, nil
	}
	return err == nil, err
}

// Delete removes a message from the chat (and from every viewer's screen).
// Deleting a deleted message changes nothing.
func (s *Service) Delete(ctx context.Context, me accounts.User, live, msg id.ID) error {
	if _, err := s.moderator(ctx, me, live); err != nil {
		return err
	}
	res, err := s.db.Writer(ctx).Exec(ctx, `UPDATE livechat_messages SET deleted_at = ?, deleted_by = ?
		WHERE id = ? AND live_id = ? AND deleted_at IS NULL`, s.Now().UnixMilli(), me.ID, msg, live)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var one int
		err := s.db.Reader(ctx).QueryRow(ctx, "SELECT 1 FROM livechat_messages WHERE id = ? AND live_id = ?", msg, live).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("message")
		}
		return err
	}
	s.publish(live, eventFrame("delete", map[string]id.ID{"id": msg}))
	return nil
}

// Mute stops uid from chatting in live for d (1 minute to MaxMute);
// muting again replaces the time.
func (s *Service) Mute(ctx context.Context, me accounts.User, live, uid id.ID, d time.Duration) (time.Time, error) {
	if d < time.Minute || d > MaxMute {
		return time.Time{}, apperr.Invalid("a mute lasts 1 to %d minutes", int(MaxMute/time.Minute))
	}
	until := s.Now().Add(d).UTC().Truncate(time.Millisecond)
	return until, s.sanctionSet(ctx, me, live, uid, kindMute, until.UnixMilli())
}

// Ban stops uid from chatting in, hearting and reading live's chat until
// lifted.
func (s *Service) Ban(ctx context.Context, me accounts.User, live, uid id.ID) error {
	return s.sanctionSet(ctx, me, live, uid, kindBan, 0)
}

// Unmute and Unban lift a sanction (lifting none is fine).
func (s *Service) Unmute(ctx context.Context, me accounts.User, live, uid id.ID) error {
	return s.lift(ctx, me, live, uid, kindMute)
}

func (s *Service) Unban(ctx context.Context, me accounts.User, live, uid id.ID) error {
	return s.lift(ctx, me, live, uid, kindBan)
}

func (s *Service) sanctionSet(ctx context.Context, me accounts.User, live, uid id.ID, kind string, until int64) error {
	host, err := s.moderator(ctx, me, live)
	if err != nil {
		return err
	}
	if uid == host || uid == me.ID {
		return apperr.Forbidden("the host and you yourself cannot be muted or banned")
	}
	var one int
	err = s.db.Reader(ctx).QueryRow(ctx, "SELECT 1 FROM users WHERE id = ?", uid).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("user")
	}
	if err != nil {
		return err
	}
	_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO livechat_sanctions (live_id, user_id, kind, until, by_user, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (live_id, user_id, kind)
		DO UPDATE SET until = excluded.until, by_user = excluded.by_user, created_at = excluded.created_at`,
		live, uid, kind, until, me.ID, s.Now().UnixMilli())
	return err
}

func (s *Service) lift(ctx context.Context, me accounts.User, live, uid id.ID, kind string) error {
	if _, err := s.moderator(ctx, me, live); err != nil {
		return err
	}
	_, err := s.db.Writer(ctx).Exec(ctx, "DELETE FROM livechat_sanctions WHERE live_id = ? AND user_id = ? AND kind = ?", live, uid, kind)
	return err
}

// sanction reports whether uid is under kind in live now, and until when
// (zero for a ban).
func (s *Service) sanction(ctx context.Context, live, uid id.ID, kind string) (bool, time.Time, error) {
	var until int64
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT until FROM livechat_sanctions WHERE live_id = ? AND user_id = ? AND kind = ?",
		live, uid, kind).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return false, time.Time{}, nil
	}
	if err != nil {
		return false, time.Time{}, err
	}
	if until == 0 {
		return true, time.Time{}, nil
	}
	return until > s.Now().UnixMilli(), time.UnixMilli(until).UTC(), nil
}

var errBanned = apperr.Forbidden("you are banned from this live's chat")

// mayTalk refuses banned and muted users with 403.
func (s *Service) mayTalk(ctx context.Context, live, uid id.ID) error {
	banned, err := s.Banned(ctx, live, uid)
	if err != nil {
		return err
	}
	if banned {
		return errBanned
	}
	muted, until, err := s.sanction(ctx, live, uid, kindMute)
	if err != nil {
		return err
	}
	if muted {
		return apperr.Forbidden("you are muted in this chat until %s", until.Format(time.RFC3339))
	}
	return nil
}

// Standing is what the chat shows a signed-in viewer about themselves.
type Standing struct {
	CanModerate bool       `json:"can_moderate"`
	Banned      bool       `json:"banned"`
	MutedUntil  *time.Time `json:"muted_until"`
}

// StandingOf is me's standing in live's chat.
func (s *Service) StandingOf(ctx context.Context, me accounts.User, live id.ID) (Standing, error) {
	var st Standing
	var err error
	if st.CanModerate, err = s.CanModerate(ctx, me, live); err != nil {
		return st, err
	}
	if st.Banned, _, err = s.sanction(ctx, live, me.ID, kindBan); err != nil {
		return st, err
	}
	muted, until, err := s.sanction(ctx, live, me.ID, kindMute)
	if muted {
		st.MutedUntil = &until
	}
	return st, err
}

// Banned reports whether uid is banned from live's chat.
func (s *Service) Banned(ctx context.Context, live, uid id.ID) (bool, error) {
	b, _, err := s.sanction(ctx, live, uid, kindBan)
	return b, err
}
