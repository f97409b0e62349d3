package moderation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/validate"
)

// Commerce quality (E8): counterfeit reports are ordinary product reports
// (reason "counterfeit"); a moderator confirming one takes the Counterfeit
// action. Operators schedule spot checks (抽查) of products and record the
// results. A confirmed counterfeit, or SpotCheckFailures failed checks,
// delists the product and, when Config.SuspendStoreOnDelist, suspends its
// store — as actions on the product's case, notified, appealable, audited.

// Counterfeit is the action confirming a counterfeit report.
const Counterfeit = "counterfeit"

// Spot check statuses.
const (
	Scheduled = "scheduled"
	Passed    = "passed"
	Failed    = "failed"
)

// SpotCheck is one scheduled check of a product.
type SpotCheck struct {
	ID          id.ID      `json:"id"`
	ProductID   id.ID      `json:"product_id"`
	StoreID     id.ID      `json:"store_id"`
	ScheduledBy id.ID      `json:"scheduled_by"`
	DueAt       time.Time  `json:"due_at"`
	Status      string     `json:"status"`
	Result      string     `json:"result"`
	RecordedBy  id.ID      `json:"recorded_by,omitempty"`
	RecordedAt  *time.Time `json:"recorded_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

const spotCols = `id, product_id, store_id, scheduled_by, due_at, status, result, COALESCE(recorded_by, 0), recorded_at, created_at`

func scanSpot(sc interface{ Scan(...any) error }) (SpotCheck, error) {
	var c SpotCheck
	var due, rec, created int64
	err := sc.Scan(&c.ID, &c.ProductID, &c.StoreID, &c.ScheduledBy, &due, &c.Status, &c.Result, &c.RecordedBy, &rec, &created)
	c.DueAt, c.CreatedAt = time.UnixMilli(due).UTC(), time.UnixMilli(created).UTC()
	if rec > 0 {
		t := time.UnixMilli(rec).UTC()
		c.RecordedAt = &t
	}
	return c, err
}

// ScheduleSpotCheck schedules a check of a product, due at due (operators).
func (s *Service) ScheduleSpotCheck(ctx context.Context, actor accounts.User, productID id.ID, due time.Time) (SpotCheck, error) {
	if err := accounts.RequireOperator(actor, "schedule spot checks"); err != nil {
		return SpotCheck{}, err
	}
	now := time.Now()
	if due.Before(now.Add(-24*time.Hour)) || due.After(now.Add(366*24*time.Hour)) {
		return SpotCheck{}, apperr.Invalid("due_at must be within the next year")
	}
	var out SpotCheck
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		p, err := s.targets.Shop.ProductOf(ctx, productID)
		if err != nil {
			return err
		}
		cid := id.New()
		if _, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO spot_checks (id, product_id, store_id, scheduled_by, due_at, status, created_at)
			VALUES (?, ?, ?, ?, ?, 'scheduled', ?)`, cid, productID, p.StoreID, actor.ID, due.UnixMilli(), db.Now()); err != nil {
			return err
		}
		if err := s.audit(ctx, actor.ID, "spot_check_schedule", Product, productID, 0, "", nil, map[string]any{"spot_check": cid, "due_at": due.UTC()}); err != nil {
			return err
		}
		out, err = scanSpot(s.db.Writer(ctx).QueryRow(ctx, `SELECT `+spotCols+` FROM spot_checks WHERE id = ?`, cid))
		return err
	})
	return out, err
}

// RecordSpotCheck records a scheduled check's result (operators), once. The
// product's SpotCheckFailures-th failure delists it by policy.
func (s *Service) RecordSpotCheck(ctx context.Context, actor accounts.User, checkID id.ID, passed bool, result string) (SpotCheck, error) {
	if err := accounts.RequireOperator(actor, "record spot checks"); err != nil {
		return SpotCheck{}, err
	}
	result, err := validate.Text("result", result, 1, ReasonMax, true)
	if err != nil {
		return SpotCheck{}, err
	}
	status := Failed
	if passed {
		status = Passed
	}
	var out SpotCheck
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		res, err := w.Exec(ctx, `UPDATE spot_checks SET status = ?, result = ?, recorded_by = ?, recorded_at = ? WHERE id = ? AND status = 'scheduled'`,
			status, result, actor.ID, db.Now(), checkID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var st string
			if err := w.QueryRow(ctx, "SELECT status FROM spot_checks WHERE id = ?", checkID).Scan(&st); errors.Is(err, sql.ErrNoRows) {
				return apperr.NotFound("spot check")
			} else if err != nil {
				return err
			}
			return apperr.Conflict("the spot check was already recorded as %s", st)
		}
		if out, err = scanSpot(w.QueryRow(ctx, `SELECT `+spotCols+` FROM spot_checks WHERE id = ?`, checkID)); err != nil {
			return err
		}
		if err := s.audit(ctx, actor.ID, "spot_check_"+status, Product, out.ProductID, 0, result, map[string]string{"status": Scheduled},
			map[string]string{"status": status}); err != nil {
			return err
		}
		if passed {
			return nil
		}
		var failed int
		if err := w.QueryRow(ctx, "SELECT COUNT(*) FROM spot_checks WHERE product_id = ? AND status = 'failed'", out.ProductID).Scan(&failed); err != nil {
			return err
		}
		if failed != s.spotCheckFailures() {
			return nil
		}
		_, err = s.delistByPolicy(ctx, actor.ID, out.ProductID, Delist, fmt.Sprintf("%d failed spot checks: %s", failed, result))
		return err
	})
	return out, err
}

