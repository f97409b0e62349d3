package orders

import (
	"context"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/promotions"
)

// Preview prices a checkout the way Create would, without reserving,
// redeeming or writing anything: the checkout page shows its breakdown
// before the buyer commits. The address is not needed yet. Points are
// capped at the buyer's balance (Create refuses more with 409), and the
// result has no id or status. Stock and coupon limits are checked again,
// atomically, when the order is placed.
func (s *Service) Preview(ctx context.Context, buyer accounts.User, req CreateRequest) (Order, error) {
	if req.FromCart == (len(req.Items) > 0) {
		return Order{}, apperr.Invalid("send either items or from_cart: true")
	}
	for _, l := range req.Items {
		if err := s.checkQuantity(l.Quantity); err != nil {
			return Order{}, err
		}
	}
	if req.Points < 0 {
		return Order{}, apperr.Invalid("points must not be negative")
	}
	if req.CouponCode != "" {
		c, err := promotions.NormalizeCode(req.CouponCode)
		if err != nil {
			return Order{}, err
		}
		req.CouponCode = c
	}
	lines := req.Items
	if req.FromCart {
		all, _, err := s.cartLines(ctx, buyer.ID)
		if err != nil {
			return Order{}, err
		}
		lines = all
	}
	ids := make([]id.ID, len(lines))
	for i, l := range lines {
		ids[i] = l.SKUID
	}
	items, err := s.shop.Items(ctx, ids)
	if err != nil {
		return Order{}, err
	}
	var storeID id.ID
	var pl []promotions.Line
	for _, l := range lines {
		it, ok := items[l.SKUID]
		if req.StoreID != nil && it.StoreID != *req.StoreID {
			continue // another store's cart line
		}
		if !ok || !it.Buyable {
			return Order{}, apperr.Invalid("SKU %s is not for sale", l.SKUID)
		}
		if storeID != 0 && it.StoreID != storeID {
			return Order{}, apperr.Invalid("an order comes from one store; check out each store separately (store_id with from_cart)")
		}
		storeID = it.StoreID
		pl = append(pl, promotions.Line{Item: it, Quantity: l.Quantity})
	}
	if len(pl) == 0 {
		return Order{}, apperr.Invalid("the cart has nothing to check out")
	}
	q, err := s.promo.Quote(ctx, buyer.ID, storeID, pl, req.CouponCode, s.now())
	if err != nil {
		return Order{}, err
	}
	balance, err := s.points.Balance(ctx, buyer.ID)
	if err != nil {
		return Order{}, err
	}
	goods := q.Goods()
	pointsFen, pointsSpent := s.points.Deduction(min(req.Points, balance), goods)
	o := Order{UserID: buyer.ID, StoreID: storeID, Subtotal: q.Subtotal, PromotionDiscount: q.PromotionDiscount,
		CouponDiscount: q.CouponDiscount, Discount: q.PromotionDiscount + q.CouponDiscount, Shipping: q.Shipping,
		PointsUsed: pointsSpent, PointsDeduction: pointsFen, Total: goods + q.Shipping - pointsFen}
	o.Breakdown = q.Steps
	if pointsFen > 0 {
		o.Breakdown = append(o.Breakdown, promotions.Step{Kind: "points", Label: "Points", Amount: -pointsFen, Points: pointsSpent})
	}
	o.Breakdown = append(o.Breakdown, promotions.Step{Kind: "total", Label: "Total", Amount: o.Total})
	weights := make([]int64, len(q.Lines))
	for i, l := range q.Lines {
		weights[i] = l.Net()
	}
	fenShare := promotions.Allocate(pointsFen, weights)
	for i, l := range q.Lines {
		o.Items = append(o.Items, Item{SKUID: l.Item.SKUID, ProductID: l.Item.ProductID, Title: l.Item.Title, Options: l.Item.Options,
			UnitPrice: l.Item.Price, Quantity: l.Quantity, PromotionDiscount: l.PromotionDiscount, CouponDiscount: l.CouponDiscount,
			PointsDeduction: fenShare[i], Paid: l.Net() - fenShare[i]})
	}
	for _, g := range q.Gifts {
		o.Items = append(o.Items, Item{SKUID: g.Item.SKUID, ProductID: g.Item.ProductID, Title: g.Item.Title, Options: g.Item.Options,
			Quantity: 1, Gift: true})
	}
	return o, nil
}
