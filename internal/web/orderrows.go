package web

import (
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/orders"
)

// Cart, order and order-list rows show each product's first image; the
// buyer's orders list has status tabs (to pay, to ship, to receive,
// after-sales) with counts of the orders waiting in them.

// covers loads the cover image of every product in the orders.
func (q *req) covers(os ...orders.Order) (map[id.ID]media.Media, error) {
	var pids []id.ID
	for _, o := range os {
		for _, it := range o.Items {
			pids = append(pids, it.ProductID)
		}
	}
	return q.w.app.Shop.Covers(q.r.Context(), pids)
}

// orderTab is one tab of the orders list.
type orderTab struct {
	Key   string // orders.Tab*; "" is all
	Count int    // orders waiting there (0 shows no badge)
}

func validTab(tab string) bool {
	for _, t := range orders.Tabs {
		if t == tab {
			return true
		}
	}
	return false
}
