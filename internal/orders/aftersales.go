package orders

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
	"github.com/redmark/redmark/internal/points"
	"github.com/redmark/redmark/internal/validate"
)

// After-sales request statuses.
const (
	Requested = "requested"
	Approved  = "approved"
	Rejected  = "rejected"
)

// AfterSaleItem is a quantity of one order line to return.
type AfterSaleItem struct {
	ItemID   id.ID `json:"item_id"`
	Quantity int64 `json:"quantity"`
}

// AfterSale is a return/refund request. Amount (fen) and Points are fixed
// when it is made: the line's paid share for the returned quantity, or
// everything still unrefunded when the request covers all that is left.
type AfterSale struct {
	ID        id.ID           `json:"id"`
	OrderID   id.ID           `json:"order_id"`
	Status    string          `json:"status"`
	Reason    string          `json:"reason"`
	Items     []AfterSaleItem `json:"items"`
	Amount    int64           `json:"amount"`
	Points    int64           `json:"points"`
	Reply     string          `json:"reply"`
	CreatedAt time.Time       `json:"created_at"`
}

// AfterSaleRequest is the body of POST /orders/{id}/refunds; no items means
// everything not yet refunded.
type AfterSaleRequest struct {
	Reason string          `json:"reason"`
	Items  []AfterSaleItem `json:"items"`
}

func (s *Service) hasOpenAfterSale(ctx context.Context, oid id.ID) (bool, error) {
	var n int
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM after_sales WHERE order_id = ? AND status = ?", oid, Requested).Scan(&n)
	return n > 0, err
}

// RequestRefund opens an after-sales request (the buyer, on a paid, shipped
// or delivered order; one open request at a time).
func (s *Service) RequestRefund(ctx context.Context, actor accounts.User, oid id.ID, req AfterSaleRequest) (AfterSale, error) {
	var as AfterSale
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		o, _, err := s.authorize(ctx, actor, oid, buyer)
		if err != nil {
			return err
		}
		// Validated after the authorization (a stranger gets 404, not 400).
		reason, err := validate.Text("reason", req.Reason, 1, 500, true)
		if err != nil {
			return err
		}
		if len(req.Items) > s.cfg.MaxLines {
			return apperr.Invalid("too many items")
		}
		if o.Status != Paid && o.Status != Shipped && o.Status != Delivered {
			return apperr.Conflict("an order that is %s cannot be refunded", o.Status)
		}
		byID := map[id.ID]Item{}
		for _, it := range o.Items {
			if !it.Gift {
				byID[it.ID] = it
			}
		}
		want := req.Items
		if len(want) == 0 {
			for _, it := range o.Items {
				if left := it.Quantity - it.RefundedQuantity; !it.Gift && left > 0 {
					want = append(want, AfterSaleItem{it.ID, left})
				}
			}
		}
		if len(want) == 0 {
			return apperr.Conflict("everything in this order has been refunded")
		}
		taking := map[id.ID]int64{}
		for _, w := range want {
			it, ok := byID[w.ItemID]
			if !ok {
				return apperr.Invalid("item %s is not a refundable line of this order", w.ItemID)
			}
			if _, dup := taking[w.ItemID]; dup {
				return apperr.Invalid("item %s appears twice", w.ItemID)
			}
			if w.Quantity < 1 || w.Quantity > it.Quantity-it.RefundedQuantity {
				return apperr.Invalid("quantity of item %s must be 1–%d", w.ItemID, it.Quantity-it.RefundedQuantity)
			}
			taking[w.ItemID] = w.Quantity
		}
		full := true
		for _, it := range byID {
			full = full && it.RefundedQuantity+taking[it.ID] == it.Quantity
		}
		as = AfterSale{ID: id.New(), OrderID: oid, Status: Requested, Reason: reason, Items: want, CreatedAt: time.Now().UTC()}
		if full {
			as.Amount, as.Points = o.PaidAmount-o.RefundedAmount, o.PointsUsed-o.pointsReturned
		} else {
			for _, w := range want {
				it := byID[w.ItemID]
				as.Amount += it.Paid * w.Quantity / it.Quantity
				as.Points += it.PointsUsed * w.Quantity / it.Quantity
			}
		}
		items, _ := json.Marshal(as.Items)
		_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO after_sales (id, order_id, user_id, status, reason, items, amount, points, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, as.ID, oid, actor.ID, Requested, reason, string(items), as.Amount, as.Points, db.Now())
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("this order already has an open refund request")
		}
		if err != nil {
			return err
		}
		return s.event(ctx, oid, "refund_requested", reason, "")
	})
	return as, err
}

