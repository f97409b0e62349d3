package live

import (
	"context"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Attribute records that an order was placed from a live and reports
// whether it did. It runs inside the order's transaction
// (orders.Service.Lives) and attributes nothing, without failing the
// order, unless the live exists and the order holds at least one of the
// live's products: a client cannot claim a live for an order it has
// nothing to do with.
func (s *Service) Attribute(ctx context.Context, orderID, liveID id.ID) (bool, error) {
	res, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO live_orders (order_id, live_id, created_at)
		SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM order_items oi JOIN live_products lp ON lp.product_id = oi.product_id
		WHERE oi.order_id = ? AND lp.live_id = ?) ON CONFLICT (order_id) DO NOTHING`, orderID, liveID, db.Now(), orderID, liveID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SellsOnAir reports whether a cart line of productID may carry liveID
// (orders.Service.SetCartItem): the live is on air and sells the product,
// pinned or not. Adding from a scheduled or ended live's page, or naming a
// live that does not sell the product, adds the line without the live.
func (s *Service) SellsOnAir(ctx context.Context, liveID, productID id.ID) (bool, error) {
	var n int
	err := s.db.Reader(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM lives l JOIN live_products lp ON lp.live_id = l.id
		WHERE l.id = ? AND l.status = ? AND lp.product_id = ?`, liveID, OnAir, productID).Scan(&n)
	return n > 0, err
}

// LiveOf is the live an order was placed from, or 0.
func (s *Service) LiveOf(ctx context.Context, orderID id.ID) (id.ID, error) {
	ids, err := db.IDs(s.db.Reader(ctx).Query(ctx, "SELECT live_id FROM live_orders WHERE order_id = ?", orderID))
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// Sales are the orders placed from one live. GMV counts what buyers paid,
// less refunds, in fen; unpaid and cancelled orders count only in Orders.
type Sales struct {
	Orders     int64 `json:"orders"`
	PaidOrders int64 `json:"paid_orders"`
	GMV        int64 `json:"gmv"`
}

const salesCols = `COUNT(o.id), COALESCE(SUM(CASE WHEN o.paid_amount > 0 THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(o.paid_amount - o.refunded_amount), 0)`

// SalesOf returns a live's sales to its host or an operator.
func (s *Service) SalesOf(ctx context.Context, actor accounts.User, lid id.ID) (Sales, error) {
	l, err := s.load(ctx, s.db.Reader(ctx), lid)
	if err != nil {
		return Sales{}, err
	}
	if !canManage(actor, l) {
		return Sales{}, apperr.Forbidden("only the host sees a live's sales")
	}
	var out Sales
	err = s.db.Reader(ctx).QueryRow(ctx, "SELECT "+salesCols+" FROM live_orders lo JOIN orders o ON o.id = lo.order_id WHERE lo.live_id = ?", lid).
		Scan(&out.Orders, &out.PaidOrders, &out.GMV)
	return out, err
}

// LiveSales is a live with its sales, for the console.
type LiveSales struct {
	Live
	Sales
}

// Console lists lives newest first with their sales, for operators.
func (s *Service) Console(ctx context.Context, actor accounts.User, limit int) ([]LiveSales, error) {
	if actor.Role != accounts.RoleOperator {
		return nil, apperr.Forbidden("operators only")
	}
	lives, err := s.List(ctx, ListFilter{Limit: limit})
	if err != nil || len(lives) == 0 {
		return []LiveSales{}, err
	}
	args := make([]any, len(lives))
	for i, l := range lives {
		args[i] = l.ID
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT lo.live_id, "+salesCols+` FROM live_orders lo JOIN orders o ON o.id = lo.order_id
		WHERE lo.live_id IN (`+db.Placeholders(len(args))+") GROUP BY lo.live_id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	by := map[id.ID]Sales{}
	for rows.Next() {
		var lid id.ID
		var sl Sales
		if err := rows.Scan(&lid, &sl.Orders, &sl.PaidOrders, &sl.GMV); err != nil {
			return nil, err
		}
		by[lid] = sl
	}
	out := make([]LiveSales, len(lives))
	for i, l := range lives {
		out[i] = LiveSales{Live: l, Sales: by[l.ID]}
	}
	return out, rows.Err()
}
