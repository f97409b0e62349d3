package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/orders"
)

// paidOrder places an order for one of sku and pays it through the
// auto-confirming sandbox, waiting for the webhook.
func placeOrder(t *testing.T, e *apitest.Env, buyer accounts.User, sku string, pay bool) id.ID {
	t.Helper()
	ctx := context.Background()
	sid, _ := id.Parse(sku)
	o, _, err := e.App.Orders.Create(ctx, buyer, id.New().String(), orders.CreateRequest{
		Items:   []orders.LineRequest{{SKUID: sid, Quantity: 1}},
		Address: orders.Address{Name: "王小红", Phone: "13800000000", Region: "上海市", Line: "漕溪北路 1 号"}})
	if err != nil {
		t.Fatal(err)
	}
	if !pay {
		return o.ID
	}
	if _, err := e.App.Orders.Pay(ctx, buyer, o.ID); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if got, err := e.App.Orders.Get(ctx, buyer, o.ID); err == nil && got.Status == orders.Paid {
			return o.ID
		}
		if time.Now().After(deadline) {
			t.Fatal("the sandbox never confirmed the payment")
		}
	}
}

// TestOrderTabsAndRows: the orders list in tabs (to pay, to ship, to
// receive, after-sales) with counts and product images, only the viewer's
// own orders, the same tabs in the API; the cart's stepper works as plain
// form posts.
func TestOrderTabsAndRows(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		w := newShopWorld(t, e)
		e.App.Sandbox.Configure(e.URL+"/api/v1/payments/sandbox/webhook", time.Millisecond, true)
		shopper := signUp(t, e, "shopper", "Shopper")
		u, _ := e.App.Accounts.GetByUsername(ctx, "shopper")
		m1, _ := e.App.Accounts.GetByUsername(ctx, "merchant1")
		toPay := placeOrder(t, e, u, w.skus[0], false)
		toShip := placeOrder(t, e, u, w.skus[0], true)
		toReceive := placeOrder(t, e, u, w.skus[1], true)
		if _, err := e.App.Orders.Ship(ctx, m1, toReceive, orders.Shipment{Carrier: "SF", TrackingNumber: "SF1234567"}); err != nil {
			t.Fatal(err)
		}
		refund := placeOrder(t, e, u, w.skus[1], true)
		if _, err := e.App.Orders.RequestRefund(ctx, u, refund, orders.AfterSaleRequest{Reason: "too big"}); err != nil {
			t.Fatal(err)
		}
		rows := func(p *page) string {
			var ids []string
			for _, part := range strings.Split(p.Body, `href="/orders/`)[1:] {
				ids = append(ids, part[:strings.Index(part, `"`)])
			}
			return strings.Join(ids, ",")
		}
		all := shopper.get("/orders").want(200).has("全部", "待付款", "待发货", "待收货", "退款售后", `<img class="thumb pthumb"`)
		if got, want := rows(all), strings.Join([]string{refund.String(), toReceive.String(), toShip.String(), toPay.String()}, ","); got != want {
			t.Fatalf("all orders %s, want %s", got, want)
		}
		for tab, want := range map[string]string{"to_pay": toPay.String(), "to_ship": refund.String() + "," + toShip.String(),
			"to_receive": toReceive.String(), "after_sale": refund.String()} {
			p := shopper.get("/orders?tab=" + tab).want(200).has(`class="on" aria-current="page" data-testid="order-tab-` + tab)
			if got := rows(p); got != want {
				t.Errorf("tab %s: %s, want %s", tab, got, want)
			}
		}
		all.has(`data-testid="order-tab-to_pay">待付款 <span class="tab-count" data-testid="tab-count">1</span>`,
			`data-testid="order-tab-to_ship">待发货 <span class="tab-count" data-testid="tab-count">2</span>`)
		shopper.lang = "en"
		shopper.get("/orders?tab=to_receive").want(200).has("To pay", "To receive", "Refunds")
		shopper.get("/orders?tab=bogus").want(404)
		shopper.get("/orders/" + toPay.String()).want(200).has(`<img class="thumb pthumb"`)
		// The shipping event's server text stays out of the page; carrier
		// and tracking number show in their own row.
		shopper.lang = "zh-CN"
		shopper.get("/orders/"+toReceive.String()).want(200).has("SF1234567", "已发货").lacks("shipped with")

		// Another buyer's tabs are empty; the API answers the same tabs.
		bob := signUp(t, e, "bob", "Bob")
		if p := bob.get("/orders?tab=to_pay").want(200); rows(p) != "" {
			t.Fatalf("bob sees orders: %s", rows(p))
		}
		api := &apitest.Client{E: e, Token: e.Anon().Do("POST", "/api/v1/auth/login",
			map[string]any{"username": "shopper", "password": "password123"}).Want(200).Str("token")}
		if got := api.Do("GET", "/api/v1/orders?tab=to_receive", nil).Want(200).Str("items.0.id"); got != toReceive.String() {
			t.Fatalf("API to_receive tab: %s", got)
		}
		api.Do("GET", "/api/v1/orders?tab=nope", nil).Want(400)
		api.Do("GET", "/api/v1/orders?tab=to_pay&store="+w.store, nil).Want(400)

		// The cart: images and the stepper's plain posts.
		shopper.post("/p/"+w.product+"/cart", url.Values{"sku_id": {w.skus[0]}, "quantity": {"2"}, "action": {"cart"}}).redirectsTo("/cart")
		shopper.get("/cart").want(200).has(`<img class="thumb pthumb"`, `data-testid="cart-qty-inc"`, `data-testid="cart-qty-dec"`)
		qty := func() int64 {
			c, err := e.App.Orders.Cart(ctx, u.ID)
			if err != nil || len(c.Items) != 1 {
				t.Fatalf("cart %+v, %v", c, err)
			}
			return c.Items[0].Quantity
		}
		shopper.post("/cart", url.Values{"sku_id": {w.skus[0]}, "quantity": {"2"}, "step": {"1"}}).redirectsTo("/cart")
		if q := qty(); q != 3 {
			t.Fatalf("after +, quantity %d, want 3", q)
		}
		shopper.post("/cart", url.Values{"sku_id": {w.skus[0]}, "quantity": {"1"}, "step": {"-1"}}).redirectsTo("/cart")
		if q := qty(); q != 1 {
			t.Fatalf("− below 1: quantity %d, want 1", q)
		}
		shopper.post("/cart", url.Values{"sku_id": {w.skus[0]}, "quantity": {"99"}, "step": {"1"}}).redirectsTo("/cart")
		if q := qty(); q != 99 {
			t.Fatalf("+ above the limit: quantity %d, want 99", q)
		}
		bob.post("/cart", url.Values{"sku_id": {w.skus[0]}, "quantity": {"1"}, "step": {"1"}}).redirectsTo("/cart")
		if q := qty(); q != 99 {
			t.Fatalf("bob's cart post changed shopper's cart: %d", q)
		}
	})
}
