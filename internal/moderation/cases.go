package moderation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notify"
	"github.com/redmark/redmark/internal/validate"
)

// OutcomeMax bounds the outcome a moderator writes to the reporters.
const OutcomeMax = 300

const caseCols = `id, target_kind, target_id, target_user_id, status, outcome, report_count,
	COALESCE(resolved_by, 0), resolved_at, created_at, updated_at`

func scanCase(sc interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var resolved, created, updated int64
	err := sc.Scan(&c.ID, &c.TargetKind, &c.TargetID, &c.TargetUserID, &c.Status, &c.Outcome, &c.ReportCount,
		&c.ResolvedBy, &resolved, &created, &updated)
	if resolved > 0 {
		t := time.UnixMilli(resolved).UTC()
		c.ResolvedAt = &t
	}
	c.CreatedAt, c.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return c, err
}

// Queue lists cases in status (open by default) for a moderator: open cases
// with the most reports first, then the oldest; closed ones newest first.
func (s *Service) Queue(ctx context.Context, actor accounts.User, status string, limit int) ([]Case, error) {
	if err := requireModerator(actor); err != nil {
		return nil, err
	}
	if status == "" {
		status = Open
	}
	order := "report_count DESC, created_at ASC"
	switch status {
	case Open:
	case Actioned, Dismissed:
		order = "resolved_at DESC"
	default:
		return nil, apperr.Invalid("status must be open, actioned or dismissed")
	}
	limit = min(max(limit, 1), 100)
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT `+caseCols+` FROM moderation_cases WHERE status = ? ORDER BY `+order+` LIMIT ?`,
		status, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Get is one case with its reports, for a moderator.
func (s *Service) Get(ctx context.Context, actor accounts.User, cid id.ID) (Case, error) {
	if err := requireModerator(actor); err != nil {
		return Case{}, err
	}
	c, err := scanCase(s.db.Reader(ctx).QueryRow(ctx, `SELECT `+caseCols+` FROM moderation_cases WHERE id = ?`, cid))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFound("case")
	}
	if err != nil {
		return c, err
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT `+reportCols+` FROM moderation_reports r JOIN moderation_cases c ON c.id = r.case_id
		WHERE r.case_id = ? ORDER BY r.id`, cid)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return c, err
		}
		c.Reports = append(c.Reports, r)
	}
	if err := rows.Err(); err != nil {
		return c, err
	}
	if c.Signals, err = s.signals(ctx, cid); err != nil {
		return c, err
	}
	c.Actions, err = s.actions(ctx, "a.case_id = ?", cid)
	return c, err
}

func (s *Service) signals(ctx context.Context, cid id.ID) ([]Signal, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id, kind, evidence, created_at FROM moderation_signals WHERE case_id = ? ORDER BY id", cid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Signal
	for rows.Next() {
		var g Signal
		var ev string
		var at int64
		if err := rows.Scan(&g.ID, &g.Kind, &ev, &at); err != nil {
			return nil, err
		}
		g.Evidence, g.CreatedAt = json.RawMessage(ev), time.UnixMilli(at).UTC()
		out = append(out, g)
	}
	return out, rows.Err()
}

// Resolve closes an open case as actioned or dismissed with an outcome the
// reporters read, and notifies each reporter. A case is resolved once: a
// second moderator acting at the same time gets 409.
func (s *Service) Resolve(ctx context.Context, actor accounts.User, cid id.ID, status, outcome string) (Case, error) {
	if err := requireModerator(actor); err != nil {
		return Case{}, err
	}
	if status != Actioned && status != Dismissed {
		return Case{}, apperr.Invalid("status must be actioned or dismissed")
	}
	outcome, err := validate.Text("outcome", outcome, 1, OutcomeMax, true)
	if err != nil {
		return Case{}, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		return s.close(ctx, actor.ID, cid, status, outcome)
	})
	if err != nil {
		return Case{}, err
	}
	return s.Get(ctx, actor, cid)
}

// close resolves an open case in the caller's transaction, notifies every
// reporter and audits it; 409 when it is not open.
func (s *Service) close(ctx context.Context, actor, cid id.ID, status, outcome string) error {
	now := db.Now()
	res, err := s.db.Writer(ctx).Exec(ctx, `UPDATE moderation_cases SET status = ?, outcome = ?, resolved_by = ?, resolved_at = ?, updated_at = ?
		WHERE id = ? AND status = 'open'`, status, outcome, actor, now, now, cid)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var st string
		err := s.db.Writer(ctx).QueryRow(ctx, "SELECT status FROM moderation_cases WHERE id = ?", cid).Scan(&st)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("case")
		}
		if err != nil {
			return err
		}
		return apperr.Conflict("the case is already %s", st)
	}
	reporters, err := db.IDs(s.db.Writer(ctx).Query(ctx, "SELECT reporter_id FROM moderation_reports WHERE case_id = ?", cid))
	if err != nil {
		return err
	}
	for _, r := range reporters {
		if err := s.notify.AddSystem(ctx, r, notify.ReportResolved, int64(cid)); err != nil {
			return err
		}
	}
	var kind string
	var target id.ID
	if err := s.db.Writer(ctx).QueryRow(ctx, "SELECT target_kind, target_id FROM moderation_cases WHERE id = ?", cid).Scan(&kind, &target); err != nil {
		return err
	}
	return s.audit(ctx, actor, "resolve", kind, target, cid, outcome, map[string]string{"status": Open}, map[string]string{"status": status})
}
