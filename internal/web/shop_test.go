package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/points"
)

// shopWorld is a small shop: a merchant (web browser) with a store and a
// two-variant product whose title tries to inject a script, a second
// merchant with their own store, and a category.
type shopWorld struct {
	e                 *apitest.Env
	m1, m2            *browser
	store, store2     string
	category, product string
	skus              []string
	m1API             *apitest.Client
}

func role(t *testing.T, e *apitest.Env, username, r string) {
	t.Helper()
	u, err := e.App.Accounts.GetByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.App.Accounts.SetRole(context.Background(), u.ID, r); err != nil {
		t.Fatal(err)
	}
}

func newShopWorld(t *testing.T, e *apitest.Env) *shopWorld {
	t.Helper()
	w := &shopWorld{e: e}
	op := e.SignUp("operator1")
	role(t, e, "operator1", accounts.RoleOperator)
	w.category = op.Do("POST", "/api/v1/categories", map[string]any{"slug": "beauty", "name": "Beauty", "name_zh": "美妆"}).Want(201).Str("id")
	w.m1 = signUp(t, e, "merchant1", "Merchant One")
	role(t, e, "merchant1", accounts.RoleMerchant)
	w.m2 = signUp(t, e, "merchant2", "Merchant Two")
	role(t, e, "merchant2", accounts.RoleMerchant)
	// Stores through the console.
	w.m1.get("/merchant").want(200).has(`data-testid="open-store-form"`)
	w.store = strings.TrimPrefix(w.m1.post("/merchant/stores", url.Values{"name": {"Tokyo Beauty"}}).redirectsTo("/merchant?store=").Location,
		"/merchant?store=")
	w.store2 = strings.TrimPrefix(w.m2.post("/merchant/stores", url.Values{"name": {"Paris Goods"}}).redirectsTo("/merchant?store=").Location,
		"/merchant?store=")
	// A product with colour variants through the console form.
	res := w.m1.multipart("/merchant/products/new", url.Values{"store": {w.store}, "title": {"Serum " + xss}, "description": {"glow"},
		"category_id": {w.category}, "fulfilment": {"bonded"}, "shipping_fee": {"10"}, "listed": {"1"},
		"opt1": {"colour"}, "vals1": {"red, blue"}, "price": {"100.00"}, "stock": {"5"}}, file{"media", "p.png", pngBytes(t, 30, 30)})
	res.redirectsTo("/merchant/products/")
	w.product = strings.TrimSuffix(strings.TrimPrefix(res.Location, "/merchant/products/"), "?saved=1")
	r := e.Anon().Do("GET", "/api/v1/products/"+w.product, nil).Want(200)
	if r.Num("price_min") != 10000 || r.Num("shipping_fee") != 1000 || len(r.Get("skus").([]any)) != 2 || r.Str("images.0.id") == "" {
		t.Fatalf("product from the form: %s", r.Body)
	}
	w.skus = []string{r.Str("skus.0.id"), r.Str("skus.1.id")}
	return w
}

var orderPath = regexp.MustCompile(`^/orders/(\d+)$`)

func TestShopPagesRenderInBothLanguages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newShopWorld(t, e)
		shopper := signUp(t, e, "shopper", "Shopper")
		anon := newBrowser(t, e)
		pages := []string{"/shop", "/shop/c/" + w.category, "/shop/s/" + w.store, "/p/" + w.product}
		for _, lang := range []struct{ accept, word string }{{"zh-CN", "商城"}, {"en", "Shop"}} {
			for _, b := range []*browser{anon, shopper, w.m1} {
				b.lang = lang.accept
				for _, p := range pages {
					b.get(p).want(200).has(lang.word, "Serum "+xssEscaped).lacks(xss)
				}
			}
			shopper.get("/cart").want(200).has(`data-testid="cart"`)
			shopper.get("/orders").want(200).has(`data-testid="orders"`)
			w.m1.get("/merchant").want(200).has(`data-testid="my-store"`, "Tokyo Beauty", "Serum "+xssEscaped).lacks(xss)
			w.m1.get("/merchant/promotions").want(200).has(`data-testid="promotion-form"`)
			w.m1.get("/merchant/products/new?store=" + w.store).want(200).has(`data-testid="product-form"`)
			w.m1.get("/merchant/products/"+w.product).want(200).has(`data-testid="sku-table"`, `value="100.00"`)
		}
		shopper.lang, anon.lang = "en", "en"
		shopper.get("/p/"+w.product).has("Bonded warehouse", "5 in stock", `data-testid="buy-now"`, "¥100.00")
		anon.get("/p/" + w.product).has("Sign in to buy")
		anon.get("/cart").redirectsTo("/login")
		anon.get("/p/123").want(404)
		anon.get("/p/abc").want(404)
		// The console is for merchants: a shopper is refused.
		shopper.get("/merchant").want(403)
		shopper.get("/merchant/promotions").want(403)
	})
}

