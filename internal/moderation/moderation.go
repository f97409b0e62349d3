// Package moderation is trust and safety (T1): users report notes,
// comments, users, messages, products and stores; reports about one target
// fold into one case; moderators (and operators) resolve cases and each
// reporter sees the outcome. See docs/moderation.md.
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

// Kinds of report target.
const (
	Note    = "note"
	Comment = "comment"
	User    = "user"
	Message = "message"
	Product = "product"
	Store   = "store"
)

// Kinds lists the target kinds in display order.
var Kinds = []string{Note, Comment, User, Message, Product, Store}

// Reasons a reporter can pick, in display order. Stored reports keep their
// reason as written, so a reason is only ever added, never renamed.
var Reasons = []string{"spam", "harassment", "undisclosed_ad", "counterfeit", "prohibited_item", "sexual", "violence", "fraud", "illegal", "privacy", "other"}

// Case statuses.
const (
	Open      = "open"
	Actioned  = "actioned"  // a moderator acted on the target
	Dismissed = "dismissed" // nothing wrong was found
)

// DetailsMax bounds the free text of a report.
const DetailsMax = 500

// Case is every report about one target while it is being handled.
type Case struct {
	ID           id.ID      `json:"id"`
	TargetKind   string     `json:"target_kind"`
	TargetID     id.ID      `json:"target_id"`
	TargetUserID id.ID      `json:"target_user_id"`
	Status       string     `json:"status"`
	Outcome      string     `json:"outcome"`
	ReportCount  int        `json:"report_count"`
	ResolvedBy   id.ID      `json:"resolved_by,omitempty"`
	ResolvedAt   *time.Time `json:"resolved_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	Reports      []Report   `json:"reports,omitempty"` // filled by Get
	Signals      []Signal   `json:"signals,omitempty"` // filled by Get
	Actions      []Action   `json:"actions,omitempty"` // filled by Get
}

// Report is one user's report. Status and Outcome are the case's, so the
// reporter sees what came of it.
type Report struct {
	ID         id.ID     `json:"id"`
	CaseID     id.ID     `json:"case_id"`
	ReporterID id.ID     `json:"reporter_id"`
	TargetKind string    `json:"target_kind"`
	TargetID   id.ID     `json:"target_id"`
	Reason     string    `json:"reason"`
	Details    string    `json:"details"`
	Status     string    `json:"status"`
	Outcome    string    `json:"outcome"`
	CreatedAt  time.Time `json:"created_at"`
}

// Input is a new report.
type Input struct {
	TargetKind string `json:"target_kind"`
	TargetID   id.ID  `json:"target_id"`
	Reason     string `json:"reason"`
	Details    string `json:"details"`
}

// Service stores reports, cases, actions, appeals, signals and the audit log.
type Service struct {
	db      *db.DB
	notify  *notify.Service
	targets Targets
	filters filterCache
	// Config holds the signal thresholds and the commerce policy.
	Config Config
}

// New returns the service; act on targets' things through t.
func New(d *db.DB, n *notify.Service, t Targets, cfg Config) *Service {
	return &Service{db: d, notify: n, targets: t, Config: cfg}
}

// CanModerate reports whether u may work the moderation queue: moderators
// and operators.
func CanModerate(u accounts.User) bool {
	return u.Role == accounts.RoleModerator || u.Role == accounts.RoleOperator
}

func requireModerator(u accounts.User) error {
	if !CanModerate(u) {
		return apperr.Forbidden("only moderators can handle reports")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// CheckReport validates a report's fields.
func CheckReport(in Input) (Input, error) {
	if !contains(Kinds, in.TargetKind) {
		return in, apperr.Invalid("target_kind must be one of note, comment, user, message, product, store")
	}
	if in.TargetID <= 0 {
		return in, apperr.Invalid("target_id is required")
	}
	if !contains(Reasons, in.Reason) {
		return in, apperr.Invalid("unknown reason %q", in.Reason)
	}
	d, err := validate.Text("details", in.Details, 0, DetailsMax, true)
	if err != nil {
		return in, err
	}
	in.Details = d
	return in, nil
}

// owner finds who owns a target. A message can be reported only by a party
// of its conversation; anyone else gets 404, as for a missing target.
func (s *Service) owner(ctx context.Context, reporter id.ID, kind string, target id.ID) (id.ID, error) {
	var q string
	args := []any{target}
	switch kind {
	case Note:
		q = "SELECT author_id FROM notes WHERE id = ? AND status <> 'deleted'"
	case Comment:
		q = "SELECT author_id FROM comments WHERE id = ?"
	case User:
		q = "SELECT id FROM users WHERE id = ?"
	case Message:
		q = `SELECT m.sender_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.id = ? AND (c.user_a = ? OR c.user_b = ?)`
		args = append(args, reporter, reporter)
	case Product:
		q = "SELECT s.owner_id FROM products p JOIN stores s ON s.id = p.store_id WHERE p.id = ?"
	case Store:
		q = "SELECT owner_id FROM stores WHERE id = ?"
	}
	var uid id.ID
	err := s.db.Writer(ctx).QueryRow(ctx, q, args...).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.NotFound(kind)
	}
	return uid, err
}

// Report files a report by reporter. Reports about a target with an open
// case join that case; reporting it again while the case is open returns
// the first report unchanged. Rate limiting is the caller's (app.Limits).
func (s *Service) Report(ctx context.Context, reporter accounts.User, in Input) (Report, error) {
	in, err := CheckReport(in)
	if err != nil {
		return Report{}, err
	}
	var out Report
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		owner, err := s.owner(ctx, reporter.ID, in.TargetKind, in.TargetID)
		if err != nil {
			return err
		}
		if owner == reporter.ID {
			return apperr.Invalid("you cannot report yourself or your own content")
		}
		caseID, err := s.openCase(ctx, in.TargetKind, in.TargetID, owner)
		if err != nil {
			return err
		}
		rid, now := id.New(), db.Now()
		res, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO moderation_reports (id, case_id, reporter_id, reason, details, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, reporter_id) DO NOTHING`, rid, caseID, reporter.ID, in.Reason, in.Details, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			if _, err := s.db.Writer(ctx).Exec(ctx, `UPDATE moderation_cases SET report_count = report_count + 1, updated_at = ?
				WHERE id = ?`, now, caseID); err != nil {
				return err
			}
		}
		out, err = s.reportOf(ctx, s.db.Writer(ctx), caseID, reporter.ID)
		return err
	})
	return out, err
}

