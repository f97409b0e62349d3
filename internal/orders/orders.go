// Package orders runs the buying side of the shop (E3): the cart, checkout
// with server-side prices, the order state machine, payment events, shipping
// and tracking, cancellation, unpaid-order expiry and after-sales refunds.
//
// States: pending_payment → paid → shipped → delivered → completed, with
// cancelled (from pending_payment, or from paid with a full refund) and
// refunded (every item refunded through after-sales). Each transition is a
// conditional UPDATE on the current status, so of two racing transitions
// exactly one wins and its side effects (stock, points, coupon, refunds)
// happen once, in the same transaction.
package orders

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/payments"
	"github.com/redmark/redmark/internal/points"
	"github.com/redmark/redmark/internal/promotions"
	"github.com/redmark/redmark/internal/shop"
)

// Order statuses.
const (
	PendingPayment = "pending_payment"
	Paid           = "paid"
	Shipped        = "shipped"
	Delivered      = "delivered"
	Completed      = "completed"
	Cancelled      = "cancelled"
	Refunded       = "refunded"
)

// Config holds the shop's rules; zero fields take the defaults.
type Config struct {
	PaymentWindow time.Duration // unpaid orders are cancelled after it (30 min)
	AutoComplete  time.Duration // delivered orders complete after it (7 days)
	MaxQuantity   int64         // per line (99)
	MaxLines      int           // per order and per cart (50)
	// KeyRetention is how long an Idempotency-Key is remembered (7 days):
	// a retry within it returns the first order; after it the key may make
	// a new one. Clients retry within seconds or minutes.
	KeyRetention time.Duration
}

func (c Config) withDefaults() Config {
	if c.PaymentWindow <= 0 {
		c.PaymentWindow = 30 * time.Minute
	}
	if c.AutoComplete <= 0 {
		c.AutoComplete = 7 * 24 * time.Hour
	}
	if c.MaxQuantity <= 0 {
		c.MaxQuantity = 99
	}
	if c.MaxLines <= 0 {
		c.MaxLines = 50
	}
	if c.KeyRetention <= 0 {
		c.KeyRetention = 7 * 24 * time.Hour
	}
	return c
}

// Service manages carts and orders.
type Service struct {
	db     *db.DB
	shop   *shop.Service
	promo  *promotions.Service
	points *points.Service
	pay    *payments.Service
	cfg    Config
	now    func() time.Time
	// sources give back what orders of a tagged source hold (priced.go).
	sources map[string]Releaser
	// Activity hears of payments and approved refunds (growth rewards and
	// their clawback), in their transaction.
	Activity activity.Hook
	// Lives attributes cart lines and orders to the live they came from
	// (internal/live); nil attributes nothing.
	Lives Lives
}

// Lives is what orders need of live rooms. Both decide whether a claim
// holds; a claim that does not is dropped, never an error for the buyer.
type Lives interface {
	// SellsOnAir reports whether a cart line of productID may carry
	// liveID: the live is on air and sells the product.
	SellsOnAir(ctx context.Context, liveID, productID id.ID) (bool, error)
	// Attribute records, in the order's transaction, that the order was
	// placed from the live, and reports whether the claim held.
	Attribute(ctx context.Context, orderID, liveID id.ID) (bool, error)
}

func New(d *db.DB, sh *shop.Service, pr *promotions.Service, pt *points.Service, pay *payments.Service, cfg Config) *Service {
	return &Service{db: d, shop: sh, promo: pr, points: pt, pay: pay, cfg: cfg.withDefaults(), now: time.Now, sources: map[string]Releaser{}}
}

// Config returns the effective rules.
func (s *Service) Config() Config { return s.cfg }

// Address is where an order ships, China-first: Region is the province
// (省, or state elsewhere), City and District the 市 and 区/县 (optional, so
// municipalities and countries without districts fit), Line the street and
// door. Country is ISO 3166-1 alpha-2; empty means CN. Orders keep a copy,
// so editing the address book never changes a past order.
type Address struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Country  string `json:"country,omitempty"`
	Region   string `json:"region"`
	City     string `json:"city,omitempty"`
	District string `json:"district,omitempty"`
	Line     string `json:"line"`
	Postcode string `json:"postcode,omitempty"`
}

