package campaigns

import (
	"context"
	"fmt"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Anti-fraud and audit. Votes are never deleted: excluding a voter or
// deciding on flagged votes changes their status and recounts the tallies
// from the rows, inside one transaction.

// editable is a campaign whose tallies may still change (results not published).
func (s *Service) editable(ctx context.Context, actor accounts.User, cid id.ID) (Campaign, error) {
	if err := accounts.RequireOperator(actor, "moderate campaigns"); err != nil {
		return Campaign{}, err
	}
	c, err := s.load(ctx, cid)
	if err != nil {
		return Campaign{}, err
	}
	if c.PublishedAt != nil {
		return Campaign{}, apperr.Conflict("the results are published and frozen")
	}
	return c, nil
}

func (s *Service) audit(ctx context.Context, cid, actor id.ID, action, detail string) error {
	_, err := s.db.Writer(ctx).Exec(ctx, "INSERT INTO campaign_audit (id, campaign_id, actor, action, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		id.New(), cid, actor, action, detail, db.Now())
	return err
}

// Exclude bars a voter from the campaign and voids all their votes
// (operators). Idempotent.
func (s *Service) Exclude(ctx context.Context, actor accounts.User, cid, uid id.ID) (int64, error) {
	if _, err := s.editable(ctx, actor, cid); err != nil {
		return 0, err
	}
	var voided int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockTallies(ctx, cid); err != nil {
			return err
		}
		w := s.db.Writer(ctx)
		// Then the member row: a vote of this voter in flight either
		// committed before (and is voided below) or waits and is refused.
		if _, err := w.Exec(ctx, `INSERT INTO campaign_members (campaign_id, user_id, excluded) VALUES (?, ?, 1)
			ON CONFLICT (campaign_id, user_id) DO UPDATE SET excluded = 1`, cid, uid); err != nil {
			return err
		}
		res, err := w.Exec(ctx, "UPDATE campaign_votes SET status = 'void', reason = 'excluded' WHERE campaign_id = ? AND user_id = ? AND status <> 'void'", cid, uid)
		if err != nil {
			return err
		}
		voided, _ = res.RowsAffected()
		if err := s.audit(ctx, cid, actor.ID, "exclude", fmt.Sprintf("user %s, %d votes voided", uid, voided)); err != nil {
			return err
		}
		s.excludeRedis(ctx, cid, uid)
		_, err = s.recount(ctx, cid)
		return err
	})
	if err != nil {
		return 0, err
	}
	s.changed(cid)
	return voided, nil
}

// lockTallies locks the campaign's nominee rows (PostgreSQL; SQLite has one
// writer). A transaction that recounts takes them first, before any voter's
// rows: a vote in flight holds a key-share lock on its nominee from its
// insert (the foreign key) while it waits for its voter's member row, so
// taking the member row first and the nominees after deadlocks.
func (s *Service) lockTallies(ctx context.Context, cid id.ID) error {
	if s.db.Dialect != db.Postgres {
		return nil
	}
	rows, err := s.db.Writer(ctx).Query(ctx, "SELECT id FROM campaign_nominees WHERE campaign_id = ? ORDER BY id FOR UPDATE", cid)
	if err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

// Decide settles flagged votes (all of the campaign's, or those of one
// nominee when nominee != 0): approve counts them, otherwise they are voided.
func (s *Service) Decide(ctx context.Context, actor accounts.User, cid, nominee id.ID, approve bool) (int64, error) {
	if _, err := s.editable(ctx, actor, cid); err != nil {
		return 0, err
	}
	to, action := Void, "void_flagged"
	if approve {
		to, action = Valid, "approve_flagged"
	}
	var n int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockTallies(ctx, cid); err != nil {
			return err
		}
		q, args := "UPDATE campaign_votes SET status = ? WHERE campaign_id = ? AND status = 'flagged'", []any{to, cid}
		if nominee != 0 {
			q, args = q+" AND nominee_id = ?", append(args, nominee)
		}
		res, err := s.db.Writer(ctx).Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if err := s.audit(ctx, cid, actor.ID, action, fmt.Sprintf("%d votes", n)); err != nil {
			return err
		}
		_, err = s.recount(ctx, cid)
		return err
	})
	if err != nil {
		return 0, err
	}
	s.changed(cid)
	return n, nil
}

