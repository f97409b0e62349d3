package promotions

import (
	"context"
	"database/sql"
	"errors"
	"math/bits"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/shop"
)

// Line is one SKU of a checkout, with live catalog facts.
type Line struct {
	Item     shop.Item
	Quantity int64
}

// QuoteLine is a priced line.
type QuoteLine struct {
	Line
	Amount            int64 // unit price × quantity
	PromotionDiscount int64
	PromotionID       *id.ID
	CouponDiscount    int64
}

// Net is what the line costs after promotion and coupon.
func (l QuoteLine) Net() int64 { return l.Amount - l.PromotionDiscount - l.CouponDiscount }

// GiftLine is a gift added by a spend-X-get-gift promotion.
type GiftLine struct {
	PromotionID id.ID
	Item        shop.Item
}

// Step is one line of the checkout breakdown shown to the shopper.
type Step struct {
	Kind        string `json:"kind"` // subtotal, promotion, coupon, gift, shipping, points, total
	Label       string `json:"label"`
	Amount      int64  `json:"amount"` // fen; discounts are negative
	PromotionID *id.ID `json:"promotion_id,omitempty"`
	Code        string `json:"code,omitempty"`
	SKUID       *id.ID `json:"sku_id,omitempty"`
	Points      int64  `json:"points,omitempty"`
}

// Quote is a priced checkout before points.
type Quote struct {
	Lines             []QuoteLine
	Gifts             []GiftLine
	Subtotal          int64
	PromotionDiscount int64
	CouponDiscount    int64
	Coupon            *Coupon
	Shipping          int64
	Steps             []Step
}

// Goods is the goods amount after promotions and coupon (what points and
// gift thresholds are measured against).
func (q Quote) Goods() int64 { return q.Subtotal - q.PromotionDiscount - q.CouponDiscount }

// Quote prices lines (all from one store) for a user at now. An explicit
// coupon code that does not apply is an error rather than silently ignored.
func (s *Service) Quote(ctx context.Context, uid, storeID id.ID, lines []Line, couponCode string, now time.Time) (Quote, error) {
	promos, err := s.Active(ctx, storeID, now)
	if err != nil {
		return Quote{}, err
	}
	q := Quote{Lines: make([]QuoteLine, len(lines))}
	for i, l := range lines {
		q.Lines[i] = QuoteLine{Line: l, Amount: l.Item.Price * l.Quantity}
		q.Subtotal += q.Lines[i].Amount
	}
	q.Steps = append(q.Steps, Step{Kind: "subtotal", Label: "Subtotal", Amount: q.Subtotal})

	// 1. The best single discount promotion per line.
	for _, p := range promos {
		if p.Kind != Percent && p.Kind != Fixed {
			continue
		}
		t := p.target()
		if coveredAmount(q.Lines, t) < p.Threshold {
			continue
		}
		for i := range q.Lines {
			l := &q.Lines[i]
			if !t.covers(l.Item) {
				continue
			}
			var off int64
			if p.Kind == Percent {
				off = l.Item.Price * p.PercentOff / 100 * l.Quantity
			} else {
				off = min(p.AmountOff, l.Item.Price) * l.Quantity
			}
			if off > l.PromotionDiscount {
				pid := p.ID
				l.PromotionDiscount, l.PromotionID = off, &pid
			}
		}
	}
	byPromo := map[id.ID]int64{}
	var order []Promotion
	for _, l := range q.Lines {
		q.PromotionDiscount += l.PromotionDiscount
		if l.PromotionID != nil {
			if _, seen := byPromo[*l.PromotionID]; !seen {
				for _, p := range promos {
					if p.ID == *l.PromotionID {
						order = append(order, p)
					}
				}
			}
			byPromo[*l.PromotionID] += l.PromotionDiscount
		}
	}
	for _, p := range order {
		pid := p.ID
		q.Steps = append(q.Steps, Step{Kind: "promotion", Label: p.Name, Amount: -byPromo[p.ID], PromotionID: &pid})
	}

	// 2. One coupon.
	if couponCode != "" {
		c, err := s.CouponByCode(ctx, couponCode)
		if err != nil {
			return Quote{}, err
		}
		if err := s.applyCoupon(ctx, &q, c, uid, now); err != nil {
			return Quote{}, err
		}
	}

	// 3. Gifts while stock lasts (the order reserves them; see orders).
	for _, p := range promos {
		if p.Kind != Gift || p.GiftSKUID == nil {
			continue
		}
		t := p.target()
		if coveredNet(q.Lines, t) == 0 || coveredNet(q.Lines, t) < p.Threshold {
			continue
		}
		items, err := s.shop.Items(ctx, []id.ID{*p.GiftSKUID})
		if err != nil {
			return Quote{}, err
		}
		g, ok := items[*p.GiftSKUID]
		if !ok || g.StoreID != storeID || g.Stock <= 0 {
			continue
		}
		q.Gifts = append(q.Gifts, GiftLine{PromotionID: p.ID, Item: g})
		pid, sid := p.ID, g.SKUID
		q.Steps = append(q.Steps, Step{Kind: "gift", Label: p.Name + ": " + g.Title, PromotionID: &pid, SKUID: &sid})
	}

	// 4. Shipping.
	for _, l := range q.Lines {
		q.Shipping = max(q.Shipping, l.Item.ShippingFee)
	}
	if q.Shipping > 0 {
		for _, p := range promos {
			if p.Kind != FreeShipping {
				continue
			}
			t := p.target()
			all := true
			for _, l := range q.Lines {
				all = all && t.covers(l.Item)
			}
			if all && q.Goods() >= p.Threshold {
				pid := p.ID
				q.Steps = append(q.Steps, Step{Kind: "shipping", Label: "Shipping", Amount: q.Shipping},
					Step{Kind: "promotion", Label: p.Name, Amount: -q.Shipping, PromotionID: &pid})
				q.Shipping = 0
				return q, nil
			}
		}
	}
	q.Steps = append(q.Steps, Step{Kind: "shipping", Label: "Shipping", Amount: q.Shipping})
	return q, nil
}