// Item is an order line; gifts have unit price 0.
type Item struct {
	ID                id.ID             `json:"id"`
	SKUID             id.ID             `json:"sku_id"`
	ProductID         id.ID             `json:"product_id"`
	Title             string            `json:"title"`
	Options           map[string]string `json:"options"`
	UnitPrice         int64             `json:"unit_price"`
	Quantity          int64             `json:"quantity"`
	PromotionDiscount int64             `json:"promotion_discount"`
	CouponDiscount    int64             `json:"coupon_discount"`
	PointsDeduction   int64             `json:"points_deduction"`
	PointsUsed        int64             `json:"-"`
	Paid              int64             `json:"paid"` // what the buyer pays for this line
	Gift              bool              `json:"gift"`
	RefundedQuantity  int64             `json:"refunded_quantity"`
}

// Event is a state change or carrier tracking event.
type Event struct {
	Kind        string    `json:"kind"`
	Description string    `json:"description"`
	Location    string    `json:"location,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Order is what the API returns; amounts are fen.
type Order struct {
	ID                id.ID             `json:"id"`
	UserID            id.ID             `json:"user_id"`
	StoreID           id.ID             `json:"store_id"`
	Status            string            `json:"status"`
	Items             []Item            `json:"items"`
	Subtotal          int64             `json:"subtotal"`
	Discount          int64             `json:"discount"` // promotion + coupon
	PromotionDiscount int64             `json:"promotion_discount"`
	CouponDiscount    int64             `json:"coupon_discount"`
	Shipping          int64             `json:"shipping"`
	PointsUsed        int64             `json:"points_used"`
	PointsDeduction   int64             `json:"points_deduction"`
	Total             int64             `json:"total"`
	Breakdown         []promotions.Step `json:"breakdown"`
	Address           Address           `json:"address"`
	Carrier           string            `json:"carrier"`
	TrackingNumber    string            `json:"tracking_number"`
	PaidAmount        int64             `json:"paid_amount"`
	RefundedAmount    int64             `json:"refunded_amount"`
	PointsEarned      int64             `json:"points_earned"`
	CancelReason      string            `json:"cancel_reason,omitempty"`
	ExpiresAt         time.Time         `json:"expires_at"`
	CreatedAt         time.Time         `json:"created_at"`
	// Source tags orders made by a feature instead of checkout ("flash").
	Source string `json:"source,omitempty"`
	// Events, refunds and after-sales requests come with GET /orders/{id};
	// lists leave them out.
	Events         []Event           `json:"events,omitempty"`
	Refunds        []payments.Refund `json:"refunds,omitempty"`
	AfterSales     []AfterSale       `json:"after_sales,omitempty"`
	couponID       *id.ID
	pointsReturned int64
}

const orderCols = `id, user_id, store_id, status, subtotal, promotion_discount, coupon_discount, shipping, points_used,
	points_deduction, total, coupon_id, breakdown, address, carrier, tracking_number, paid_amount, refunded_amount,
	points_returned, points_earned, cancel_reason, expires_at, created_at, source`

func scanOrder(row interface{ Scan(...any) error }) (Order, error) {
	var o Order
	var coupon sql.NullInt64
	var breakdown, addr string
	var expires, created int64
	err := row.Scan(&o.ID, &o.UserID, &o.StoreID, &o.Status, &o.Subtotal, &o.PromotionDiscount, &o.CouponDiscount,
		&o.Shipping, &o.PointsUsed, &o.PointsDeduction, &o.Total, &coupon, &breakdown, &addr, &o.Carrier, &o.TrackingNumber,
		&o.PaidAmount, &o.RefundedAmount, &o.pointsReturned, &o.PointsEarned, &o.CancelReason, &expires, &created, &o.Source)
	if err != nil {
		return Order{}, err
	}
	if coupon.Valid {
		c := id.ID(coupon.Int64)
		o.couponID = &c
	}
	if err := json.Unmarshal([]byte(breakdown), &o.Breakdown); err != nil {
		return Order{}, err
	}
	if err := json.Unmarshal([]byte(addr), &o.Address); err != nil {
		return Order{}, err
	}
	o.Discount = o.PromotionDiscount + o.CouponDiscount
	o.ExpiresAt, o.CreatedAt = time.UnixMilli(expires).UTC(), time.UnixMilli(created).UTC()
	return o, nil
}

// load reads an order with its items (use the transaction's ctx inside one).
func (s *Service) load(ctx context.Context, oid id.ID) (Order, error) {
	o, err := scanOrder(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+orderCols+" FROM orders WHERE id = ?", oid))
	if errors.Is(err, sql.ErrNoRows) {
		return Order{}, apperr.NotFound("order")
	}
	if err != nil {
		return Order{}, err
	}
	items, err := s.items(ctx, []id.ID{oid})
	o.Items = items[oid]
	return o, err
}

func (s *Service) items(ctx context.Context, oids []id.ID) (map[id.ID][]Item, error) {
	out := map[id.ID][]Item{}
	if len(oids) == 0 {
		return out, nil
	}
	args := make([]any, len(oids))
	for i, v := range oids {
		args[i] = v
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT order_id, id, sku_id, product_id, title, options, unit_price, quantity,
		promotion_discount, coupon_discount, points_deduction, points_used, paid, gift, refunded_quantity
		FROM order_items WHERE order_id IN (`+db.Placeholders(len(args))+") ORDER BY order_id, id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var oid id.ID
		var it Item
		var opts string
		var gift int
		if err := rows.Scan(&oid, &it.ID, &it.SKUID, &it.ProductID, &it.Title, &opts, &it.UnitPrice, &it.Quantity,
			&it.PromotionDiscount, &it.CouponDiscount, &it.PointsDeduction, &it.PointsUsed, &it.Paid, &gift, &it.RefundedQuantity); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(opts), &it.Options); err != nil {
			return nil, err
		}
		it.Gift = gift == 1
		out[oid] = append(out[oid], it)
	}
	return out, rows.Err()
}