// openCase returns the open case about the target, opening one if there is
// none. Two first reports racing both try the insert; the partial unique
// index lets one win and the other reads the winner's case.
func (s *Service) openCase(ctx context.Context, kind string, target, owner id.ID) (id.ID, error) {
	now := db.Now()
	cid := id.New()
	_, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO moderation_cases (id, target_kind, target_id, target_user_id, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'open', ?, ?) ON CONFLICT (target_kind, target_id) WHERE status = 'open' DO NOTHING`,
		cid, kind, target, owner, now, now)
	if err != nil {
		return 0, err
	}
	var got id.ID
	err = s.db.Writer(ctx).QueryRow(ctx, `SELECT id FROM moderation_cases WHERE target_kind = ? AND target_id = ? AND status = 'open'`,
		kind, target).Scan(&got)
	return got, err
}

const reportCols = `r.id, r.case_id, r.reporter_id, c.target_kind, c.target_id, r.reason, r.details, c.status, c.outcome, r.created_at`

func scanReport(sc interface{ Scan(...any) error }) (Report, error) {
	var r Report
	var at int64
	err := sc.Scan(&r.ID, &r.CaseID, &r.ReporterID, &r.TargetKind, &r.TargetID, &r.Reason, &r.Details, &r.Status, &r.Outcome, &at)
	r.CreatedAt = time.UnixMilli(at).UTC()
	return r, err
}

func (s *Service) reportOf(ctx context.Context, q db.Querier, caseID, reporter id.ID) (Report, error) {
	return scanReport(q.QueryRow(ctx, `SELECT `+reportCols+` FROM moderation_reports r JOIN moderation_cases c ON c.id = r.case_id
		WHERE r.case_id = ? AND r.reporter_id = ?`, caseID, reporter))
}

// MyReports lists the reporter's reports, newest first, with each case's
// status and outcome.
func (s *Service) MyReports(ctx context.Context, reporter id.ID, limit int) ([]Report, error) {
	limit = min(max(limit, 1), 100)
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT `+reportCols+` FROM moderation_reports r JOIN moderation_cases c ON c.id = r.case_id
		WHERE r.reporter_id = ? ORDER BY r.id DESC LIMIT ?`, reporter, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Report{}
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