func TestWebCheckoutJourney(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newShopWorld(t, e)
		e.App.Sandbox.Configure(e.URL+"/api/v1/payments/sandbox/webhook", 10*time.Millisecond, false)
		// A running promotion and a coupon, made in the promotions console.
		w.m1.post("/merchant/promotions", url.Values{"store_id": {w.store}, "name": {"Red Friday"}, "kind": {"percent"},
			"scope": {"store"}, "percent_off": {"20"}, "days": {"3"}}).redirectsTo("/merchant/promotions?saved=1")
		w.m1.post("/merchant/coupons", url.Values{"store_id": {w.store}, "code": {"save10"}, "name": {"Ten off"}, "kind": {"fixed"},
			"scope": {"store"}, "amount_off": {"10"}, "per_user_limit": {"1"}, "quota": {"5"}, "days": {"3"}}).redirectsTo("/merchant/promotions?saved=1")
		w.m1.get("/merchant/promotions?saved=1").has("Red Friday")
		// Another merchant cannot run offers on this store.
		w.m2.post("/merchant/promotions", url.Values{"store_id": {w.store}, "name": {"x"}, "kind": {"percent"}, "scope": {"store"},
			"percent_off": {"90"}, "days": {"1"}}).want(403)

		shopper := signUp(t, e, "shopper", "Shopper")
		shopper.lang = "en"
		u, _ := e.App.Accounts.GetByUsername(context.Background(), "shopper")
		if _, err := e.App.Points.Add(context.Background(), u.ID, 1000, points.Grant, id.New(), "welcome"); err != nil {
			t.Fatal(err)
		}
		shopper.get("/p/"+w.product).want(200).has("Red Friday", "¥80.00")
		// Add two of the first variant to the cart; a silly quantity is refused.
		shopper.post("/p/"+w.product+"/cart", url.Values{"sku_id": {w.skus[0]}, "quantity": {"500"}, "action": {"cart"}}).
			want(400).has(`data-testid="form-error"`)
		shopper.post("/p/"+w.product+"/cart", url.Values{"sku_id": {w.skus[0]}, "quantity": {"2"}, "action": {"cart"}}).redirectsTo("/cart?added=1")
		shopper.get("/cart?added=1").want(200).has(`data-testid="cart-line"`, "¥200.00")
		// Checkout: the breakdown comes from the server's quote.
		co := shopper.get("/checkout?store=" + w.store).want(200)
		co.has(`data-testid="breakdown"`, "Subtotal", "¥200.00", "Red Friday", "-¥40.00", "¥10.00")
		key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(co.Body)[1]
		form := url.Values{"key": {key}, "store": {w.store}, "name": {"王小红"}, "phone": {"13800000000"}, "region": {"上海市 徐汇区"},
			"line": {"漕溪北路 1 号"}, "coupon": {"save10"}, "use_points": {"1"}, "action": {"preview"}}
		// 200 - 40 promotion - 10 coupon = 150 goods; points pay up to 50% → 10 yuan for 1000 points; +10 shipping.
		pv := shopper.post("/checkout", form).want(200).has("Coupon SAVE10", "-¥10.00", "Points (1000)", "¥150.00")
		// The page carries the balance it priced with, as a browser resubmits it.
		form.Set("points", regexp.MustCompile(`name="points" value="(\d+)"`).FindStringSubmatch(pv.Body)[1])
		form.Set("coupon", "nope!")
		shopper.post("/checkout", form).want(400).has(`data-testid="form-error"`)
		form.Set("coupon", "save10")
		form.Set("action", "place")
		res := shopper.post("/checkout", form)
		res.redirectsTo("/orders/")
		oid := orderPath.FindStringSubmatch(res.Location)[1]
		// A double submit finds the same order.
		shopper.post("/checkout", form).redirectsTo(res.Location)
		page := shopper.get(res.Location).want(200).has(`data-status="pending_payment"`, "¥150.00", `data-testid="pay"`)
		page.has("漕溪北路 1 号")
		if n := len(shopper.get("/cart").Body); n == 0 || strings.Contains(shopper.get("/cart").Body, `data-testid="cart-line"`) {
			t.Fatal("ordered lines stay in the cart")
		}
		// Pay: the sandbox's payment page, then "paying…" until the webhook.
		pay := shopper.post("/orders/"+oid+"/pay", nil)
		pay.redirectsTo("/pay/sandbox/")
		shopper.get(pay.Location).want(200).has(`data-testid="sandbox-confirm"`, "¥150.00")
		// Someone else cannot see or confirm it.
		other := signUp(t, e, "other", "Other")
		other.get(pay.Location).want(404)
		other.post(pay.Location, url.Values{"outcome": {"succeeded"}}).want(404)
		shopper.post(pay.Location, url.Values{"outcome": {"succeeded"}}).redirectsTo("/orders/" + oid + "?paying=1")
		deadline := time.Now().Add(5 * time.Second)
		for {
			p := shopper.get("/orders/" + oid + "?paying=1").want(200)
			if strings.Contains(p.Body, `data-status="paid"`) {
				p.has(`data-testid="paid-notice"`, "Paid").lacks(`data-testid="pay"`)
				break
			}
			p.has(`data-testid="paying"`)
			if time.Now().After(deadline) {
				t.Fatal("the order page never showed the payment")
			}
			time.Sleep(20 * time.Millisecond)
		}
		shopper.get("/orders").has(`data-testid="order-row"`, "Paid")
		other.get("/orders/" + oid).want(404)
		// The merchant ships it from the console; another merchant cannot.
		w.m2.post("/orders/"+oid+"/ship", url.Values{"carrier": {"SF"}, "tracking_number": {"SF123456"}}).want(404)
		w.m1.get("/merchant").has(`data-testid="ship-form"`)
		w.m1.post("/orders/"+oid+"/ship", url.Values{"carrier": {"SF"}, "tracking_number": {"bad!"}}).want(400).has(`data-testid="form-error"`)
		w.m1.post("/orders/"+oid+"/ship", url.Values{"carrier": {"SF Express"}, "tracking_number": {"SF123456"}, "back": {"/merchant"}}).
			redirectsTo("/merchant")
		shopper.post("/orders/"+oid+"/ship", url.Values{"carrier": {"SF"}, "tracking_number": {"SF123456"}}).want(403)
		w.m1.post("/orders/"+oid+"/track", url.Values{"description": {"已签收"}, "delivered": {"1"}}).redirectsTo("/orders/" + oid)
		shopper.get("/orders/"+oid).has(`data-status="delivered"`, "SF123456", `data-testid="review-link"`)
		// A review published as a note shows on the product page.
		res = shopper.multipart("/p/"+w.product+"/reviews", url.Values{"rating": {"5"}, "body": {"好用 " + xss}, "publish_as_note": {"1"}},
			file{"media", "r.png", pngBytes(t, 20, 20)})
		res.redirectsTo("/p/" + w.product + "?reviewed=1")
		pp := shopper.get("/p/" + w.product + "?reviewed=1").want(200)
		pp.has(`data-testid="review-saved"`, "好用 "+xssEscaped, `data-testid="review-note"`, `data-testid="creator-notes"`, `data-testid="note-card"`).lacks(xss)
		other.multipart("/p/"+w.product+"/reviews", url.Values{"rating": {"1"}, "body": {"x"}}).want(403)
		// Refund request, approved by the store from the console.
		shopper.post("/orders/"+oid+"/refund", url.Values{"reason": {"wrong colour"}}).redirectsTo("/orders/" + oid)
		w.m1.get("/merchant").has(`data-testid="refund-decide"`, "wrong colour")
		sale := regexp.MustCompile(`name="refund_id" value="(\d+)"`).FindStringSubmatch(w.m1.get("/orders/" + oid).Body)[1]
		w.m2.post("/orders/"+oid+"/approve", url.Values{"refund_id": {sale}}).want(404)
		w.m1.post("/orders/"+oid+"/approve", url.Values{"refund_id": {sale}, "back": {"/merchant"}}).redirectsTo("/merchant")
		shopper.get("/orders/"+oid).has(`data-status="refunded"`, `data-testid="refunded-amount"`)
	})
}

