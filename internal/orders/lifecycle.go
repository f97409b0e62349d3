package orders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/payments"
	"github.com/redmark/redmark/internal/points"
	"github.com/redmark/redmark/internal/validate"
)

// role is how the actor relates to an order.
type role int

const (
	stranger role = iota
	buyer
	manager
)

// roleOf returns the actor's relation to o (a store manager who also
// bought from their own store counts as buyer only for buyer actions).
func (s *Service) roleOf(ctx context.Context, actor accounts.User, o Order, want role) (role, error) {
	if want == buyer && o.UserID == actor.ID {
		return buyer, nil
	}
	m, err := s.isManager(ctx, actor, o)
	if err != nil {
		return stranger, err
	}
	if m {
		return manager, nil
	}
	if o.UserID == actor.ID {
		return buyer, nil
	}
	return stranger, nil
}

// authorize loads o and checks the actor may act as one of the roles; a
// stranger gets 404 (orders are private), a wrong role 403.
func (s *Service) authorize(ctx context.Context, actor accounts.User, oid id.ID, allowed ...role) (Order, role, error) {
	o, err := s.load(ctx, oid)
	if err != nil {
		return Order{}, stranger, err
	}
	r, err := s.roleOf(ctx, actor, o, allowed[0])
	if err != nil {
		return Order{}, stranger, err
	}
	if r == stranger {
		return Order{}, stranger, apperr.NotFound("order")
	}
	for _, a := range allowed {
		if a == r {
			return o, r, nil
		}
	}
	if r == buyer {
		return Order{}, r, apperr.Forbidden("only the store can do this")
	}
	return Order{}, r, apperr.Forbidden("only the buyer can do this")
}

// Pay starts a payment of an unpaid order with the payment provider. An
// order that costs nothing (points and coupons covered it) is paid at once.
func (s *Service) Pay(ctx context.Context, actor accounts.User, oid id.ID) (payments.Intent, error) {
	o, _, err := s.authorize(ctx, actor, oid, buyer)
	if err != nil {
		return payments.Intent{}, err
	}
	if o.Status != PendingPayment {
		return payments.Intent{}, apperr.Conflict("order is %s, not awaiting payment", o.Status)
	}
	if !s.now().Before(o.ExpiresAt) {
		return payments.Intent{}, apperr.Conflict("the payment window of this order has closed")
	}
	if o.Total == 0 {
		err := s.db.InTx(ctx, func(ctx context.Context) error {
			ok, err := s.transition(ctx, oid, Paid, PendingPayment)
			if err != nil || !ok {
				return err
			}
			return s.event(ctx, oid, Paid, "paid in full with points and coupons", "")
		})
		return payments.Intent{Provider: "none", Status: payments.StatusSucceeded, Currency: "CNY"}, err
	}
	return s.pay.CreateIntent(ctx, oid, o.Total, "Redmark order "+oid.String())
}

// ApplyPaymentEvent acts on a verified provider event exactly once: a
// duplicate delivery is recognised by its event id, a late or out-of-order
// one by the conditional status updates. A payment that succeeds for an
// order no longer awaiting it (cancelled by expiry, or paid twice) is
// refunded at once.
func (s *Service) ApplyPaymentEvent(ctx context.Context, ev payments.Event) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		fresh, err := s.pay.Record(ctx, ev)
		if err != nil || !fresh {
			return err
		}
		switch ev.Type {
		case payments.EventFailed:
			p, changed, err := s.pay.Settle(ctx, ev, payments.StatusFailed)
			if err != nil || !changed {
				return err
			}
			return s.event(ctx, p.OrderID, "payment_failed", "the payment did not go through; you can try again", "")
		case payments.EventSucceeded:
			p, changed, err := s.pay.Settle(ctx, ev, payments.StatusSucceeded)
			if err != nil || !changed {
				return err
			}
			res, err := s.db.Writer(ctx).Exec(ctx, `UPDATE orders SET status = ?, paid_amount = ?, paid_at = ?, updated_at = ?
				WHERE id = ? AND status = ?`, Paid, p.Amount, db.Now(), db.Now(), p.OrderID, PendingPayment)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				return s.event(ctx, p.OrderID, Paid, "payment received", "")
			}
			if err := s.pay.Refund(ctx, p.ID, p.Amount, "payment arrived for an order that was closed or already paid"); err != nil {
				return err
			}
			return s.event(ctx, p.OrderID, "payment_refunded", "a payment arrived after the order was closed or paid, and was refunded", "")
		}
		return nil
	})
}

