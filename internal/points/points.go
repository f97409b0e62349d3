// Package points keeps the points ledger (E7). Every change is a ledger row;
// point_accounts.balance is a running total written in the same
// transaction, so Balance is cheap while the ledger stays the truth (tests
// check balance == SUM(delta) after concurrent use). Spending is a
// conditional UPDATE on the balance, so points never go negative and two
// concurrent checkouts cannot spend the same points.
package points

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Ledger kinds. A (user, kind, ref) posts at most once.
const (
	EarnOrder    = "earn_order"    // ref: order, when it completes
	SpendOrder   = "spend_order"   // ref: order, at checkout
	ReturnCancel = "return_cancel" // ref: order, cancelled before shipping
	ReturnRefund = "return_refund" // ref: after-sales request
	Grant        = "grant"         // check-in, sharing, live watch time, operator grants
	// Growth rewards (internal/growth); ref makes each exactly-once.
	CheckIn       = "checkin"        // ref: local day number
	Streak        = "streak"         // ref: local day number a 7-day streak completed
	ShareReward   = "share_reward"   // ref: note shared
	FirstPurchase = "first_purchase" // ref: the buyer (once per user)
	OrderReward   = "order_reward"   // ref: order paid
	TaskReward    = "task_reward"    // ref: level reached
	InviteReward  = "invite_reward"  // ref: the invitee who became active
	Clawback      = "clawback"       // ref: refunded order whose rewards are taken back
	TipSent       = "tip_sent"       // ref: tip
	TipReceived   = "tip_received"   // ref: tip
	LiveWatch     = "live_watch"     // ref: the user's nth credited minute of watching lives
)

// Rules are the configurable conversion rules.
type Rules struct {
	PointsPerYuan int64 // points worth one yuan at checkout (default 100: 1 point = 1 fen)
	MaxSharePct   int64 // points may pay at most this % of the goods after discounts (default 50)
	EarnPerYuan   int64 // points earned per yuan paid on a completed order (default 1; negative: none)
}

// DefaultRules are used for zero fields.
var DefaultRules = Rules{PointsPerYuan: 100, MaxSharePct: 50, EarnPerYuan: 1}

func (r Rules) withDefaults() Rules {
	if r.PointsPerYuan <= 0 {
		r.PointsPerYuan = DefaultRules.PointsPerYuan
	}
	if r.MaxSharePct <= 0 || r.MaxSharePct > 100 {
		r.MaxSharePct = DefaultRules.MaxSharePct
	}
	if r.EarnPerYuan == 0 {
		r.EarnPerYuan = DefaultRules.EarnPerYuan
	}
	return r
}

// Service manages balances and the ledger.
type Service struct {
	db    *db.DB
	Rules Rules
}

func New(d *db.DB, r Rules) *Service { return &Service{db: d, Rules: r.withDefaults()} }

// Deduction converts a request to spend up to want points against goods
// (fen, after discounts) into the fen deducted and the points actually
// spent: capped by MaxSharePct of goods, and never charging points for a
// fraction of a fen.
func (s *Service) Deduction(want, goods int64) (fen, spent int64) {
	if want <= 0 || goods <= 0 {
		return 0, 0
	}
	r := s.Rules
	capFen := goods * r.MaxSharePct / 100
	fen = min(want*100/r.PointsPerYuan, capFen)
	spent = (fen*r.PointsPerYuan + 99) / 100
	return fen, min(spent, want)
}

// Earned is the points a completed order earns for paid fen.
func (s *Service) Earned(paid int64) int64 { return paid / 100 * max(s.Rules.EarnPerYuan, 0) }

// Entry is one ledger row.
type Entry struct {
	ID        id.ID     `json:"id"`
	Delta     int64     `json:"delta"`
	Kind      string    `json:"kind"`
	RefID     *id.ID    `json:"ref_id,omitempty"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

// Add posts delta points to a user's ledger and balance in one
// transaction. A negative delta fails with 409 when the balance is short.
// ref (0 for none) makes the post idempotent: posting the same (kind, ref)
// again returns posted=false and changes nothing.
func (s *Service) Add(ctx context.Context, uid id.ID, delta int64, kind string, ref id.ID, note string) (posted bool, err error) {
	if delta == 0 {
		return false, nil
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		var refArg any
		if ref != 0 {
			refArg = ref
		}
		res, err := w.Exec(ctx, `INSERT INTO point_ledger (id, user_id, delta, kind, ref_id, note, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, id.New(), uid, delta, kind, refArg, note, db.Now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		posted = true
		if delta > 0 {
			_, err = w.Exec(ctx, `INSERT INTO point_accounts (user_id, balance, updated_at) VALUES (?, ?, ?)
				ON CONFLICT (user_id) DO UPDATE SET balance = point_accounts.balance + excluded.balance, updated_at = excluded.updated_at`,
				uid, delta, db.Now())
			return err
		}
		res, err = w.Exec(ctx, "UPDATE point_accounts SET balance = balance + ?, updated_at = ? WHERE user_id = ? AND balance >= ?",
			delta, db.Now(), uid, -delta)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("not enough points")
		}
		return nil
	})
	return posted, err
}

// Clawback takes back up to want points (what an event earned) and returns
// how many it took: never more than the balance, since the user may have
// spent them already; posting the same (kind, ref) again takes nothing.
func (s *Service) Clawback(ctx context.Context, uid id.ID, want int64, kind string, ref id.ID, note string) (int64, error) {
	var took int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var bal int64
		lock := ""
		if s.db.Dialect == db.Postgres {
			lock = " FOR UPDATE"
		}
		err := s.db.Writer(ctx).QueryRow(ctx, "SELECT balance FROM point_accounts WHERE user_id = ?"+lock, uid).Scan(&bal)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if n := min(want, bal); n > 0 {
			posted, err := s.Add(ctx, uid, -n, kind, ref, note)
			if posted {
				took = n
			}
			return err
		}
		return nil
	})
	return took, err
}

// Balance returns a user's points.
func (s *Service) Balance(ctx context.Context, uid id.ID) (int64, error) {
	var b int64
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT balance FROM point_accounts WHERE user_id = ?", uid).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return b, err
}

// Ledger returns a user's entries newest first, before a cursor id.
func (s *Service) Ledger(ctx context.Context, uid id.ID, before id.ID, limit int) ([]Entry, string, error) {
	q := "SELECT id, delta, kind, ref_id, note, created_at FROM point_ledger WHERE user_id = ?"
	args := []any{uid}
	if before != 0 {
		q += " AND id < ?"
		args = append(args, before)
	}
	args = append(args, limit+1)
	rows, err := s.db.Reader(ctx).Query(ctx, q+" ORDER BY id DESC LIMIT ?", args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var e Entry
		var ref sql.NullInt64
		var created int64
		if err := rows.Scan(&e.ID, &e.Delta, &e.Kind, &ref, &e.Note, &created); err != nil {
			return nil, "", err
		}
		if ref.Valid {
			r := id.ID(ref.Int64)
			e.RefID = &r
		}
		e.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, e)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID.String()
	}
	return out, next, rows.Err()
}

// LedgerSum is SUM(delta) of a user's ledger: what Balance must equal.
func (s *Service) LedgerSum(ctx context.Context, uid id.ID) (int64, error) {
	var n int64
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT COALESCE(SUM(delta), 0) FROM point_ledger WHERE user_id = ?", uid).Scan(&n)
	return n, err
}