func (p Promotion) target() target {
	return target{storeID: p.StoreID, scope: p.Scope, scopeID: p.ScopeID, fulfilment: p.Fulfilment}
}

func coveredAmount(lines []QuoteLine, t target) int64 {
	var n int64
	for _, l := range lines {
		if t.covers(l.Item) {
			n += l.Amount
		}
	}
	return n
}

func coveredNet(lines []QuoteLine, t target) int64 {
	var n int64
	for _, l := range lines {
		if t.covers(l.Item) {
			n += l.Net()
		}
	}
	return n
}

func (s *Service) applyCoupon(ctx context.Context, q *Quote, c Coupon, uid id.ID, now time.Time) error {
	if now.Before(c.StartsAt) || !now.Before(c.EndsAt) {
		return apperr.Invalid("coupon %s is not valid now", c.Code)
	}
	if c.Used >= c.Quota {
		return apperr.Conflict("coupon %s has run out", c.Code)
	}
	var used int64
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT used FROM coupon_uses WHERE coupon_id = ? AND user_id = ?", c.ID, uid).Scan(&used)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if used >= c.PerUserLimit {
		return apperr.Conflict("you have already used coupon %s as often as allowed", c.Code)
	}
	t := target{storeID: c.StoreID, scope: c.Scope, scopeID: c.ScopeID}
	var eligible []int
	var base int64
	for i, l := range q.Lines {
		if t.covers(l.Item) {
			eligible = append(eligible, i)
			base += l.Net()
		}
	}
	if len(eligible) == 0 {
		return apperr.Invalid("coupon %s does not apply to these goods", c.Code)
	}
	if base < c.Threshold {
		return apperr.Invalid("coupon %s needs a spend of %d fen on the goods it covers", c.Code, c.Threshold)
	}
	var off int64
	if c.Kind == Percent {
		off = base * c.PercentOff / 100
	} else {
		off = min(c.AmountOff, base)
	}
	weights := make([]int64, len(eligible))
	for k, i := range eligible {
		weights[k] = q.Lines[i].Net()
	}
	for k, share := range Allocate(off, weights) {
		q.Lines[eligible[k]].CouponDiscount = share
	}
	q.CouponDiscount, q.Coupon = off, &c
	q.Steps = append(q.Steps, Step{Kind: "coupon", Label: c.Name, Amount: -off, Code: c.Code})
	return nil
}

// Allocate splits total across weights in proportion, by largest remainder,
// so the shares are whole fen, never exceed their weight when total does
// not exceed the sum, and add up to total exactly.
func Allocate(total int64, weights []int64) []int64 {
	out := make([]int64, len(weights))
	var sum int64
	for _, w := range weights {
		sum += w
	}
	if total <= 0 || sum <= 0 {
		return out
	}
	type rem struct {
		i int
		r int64
	}
	var given int64
	rems := make([]rem, len(weights))
	for i, w := range weights {
		// total×w may overflow int64 (large orders), so multiply in 128 bits;
		// the quotient is at most total, so it fits.
		hi, lo := bits.Mul64(uint64(total), uint64(max(w, 0)))
		q, r := bits.Div64(hi, lo, uint64(sum))
		out[i] = int64(q)
		given += out[i]
		rems[i] = rem{i, int64(r)}
	}
	// Hand out the remaining fen to the largest remainders (stable by index).
	for left := total - given; left > 0; left-- {
		best := -1
		for k, r := range rems {
			if r.r >= 0 && (best < 0 || r.r > rems[best].r) {
				best = k
			}
		}
		out[rems[best].i]++
		rems[best].r = -1
	}
	return out
}