func (s *Service) spotCheckFailures() int {
	if s.Config.SpotCheckFailures > 0 {
		return s.Config.SpotCheckFailures
	}
	return DefaultConfig.SpotCheckFailures
}

// delistByPolicy delists a product as an action on its case (the open
// one, else a new one) and suspends its store when the policy says so; it
// returns the last action taken.
func (s *Service) delistByPolicy(ctx context.Context, actor, productID id.ID, kind, reason string) (id.ID, error) {
	p, err := s.targets.Shop.ProductOf(ctx, productID)
	if err != nil {
		return 0, err
	}
	owner, err := s.owner(ctx, 0, Product, productID)
	if err != nil {
		return 0, err
	}
	cid, err := s.openCase(ctx, Product, productID, owner)
	if err != nil {
		return 0, err
	}
	var last id.ID
	if p.Blocked == 0 {
		a := Action{ID: id.New(), CaseID: cid, Kind: kind, TargetKind: Product, TargetID: productID, TargetUserID: owner, ActorID: actor, Reason: reason}
		before, after, err := s.apply(ctx, &a, 0)
		if err != nil {
			return 0, err
		}
		if err := s.insertAction(ctx, a, 0, before, after); err != nil {
			return 0, err
		}
		last = a.ID
	}
	if s.Config.SuspendStoreOnDelist {
		st, err := s.targets.Shop.GetStore(ctx, p.StoreID)
		if err != nil {
			return 0, err
		}
		if !st.Suspended {
			a := Action{ID: id.New(), CaseID: cid, Kind: SuspendStore, TargetKind: Product, TargetID: productID, TargetUserID: owner,
				ActorID: actor, Reason: "policy: " + reason}
			before, after, err := s.apply(ctx, &a, 0)
			if err != nil {
				return 0, err
			}
			if err := s.insertAction(ctx, a, 0, before, after); err != nil {
				return 0, err
			}
			if last == 0 {
				last = a.ID
			}
		}
	}
	if last == 0 {
		return 0, apperr.Conflict("the product is already off sale")
	}
	return last, s.close(ctx, actor, cid, Actioned, reason)
}

// SpotChecks lists checks, scheduled ones soonest first, then the latest
// recorded (operators).
func (s *Service) SpotChecks(ctx context.Context, actor accounts.User, productID id.ID) ([]SpotCheck, error) {
	if err := accounts.RequireOperator(actor, "see spot checks"); err != nil {
		return nil, err
	}
	q, args := `SELECT `+spotCols+` FROM spot_checks`, []any{}
	if productID != 0 {
		q += " WHERE product_id = ?"
		args = append(args, productID)
	}
	q += " ORDER BY CASE WHEN status = 'scheduled' THEN 0 ELSE 1 END, CASE WHEN status = 'scheduled' THEN due_at ELSE -recorded_at END LIMIT 200"
	rows, err := s.db.Reader(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SpotCheck{}
	for rows.Next() {
		c, err := scanSpot(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ServiceLevel is a merchant's after-sales record over a window.
type ServiceLevel struct {
	StoreID id.ID `json:"store_id"`
	Days    int   `json:"days"`
	Orders  int   `json:"orders"` // paid orders
	// ShipHours is the mean time from payment to shipping (0 with none shipped).
	ShipHours float64 `json:"ship_hours"`
	// RefundHours is the mean time from an after-sales request to its decision.
	RefundHours float64 `json:"refund_hours"`
	// DisputeRate is the share of paid orders with an after-sales request.
	DisputeRate float64 `json:"dispute_rate"`
	Disputes    int     `json:"disputes"`
	SpotFailed  int     `json:"spot_checks_failed"`
}

// ServiceLevelDays is the window of ServiceLevels.
const ServiceLevelDays = 90

// ServiceLevels computes a store's after-sales levels from its orders of
// the last ServiceLevelDays days. Public: the store page shows them.
func (s *Service) ServiceLevels(ctx context.Context, storeID id.ID) (ServiceLevel, error) {
	if _, err := s.targets.Shop.GetStore(ctx, storeID); err != nil {
		return ServiceLevel{}, err
	}
	since := db.Now() - int64(ServiceLevelDays)*24*time.Hour.Milliseconds()
	out := ServiceLevel{StoreID: storeID, Days: ServiceLevelDays}
	r := s.db.Reader(ctx)
	var ship sql.NullFloat64
	if err := r.QueryRow(ctx, `SELECT COUNT(*), AVG(CASE WHEN shipped_at > 0 THEN shipped_at - paid_at END) FROM orders
		WHERE store_id = ? AND paid_at >= ?`, storeID, since).Scan(&out.Orders, &ship); err != nil {
		return out, err
	}
	var refund sql.NullFloat64
	if err := r.QueryRow(ctx, `SELECT COUNT(DISTINCT a.order_id), AVG(CASE WHEN a.decided_at > 0 THEN a.decided_at - a.created_at END)
		FROM after_sales a JOIN orders o ON o.id = a.order_id WHERE o.store_id = ? AND o.paid_at >= ?`, storeID, since).Scan(&out.Disputes, &refund); err != nil {
		return out, err
	}
	if err := r.QueryRow(ctx, "SELECT COUNT(*) FROM spot_checks WHERE store_id = ? AND status = 'failed'", storeID).Scan(&out.SpotFailed); err != nil {
		return out, err
	}
	hour := float64(time.Hour.Milliseconds())
	out.ShipHours, out.RefundHours = round1(ship.Float64/hour), round1(refund.Float64/hour)
	if out.Orders > 0 {
		out.DisputeRate = float64(out.Disputes) / float64(out.Orders)
	}
	return out, nil
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }
