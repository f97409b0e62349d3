// Package promotions prices a checkout (E5): time-boxed percent or fixed
// discounts on products, categories or stores, free shipping (e.g. on
// overseas direct mail), spend-X-get-gift while the gift's stock lasts, and
// coupons with a threshold, scope, per-user limit, validity window and total
// quota.
//
// Stacking, in this order (the order's breakdown shows each step):
//  1. Promotion discounts, per line: the single best percent/fixed
//     promotion that covers the line; promotions do not stack with each
//     other.
//  2. One coupon, on the lines it covers, priced after step 1; its
//     threshold is checked against those lines after step 1.
//  3. Gifts: every gift promotion whose threshold the goods reach after
//     steps 1–2 adds its gift SKU at price 0, if a unit is left.
//  4. Shipping: the highest shipping fee among the lines, waived by a
//     free-shipping promotion covering every line.
//  5. Points (package points) pay at most a share of the goods after steps
//     1–2; they never pay shipping.
package promotions

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/shop"
	"github.com/redmark/redmark/internal/validate"
)

// Promotion kinds.
const (
	Percent      = "percent"
	Fixed        = "fixed"
	FreeShipping = "free_shipping"
	Gift         = "gift"
)

// Scopes of a promotion or coupon.
const (
	ScopeAll      = "all"
	ScopeStore    = "store"
	ScopeCategory = "category"
	ScopeProduct  = "product"
)

// MaxWindow bounds how long a promotion or coupon may run.
const MaxWindow = 366 * 24 * time.Hour

// Service manages promotions and coupons and prices checkouts.
type Service struct {
	db   *db.DB
	shop *shop.Service
}

func New(d *db.DB, sh *shop.Service) *Service { return &Service{db: d, shop: sh} }

