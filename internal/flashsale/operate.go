package flashsale

import (
	"context"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
)

// End ends a sale now (operators only): purchases stop at once in this
// process and within a job interval in others (refresh), and the next
// settle gives the unsold units back to the SKU as for any ended sale.
func (s *Service) End(ctx context.Context, actor accounts.User, saleID id.ID) (Sale, error) {
	if actor.Role != accounts.RoleOperator {
		return Sale{}, apperr.Forbidden("only operators end flash sales")
	}
	now := s.now().UnixMilli()
	// An upcoming sale ended before its start starts and ends now, so it
	// reads as ended rather than upcoming.
	res, err := s.db.Writer(ctx).Exec(ctx, `UPDATE flash_sales SET ends_at = ?, starts_at = CASE WHEN starts_at > ? THEN ? ELSE starts_at END
		WHERE id = ? AND ends_at > ?`, now, now, now, saleID, now)
	if err != nil {
		return Sale{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.load(ctx, saleID); err != nil {
			return Sale{}, err
		}
		return Sale{}, apperr.Conflict("the sale has already ended")
	}
	if st := s.loaded(saleID); st != nil {
		st.closed.Store(true)
	}
	return s.Get(ctx, saleID, 0)
}

// SaleOrder is one order of a sale, for the operators' audit.
type SaleOrder struct {
	OrderID   id.ID     `json:"order_id"`
	BuyerID   id.ID     `json:"buyer_id"`
	Quantity  int64     `json:"quantity"`
	Total     int64     `json:"total"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// OrdersMax caps one page of Orders.
const OrdersMax = 200

// Orders lists a sale's orders, newest first, before the cursor order id
// (0: from the newest) — operators only; next is the cursor of the next page.
func (s *Service) Orders(ctx context.Context, actor accounts.User, saleID, before id.ID, limit int) ([]SaleOrder, string, error) {
	if actor.Role != accounts.RoleOperator {
		return nil, "", apperr.Forbidden("only operators audit flash sales")
	}
	if _, err := s.load(ctx, saleID); err != nil {
		return nil, "", err
	}
	limit = min(max(limit, 1), OrdersMax)
	if before == 0 {
		before = id.ID(1<<63 - 1)
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT f.order_id, f.user_id, f.quantity, f.total, o.status, f.created_at
		FROM flash_orders f JOIN orders o ON o.id = f.order_id WHERE f.sale_id = ? AND f.order_id < ?
		ORDER BY f.order_id DESC LIMIT ?`, saleID, before, limit+1)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []SaleOrder{}
	for rows.Next() {
		var o SaleOrder
		var at int64
		if err := rows.Scan(&o.OrderID, &o.BuyerID, &o.Quantity, &o.Total, &o.Status, &at); err != nil {
			return nil, "", err
		}
		o.CreatedAt = time.UnixMilli(at).UTC()
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	var next string
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].OrderID.String()
	}
	return out, next, nil
}
