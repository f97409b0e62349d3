package moderation

import (
	"context"
	"encoding/json"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// AuditEntry is one line of the append-only audit log. ActorID 0 is the
// automatic signals.
type AuditEntry struct {
	ID         id.ID           `json:"id"`
	ActorID    id.ID           `json:"actor_id"`
	Action     string          `json:"action"`
	TargetKind string          `json:"target_kind"`
	TargetID   id.ID           `json:"target_id"`
	CaseID     id.ID           `json:"case_id,omitempty"`
	Reason     string          `json:"reason"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	CreatedAt  time.Time       `json:"created_at"`
}

// audit appends to the log in the caller's transaction: the only write the
// table ever sees (the database refuses UPDATE and DELETE, 0071).
func (s *Service) audit(ctx context.Context, actor id.ID, action, kind string, target, cid id.ID, reason string, before, after any) error {
	b, err := json.Marshal(orEmpty(before))
	if err != nil {
		return err
	}
	a, err := json.Marshal(orEmpty(after))
	if err != nil {
		return err
	}
	_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO moderation_audit (id, actor_id, action, target_kind, target_id, case_id, reason,
		before_json, after_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id.New(), actor, action, kind, target, cid, reason, string(b), string(a), db.Now())
	return err
}

func orEmpty(v any) any {
	if v == nil {
		return struct{}{}
	}
	return v
}

// AuditFilter narrows the audit log; zero fields match everything.
type AuditFilter struct {
	TargetKind string
	TargetID   id.ID
	Before     id.ID // entries older than this (paging)
	Limit      int
}

// Audit reads the log, newest first, for moderators.
func (s *Service) Audit(ctx context.Context, actor accounts.User, f AuditFilter) ([]AuditEntry, error) {
	if err := requireModerator(actor); err != nil {
		return nil, err
	}
	q := `SELECT id, actor_id, action, target_kind, target_id, case_id, reason, before_json, after_json, created_at
		FROM moderation_audit WHERE id < ?`
	before := f.Before
	if before == 0 {
		before = id.ID(1<<63 - 1)
	}
	args := []any{before}
	if f.TargetKind != "" {
		q += " AND target_kind = ?"
		args = append(args, f.TargetKind)
	}
	if f.TargetID != 0 {
		q += " AND target_id = ?"
		args = append(args, f.TargetID)
	}
	q += " ORDER BY id DESC LIMIT ?"
	if f.Limit <= 0 {
		f.Limit = 50
	}
	args = append(args, min(f.Limit, 200))
	rows, err := s.db.Reader(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var b, a string
		var at int64
		if err := rows.Scan(&e.ID, &e.ActorID, &e.Action, &e.TargetKind, &e.TargetID, &e.CaseID, &e.Reason, &b, &a, &at); err != nil {
			return nil, err
		}
		e.Before, e.After, e.CreatedAt = json.RawMessage(b), json.RawMessage(a), time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