// Promotion is a store's or the platform's time-boxed offer.
type Promotion struct {
	ID         id.ID     `json:"id"`
	StoreID    *id.ID    `json:"store_id"` // nil: platform-wide (operators)
	Name       string    `json:"name"`
	Kind       string    `json:"kind"`
	Scope      string    `json:"scope"`
	ScopeID    *id.ID    `json:"scope_id,omitempty"`
	PercentOff int64     `json:"percent_off,omitempty"`
	AmountOff  int64     `json:"amount_off,omitempty"` // fen off each unit
	Threshold  int64     `json:"threshold"`            // fen the covered goods must reach
	Fulfilment string    `json:"fulfilment,omitempty"` // only lines with this fulfilment
	GiftSKUID  *id.ID    `json:"gift_sku_id,omitempty"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
}

// target is what a promotion or coupon covers.
type target struct {
	storeID    *id.ID
	scope      string
	scopeID    *id.ID
	fulfilment string
}

func (t target) covers(it shop.Item) bool {
	if t.storeID != nil && *t.storeID != it.StoreID {
		return false
	}
	if t.fulfilment != "" && t.fulfilment != it.Fulfilment {
		return false
	}
	switch t.scope {
	case ScopeAll:
		return true
	case ScopeStore:
		return t.scopeID != nil && *t.scopeID == it.StoreID
	case ScopeCategory:
		return t.scopeID != nil && (*t.scopeID == it.CategoryID || *t.scopeID == it.ParentCatID)
	case ScopeProduct:
		return t.scopeID != nil && *t.scopeID == it.ProductID
	}
	return false
}

// checkTarget validates scope and store for the actor: operators may run
// platform-wide offers; a merchant's offer is bound to a store they manage
// and may only cover that store's goods.
func (s *Service) checkTarget(ctx context.Context, actor accounts.User, t *target) error {
	if t.storeID != nil {
		if _, err := s.shop.ManagedStore(ctx, actor, *t.storeID); err != nil {
			return err
		}
	} else if actor.Role != accounts.RoleOperator {
		return apperr.Forbidden("only operators run platform-wide offers; set store_id to your store")
	}
	switch t.scope {
	case ScopeAll:
		t.scopeID = nil
	case ScopeStore, ScopeCategory, ScopeProduct:
		if t.scopeID == nil {
			return apperr.Invalid("scope %s needs scope_id", t.scope)
		}
	default:
		return apperr.Invalid("scope must be all, store, category or product")
	}
	switch t.scope {
	case ScopeStore:
		if _, err := s.shop.GetStore(ctx, *t.scopeID); err != nil {
			return apperr.Invalid("scope_id is not a store")
		}
		if t.storeID != nil && *t.storeID != *t.scopeID {
			return apperr.Forbidden("you can only cover your own store")
		}
	case ScopeCategory:
		if _, err := s.shop.GetCategory(ctx, *t.scopeID); err != nil {
			return apperr.Invalid("scope_id is not a category")
		}
	case ScopeProduct:
		var store id.ID
		err := s.db.Reader(ctx).QueryRow(ctx, "SELECT store_id FROM products WHERE id = ?", *t.scopeID).Scan(&store)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Invalid("scope_id is not a product")
		}
		if err != nil {
			return err
		}
		if t.storeID != nil && *t.storeID != store {
			return apperr.Forbidden("you can only cover your own store's products")
		}
	}
	if t.fulfilment != "" && !shop.ValidFulfilment(t.fulfilment) {
		return apperr.Invalid("fulfilment must be bonded, overseas_direct or domestic")
	}
	return nil
}

func checkWindow(start, end time.Time) error {
	if start.IsZero() || end.IsZero() || !end.After(start) {
		return apperr.Invalid("starts_at and ends_at are required and ends_at must be after starts_at")
	}
	if end.Sub(start) > MaxWindow {
		return apperr.Invalid("an offer may run at most %d days", int(MaxWindow.Hours()/24))
	}
	return nil
}

// CreatePromotion validates and stores a promotion.
func (s *Service) CreatePromotion(ctx context.Context, actor accounts.User, p Promotion) (Promotion, error) {
	var err error
	if p.Name, err = validate.Text("name", p.Name, 1, 60, false); err != nil {
		return Promotion{}, err
	}
	t := target{p.StoreID, p.Scope, p.ScopeID, p.Fulfilment}
	if err := s.checkTarget(ctx, actor, &t); err != nil {
		return Promotion{}, err
	}
	p.ScopeID = t.scopeID
	if err := checkWindow(p.StartsAt, p.EndsAt); err != nil {
		return Promotion{}, err
	}
	if p.Threshold < 0 || p.Threshold > shop.MaxPrice {
		return Promotion{}, apperr.Invalid("threshold is out of range")
	}
	switch p.Kind {
	case Percent:
		if p.PercentOff < 1 || p.PercentOff > 99 {
			return Promotion{}, apperr.Invalid("percent_off must be 1–99")
		}
		p.AmountOff, p.GiftSKUID = 0, nil
	case Fixed:
		if p.AmountOff < 1 || p.AmountOff > shop.MaxPrice {
			return Promotion{}, apperr.Invalid("amount_off must be a positive number of fen")
		}
		p.PercentOff, p.GiftSKUID = 0, nil
	case FreeShipping:
		p.PercentOff, p.AmountOff, p.GiftSKUID = 0, 0, nil
	case Gift:
		if p.GiftSKUID == nil {
			return Promotion{}, apperr.Invalid("a gift promotion needs gift_sku_id")
		}
		items, err := s.shop.Items(ctx, []id.ID{*p.GiftSKUID})
		if err != nil {
			return Promotion{}, err
		}
		g, ok := items[*p.GiftSKUID]
		if !ok {
			return Promotion{}, apperr.Invalid("gift_sku_id is not a SKU")
		}
		st, err := s.shop.GetStore(ctx, g.StoreID)
		if err != nil {
			return Promotion{}, err
		}
		if !st.CanManage(actor) {
			return Promotion{}, apperr.Forbidden("the gift must come from a store you manage")
		}
		if p.StoreID != nil && *p.StoreID != g.StoreID {
			return Promotion{}, apperr.Invalid("the gift must come from the promotion's store")
		}
		if p.StoreID == nil {
			// Orders are per store, so a gift ships with orders of its own store only.
			p.StoreID = &g.StoreID
		}
		p.PercentOff, p.AmountOff = 0, 0
	default:
		return Promotion{}, apperr.Invalid("kind must be percent, fixed, free_shipping or gift")
	}
	p.ID = id.New()
	_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO promotions (id, created_by, store_id, name, kind, scope, scope_id, percent_off,
		amount_off, threshold, fulfilment, gift_sku_id, starts_at, ends_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, actor.ID, p.StoreID, p.Name, p.Kind, p.Scope, p.ScopeID, p.PercentOff, p.AmountOff, p.Threshold, p.Fulfilment,
		p.GiftSKUID, p.StartsAt.UnixMilli(), p.EndsAt.UnixMilli(), db.Now())
	p.StartsAt, p.EndsAt = p.StartsAt.UTC(), p.EndsAt.UTC()
	return p, err
}

const promotionCols = `id, store_id, name, kind, scope, scope_id, percent_off, amount_off, threshold, fulfilment,
	gift_sku_id, starts_at, ends_at`

func scanPromotion(row interface{ Scan(...any) error }) (Promotion, error) {
	var p Promotion
	var store, scope, gift sql.NullInt64
	var start, end int64
	err := row.Scan(&p.ID, &store, &p.Name, &p.Kind, &p.Scope, &scope, &p.PercentOff, &p.AmountOff, &p.Threshold,
		&p.Fulfilment, &gift, &start, &end)
	p.StoreID, p.ScopeID, p.GiftSKUID = nullID(store), nullID(scope), nullID(gift)
	p.StartsAt, p.EndsAt = time.UnixMilli(start).UTC(), time.UnixMilli(end).UTC()
	return p, err
}

func nullID(n sql.NullInt64) *id.ID {
	if !n.Valid {
		return nil
	}
	v := id.ID(n.Int64)
	return &v
}

// Active returns the promotions running at now that may apply to a store
// (its own and platform-wide ones); storeID 0 returns all running ones.
func (s *Service) Active(ctx context.Context, storeID id.ID, now time.Time) ([]Promotion, error) {
	q := "SELECT " + promotionCols + " FROM promotions WHERE starts_at <= ? AND ends_at > ?"
	args := []any{now.UnixMilli(), now.UnixMilli()}
	if storeID != 0 {
		q += " AND (store_id IS NULL OR store_id = ?)"
		args = append(args, storeID)
	}
	rows, err := s.db.Reader(ctx).Query(ctx, q+" ORDER BY id LIMIT 500", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Promotion{}
	for rows.Next() {
		p, err := scanPromotion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Coupon is a code a shopper enters at checkout.
type Coupon struct {
	ID           id.ID     `json:"id"`
	StoreID      *id.ID    `json:"store_id"`
	Code         string    `json:"code"`
	Name         string    `json:"name"`
	Kind         string    `json:"kind"` // percent or fixed
	PercentOff   int64     `json:"percent_off,omitempty"`
	AmountOff    int64     `json:"amount_off,omitempty"`
	Threshold    int64     `json:"threshold"`
	Scope        string    `json:"scope"`
	ScopeID      *id.ID    `json:"scope_id,omitempty"`
	PerUserLimit int64     `json:"per_user_limit"`
	Quota        int64     `json:"quota"`
	Used         int64     `json:"used"`
	StartsAt     time.Time `json:"starts_at"`
	EndsAt       time.Time `json:"ends_at"`
}

// NormalizeCode upper-cases a coupon code and checks its alphabet.
func NormalizeCode(c string) (string, error) {
	c = strings.ToUpper(strings.TrimSpace(c))
	if len(c) < 3 || len(c) > 32 {
		return "", apperr.Invalid("coupon code must be 3–32 characters")
	}
	for _, r := range c {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return "", apperr.Invalid("coupon code may contain only letters, digits, '-' and '_'")
		}
	}
	return c, nil
}

// CreateCoupon validates and stores a coupon.
func (s *Service) CreateCoupon(ctx context.Context, actor accounts.User, c Coupon) (Coupon, error) {
	var err error
	if c.Code, err = NormalizeCode(c.Code); err != nil {
		return Coupon{}, err
	}
	if c.Name, err = validate.Text("name", c.Name, 1, 60, false); err != nil {
		return Coupon{}, err
	}
	t := target{storeID: c.StoreID, scope: c.Scope, scopeID: c.ScopeID}
	if err := s.checkTarget(ctx, actor, &t); err != nil {
		return Coupon{}, err
	}
	c.ScopeID = t.scopeID
	if err := checkWindow(c.StartsAt, c.EndsAt); err != nil {
		return Coupon{}, err
	}
	switch c.Kind {
	case Percent:
		if c.PercentOff < 1 || c.PercentOff > 99 {
			return Coupon{}, apperr.Invalid("percent_off must be 1–99")
		}
		c.AmountOff = 0
	case Fixed:
		if c.AmountOff < 1 || c.AmountOff > shop.MaxPrice {
			return Coupon{}, apperr.Invalid("amount_off must be a positive number of fen")
		}
		c.PercentOff = 0
	default:
		return Coupon{}, apperr.Invalid("kind must be percent or fixed")
	}
	if c.Threshold < 0 || c.Threshold > shop.MaxPrice {
		return Coupon{}, apperr.Invalid("threshold is out of range")
	}
	if c.PerUserLimit < 1 || c.PerUserLimit > 1000 {
		return Coupon{}, apperr.Invalid("per_user_limit must be 1–1000")
	}
	if c.Quota < 1 || c.Quota > 100_000_000 {
		return Coupon{}, apperr.Invalid("quota must be 1–100000000")
	}
	c.ID, c.Used = id.New(), 0
	_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO coupons (id, created_by, store_id, code, name, kind, percent_off, amount_off,
		threshold, scope, scope_id, per_user_limit, quota, used, starts_at, ends_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`, c.ID, actor.ID, c.StoreID, c.Code, c.Name, c.Kind,
		c.PercentOff, c.AmountOff, c.Threshold, c.Scope, c.ScopeID, c.PerUserLimit, c.Quota, c.StartsAt.UnixMilli(),
		c.EndsAt.UnixMilli(), db.Now())
	if db.IsUniqueViolation(err) {
		return Coupon{}, apperr.Conflict("coupon code %s exists", c.Code)
	}
	c.StartsAt, c.EndsAt = c.StartsAt.UTC(), c.EndsAt.UTC()
	return c, err
}

