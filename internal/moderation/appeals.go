package moderation

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notify"
	"github.com/redmark/redmark/internal/validate"
)

// Appeal statuses.
const (
	AppealOpen = "open"
	Upheld     = "upheld"     // the action stands
	Overturned = "overturned" // the action is reverted
)

// AppealMax bounds an appeal's text.
const AppealMax = 1000

// Appeal is the affected user's one appeal against an action.
type Appeal struct {
	ID        id.ID      `json:"id"`
	ActionID  id.ID      `json:"action_id"`
	UserID    id.ID      `json:"user_id"`
	Body      string     `json:"body"`
	Status    string     `json:"status"`
	Decision  string     `json:"decision"`
	DecidedBy id.ID      `json:"decided_by,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	// Action is filled in the appeals queue.
	Action *Action `json:"action,omitempty"`
}

const appealCols = `p.id, p.action_id, p.user_id, p.body, p.status, p.decision, COALESCE(p.decided_by, 0), p.decided_at, p.created_at`

func scanAppeal(sc interface{ Scan(...any) error }) (Appeal, error) {
	var p Appeal
	var decided, created int64
	err := sc.Scan(&p.ID, &p.ActionID, &p.UserID, &p.Body, &p.Status, &p.Decision, &p.DecidedBy, &decided, &created)
	if decided > 0 {
		t := time.UnixMilli(decided).UTC()
		p.DecidedAt = &t
	}
	p.CreatedAt = time.UnixMilli(created).UTC()
	return p, err
}

// FileAppeal is the affected user's appeal against an active action: once
// per action (409 for a second), and only by them (404 for anyone else, so
// action ids leak nothing). It goes to the appeals queue.
func (s *Service) FileAppeal(ctx context.Context, user accounts.User, actionID id.ID, body string) (Appeal, error) {
	body, err := validate.Text("body", body, 1, AppealMax, true)
	if err != nil {
		return Appeal{}, err
	}
	var out Appeal
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		a, err := s.lockAction(ctx, actionID)
		if err != nil {
			return err
		}
		if a.TargetUserID != user.ID {
			return apperr.NotFound("action")
		}
		if a.State != Active {
			return apperr.Conflict("the action was already reverted")
		}
		pid, now := id.New(), db.Now()
		res, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO moderation_appeals (id, action_id, user_id, body, status, created_at)
			VALUES (?, ?, ?, ?, 'open', ?) ON CONFLICT (action_id) DO NOTHING`, pid, actionID, user.ID, body, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("this action was already appealed; an action can be appealed once")
		}
		if err := s.audit(ctx, user.ID, "appeal", a.TargetKind, a.TargetID, a.CaseID, body, nil, map[string]string{"appeal": AppealOpen}); err != nil {
			return err
		}
		out, err = scanAppeal(s.db.Writer(ctx).QueryRow(ctx, `SELECT `+appealCols+` FROM moderation_appeals p WHERE p.id = ?`, pid))
		return err
	})
	return out, err
}

// Appeals lists appeals in status (open by default: the queue, oldest
// first; decided ones newest first), each with its action, for moderators.
func (s *Service) Appeals(ctx context.Context, actor accounts.User, status string) ([]Appeal, error) {
	if err := requireModerator(actor); err != nil {
		return nil, err
	}
	order := "p.id DESC"
	switch status {
	case "", AppealOpen:
		status, order = AppealOpen, "p.id"
	case Upheld, Overturned:
	default:
		return nil, apperr.Invalid("status must be open, upheld or overturned")
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT `+appealCols+` FROM moderation_appeals p WHERE p.status = ? ORDER BY `+order+` LIMIT 100`, status)
	if err != nil {
		return nil, err
	}
	var out []Appeal
	for rows.Next() {
		p, err := scanAppeal(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		a, err := s.action(ctx, s.db.Reader(ctx), out[i].ActionID)
		if err != nil {
			return nil, err
		}
		a.Appeal = nil
		out[i].Action = &a
	}
	if out == nil {
		out = []Appeal{}
	}
	return out, nil
}

// Decide settles an open appeal: upheld leaves the action, overturned
// reverts it (restores the note, lifts the mute, relists…). The moderator
// who took the action cannot decide its appeal (403); an appeal is decided
// once (409). The appellant is told.
func (s *Service) Decide(ctx context.Context, actor accounts.User, appealID id.ID, status, decision string) (Appeal, error) {
	if err := requireModerator(actor); err != nil {
		return Appeal{}, err
	}
	if status != Upheld && status != Overturned {
		return Appeal{}, apperr.Invalid("status must be upheld or overturned")
	}
	decision, err := validate.Text("decision", decision, 1, ReasonMax, true)
	if err != nil {
		return Appeal{}, err
	}
	var out Appeal
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		q := `SELECT ` + appealCols + ` FROM moderation_appeals p WHERE p.id = ?`
		if s.db.Dialect == db.Postgres {
			q += " FOR UPDATE"
		}
		p, err := scanAppeal(s.db.Writer(ctx).QueryRow(ctx, q, appealID))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("appeal")
		}
		if err != nil {
			return err
		}
		if p.Status != AppealOpen {
			return apperr.Conflict("the appeal was already decided")
		}
		a, err := s.lockAction(ctx, p.ActionID)
		if err != nil {
			return err
		}
		if a.ActorID == actor.ID {
			return apperr.Forbidden("another moderator must decide an appeal against your own action")
		}
		if status == Overturned && a.State == Active {
			if err := s.revert(ctx, actor.ID, a, decision); err != nil {
				return err
			}
		}
		if _, err := s.db.Writer(ctx).Exec(ctx, `UPDATE moderation_appeals SET status = ?, decision = ?, decided_by = ?, decided_at = ?
			WHERE id = ?`, status, decision, actor.ID, db.Now(), appealID); err != nil {
			return err
		}
		if err := s.notify.AddSystem(ctx, p.UserID, notify.AppealDecided, int64(a.ID)); err != nil {
			return err
		}
		if err := s.audit(ctx, actor.ID, "appeal_"+status, a.TargetKind, a.TargetID, a.CaseID, decision,
			map[string]string{"appeal": AppealOpen}, map[string]string{"appeal": status}); err != nil {
			return err
		}
		out, err = scanAppeal(s.db.Writer(ctx).QueryRow(ctx, `SELECT `+appealCols+` FROM moderation_appeals p WHERE p.id = ?`, appealID))
		return err
	})
	return out, err
}
