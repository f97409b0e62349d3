package moderation

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Restriction is what an account may not do, as stored (ms; 0: none).
type Restriction struct {
	MutedUntil     int64 `json:"muted_until"`
	SuspendedUntil int64 `json:"suspended_until"`
	Banned         bool  `json:"banned"`
}

func (s *Service) restriction(ctx context.Context, q db.Querier, uid id.ID) (Restriction, error) {
	var r Restriction
	var banned int
	err := q.QueryRow(ctx, "SELECT muted_until, suspended_until, banned FROM moderation_restrictions WHERE user_id = ?", uid).
		Scan(&r.MutedUntil, &r.SuspendedUntil, &banned)
	if errors.Is(err, sql.ErrNoRows) {
		return Restriction{}, nil
	}
	r.Banned = banned == 1
	return r, err
}

func restricted(code, msg string, until int64) *apperr.Error {
	if until > 0 {
		msg += " until " + time.UnixMilli(until).UTC().Format(time.RFC3339)
	}
	return &apperr.Error{Status: http.StatusForbidden, Code: code, Message: msg}
}

// MayPost refuses (403 with code banned, suspended or muted) an account
// that may not post notes, comment or send messages now.
func (s *Service) MayPost(ctx context.Context, uid id.ID) error {
	r, err := s.restriction(ctx, s.db.Writer(ctx), uid)
	if err != nil {
		return err
	}
	now := db.Now()
	switch {
	case r.Banned:
		return restricted("banned", "this account is banned", 0)
	case r.SuspendedUntil > now:
		return restricted("suspended", "this account is suspended", r.SuspendedUntil)
	case r.MutedUntil > now:
		return restricted("muted", "this account is muted", r.MutedUntil)
	}
	return nil
}

// MayLogIn refuses a suspended or banned account (403).
func (s *Service) MayLogIn(ctx context.Context, uid id.ID) error {
	r, err := s.restriction(ctx, s.db.Reader(ctx), uid)
	if err != nil {
		return err
	}
	switch {
	case r.Banned:
		return restricted("banned", "this account is banned", 0)
	case r.SuspendedUntil > db.Now():
		return restricted("suspended", "this account is suspended", r.SuspendedUntil)
	}
	return nil
}

// restrict applies an account action (warn changes nothing) and returns
// the restriction before and after. A suspension or ban ends the
// account's sessions.
func (s *Service) restrict(ctx context.Context, uid id.ID, kind string, until int64) (before, after any, err error) {
	w := s.db.Writer(ctx)
	b, err := s.restriction(ctx, w, uid)
	if err != nil {
		return nil, nil, err
	}
	a := b
	switch kind {
	case Warn:
		return b, a, nil
	case Mute:
		a.MutedUntil = max(a.MutedUntil, until)
	case Suspend:
		a.SuspendedUntil = max(a.SuspendedUntil, until)
	case Ban:
		a.Banned = true
	}
	if err := s.saveRestriction(ctx, uid, a); err != nil {
		return nil, nil, err
	}
	if kind == Suspend || kind == Ban {
		if err := s.targets.Accounts.RevokeSessions(ctx, uid); err != nil {
			return nil, nil, err
		}
	}
	return b, a, nil
}

// lift undoes an account action of kind.
func (s *Service) lift(ctx context.Context, uid id.ID, kind string) (before, after any, err error) {
	b, err := s.restriction(ctx, s.db.Writer(ctx), uid)
	if err != nil {
		return nil, nil, err
	}
	a := b
	switch kind {
	case Mute:
		a.MutedUntil = 0
	case Suspend:
		a.SuspendedUntil = 0
	case Ban:
		a.Banned = false
	}
	return b, a, s.saveRestriction(ctx, uid, a)
}

func (s *Service) saveRestriction(ctx context.Context, uid id.ID, r Restriction) error {
	banned := 0
	if r.Banned {
		banned = 1
	}
	_, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO moderation_restrictions (user_id, muted_until, suspended_until, banned, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET muted_until = excluded.muted_until,
		suspended_until = excluded.suspended_until, banned = excluded.banned, updated_at = excluded.updated_at`,
		uid, r.MutedUntil, r.SuspendedUntil, banned, db.Now())
	return err
}