// Recount recomputes every tally from the vote rows (operators) and
// reports how many nominees' tallies it corrected (0 when all were exact).
func (s *Service) Recount(ctx context.Context, actor accounts.User, cid id.ID) (int, error) {
	if _, err := s.editable(ctx, actor, cid); err != nil {
		return 0, err
	}
	var fixed int
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if fixed, err = s.recount(ctx, cid); err != nil {
			return err
		}
		return s.audit(ctx, cid, actor.ID, "recount", fmt.Sprintf("%d tallies corrected", fixed))
	})
	if err != nil {
		return 0, err
	}
	s.changed(cid)
	return fixed, nil
}

// recount runs inside a transaction. On PostgreSQL it first locks the
// campaign's nominee rows, so votes holding them have committed and the
// counting statement (a new snapshot) sees their rows; votes after it add
// to the recounted value. In Redis mode it then rebuilds the Redis tallies
// from the recounted ones (syncTallies); the count corrected is the larger
// of the two.
func (s *Service) recount(ctx context.Context, cid id.ID) (int, error) {
	fixed, err := s.recountDB(ctx, cid)
	if err != nil {
		return 0, err
	}
	inRedis, err := s.syncTallies(ctx, cid)
	return max(fixed, inRedis), err
}

func (s *Service) recountDB(ctx context.Context, cid id.ID) (int, error) {
	if err := s.lockTallies(ctx, cid); err != nil {
		return 0, err
	}
	w := s.db.Writer(ctx)
	res, err := w.Exec(ctx, `UPDATE campaign_nominees SET
		votes = (SELECT COUNT(*) FROM campaign_votes v WHERE v.nominee_id = campaign_nominees.id AND v.status = 'valid'),
		score = (SELECT COALESCE(SUM(v.weight), 0) FROM campaign_votes v WHERE v.nominee_id = campaign_nominees.id AND v.status = 'valid')
		WHERE campaign_id = ? AND (
		votes <> (SELECT COUNT(*) FROM campaign_votes v WHERE v.nominee_id = campaign_nominees.id AND v.status = 'valid') OR
		score <> (SELECT COALESCE(SUM(v.weight), 0) FROM campaign_votes v WHERE v.nominee_id = campaign_nominees.id AND v.status = 'valid'))`, cid)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Publish freezes and publishes the results of an ended campaign (operators).
func (s *Service) Publish(ctx context.Context, actor accounts.User, cid id.ID) (Campaign, error) {
	c, err := s.editable(ctx, actor, cid)
	if err != nil {
		return Campaign{}, err
	}
	if s.Now().Before(c.EndsAt) {
		return Campaign{}, apperr.Conflict("the campaign has not ended yet")
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		res, err := s.db.Writer(ctx).Exec(ctx, "UPDATE campaigns SET published_at = ? WHERE id = ? AND published_at = 0", s.Now().UnixMilli(), cid)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("the results are already published")
		}
		s.forget(ctx, cid)
		return s.audit(ctx, cid, actor.ID, "publish", "")
	})
	if err != nil {
		return Campaign{}, err
	}
	s.changed(cid)
	return s.Get(ctx, cid)
}

// End moves the end of a running campaign to now (operators).
func (s *Service) End(ctx context.Context, actor accounts.User, cid id.ID) (Campaign, error) {
	c, err := s.editable(ctx, actor, cid)
	if err != nil {
		return Campaign{}, err
	}
	now := s.Now()
	if !now.Before(c.EndsAt) {
		return Campaign{}, apperr.Conflict("the campaign has already ended")
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		starts := min(c.StartsAt.UnixMilli(), now.UnixMilli()-1)
		if _, err := s.db.Writer(ctx).Exec(ctx, "UPDATE campaigns SET ends_at = ?, starts_at = ? WHERE id = ?", now.UnixMilli(), starts, cid); err != nil {
			return err
		}
		s.forget(ctx, cid)
		return s.audit(ctx, cid, actor.ID, "end", "")
	})
	if err != nil {
		return Campaign{}, err
	}
	s.changed(cid)
	return s.Get(ctx, cid)
}