// CouponByCode returns a coupon.
func (s *Service) CouponByCode(ctx context.Context, code string) (Coupon, error) {
	code, err := NormalizeCode(code)
	if err != nil {
		return Coupon{}, err
	}
	var c Coupon
	var store, scope sql.NullInt64
	var start, end int64
	err = s.db.Reader(ctx).QueryRow(ctx, `SELECT id, store_id, code, name, kind, percent_off, amount_off, threshold, scope,
		scope_id, per_user_limit, quota, used, starts_at, ends_at FROM coupons WHERE code = ?`, code).
		Scan(&c.ID, &store, &c.Code, &c.Name, &c.Kind, &c.PercentOff, &c.AmountOff, &c.Threshold, &c.Scope, &scope,
			&c.PerUserLimit, &c.Quota, &c.Used, &start, &end)
	if errors.Is(err, sql.ErrNoRows) {
		return Coupon{}, apperr.NotFound("coupon")
	}
	c.StoreID, c.ScopeID = nullID(store), nullID(scope)
	c.StartsAt, c.EndsAt = time.UnixMilli(start).UTC(), time.UnixMilli(end).UTC()
	return c, err
}

// Redeem counts one use of a coupon by a user, inside the order's
// transaction. Both limits are conditional UPDATEs, so concurrent
// checkouts can neither exceed the quota nor the per-user limit.
func (s *Service) Redeem(ctx context.Context, c Coupon, uid id.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		res, err := w.Exec(ctx, "UPDATE coupons SET used = used + 1 WHERE id = ? AND used < quota", c.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("coupon %s has run out", c.Code)
		}
		res, err = w.Exec(ctx, `INSERT INTO coupon_uses (coupon_id, user_id, used) VALUES (?, ?, 1)
			ON CONFLICT (coupon_id, user_id) DO UPDATE SET used = coupon_uses.used + 1 WHERE coupon_uses.used < ?`,
			c.ID, uid, c.PerUserLimit)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("you have already used coupon %s as often as allowed", c.Code)
		}
		return nil
	})
}

// Restore gives back one use of a coupon (order cancelled or fully refunded).
func (s *Service) Restore(ctx context.Context, couponID, uid id.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		if _, err := w.Exec(ctx, "UPDATE coupons SET used = used - 1 WHERE id = ? AND used > 0", couponID); err != nil {
			return err
		}
		_, err := w.Exec(ctx, "UPDATE coupon_uses SET used = used - 1 WHERE coupon_id = ? AND user_id = ? AND used > 0", couponID, uid)
		return err
	})
}