// canView: the buyer, or a manager of the order's store.
func (s *Service) canView(ctx context.Context, viewer accounts.User, o Order) (bool, error) {
	if o.UserID == viewer.ID {
		return true, nil
	}
	st, err := s.shop.GetStore(ctx, o.StoreID)
	if err != nil {
		return false, err
	}
	return st.CanManage(viewer), nil
}

// isManager reports whether viewer manages the order's store.
func (s *Service) isManager(ctx context.Context, viewer accounts.User, o Order) (bool, error) {
	st, err := s.shop.GetStore(ctx, o.StoreID)
	if err != nil {
		return false, err
	}
	return st.CanManage(viewer), nil
}

// Get returns an order with its events, refunds and after-sales requests to
// its buyer or its store; anyone else gets 404.
func (s *Service) Get(ctx context.Context, viewer accounts.User, oid id.ID) (Order, error) {
	o, err := s.load(ctx, oid)
	if err != nil {
		return Order{}, err
	}
	ok, err := s.canView(ctx, viewer, o)
	if err != nil {
		return Order{}, err
	}
	if !ok {
		return Order{}, apperr.NotFound("order")
	}
	return s.detail(ctx, o)
}

func (s *Service) detail(ctx context.Context, o Order) (Order, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT kind, description, location, created_at FROM order_events WHERE order_id = ? ORDER BY id", o.ID)
	if err != nil {
		return Order{}, err
	}
	defer rows.Close()
	o.Events = []Event{}
	for rows.Next() {
		var e Event
		var created int64
		if err := rows.Scan(&e.Kind, &e.Description, &e.Location, &created); err != nil {
			return Order{}, err
		}
		e.CreatedAt = time.UnixMilli(created).UTC()
		o.Events = append(o.Events, e)
	}
	if err := rows.Err(); err != nil {
		return Order{}, err
	}
	if o.Refunds, err = s.pay.OrderRefunds(ctx, o.ID); err != nil {
		return Order{}, err
	}
	o.AfterSales, err = s.afterSales(ctx, o.ID)
	return o, err
}

