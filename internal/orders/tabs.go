package orders

import (
	"context"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
)

// The buyer's order tabs, as shopping apps group them: to pay, to ship,
// to receive (shipped or delivered, not yet confirmed), and refunds and
// after-sales (any after-sales request, or refunded).
const (
	TabAll       = ""
	TabToPay     = "to_pay"
	TabToShip    = "to_ship"
	TabToReceive = "to_receive"
	TabAfterSale = "after_sale"
)

// Tabs lists the tabs in display order.
var Tabs = []string{TabAll, TabToPay, TabToShip, TabToReceive, TabAfterSale}

var tabWhere = map[string]string{
	TabAll:       "",
	TabToPay:     " AND status = '" + PendingPayment + "'",
	TabToShip:    " AND status = '" + Paid + "'",
	TabToReceive: " AND status IN ('" + Shipped + "', '" + Delivered + "')",
	TabAfterSale: " AND (status = '" + Refunded + "' OR EXISTS (SELECT 1 FROM after_sales a WHERE a.order_id = orders.id))",
}

// ListTab returns uid's own orders in one tab, newest first.
func (s *Service) ListTab(ctx context.Context, uid id.ID, tab string, before id.ID, limit int) ([]Order, string, error) {
	w, ok := tabWhere[tab]
	if !ok {
		return nil, "", apperr.Invalid("tab must be one of to_pay, to_ship, to_receive, after_sale")
	}
	return s.list(ctx, "user_id = ?"+w, []any{uid}, before, limit)
}

// TabCounts counts uid's orders waiting in the to-pay, to-ship and
// to-receive tabs (the badges on the tabs).
func (s *Service) TabCounts(ctx context.Context, uid id.ID) (map[string]int, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT status, COUNT(*) FROM orders WHERE user_id = ? AND status IN (?, ?, ?, ?) GROUP BY status",
		uid, PendingPayment, Paid, Shipped, Delivered)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	tab := map[string]string{PendingPayment: TabToPay, Paid: TabToShip, Shipped: TabToReceive, Delivered: TabToReceive}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[tab[st]] += n
	}
	return out, rows.Err()
}
