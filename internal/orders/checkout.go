package orders

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/points"
	"github.com/redmark/redmark/internal/promotions"
	"github.com/redmark/redmark/internal/shop"
	"github.com/redmark/redmark/internal/validate"
)

// LineRequest is a SKU and a quantity; prices are never taken from clients.
type LineRequest struct {
	SKUID    id.ID `json:"sku_id"`
	Quantity int64 `json:"quantity"`
}

func (s *Service) checkQuantity(q int64) error {
	if q < 1 || q > s.cfg.MaxQuantity {
		return apperr.Invalid("quantity must be a whole number from 1 to %d", s.cfg.MaxQuantity)
	}
	return nil
}

// CartItem is a cart line with live price and availability.
type CartItem struct {
	shop.Item
	Quantity int64 `json:"quantity"`
	Amount   int64 `json:"amount"`
	// Available is false when the product was unlisted or stock ran short.
	Available bool `json:"available"`
	// LiveID is the live the line was added from (omitted: none).
	LiveID id.ID `json:"live_id,omitzero"`
}

// Cart is a user's cart.
type Cart struct {
	Items    []CartItem `json:"items"`
	Subtotal int64      `json:"subtotal"` // of the available items
}

// SetCartItem sets a SKU's quantity in the cart; 0 removes it. liveID is
// the live the buyer adds it from (0: none): the line carries it only when
// that live is on air and sells the product (Lives.SellsOnAir), otherwise
// the line is added without it. A line added again without a live keeps
// the live it had; checkout from the cart attributes the order to the live
// of its latest line that carries one.
func (s *Service) SetCartItem(ctx context.Context, uid, skuID id.ID, qty int64, liveID id.ID) (Cart, error) {
	if qty == 0 {
		if _, err := s.db.Writer(ctx).Exec(ctx, "DELETE FROM cart_items WHERE user_id = ? AND sku_id = ?", uid, skuID); err != nil {
			return Cart{}, err
		}
		return s.Cart(ctx, uid)
	}
	if err := s.checkQuantity(qty); err != nil {
		return Cart{}, err
	}
	items, err := s.shop.Items(ctx, []id.ID{skuID})
	if err != nil {
		return Cart{}, err
	}
	it, ok := items[skuID]
	if !ok || !it.Buyable {
		return Cart{}, apperr.NotFound("sku")
	}
	if liveID != 0 {
		ok := false
		if s.Lives != nil {
			if ok, err = s.Lives.SellsOnAir(ctx, liveID, it.ProductID); err != nil {
				return Cart{}, err
			}
		}
		if !ok {
			liveID = 0
		}
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		var n int
		if err := s.db.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM cart_items WHERE user_id = ? AND sku_id <> ?", uid, skuID).Scan(&n); err != nil {
			return err
		}
		if n >= s.cfg.MaxLines {
			return apperr.Invalid("a cart holds at most %d items", s.cfg.MaxLines)
		}
		_, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO cart_items (user_id, sku_id, quantity, updated_at, live_id) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (user_id, sku_id) DO UPDATE SET quantity = excluded.quantity, updated_at = excluded.updated_at,
			live_id = CASE WHEN excluded.live_id <> 0 THEN excluded.live_id ELSE cart_items.live_id END`,
			uid, skuID, qty, db.Now(), liveID)
		return err
	})
	if err != nil {
		return Cart{}, err
	}
	return s.Cart(ctx, uid)
}

// cartLines reads a user's cart lines, oldest first, and the live each
// line was added from (by SKU, lines without one left out).
func (s *Service) cartLines(ctx context.Context, uid id.ID) ([]LineRequest, map[id.ID]id.ID, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT sku_id, quantity, live_id FROM cart_items WHERE user_id = ? ORDER BY updated_at, sku_id", uid)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []LineRequest
	lives := map[id.ID]id.ID{}
	for rows.Next() {
		var l LineRequest
		var live id.ID
		if err := rows.Scan(&l.SKUID, &l.Quantity, &live); err != nil {
			return nil, nil, err
		}
		out = append(out, l)
		if live != 0 {
			lives[l.SKUID] = live
		}
	}
	return out, lives, rows.Err()
}

// Cart returns a user's cart priced at list prices (promotions apply at
// checkout).
func (s *Service) Cart(ctx context.Context, uid id.ID) (Cart, error) {
	lines, lives, err := s.cartLines(ctx, uid)
	if err != nil {
		return Cart{}, err
	}
	ids := make([]id.ID, len(lines))
	for i, l := range lines {
		ids[i] = l.SKUID
	}
	items, err := s.shop.Items(ctx, ids)
	if err != nil {
		return Cart{}, err
	}
	c := Cart{Items: []CartItem{}}
	for _, l := range lines {
		it, ok := items[l.SKUID]
		if !ok {
			continue
		}
		ci := CartItem{Item: it, Quantity: l.Quantity, Amount: it.Price * l.Quantity, Available: it.Buyable && it.Stock >= l.Quantity,
			LiveID: lives[l.SKUID]}
		if ci.Available {
			c.Subtotal += ci.Amount
		}
		c.Items = append(c.Items, ci)
	}
	return c, nil
}

// CreateRequest is the body of POST /orders: either items or from_cart.
type CreateRequest struct {
	Items      []LineRequest `json:"items"`
	FromCart   bool          `json:"from_cart"`
	StoreID    *id.ID        `json:"store_id"` // with from_cart: check out this store's cart lines
	Address    Address       `json:"address"`
	AddressID  id.ID         `json:"address_id,omitzero"` // from the buyer's book, instead of address
	CouponCode string        `json:"coupon_code"`
	Points     int64         `json:"points"`
	// LiveID is the live the order is placed from; it is attributed only
	// when the live sells one of the ordered products (Lives.Attribute).
	// With from_cart and no live_id, the live of the latest checked-out
	// cart line that carries one is claimed.
	LiveID id.ID `json:"live_id,omitzero"`
}

// MaxKeyLen bounds Idempotency-Key.
const MaxKeyLen = 200

func checkKey(key string) error {
	if key == "" || len(key) > MaxKeyLen {
		return apperr.Invalid("send an Idempotency-Key header of 1–%d characters", MaxKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return apperr.Invalid("Idempotency-Key must be printable ASCII without spaces")
		}
	}
	return nil
}

func (a *Address) check() error {
	var err error
	if a.Name, err = validate.Text("address.name", a.Name, 1, 40, false); err != nil {
		return err
	}
	if a.Phone, err = validate.Text("address.phone", a.Phone, 5, 20, false); err != nil {
		return err
	}
	for _, r := range a.Phone {
		if !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == ' ') {
			return apperr.Invalid("address.phone may contain only digits, '+', '-' and spaces")
		}
	}
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	if a.Country == "CN" {
		a.Country = "" // the default, stored empty so old and new orders read alike
	}
	if a.Country != "" && (len(a.Country) != 2 || strings.Trim(a.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		return apperr.Invalid("address.country must be a two-letter ISO 3166 code such as CN or US")
	}
	if a.Region, err = validate.Text("address.region", a.Region, 1, 100, false); err != nil {
		return err
	}
	if a.City, err = validate.Text("address.city", a.City, 0, 60, false); err != nil {
		return err
	}
	if a.District, err = validate.Text("address.district", a.District, 0, 60, false); err != nil {
		return err
	}
	if a.Line, err = validate.Text("address.line", a.Line, 1, 200, false); err != nil {
		return err
	}
	return a.checkPostcode()
}

// checkPostcode: six digits in China; elsewhere up to 10 letters, digits,
// spaces and dashes (US ZIP+4, UK, Canada, Japan all fit).
func (a *Address) checkPostcode() error {
	a.Postcode = strings.ToUpper(strings.TrimSpace(a.Postcode))
	if a.Postcode == "" {
		return nil
	}
	ok := len(a.Postcode) <= 10
	for _, r := range a.Postcode {
		if !(r >= '0' && r <= '9' || a.Country != "" && (r >= 'A' && r <= 'Z' || r == ' ' || r == '-')) {
			ok = false
		}
	}
	if a.Country == "" && len(a.Postcode) != 6 {
		ok = false
	}
	if !ok {
		return apperr.Invalid("address.postcode is not a valid postcode (six digits in China)")
	}
	return nil
}

// errReplay aborts the transaction of a request whose key is already taken.
var errReplay = errors.New("idempotency key already used")

// Create places an order for buyer under an idempotency key. created is
// false when the key had been used before: the earlier order is returned,
// and no second order is made even when the two requests race (the key is
// claimed by a primary-key insert in the order's own transaction). Reusing
// a key for a different request is a 409.
func (s *Service) Create(ctx context.Context, buyer accounts.User, key string, req CreateRequest) (o Order, created bool, err error) {
	if err := checkKey(key); err != nil {
		return Order{}, false, err
	}
	if err := s.resolveAddress(ctx, buyer.ID, &req); err != nil {
		return Order{}, false, err
	}
	if err := s.checkRequest(&req); err != nil {
		return Order{}, false, err
	}
	canon, _ := json.Marshal(req)
	sum := sha256.Sum256(canon)
	hash := hex.EncodeToString(sum[:])
	if o, err := s.replay(ctx, buyer.ID, key, hash); err == nil || !errors.Is(err, apperr.ErrNotFound) {
		return o, false, err
	}
	oid := id.New()
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		res, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO order_requests (user_id, idempotency_key, request_hash, order_id, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, buyer.ID, key, hash, oid, db.Now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errReplay
		}
		return s.place(ctx, buyer, oid, req)
	})
	if errors.Is(err, errReplay) {
		o, err := s.replay(ctx, buyer.ID, key, hash)
		return o, false, err
	}
	if err != nil {
		return Order{}, false, err
	}
	o, err = s.Get(ctx, buyer, oid)
	return o, true, err
}

func (s *Service) replay(ctx context.Context, uid id.ID, key, hash string) (Order, error) {
	var oid id.ID
	var h string
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT order_id, request_hash FROM order_requests WHERE user_id = ? AND idempotency_key = ?", uid, key).
		Scan(&oid, &h)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Order{}, apperr.NotFound("order request")
		}
		return Order{}, err
	}
	if h != hash {
		return Order{}, apperr.Conflict("this Idempotency-Key was used for a different order request")
	}
	o, err := s.load(ctx, oid)
	if err != nil {
		return Order{}, err
	}
	return s.detail(ctx, o)
}

func (s *Service) checkRequest(req *CreateRequest) error {
	if req.FromCart == (len(req.Items) > 0) {
		return apperr.Invalid("send either items or from_cart: true")
	}
	if req.StoreID != nil && !req.FromCart {
		return apperr.Invalid("store_id selects cart lines; use it with from_cart")
	}
	if len(req.Items) > s.cfg.MaxLines {
		return apperr.Invalid("an order has at most %d lines", s.cfg.MaxLines)
	}
	seen := map[id.ID]bool{}
	for _, l := range req.Items {
		if l.SKUID == 0 {
			return apperr.Invalid("every item needs a sku_id")
		}
		if err := s.checkQuantity(l.Quantity); err != nil {
			return err
		}
		if seen[l.SKUID] {
			return apperr.Invalid("SKU %s appears twice; send one line with the total quantity", l.SKUID)
		}
		seen[l.SKUID] = true
	}
	if req.Points < 0 || req.Points > 1_000_000_000 {
		return apperr.Invalid("points must be 0–1000000000")
	}
	if req.CouponCode != "" {
		c, err := promotions.NormalizeCode(req.CouponCode)
		if err != nil {
			return err
		}
		req.CouponCode = c
	}
	return req.Address.check()
}

// reservation is one conditional stock decrement; gifts may fail softly.
type reservation struct {
	sku  id.ID
	qty  int64
	gift int // index into quote.Gifts, or -1
}

// place builds the order inside the transaction: live prices, promotions and
// coupon, stock reservations, points, rows.
func (s *Service) place(ctx context.Context, buyer accounts.User, oid id.ID, req CreateRequest) error {
	lines := req.Items
	liveID := req.LiveID
	if req.FromCart {
		all, lives, err := s.cartLines(ctx, buyer.ID)
		if err != nil {
			return err
		}
		lines = nil
		if req.StoreID == nil {
			lines = all
		}
		if req.StoreID != nil {
			ids := make([]id.ID, len(all))
			for i, l := range all {
				ids[i] = l.SKUID
			}
			items, err := s.shop.Items(ctx, ids)
			if err != nil {
				return err
			}
			for _, l := range all {
				if items[l.SKUID].StoreID == *req.StoreID {
					lines = append(lines, l)
				}
			}
		}
		if len(lines) == 0 {
			return apperr.Invalid("the cart has nothing to check out")
		}
		// Lines are oldest first: the last with a live is the latest.
		for _, l := range lines {
			if lv := lives[l.SKUID]; lv != 0 && req.LiveID == 0 {
				liveID = lv
			}
		}
	}
	ids := make([]id.ID, len(lines))
	for i, l := range lines {
		ids[i] = l.SKUID
	}
	items, err := s.shop.Items(ctx, ids)
	if err != nil {
		return err
	}
	var storeID id.ID
	pl := make([]promotions.Line, len(lines))
	for i, l := range lines {
		it, ok := items[l.SKUID]
		if !ok || !it.Buyable {
			return apperr.Invalid("SKU %s is not for sale", l.SKUID)
		}
		if storeID != 0 && it.StoreID != storeID {
			return apperr.Invalid("an order comes from one store; check out each store separately (store_id with from_cart)")
		}
		storeID = it.StoreID
		pl[i] = promotions.Line{Item: it, Quantity: l.Quantity}
	}
	now := s.now()
	q, err := s.promo.Quote(ctx, buyer.ID, storeID, pl, req.CouponCode, now)
	if err != nil {
		return err
	}

	// Reserve stock in SKU order so concurrent orders lock rows in the same
	// order (no deadlocks on PostgreSQL).
	rs := make([]reservation, 0, len(q.Lines)+len(q.Gifts))
	for _, l := range q.Lines {
		rs = append(rs, reservation{l.Item.SKUID, l.Quantity, -1})
	}
	for i, g := range q.Gifts {
		rs = append(rs, reservation{g.Item.SKUID, 1, i})
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].sku < rs[j].sku })
	gotGift := make([]bool, len(q.Gifts))
	for _, r := range rs {
		ok, err := s.shop.Reserve(ctx, r.sku, r.qty)
		if err != nil {
			return err
		}
		switch {
		case ok && r.gift >= 0:
			gotGift[r.gift] = true
		case !ok && r.gift < 0:
			return apperr.Conflict("not enough stock of %q", items[r.sku].Title)
		}
	}

	if q.Coupon != nil {
		if err := s.promo.Redeem(ctx, *q.Coupon, buyer.ID); err != nil {
			return err
		}
	}
	goods := q.Goods()
	pointsFen, pointsSpent := s.points.Deduction(req.Points, goods)
	if pointsSpent > 0 {
		if _, err := s.points.Add(ctx, buyer.ID, -pointsSpent, points.SpendOrder, oid, "checkout"); err != nil {
			return err
		}
	}
	total := goods + q.Shipping - pointsFen
	steps := q.Steps
	if pointsFen > 0 {
		steps = append(steps, promotions.Step{Kind: "points", Label: "Points", Amount: -pointsFen, Points: pointsSpent})
	}
	steps = append(steps, promotions.Step{Kind: "total", Label: "Total", Amount: total})
	for i, g := range q.Gifts {
		if !gotGift[i] {
			// The gift ran out between pricing and reservation: drop its line.
			for k := range steps {
				if steps[k].Kind == "gift" && steps[k].SKUID != nil && *steps[k].SKUID == g.Item.SKUID {
					steps = append(steps[:k], steps[k+1:]...)
					break
				}
			}
		}
	}
	breakdown, _ := json.Marshal(steps)
	addr, _ := json.Marshal(req.Address)
	var couponID *id.ID
	if q.Coupon != nil {
		couponID = &q.Coupon.ID
	}
	ts := db.Now()
	w := s.db.Writer(ctx)
	_, err = w.Exec(ctx, `INSERT INTO orders (id, user_id, store_id, status, subtotal, promotion_discount, coupon_discount, shipping,
		points_used, points_deduction, total, coupon_id, breakdown, address, expires_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, oid, buyer.ID, storeID, PendingPayment, q.Subtotal,
		q.PromotionDiscount, q.CouponDiscount, q.Shipping, pointsSpent, pointsFen, total, couponID, string(breakdown), string(addr),
		now.Add(s.cfg.PaymentWindow).UnixMilli(), ts, ts)
	if err != nil {
		return err
	}
	weights := make([]int64, len(q.Lines))
	for i, l := range q.Lines {
		weights[i] = l.Net()
	}
	fenShare := promotions.Allocate(pointsFen, weights)
	pointShare := promotions.Allocate(pointsSpent, weights)
	for i, l := range q.Lines {
		opts, _ := json.Marshal(l.Item.Options)
		if _, err := w.Exec(ctx, `INSERT INTO order_items (id, order_id, sku_id, product_id, title, options, unit_price, quantity,
			promotion_discount, coupon_discount, points_deduction, points_used, paid, gift) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
			id.New(), oid, l.Item.SKUID, l.Item.ProductID, l.Item.Title, string(opts), l.Item.Price, l.Quantity,
			l.PromotionDiscount, l.CouponDiscount, fenShare[i], pointShare[i], l.Net()-fenShare[i]); err != nil {
			return err
		}
	}
	for i, g := range q.Gifts {
		if !gotGift[i] {
			continue
		}
		opts, _ := json.Marshal(g.Item.Options)
		if _, err := w.Exec(ctx, `INSERT INTO order_items (id, order_id, sku_id, product_id, title, options, unit_price, quantity, gift)
			VALUES (?, ?, ?, ?, ?, ?, 0, 1, 1)`, id.New(), oid, g.Item.SKUID, g.Item.ProductID, g.Item.Title, string(opts)); err != nil {
			return err
		}
	}
	if req.FromCart {
		for _, l := range lines {
			if _, err := w.Exec(ctx, "DELETE FROM cart_items WHERE user_id = ? AND sku_id = ?", buyer.ID, l.SKUID); err != nil {
				return err
			}
		}
	}
	if liveID != 0 {
		ok := false
		if s.Lives != nil {
			if ok, err = s.Lives.Attribute(ctx, oid, liveID); err != nil {
				return err
			}
		}
		if !ok {
			liveID = 0
		}
	}
	return s.eventFrom(ctx, oid, PendingPayment, fmt.Sprintf("order placed; pay within %d minutes", int(s.cfg.PaymentWindow.Minutes())), "", liveID)
}