// VoteRow is one vote as the audit shows it.
type VoteRow struct {
	ID        id.ID     `json:"id"`
	Nominee   id.ID     `json:"nominee_id"`
	User      id.ID     `json:"user_id"`
	Day       int64     `json:"day"`
	IP        string    `json:"ip"`
	Device    string    `json:"device"`
	Weight    int       `json:"weight"`
	Fresh     bool      `json:"fresh"`
	Status    string    `json:"status"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// VoteFilter narrows the audit list; zero fields match everything.
type VoteFilter struct {
	Status  string
	User    id.ID
	Nominee id.ID
	Before  id.ID // cursor: votes with smaller ids
}

// Votes lists votes newest first for audit (operators); next is the cursor
// of the following page (0 on the last).
func (s *Service) Votes(ctx context.Context, actor accounts.User, cid id.ID, f VoteFilter, limit int) ([]VoteRow, id.ID, error) {
	if err := accounts.RequireOperator(actor, "audit campaigns"); err != nil {
		return nil, 0, err
	}
	if _, err := s.load(ctx, cid); err != nil {
		return nil, 0, err
	}
	q, args := `SELECT id, nominee_id, user_id, day, ip, device, weight, fresh, status, reason, created_at FROM campaign_votes
		WHERE campaign_id = ?`, []any{cid}
	if f.Status != "" {
		if f.Status != Valid && f.Status != Flagged && f.Status != Void {
			return nil, 0, apperr.Invalid("status must be valid, flagged or void")
		}
		q, args = q+" AND status = ?", append(args, f.Status)
	}
	if f.User != 0 {
		q, args = q+" AND user_id = ?", append(args, f.User)
	}
	if f.Nominee != 0 {
		q, args = q+" AND nominee_id = ?", append(args, f.Nominee)
	}
	if f.Before != 0 {
		q, args = q+" AND id < ?", append(args, f.Before)
	}
	rows, err := s.db.Reader(ctx).Query(ctx, q+" ORDER BY id DESC LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []VoteRow{}
	for rows.Next() {
		var v VoteRow
		var fresh int
		var at int64
		if err := rows.Scan(&v.ID, &v.Nominee, &v.User, &v.Day, &v.IP, &v.Device, &v.Weight, &fresh, &v.Status, &v.Reason, &at); err != nil {
			return nil, 0, err
		}
		v.Fresh, v.CreatedAt = fresh == 1, time.UnixMilli(at).UTC()
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var next id.ID
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// Stats summarises a campaign's votes for the console.
type Stats struct {
	Valid, Flagged, Void int64
	Voters               int64
	Excluded             int64
	TopIPs               []SourceCount
}

// SourceCount is the number of votes from one address.
type SourceCount struct {
	Value string
	Votes int64
}

// Summary counts votes by status and lists the busiest addresses (operators).
func (s *Service) Summary(ctx context.Context, actor accounts.User, cid id.ID) (Stats, error) {
	if err := accounts.RequireOperator(actor, "audit campaigns"); err != nil {
		return Stats{}, err
	}
	r := s.db.Reader(ctx)
	var st Stats
	err := r.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN status = 'valid' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'flagged' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN status = 'void' THEN 1 ELSE 0 END), 0),
		COUNT(DISTINCT user_id) FROM campaign_votes WHERE campaign_id = ?`, cid).Scan(&st.Valid, &st.Flagged, &st.Void, &st.Voters)
	if err != nil {
		return Stats{}, err
	}
	if err := r.QueryRow(ctx, "SELECT COUNT(*) FROM campaign_members WHERE campaign_id = ? AND excluded = 1", cid).Scan(&st.Excluded); err != nil {
		return Stats{}, err
	}
	rows, err := r.Query(ctx, `SELECT ip, COUNT(*) FROM campaign_votes WHERE campaign_id = ? AND ip <> ''
		GROUP BY ip ORDER BY COUNT(*) DESC, ip LIMIT 10`, cid)
	if err != nil {
		return Stats{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var sc SourceCount
		if err := rows.Scan(&sc.Value, &sc.Votes); err != nil {
			return Stats{}, err
		}
		st.TopIPs = append(st.TopIPs, sc)
	}
	return st, rows.Err()
}

// AuditEntry is one operator action.
type AuditEntry struct {
	Actor     id.ID     `json:"actor"`
	Action    string    `json:"action"`
	Detail    string    `json:"detail"`
	CreatedAt time.Time `json:"created_at"`
}

// AuditLog lists the campaign's operator actions, newest first (operators).
func (s *Service) AuditLog(ctx context.Context, actor accounts.User, cid id.ID, limit int) ([]AuditEntry, error) {
	if err := accounts.RequireOperator(actor, "audit campaigns"); err != nil {
		return nil, err
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT actor, action, detail, created_at FROM campaign_audit WHERE campaign_id = ? ORDER BY id DESC LIMIT ?", cid, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.Actor, &e.Action, &e.Detail, &at); err != nil {
			return nil, err
		}
		e.CreatedAt = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
