package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/promotions"
	"github.com/redmark/redmark/internal/shop"
)

// Priced is an order whose price a feature fixed instead of checkout (a
// flash sale): one SKU at a given unit price, no promotions, coupon or
// points, free shipping. The feature holds the stock itself, so creating it
// reserves nothing; once made it pays, ships, cancels and expires like any
// order, and when it is cancelled or expires the Releaser registered for
// its Source gives the stock back.
type Priced struct {
	ID        id.ID
	BuyerID   id.ID
	Item      shop.Item // the SKU; Item.Price is the list price shown as crossed out
	UnitPrice int64     // what the buyer pays per unit
	Quantity  int64
	Source    string    // tag stored on the order, e.g. "flash"
	Label     string    // breakdown label of the discount, e.g. "Flash sale"
	ExpiresAt time.Time // end of the payment window; zero takes the shop's window
	Address   Address   // where it ships (see ShippingAddress)
}

// Releaser gives back what an order of its source holds. It runs inside
// the transaction that cancels the order, exactly once per order (the
// cancellation is a conditional transition).
type Releaser func(ctx context.Context, o Order) error

// RegisterSource routes the stock of orders tagged source to release when
// they are cancelled or expire. Call it while wiring, before serving.
func (s *Service) RegisterSource(source string, release Releaser) { s.sources[source] = release }

// CheckAddress validates (and tidies) an address the way checkout does.
func CheckAddress(a *Address) error { return a.check() }

// CreatePriced writes a priced order pending payment. Call it inside the
// caller's transaction, after the caller took the stock.
func (s *Service) CreatePriced(ctx context.Context, p Priced) error {
	if p.Quantity < 1 || p.UnitPrice < 0 || p.Source == "" {
		return apperr.Invalid("a priced order needs a source, a quantity and a price")
	}
	now := s.now()
	expires := p.ExpiresAt
	if expires.IsZero() {
		expires = now.Add(s.cfg.PaymentWindow)
	}
	list := max(p.Item.Price, p.UnitPrice)
	subtotal, total := list*p.Quantity, p.UnitPrice*p.Quantity
	steps := []promotions.Step{{Kind: "subtotal", Label: "Subtotal", Amount: subtotal}}
	if subtotal > total {
		steps = append(steps, promotions.Step{Kind: "promotion", Label: p.Label, Amount: total - subtotal})
	}
	steps = append(steps, promotions.Step{Kind: "total", Label: "Total", Amount: total})
	breakdown, _ := json.Marshal(steps)
	addr, _ := json.Marshal(p.Address)
	opts, _ := json.Marshal(p.Item.Options)
	ts := db.Now()
	w := s.db.Writer(ctx)
	if _, err := w.Exec(ctx, `INSERT INTO orders (id, user_id, store_id, status, subtotal, promotion_discount, total, breakdown,
		address, expires_at, created_at, updated_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.BuyerID, p.Item.StoreID, PendingPayment, subtotal, subtotal-total, total, string(breakdown), string(addr),
		expires.UnixMilli(), ts, ts, p.Source); err != nil {
		return err
	}
	if _, err := w.Exec(ctx, `INSERT INTO order_items (id, order_id, sku_id, product_id, title, options, unit_price, quantity,
		promotion_discount, paid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id.New(), p.ID, p.Item.SKUID, p.Item.ProductID,
		p.Item.Title, string(opts), list, p.Quantity, subtotal-total, total); err != nil {
		return err
	}
	desc := fmt.Sprintf("order placed (%s); pay within %d minutes", p.Label, max(1, int(expires.Sub(now).Round(time.Minute).Minutes())))
	return s.event(ctx, p.ID, PendingPayment, desc, "")
}

// ExpireSource cancels unpaid orders of one source whose payment window has
// closed (a batch of up to 500); features with short windows run it more
// often than the shop's job.
func (s *Service) ExpireSource(ctx context.Context, source string) (int, error) {
	return s.expire(ctx, "SELECT id FROM orders WHERE source = ? AND status = ? AND expires_at <= ? ORDER BY expires_at LIMIT 500",
		source, PendingPayment, s.now().UnixMilli())
}