// List returns the viewer's orders, or with storeID the orders of a store
// the viewer manages, newest first.
func (s *Service) List(ctx context.Context, viewer accounts.User, storeID, before id.ID, limit int) ([]Order, string, error) {
	if storeID != 0 {
		if _, err := s.shop.ManagedStore(ctx, viewer, storeID); err != nil {
			return nil, "", err
		}
		return s.list(ctx, "store_id = ?", []any{storeID}, before, limit)
	}
	return s.list(ctx, "user_id = ?", []any{viewer.ID}, before, limit)
}

// list pages the orders matching where (with args), newest first, with
// their items.
func (s *Service) list(ctx context.Context, where string, args []any, before id.ID, limit int) ([]Order, string, error) {
	q := "SELECT " + orderCols + " FROM orders WHERE " + where
	if before != 0 {
		q += " AND id < ?"
		args = append(args, before)
	}
	args = append(args, limit+1)
	rows, err := s.db.Reader(ctx).Query(ctx, q+" ORDER BY id DESC LIMIT ?", args...)
	if err != nil {
		return nil, "", err
	}
	out := []Order{}
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			rows.Close()
			return nil, "", err
		}
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID.String()
	}
	oids := make([]id.ID, len(out))
	for i, o := range out {
		oids[i] = o.ID
	}
	items, err := s.items(ctx, oids)
	for i := range out {
		out[i].Items = items[out[i].ID]
	}
	return out, next, err
}

// event appends a state change or tracking event.
func (s *Service) event(ctx context.Context, oid id.ID, kind, desc, location string) error {
	return s.eventFrom(ctx, oid, kind, desc, location, 0)
}

// eventFrom is event for an order placed from a live (0: none), which the
// activity hook hears of with the order (analytics' sales per live).
func (s *Service) eventFrom(ctx context.Context, oid id.ID, kind, desc, location string, live id.ID) error {
	w := s.db.Writer(ctx)
	if _, err := w.Exec(ctx, "INSERT INTO order_events (id, order_id, kind, description, location, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		id.New(), oid, kind, desc, location, db.Now()); err != nil {
		return err
	}
	act := map[string]string{PendingPayment: activity.OrderPlaced, Paid: activity.OrderPaid, "refund_approved": activity.OrderRefunded}[kind]
	if act == "" || s.Activity == nil {
		return nil
	}
	e := activity.Event{Kind: act, Ref: oid, Live: live}
	amount := "paid_amount"
	if act == activity.OrderPlaced {
		amount = "total"
	}
	if err := w.QueryRow(ctx, "SELECT user_id, "+amount+" FROM orders WHERE id = ?", oid).Scan(&e.User, &e.Amount); err != nil {
		return err
	}
	return s.Activity.Record(ctx, e)
}

// transition moves an order from one of the given statuses to next, setting
// the matching timestamp column; ok is false when the order was in none of
// them (another transition won).
func (s *Service) transition(ctx context.Context, oid id.ID, next string, from ...string) (bool, error) {
	col := map[string]string{Paid: "paid_at", Shipped: "shipped_at", Delivered: "delivered_at", Completed: "completed_at",
		Cancelled: "cancelled_at", Refunded: "cancelled_at"}[next]
	args := []any{next, db.Now(), db.Now(), oid}
	for _, f := range from {
		args = append(args, f)
	}
	res, err := s.db.Writer(ctx).Exec(ctx, "UPDATE orders SET status = ?, "+col+" = ?, updated_at = ? WHERE id = ? AND status IN ("+
		db.Placeholders(len(from))+")", args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
