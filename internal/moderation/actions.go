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
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/notify"
	"github.com/redmark/redmark/internal/shop"
	"github.com/redmark/redmark/internal/social"
	"github.com/redmark/redmark/internal/validate"
)

// Kinds of action.
const (
	Hide         = "hide"          // a note or comment leaves every surface; revertible
	Hold         = "hold"          // an automatic signal kept new content hidden for review
	Delete       = "delete"        // a note or comment is gone for good
	Warn         = "warn"          // the account is told, nothing else
	Mute         = "mute"          // the account cannot post, comment or message for a time
	Suspend      = "suspend"       // the account cannot log in or post for a time
	Ban          = "ban"           // the account cannot log in or post again
	Delist       = "delist"        // a product is off sale
	SuspendStore = "suspend_store" // a store sells nothing
)

// ActionKinds lists what a moderator can do, in display order (Hold is the
// signals').
var ActionKinds = []string{Hide, Delete, Warn, Mute, Suspend, Ban, Delist, Counterfeit, SuspendStore}

// Action states.
const (
	Active   = "active"
	Reverted = "reverted" // restored by a moderator or an overturned appeal
)

// Limits on actions.
const (
	ReasonMax = 300
	HoursMax  = 24 * 365
)

// Action is one thing moderation did about a case. ActorID 0 is the
// automatic signals.
type Action struct {
	ID           id.ID      `json:"id"`
	CaseID       id.ID      `json:"case_id"`
	Kind         string     `json:"kind"`
	TargetKind   string     `json:"target_kind"`
	TargetID     id.ID      `json:"target_id"`
	TargetUserID id.ID      `json:"target_user_id"`
	ActorID      id.ID      `json:"actor_id"`
	Reason       string     `json:"reason"`
	Until        *time.Time `json:"until,omitempty"`
	State        string     `json:"state"`
	CreatedAt    time.Time  `json:"created_at"`
	Appeal       *Appeal    `json:"appeal,omitempty"`
}

// ActionInput is a moderator's action on a case. Hours bound a mute or a
// suspension.
type ActionInput struct {
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
	Hours  int    `json:"hours"`
}

// Targets are the services whose things moderation acts on; app sets them.
type Targets struct {
	Accounts *accounts.Service
	Notes    *notes.Service
	Social   *social.Service
	Shop     *shop.Service
}

const actionCols = `a.id, a.case_id, a.kind, a.target_kind, a.target_id, a.target_user_id, a.actor_id, a.reason, a.until_at, a.state, a.created_at`

func scanAction(sc interface{ Scan(...any) error }) (Action, error) {
	var a Action
	var until, created int64
	err := sc.Scan(&a.ID, &a.CaseID, &a.Kind, &a.TargetKind, &a.TargetID, &a.TargetUserID, &a.ActorID, &a.Reason, &until, &a.State, &created)
	if until > 0 {
		t := time.UnixMilli(until).UTC()
		a.Until = &t
	}
	a.CreatedAt = time.UnixMilli(created).UTC()
	return a, err
}

// Act carries out a moderator's action on a case's target (the content, or
// for account actions its owner), notifies the affected user with the
// reason, writes the audit log and closes the case as actioned if it was
// open, all in one transaction.
func (s *Service) Act(ctx context.Context, actor accounts.User, cid id.ID, in ActionInput) (Action, error) {
	if err := requireModerator(actor); err != nil {
		return Action{}, err
	}
	if !contains(ActionKinds, in.Kind) {
		return Action{}, apperr.Invalid("kind must be one of hide, delete, warn, mute, suspend, ban, delist, counterfeit, suspend_store")
	}
	reason, err := validate.Text("reason", in.Reason, 1, ReasonMax, true)
	if err != nil {
		return Action{}, err
	}
	var until int64
	switch in.Kind {
	case Mute, Suspend:
		if in.Hours < 1 || in.Hours > HoursMax {
			return Action{}, apperr.Invalid("hours must be 1–%d for a %s", HoursMax, in.Kind)
		}
		until = db.Now() + int64(in.Hours)*time.Hour.Milliseconds()
	}
	var out Action
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		c, err := s.lockCase(ctx, cid)
		if err != nil {
			return err
		}
		if c.Status == Dismissed {
			return apperr.Conflict("the case was dismissed")
		}
		if in.Kind == Counterfeit {
			if c.TargetKind != Product {
				return apperr.Invalid("only products can be confirmed counterfeit")
			}
			aid, err := s.delistByPolicy(ctx, actor.ID, c.TargetID, Counterfeit, reason)
			if err != nil {
				return err
			}
			out, err = s.action(ctx, s.db.Writer(ctx), aid)
			return err
		}
		a := Action{ID: id.New(), CaseID: cid, Kind: in.Kind, TargetKind: c.TargetKind, TargetID: c.TargetID,
			TargetUserID: c.TargetUserID, ActorID: actor.ID, Reason: reason, State: Active}
		if until > 0 {
			t := time.UnixMilli(until).UTC()
			a.Until = &t
		}
		before, after, err := s.apply(ctx, &a, until)
		if err != nil {
			return err
		}
		if err := s.insertAction(ctx, a, until, before, after); err != nil {
			return err
		}
		if c.Status == Open {
			if err := s.close(ctx, actor.ID, cid, Actioned, reason); err != nil {
				return err
			}
		}
		out, err = s.action(ctx, s.db.Writer(ctx), a.ID)
		return err
	})
	return out, err
}