// DecideRefund approves or rejects an open request (the store only). On
// approval the money goes back through the provider, the lines' points come
// back, unshipped stock is released, and when nothing is left the coupon is
// restored and the order becomes refunded.
func (s *Service) DecideRefund(ctx context.Context, actor accounts.User, oid, asID id.ID, approve bool, reply string) (AfterSale, error) {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		o, _, err := s.authorize(ctx, actor, oid, manager)
		if err != nil {
			return err
		}
		if reply, err = validate.Text("reply", reply, 0, 500, true); err != nil {
			return err
		}
		as, err := s.afterSale(ctx, oid, asID)
		if err != nil {
			return err
		}
		status := Rejected
		if approve {
			status = Approved
		}
		res, err := s.db.Writer(ctx).Exec(ctx, "UPDATE after_sales SET status = ?, reply = ?, decided_at = ? WHERE id = ? AND status = ?",
			status, reply, db.Now(), asID, Requested)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("this request has been decided already")
		}
		if !approve {
			return s.event(ctx, oid, "refund_rejected", reply, "")
		}
		return s.applyRefund(ctx, o, as)
	})
	if err != nil {
		return AfterSale{}, err
	}
	return s.afterSale(ctx, oid, asID)
}

func (s *Service) applyRefund(ctx context.Context, o Order, as AfterSale) error {
	w := s.db.Writer(ctx)
	byID := map[id.ID]Item{}
	for _, it := range o.Items {
		byID[it.ID] = it
	}
	for _, x := range as.Items {
		res, err := w.Exec(ctx, "UPDATE order_items SET refunded_quantity = refunded_quantity + ? WHERE id = ? AND refunded_quantity + ? <= quantity",
			x.Quantity, x.ItemID, x.Quantity)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("item %s has been refunded already", x.ItemID)
		}
		it := byID[x.ItemID]
		it.RefundedQuantity += x.Quantity
		byID[x.ItemID] = it
		if o.Status == Paid { // never shipped: the goods are still in stock
			if err := s.shop.Release(ctx, it.SKUID, x.Quantity); err != nil {
				return err
			}
		}
	}
	if as.Points > 0 {
		res, err := w.Exec(ctx, "UPDATE orders SET points_returned = points_returned + ? WHERE id = ? AND points_returned + ? <= points_used",
			as.Points, o.ID, as.Points)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("these points have been returned already")
		}
		if _, err := s.points.Add(ctx, o.UserID, as.Points, points.ReturnRefund, as.ID, "refund"); err != nil {
			return err
		}
	}
	if as.Amount > 0 {
		if err := s.refundOrder(ctx, o.ID, as.Amount, "after-sales: "+as.Reason); err != nil {
			return err
		}
	}
	full := true
	for _, it := range byID {
		full = full && (it.Gift || it.RefundedQuantity == it.Quantity)
	}
	if err := s.event(ctx, o.ID, "refund_approved", as.Reason, ""); err != nil {
		return err
	}
	if !full {
		return nil
	}
	if o.couponID != nil {
		if err := s.promo.Restore(ctx, *o.couponID, o.UserID); err != nil {
			return err
		}
	}
	if o.Status == Paid {
		for _, it := range o.Items {
			if it.Gift {
				if err := s.shop.Release(ctx, it.SKUID, it.Quantity); err != nil {
					return err
				}
			}
		}
	}
	ok, err := s.transition(ctx, o.ID, Refunded, Paid, Shipped, Delivered)
	if err != nil || !ok {
		return err
	}
	return s.event(ctx, o.ID, Refunded, "everything in the order was refunded", "")
}

const afterSaleCols = "id, order_id, status, reason, items, amount, points, reply, created_at"

func scanAfterSale(row interface{ Scan(...any) error }) (AfterSale, error) {
	var as AfterSale
	var items string
	var created int64
	if err := row.Scan(&as.ID, &as.OrderID, &as.Status, &as.Reason, &items, &as.Amount, &as.Points, &as.Reply, &created); err != nil {
		return AfterSale{}, err
	}
	as.CreatedAt = time.UnixMilli(created).UTC()
	return as, json.Unmarshal([]byte(items), &as.Items)
}

func (s *Service) afterSale(ctx context.Context, oid, asID id.ID) (AfterSale, error) {
	as, err := scanAfterSale(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+afterSaleCols+" FROM after_sales WHERE id = ? AND order_id = ?", asID, oid))
	if errors.Is(err, sql.ErrNoRows) {
		return AfterSale{}, apperr.NotFound("refund request")
	}
	return as, err
}

func (s *Service) afterSales(ctx context.Context, oid id.ID) ([]AfterSale, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+afterSaleCols+" FROM after_sales WHERE order_id = ? ORDER BY id", oid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AfterSale{}
	for rows.Next() {
		as, err := scanAfterSale(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, as)
	}
	return out, rows.Err()
}