// Cancel cancels an unpaid order (buyer or store) or a paid, unshipped one
// with a full refund; stock, points and coupon come back exactly once.
func (s *Service) Cancel(ctx context.Context, actor accounts.User, oid id.ID, reason string) (Order, error) {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		o, r, err := s.authorize(ctx, actor, oid, buyer, manager)
		if err != nil {
			return err
		}
		// Validated after the authorization (a stranger gets 404, not 400).
		if reason, err = validate.Text("reason", reason, 0, 200, false); err != nil {
			return err
		}
		if o.Status != PendingPayment && o.Status != Paid {
			return apperr.Conflict("order is %s; use an after-sales request instead", o.Status)
		}
		if reason == "" {
			reason = map[role]string{buyer: "cancelled by the buyer", manager: "cancelled by the store"}[r]
		}
		return s.cancel(ctx, o, reason)
	})
	if err != nil {
		return Order{}, err
	}
	return s.Get(ctx, actor, oid)
}

// cancel moves o (as loaded in this transaction) to cancelled and gives
// everything back. The conditional transition makes it happen once.
func (s *Service) cancel(ctx context.Context, o Order, reason string) error {
	if o.Status == Paid {
		if open, err := s.hasOpenAfterSale(ctx, o.ID); err != nil || open {
			if err == nil {
				err = apperr.Conflict("the order has an open refund request; the store decides it first")
			}
			return err
		}
	}
	ok, err := s.transition(ctx, o.ID, Cancelled, o.Status)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Conflict("the order changed meanwhile; reload it")
	}
	if _, err := s.db.Writer(ctx).Exec(ctx, "UPDATE orders SET cancel_reason = ? WHERE id = ?", reason, o.ID); err != nil {
		return err
	}
	if release, ok := s.sources[o.Source]; ok {
		// The feature that made the order holds its stock (a flash sale).
		if err := release(ctx, o); err != nil {
			return err
		}
	} else {
		for _, it := range o.Items {
			if err := s.shop.Release(ctx, it.SKUID, it.Quantity-it.RefundedQuantity); err != nil {
				return err
			}
		}
	}
	if o.couponID != nil {
		if err := s.promo.Restore(ctx, *o.couponID, o.UserID); err != nil {
			return err
		}
	}
	if back := o.PointsUsed - o.pointsReturned; back > 0 {
		if _, err := s.points.Add(ctx, o.UserID, back, points.ReturnCancel, o.ID, "order cancelled"); err != nil {
			return err
		}
		if _, err := s.db.Writer(ctx).Exec(ctx, "UPDATE orders SET points_returned = points_used WHERE id = ?", o.ID); err != nil {
			return err
		}
	}
	if rest := o.PaidAmount - o.RefundedAmount; rest > 0 {
		if err := s.refundOrder(ctx, o.ID, rest, reason); err != nil {
			return err
		}
	}
	return s.event(ctx, o.ID, Cancelled, reason, "")
}

// refundOrder books amount against the order (never beyond what was paid)
// and sends it back through the provider.
func (s *Service) refundOrder(ctx context.Context, oid id.ID, amount int64, reason string) error {
	res, err := s.db.Writer(ctx).Exec(ctx, `UPDATE orders SET refunded_amount = refunded_amount + ?, updated_at = ?
		WHERE id = ? AND refunded_amount + ? <= paid_amount`, amount, db.Now(), oid, amount)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Conflict("a refund may not exceed what was paid")
	}
	return s.pay.RefundOrder(ctx, oid, amount, reason)
}