// insertAction stores an action, tells the affected user and audits it.
func (s *Service) insertAction(ctx context.Context, a Action, until int64, before, after any) error {
	now := db.Now()
	if _, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO moderation_actions (id, case_id, kind, target_kind, target_id, target_user_id,
		actor_id, reason, until_at, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)`,
		a.ID, a.CaseID, a.Kind, a.TargetKind, a.TargetID, a.TargetUserID, a.ActorID, a.Reason, until, now); err != nil {
		return err
	}
	if err := s.notify.AddSystem(ctx, a.TargetUserID, notify.ModerationAction, int64(a.ID)); err != nil {
		return err
	}
	return s.audit(ctx, a.ActorID, a.Kind, a.TargetKind, a.TargetID, a.CaseID, a.Reason, before, after)
}

// apply changes the target for action a and returns it before and after.
// Account actions act on the target's owner, store suspension on the
// product's store; a.TargetKind/TargetID are set to what was acted on.
func (s *Service) apply(ctx context.Context, a *Action, until int64) (before, after any, err error) {
	t := s.targets
	switch a.Kind {
	case Hide:
		switch a.TargetKind {
		case Note:
			b, err := t.Notes.SetHidden(ctx, a.TargetID, true)
			return b, map[string]string{"status": notes.Hidden}, err
		case Comment:
			b, err := t.Social.SetCommentHidden(ctx, a.TargetID, true)
			return b, map[string]bool{"hidden": true}, err
		}
		return nil, nil, apperr.Invalid("only notes and comments can be hidden")
	case Delete:
		switch a.TargetKind {
		case Note:
			b, err := t.Notes.Remove(ctx, a.TargetID)
			return b, map[string]bool{"deleted": true}, err
		case Comment:
			b, err := t.Social.CommentOf(ctx, a.TargetID)
			if err != nil {
				return nil, nil, err
			}
			// The moderation decision is the authorization; the comment
			// service's operator path does the delete.
			err = t.Social.DeleteComment(ctx, accounts.User{ID: a.ActorID, Role: accounts.RoleOperator}, a.TargetID)
			return b, map[string]bool{"deleted": true}, err
		}
		return nil, nil, apperr.Invalid("only notes and comments can be deleted")
	case Warn, Mute, Suspend, Ban:
		a.TargetKind, a.TargetID = User, a.TargetUserID
		return s.restrict(ctx, a.TargetUserID, a.Kind, until)
	case Delist, Counterfeit:
		if a.TargetKind != Product {
			return nil, nil, apperr.Invalid("only products can be delisted")
		}
		b, err := t.Shop.SetDelisted(ctx, a.TargetID, true)
		return b, map[string]bool{"listed": false}, err
	case SuspendStore:
		switch a.TargetKind {
		case Product:
			p, err := t.Shop.ProductOf(ctx, a.TargetID)
			if err != nil {
				return nil, nil, err
			}
			a.TargetKind, a.TargetID = Store, p.StoreID
		case Store:
		default:
			return nil, nil, apperr.Invalid("only stores (or a product's store) can be suspended")
		}
		b, err := t.Shop.SetSuspended(ctx, a.TargetID, true)
		return b, map[string]bool{"suspended": true}, err
	}
	return nil, nil, apperr.Invalid("unknown action %q", a.Kind)
}

// revert undoes an active action in the caller's transaction and audits it.
// A delete cannot be undone (409); a warning has nothing to undo.
func (s *Service) revert(ctx context.Context, actor id.ID, a Action, why string) error {
	t := s.targets
	var before, after any
	var err error
	switch a.Kind {
	case Hide, Hold:
		switch a.TargetKind {
		case Note:
			before, err = t.Notes.SetHidden(ctx, a.TargetID, false)
			after = map[string]string{"status": notes.Published}
		case Comment:
			before, err = t.Social.SetCommentHidden(ctx, a.TargetID, false)
			after = map[string]bool{"hidden": false}
		}
	case Delete:
		return apperr.Conflict("a deleted note or comment cannot be restored")
	case Warn:
	case Mute, Suspend, Ban:
		before, after, err = s.lift(ctx, a.TargetUserID, a.Kind)
	case Delist, Counterfeit:
		before, err = t.Shop.SetDelisted(ctx, a.TargetID, false)
		after = map[string]bool{"listed": true}
	case SuspendStore:
		before, err = t.Shop.SetSuspended(ctx, a.TargetID, false)
		after = map[string]bool{"suspended": false}
	}
	if err != nil {
		return err
	}
	res, err := s.db.Writer(ctx).Exec(ctx, "UPDATE moderation_actions SET state = 'reverted' WHERE id = ? AND state = 'active'", a.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Conflict("the action was already reverted")
	}
	return s.audit(ctx, actor, "revert_"+a.Kind, a.TargetKind, a.TargetID, a.CaseID, why, before, after)
}

// Revert restores what an action took (a moderator's "restore"), with a
// reason for the audit log. The affected user is told.
func (s *Service) Revert(ctx context.Context, actor accounts.User, actionID id.ID, reason string) (Action, error) {
	if err := requireModerator(actor); err != nil {
		return Action{}, err
	}
	reason, err := validate.Text("reason", reason, 1, ReasonMax, true)
	if err != nil {
		return Action{}, err
	}
	var out Action
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		a, err := s.lockAction(ctx, actionID)
		if err != nil {
			return err
		}
		if a.State != Active {
			return apperr.Conflict("the action was already reverted")
		}
		if err := s.revert(ctx, actor.ID, a, reason); err != nil {
			return err
		}
		if err := s.notify.AddSystem(ctx, a.TargetUserID, notify.ModerationAction, int64(a.ID)); err != nil {
			return err
		}
		out, err = s.action(ctx, s.db.Writer(ctx), a.ID)
		return err
	})
	return out, err
}

func (s *Service) lockCase(ctx context.Context, cid id.ID) (Case, error) {
	q := `SELECT ` + caseCols + ` FROM moderation_cases WHERE id = ?`
	if s.db.Dialect == db.Postgres {
		q += " FOR UPDATE"
	}
	c, err := scanCase(s.db.Writer(ctx).QueryRow(ctx, q, cid))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFound("case")
	}
	return c, err
}

func (s *Service) lockAction(ctx context.Context, aid id.ID) (Action, error) {
	q := `SELECT ` + actionCols + ` FROM moderation_actions a WHERE a.id = ?`
	if s.db.Dialect == db.Postgres {
		q += " FOR UPDATE"
	}
	a, err := scanAction(s.db.Writer(ctx).QueryRow(ctx, q, aid))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFound("action")
	}
	return a, err
}

// action reads one action with its appeal.
func (s *Service) action(ctx context.Context, q db.Querier, aid id.ID) (Action, error) {
	a, err := scanAction(q.QueryRow(ctx, `SELECT `+actionCols+` FROM moderation_actions a WHERE a.id = ?`, aid))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFound("action")
	}
	if err != nil {
		return a, err
	}
	ap, err := scanAppeal(q.QueryRow(ctx, `SELECT `+appealCols+` FROM moderation_appeals p WHERE p.action_id = ?`, aid))
	if err == nil {
		a.Appeal = &ap
	} else if !errors.Is(err, sql.ErrNoRows) {
		return a, err
	}
	return a, nil
}

// actions lists actions matching where (on alias a), newest first, with
// their appeals.
func (s *Service) actions(ctx context.Context, where string, args ...any) ([]Action, error) {
	ids, err := db.IDs(s.db.Reader(ctx).Query(ctx, `SELECT a.id FROM moderation_actions a WHERE `+where+` ORDER BY a.id DESC LIMIT 100`, args...))
	if err != nil {
		return nil, err
	}
	out := make([]Action, 0, len(ids))
	for _, aid := range ids {
		a, err := s.action(ctx, s.db.Reader(ctx), aid)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// MyActions lists what moderation did to uid or their content, newest
// first, with reasons and appeals: the affected user's view.
func (s *Service) MyActions(ctx context.Context, uid id.ID) ([]Action, error) {
	return s.actions(ctx, "a.target_user_id = ?", uid)
}