func TestMerchantConsoleAuthorization(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newShopWorld(t, e)
		// Another store's merchant gets 403 everywhere in this store.
		w.m2.get("/merchant?store=" + w.store).want(403)
		w.m2.get("/merchant/products/" + w.product).want(403)
		w.m2.get("/merchant/products/new?store=" + w.store).want(403)
		w.m2.multipart("/merchant/products/"+w.product, url.Values{"title": {"hacked"}, "fulfilment": {"domestic"}}).want(403)
		w.m2.multipart("/merchant/products/new", url.Values{"store": {w.store}, "title": {"fake"}, "fulfilment": {"domestic"}, "price": {"1"},
			"stock": {"1"}}).want(403)
		// The owner edits prices, stock and the on-sale switch.
		sku := "sku_" + w.skus[0] + "_"
		w.m1.multipart("/merchant/products/"+w.product, url.Values{"title": {"Serum 2"}, "fulfilment": {"domestic"}, "listed": {"1"},
			sku + "price": {"88.8"}, sku + "stock": {"7"}, sku + "active": {"1"}}).redirectsTo("/merchant/products/" + w.product + "?saved=1")
		r := e.Anon().Do("GET", "/api/v1/products/"+w.product, nil).Want(200)
		if r.Str("title") != "Serum 2" || r.Num("skus.0.price") != 8880 || r.Num("skus.0.stock") != 7 || r.Get("skus.1.active") != false {
			t.Fatalf("after edit: %s", r.Body)
		}
		w.m1.multipart("/merchant/products/"+w.product, url.Values{"title": {""}, "fulfilment": {"domestic"}}).want(400).has(`data-testid="form-error"`)
		// Without CSRF nothing happens.
		w.m1.post("/merchant/stores", url.Values{"csrf": {"bad"}, "name": {"Another"}}).want(403)
	})
}

func TestNoteProductCardsAndPicker(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newShopWorld(t, e)
		alice := signUp(t, e, "alice", "Alice")
		alice.get("/publish").want(200).has(`data-testid="product-picker"`, `value="`+w.product+`"`)
		note := publish(t, alice, "我的精华", "好物分享", url.Values{"product": {w.product}})
		alice.lang = "en"
		alice.get(note).want(200).has(`data-testid="note-product"`, "/p/"+w.product, "Serum "+xssEscaped, "¥100.00").lacks(xss)
		newBrowser(t, e).get("/p/" + w.product).want(200).has("我的精华")
		// Bad ids are refused with the reason, and nothing is published.
		alice.multipart("/publish", url.Values{"title": {"x"}, "product_ids": {"zzz"}, "action": {"publish"}},
			file{"media", "a.png", pngBytes(t, 20, 20)}).want(400).has(`data-testid="form-error"`)
		// The edit page keeps the link ticked; unticking removes it.
		alice.get(note + "/edit").want(200).has(`value="` + w.product + `" checked`)
		alice.multipart(note+"/edit", url.Values{"title": {"我的精华"}, "body": {"x"}, "action": {"save"}}).redirectsTo(note)
		alice.get(note).lacks(`data-testid="note-product"`)
	})
}