// ExpireUnpaid cancels orders whose payment window has closed and returns
// how many it cancelled. Safe to run on several servers at once: each
// cancellation is a conditional transition.
func (s *Service) ExpireUnpaid(ctx context.Context) (int, error) {
	return s.expire(ctx, "SELECT id FROM orders WHERE status = ? AND expires_at <= ? ORDER BY expires_at LIMIT 200",
		PendingPayment, s.now().UnixMilli())
}

// expire cancels the unpaid orders the query selects.
func (s *Service) expire(ctx context.Context, query string, args ...any) (int, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	var ids []id.ID
	for rows.Next() {
		var oid id.ID
		if err := rows.Scan(&oid); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, oid)
	}
	rows.Close()
	n := 0
	for _, oid := range ids {
		err := s.db.InTx(ctx, func(ctx context.Context) error {
			o, err := s.load(ctx, oid)
			if err != nil {
				return err
			}
			if o.Status != PendingPayment {
				return nil
			}
			return s.cancel(ctx, o, "not paid within the payment window")
		})
		if err == nil {
			n++
		} else if !isConflict(err) {
			return n, err
		}
	}
	return n, rows.Err()
}

// isConflict: another transition won the race; the job skips that order.
func isConflict(err error) bool { return errors.Is(err, apperr.ErrConflict) }

// Shipment is what the store sends when it ships.
type Shipment struct {
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"tracking_number"`
}

func checkTracking(n string) (string, error) {
	n = strings.TrimSpace(n)
	if len(n) < 4 || len(n) > 40 {
		return "", apperr.Invalid("tracking_number must be 4–40 characters")
	}
	for _, r := range n {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return "", apperr.Invalid("tracking_number may contain only letters, digits and '-'")
		}
	}
	return n, nil
}

// Ship marks a paid order shipped (the store only).
func (s *Service) Ship(ctx context.Context, actor accounts.User, oid id.ID, sh Shipment) (Order, error) {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		o, _, err := s.authorize(ctx, actor, oid, manager)
		if err != nil {
			return err
		}
		// Validated after the authorization, so a stranger learns nothing
		// about the order from a 400.
		carrier, err := validate.Text("carrier", sh.Carrier, 1, 40, false)
		if err != nil {
			return err
		}
		tracking, err := checkTracking(sh.TrackingNumber)
		if err != nil {
			return err
		}
		if open, err := s.hasOpenAfterSale(ctx, o.ID); err != nil || open {
			if err == nil {
				err = apperr.Conflict("decide the open refund request before shipping")
			}
			return err
		}
		ok, err := s.transition(ctx, oid, Shipped, Paid)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Conflict("only a paid order can be shipped; this one is %s", o.Status)
		}
		if _, err := s.db.Writer(ctx).Exec(ctx, "UPDATE orders SET carrier = ?, tracking_number = ? WHERE id = ?", carrier, tracking, oid); err != nil {
			return err
		}
		return s.event(ctx, oid, Shipped, "shipped with "+carrier+", tracking number "+tracking, "")
	})
	if err != nil {
		return Order{}, err
	}
	return s.Get(ctx, actor, oid)
}

// TrackingUpdate is a carrier event the store (or its logistics
// integration) reports; Delivered marks the parcel delivered.
type TrackingUpdate struct {
	Description string `json:"description"`
	Location    string `json:"location"`
	Delivered   bool   `json:"delivered"`
}

// Track adds a tracking event to a shipped order (the store only).
func (s *Service) Track(ctx context.Context, actor accounts.User, oid id.ID, u TrackingUpdate) (Order, error) {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		o, _, err := s.authorize(ctx, actor, oid, manager)
		if err != nil {
			return err
		}
		desc, err := validate.Text("description", u.Description, 1, 200, false)
		if err != nil {
			return err
		}
		loc, err := validate.Text("location", u.Location, 0, 100, false)
		if err != nil {
			return err
		}
		if o.Status != Shipped && !(o.Status == Delivered && !u.Delivered) {
			return apperr.Conflict("tracking events need a shipped order; this one is %s", o.Status)
		}
		if err := s.event(ctx, oid, "tracking", desc, loc); err != nil {
			return err
		}
		if !u.Delivered {
			return nil
		}
		ok, err := s.transition(ctx, oid, Delivered, Shipped)
		if err != nil || !ok {
			return err
		}
		return s.event(ctx, oid, Delivered, "delivered", loc)
	})
	if err != nil {
		return Order{}, err
	}
	return s.Get(ctx, actor, oid)
}

// Complete confirms receipt (the buyer): the order completes and earns
// points on what was paid and kept. After completion there is no
// after-sales request, so earned points are never clawed back.
func (s *Service) Complete(ctx context.Context, actor accounts.User, oid id.ID) (Order, error) {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		o, _, err := s.authorize(ctx, actor, oid, buyer)
		if err != nil {
			return err
		}
		return s.complete(ctx, o, "receipt confirmed by the buyer")
	})
	if err != nil {
		return Order{}, err
	}
	return s.Get(ctx, actor, oid)
}

func (s *Service) complete(ctx context.Context, o Order, why string) error {
	if open, err := s.hasOpenAfterSale(ctx, o.ID); err != nil || open {
		if err == nil {
			err = apperr.Conflict("the order has an open refund request")
		}
		return err
	}
	ok, err := s.transition(ctx, o.ID, Completed, Shipped, Delivered)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Conflict("only a shipped or delivered order can be completed; this one is %s", o.Status)
	}
	earned := s.points.Earned(o.PaidAmount - o.RefundedAmount)
	if earned > 0 {
		if _, err := s.points.Add(ctx, o.UserID, earned, points.EarnOrder, o.ID, "order completed"); err != nil {
			return err
		}
		if _, err := s.db.Writer(ctx).Exec(ctx, "UPDATE orders SET points_earned = ? WHERE id = ?", earned, o.ID); err != nil {
			return err
		}
	}
	return s.event(ctx, o.ID, Completed, why, "")
}

// AutoComplete completes orders delivered longer than the AutoComplete
// window ago without an open refund request.
func (s *Service) AutoComplete(ctx context.Context) (int, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id FROM orders WHERE status = ? AND delivered_at <= ? ORDER BY id LIMIT 200",
		Delivered, s.now().Add(-s.cfg.AutoComplete).UnixMilli())
	if err != nil {
		return 0, err
	}
	var ids []id.ID
	for rows.Next() {
		var oid id.ID
		if err := rows.Scan(&oid); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, oid)
	}
	rows.Close()
	n := 0
	for _, oid := range ids {
		err := s.db.InTx(ctx, func(ctx context.Context) error {
			o, err := s.load(ctx, oid)
			if err != nil {
				return err
			}
			return s.complete(ctx, o, "completed automatically after delivery")
		})
		if err == nil {
			n++
		} else if !isConflict(err) {
			return n, err
		}
	}
	return n, rows.Err()
}

// PurgeKeys forgets idempotency keys older than KeyRetention.
func (s *Service) PurgeKeys(ctx context.Context) (int64, error) {
	res, err := s.db.Writer(ctx).Exec(ctx, "DELETE FROM order_requests WHERE created_at < ?",
		time.Now().Add(-s.cfg.KeyRetention).UnixMilli())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// RunJobs runs the background work once (the app runs it every
// JobInterval as a cluster job): expiring unpaid orders, completing
// delivered ones, retrying refunds, forgetting old idempotency keys. Each
// step is idempotent; a failing one does not hold up the others.
func (s *Service) RunJobs(ctx context.Context) error {
	var errs []error
	if n, err := s.ExpireUnpaid(ctx); err != nil {
		errs = append(errs, fmt.Errorf("expire unpaid orders: %w", err))
	} else if n > 0 {
		slog.Info("cancelled unpaid orders", "count", n)
	}
	if _, err := s.AutoComplete(ctx); err != nil {
		errs = append(errs, fmt.Errorf("auto-complete orders: %w", err))
	}
	if err := s.pay.ProcessPending(ctx); err != nil {
		errs = append(errs, fmt.Errorf("retry refunds: %w", err))
	}
	if _, err := s.PurgeKeys(ctx); err != nil {
		errs = append(errs, fmt.Errorf("purge idempotency keys: %w", err))
	}
	return errors.Join(errs...)
}
