package httpapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/points"
)

// grant gives c points directly through the ledger.
func grant(t testing.TB, e *apitest.Env, c *apitest.Client, n int64) {
	t.Helper()
	uid, _ := id.Parse(c.ID)
	if _, err := e.App.Points.Add(context.Background(), uid, n, points.Grant, 0, "test"); err != nil {
		t.Fatal(err)
	}
}

func checkLedger(t testing.TB, e *apitest.Env, c *apitest.Client, want int64) {
	t.Helper()
	uid, _ := id.Parse(c.ID)
	bal, err := e.App.Points.Balance(context.Background(), uid)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := e.App.Points.LedgerSum(context.Background(), uid)
	if err != nil {
		t.Fatal(err)
	}
	if bal != want || sum != want {
		t.Fatalf("points balance %d, ledger sum %d, want %d", bal, sum, want)
	}
}

func coupon(t testing.TB, c *apitest.Client, store, code string, extra map[string]any) {
	t.Helper()
	now := time.Now()
	body := map[string]any{"store_id": store, "code": code, "name": code, "kind": "fixed", "amount_off": 1000,
		"scope": "store", "scope_id": store, "per_user_limit": 1, "quota": 100,
		"starts_at": now.Add(-time.Hour), "ends_at": now.Add(time.Hour)}
	for k, v := range extra {
		body[k] = v
	}
	c.Do("POST", "/api/v1/coupons", body).Want(201)
}

func TestCancelPaidOrderRefundsEverything(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice := e.SignUp("alice")
		grant(t, e, alice, 5000)
		coupon(t, f.m1, f.store, "TEN", nil)
		body := buy(f.skus[0], 2)
		body["coupon_code"] = "ten"
		body["points"] = 2000
		o := order(alice, body).Want(201)
		// 20000 goods − 1000 coupon = 19000; 2000 points = 20 yuan; + 1000 shipping.
		if o.Num("discount") != 1000 || o.Num("points_deduction") != 2000 || o.Num("points_used") != 2000 || o.Num("total") != 18000 {
			t.Fatalf("order: %s", o.Body)
		}
		oid := o.Str("id")
		checkLedger(t, e, alice, 3000)
		// An unpaid order cannot be cancelled by a stranger or another store.
		e.SignUp("bob").Do("POST", "/api/v1/orders/"+oid+"/cancel", nil).WantError(404, "not_found")
		f.m2.Do("POST", "/api/v1/orders/"+oid+"/cancel", nil).WantError(404, "not_found")
		payNow(t, alice, oid)
		c := alice.Do("POST", "/api/v1/orders/"+oid+"/cancel", map[string]any{"reason": "changed my mind"}).Want(200)
		if c.Str("status") != "cancelled" || c.Num("refunded_amount") != 18000 || c.Num("refunds.0.amount") != 18000 ||
			c.Str("refunds.0.status") != "succeeded" {
			t.Fatalf("cancel: %s", c.Body)
		}
		checkLedger(t, e, alice, 5000)
		if stockOf(t, e, f.product, 0) != 10 {
			t.Fatal("stock not released")
		}
		// The coupon use came back: it can be used again.
		body["points"] = 0
		order(alice, body).Want(201)
		alice.Do("POST", "/api/v1/orders/"+oid+"/cancel", nil).WantError(409, "conflict")
	})
}

func TestAfterSalesPartialThenFull(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice := e.SignUp("alice")
		grant(t, e, alice, 1000)
		coupon(t, f.m1, f.store, "TEN", nil)
		body := map[string]any{"items": []map[string]any{{"sku_id": f.skus[0], "quantity": 2}, {"sku_id": f.skus[1], "quantity": 1}},
			"address": address, "coupon_code": "TEN", "points": 1000}
		o := order(alice, body).Want(201)
		oid := o.Str("id")
		// goods 32000 − coupon 1000 = 31000, points 1000 fen, shipping 1000 → 31000.
		if o.Num("total") != 31000 {
			t.Fatalf("order: %s", o.Body)
		}
		var placed struct {
			Items []struct {
				ID   string `json:"id"`
				Paid int64  `json:"paid"`
			} `json:"items"`
		}
		o.Decode(&placed)
		items := placed.Items
		var paidSum int64
		for _, it := range items {
			paidSum += it.Paid
		}
		if paidSum != 30000 {
			t.Fatalf("line shares add up to %d, want 30000 (total less shipping)", paidSum)
		}
		alice.Do("POST", "/api/v1/orders/"+oid+"/refunds", map[string]any{"reason": "x"}).WantError(409, "conflict") // unpaid
		payNow(t, alice, oid)
		f.m1.Do("POST", "/api/v1/orders/"+oid+"/ship", map[string]any{"carrier": "YTO", "tracking_number": "YT0001"}).Want(200)
		// Partial return: one of the two red/S scarves.
		redS := items[0]
		f.m1.Do("POST", "/api/v1/orders/"+oid+"/refunds", map[string]any{"reason": "x"}).WantError(403, "forbidden")
		alice.Do("POST", "/api/v1/orders/"+oid+"/refunds", map[string]any{"reason": "wrong colour",
			"items": []map[string]any{{"item_id": redS.ID, "quantity": 3}}}).WantError(400, "invalid_input")
		as := alice.Do("POST", "/api/v1/orders/"+oid+"/refunds", map[string]any{"reason": "wrong colour",
			"items": []map[string]any{{"item_id": redS.ID, "quantity": 1}}}).Want(201)
		if as.Num("amount") != float64(redS.Paid/2) || as.Str("status") != "requested" {
			t.Fatalf("after-sale: %s", as.Body)
		}
		alice.Do("POST", "/api/v1/orders/"+oid+"/refunds", map[string]any{"reason": "again"}).WantError(409, "conflict")
		asID := as.Str("id")
		alice.Do("POST", "/api/v1/orders/"+oid+"/refunds/"+asID+"/approve", nil).WantError(403, "forbidden")
		f.m2.Do("POST", "/api/v1/orders/"+oid+"/refunds/"+asID+"/approve", nil).WantError(404, "not_found")
		f.m1.Do("POST", "/api/v1/orders/"+oid+"/refunds/"+asID+"/approve", map[string]any{"reply": "sorry"}).Want(200)
		f.m1.Do("POST", "/api/v1/orders/"+oid+"/refunds/"+asID+"/approve", nil).WantError(409, "conflict")
		mid := alice.Do("GET", "/api/v1/orders/"+oid, nil).Want(200)
		if mid.Str("status") != "shipped" || mid.Num("refunded_amount") != float64(redS.Paid/2) {
			t.Fatalf("after partial refund: %s", mid.Body)
		}
		// A rejected request changes nothing; then the rest is refunded in full.
		rej := alice.Do("POST", "/api/v1/orders/"+oid+"/refunds", map[string]any{"reason": "all of it"}).Want(201).Str("id")
		f.m1.Do("POST", "/api/v1/orders/"+oid+"/refunds/"+rej+"/reject", map[string]any{"reply": "no"}).Want(200)
		rest := alice.Do("POST", "/api/v1/orders/"+oid+"/refunds", map[string]any{"reason": "all of it"}).Want(201)
		if rest.Num("amount") != 31000-float64(redS.Paid/2) {
			t.Fatalf("rest: %s", rest.Body)
		}
		f.m1.Do("POST", "/api/v1/orders/"+oid+"/refunds/"+rest.Str("id")+"/approve", nil).Want(200)
		end := alice.Do("GET", "/api/v1/orders/"+oid, nil).Want(200)
		if end.Str("status") != "refunded" || end.Num("refunded_amount") != 31000 {
			t.Fatalf("after full refund: %s", end.Body)
		}
		checkLedger(t, e, alice, 1000)
		alice.Do("POST", "/api/v1/orders/"+oid+"/refunds", map[string]any{"reason": "more"}).WantError(409, "conflict")
		orderID, _ := id.Parse(oid)
		if n := countRows(t, e, "SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE order_id = ?", orderID); n != 31000 {
			t.Fatalf("refunded %d through the provider, want 31000", n)
		}
		if n := countRows(t, e, "SELECT used FROM coupons WHERE code = 'TEN'"); n != 0 {
			t.Fatalf("coupon still counted as used: %d", n)
		}
		// Shipped goods come back through the warehouse, not straight into stock.
		if stockOf(t, e, f.product, 0) != 8 {
			t.Fatal("shipped goods went back into stock")
		}
	})
}

func TestPromotionsStacking(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice := e.SignUp("alice")
		now := time.Now()
		window := map[string]any{"starts_at": now.Add(-time.Hour), "ends_at": now.Add(time.Hour)}
		promo := func(c *apitest.Client, m map[string]any) *apitest.Response {
			for k, v := range window {
				m[k] = v
			}
			return c.Do("POST", "/api/v1/promotions", m)
		}
		perfume := addProduct(t, f.m1, f.store, "Perfume", 60000, 10, "overseas_direct")
		pr := e.Anon().Do("GET", "/api/v1/products?store="+f.store, nil).Str("items.0.id")
		f.m1.Do("PATCH", "/api/v1/products/"+pr, map[string]any{"shipping_fee": 3000}).Want(200)
		gift := addProduct(t, f.m1, f.store, "Sample vial", 0, 1, "domestic")
		// Red Friday: 30% off the store, 50% off the perfume (best one wins per line).
		promo(f.m1, map[string]any{"store_id": f.store, "name": "Red Friday", "kind": "percent", "percent_off": 30, "scope": "store", "scope_id": f.store}).Want(201)
		promo(f.m1, map[string]any{"store_id": f.store, "name": "Perfume half price", "kind": "percent", "percent_off": 50, "scope": "product", "scope_id": pr}).Want(201)
		promo(f.op, map[string]any{"name": "Free direct mail", "kind": "free_shipping", "scope": "all", "fulfilment": "overseas_direct"}).Want(201)
		promo(f.m1, map[string]any{"store_id": f.store, "name": "满200赠", "kind": "gift", "scope": "store", "scope_id": f.store, "threshold": 20000, "gift_sku_id": gift}).Want(201)
		// Authorization of offers.
		promo(f.m2, map[string]any{"store_id": f.store, "name": "x", "kind": "percent", "percent_off": 90, "scope": "store", "scope_id": f.store}).WantError(403, "forbidden")
		promo(f.m2, map[string]any{"name": "x", "kind": "percent", "percent_off": 90, "scope": "all"}).WantError(403, "forbidden")
		promo(f.m2, map[string]any{"store_id": f.store2, "name": "x", "kind": "percent", "percent_off": 90, "scope": "product", "scope_id": pr}).WantError(403, "forbidden")
		promo(f.m1, map[string]any{"store_id": f.store, "name": "x", "kind": "percent", "percent_off": 100, "scope": "all"}).WantError(400, "invalid_input")
		coupon(t, f.m1, f.store, "BIG", map[string]any{"kind": "percent", "amount_off": 0, "percent_off": 10, "threshold": 25000})

		body := buy(perfume, 1)
		body["coupon_code"] = "BIG"
		body["points"] = 0
		o := order(alice, body).Want(201)
		// 60000 − 50% = 30000; coupon 10% = 3000; gift reached (27000 ≥ 20000);
		// shipping 3000 waived for direct mail.
		if o.Num("subtotal") != 60000 || o.Num("discount") != 33000 || o.Num("shipping") != 0 || o.Num("total") != 27000 {
			t.Fatalf("order: %s", o.Body)
		}
		kinds := ""
		for _, s := range o.Get("breakdown").([]any) {
			kinds += s.(map[string]any)["kind"].(string) + ","
		}
		if kinds != "subtotal,promotion,coupon,gift,shipping,promotion,total," {
			t.Fatalf("breakdown: %s", o.Body)
		}
		if len(o.Get("items").([]any)) != 2 || o.Get("items.1.gift") != true || o.Num("items.1.unit_price") != 0 {
			t.Fatalf("gift line: %s", o.Body)
		}
		// The one gift unit is gone: the next order gets no gift but still goes through.
		o2 := order(e.SignUp("bob"), buy(perfume, 1)).Want(201)
		if len(o2.Get("items").([]any)) != 1 {
			t.Fatalf("gift beyond its stock: %s", o2.Body)
		}
		// Coupon threshold and validity.
		carol := e.SignUp("carol")
		small := buy(f.skus[0], 1)
		small["coupon_code"] = "BIG"
		order(carol, small).WantError(400, "invalid_input")
		order(alice, body).WantError(409, "conflict") // per-user limit 1
		small["coupon_code"] = "NOPE"
		order(carol, small).WantError(404, "not_found")
	})
}

func TestOrderBadInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice := e.SignUp("alice")
		sku := f.skus[0]
		cases := []struct {
			name string
			body any
			code int
		}{
			{"quantity 0", buy(sku, 0), 400},
			{"negative quantity", buy(sku, -1), 400},
			{"huge quantity", buy(sku, 100), 400},
			{"overflowing quantity", `{"items":[{"sku_id":"` + sku + `","quantity":1e30}],"address":{}}`, 400},
			{"fractional quantity", `{"items":[{"sku_id":"` + sku + `","quantity":1.5}],"address":{}}`, 400},
			{"string quantity", `{"items":[{"sku_id":"` + sku + `","quantity":"1"}],"address":{}}`, 400},
			{"client price", map[string]any{"items": []map[string]any{{"sku_id": sku, "quantity": 1, "price": 1}}, "address": address}, 400},
			{"client total", map[string]any{"items": []map[string]any{{"sku_id": sku, "quantity": 1}}, "address": address, "total": 1}, 400},
			{"unknown sku", buy("123456", 1), 400},
			{"bad sku id", buy("abc", 1), 400},
			{"no items", map[string]any{"items": []any{}, "address": address}, 400},
			{"items and cart", map[string]any{"items": []map[string]any{{"sku_id": sku, "quantity": 1}}, "from_cart": true, "address": address}, 400},
			{"empty cart", map[string]any{"from_cart": true, "address": address}, 400},
			{"no address", map[string]any{"items": []map[string]any{{"sku_id": sku, "quantity": 1}}}, 400},
			{"bad phone", map[string]any{"items": []map[string]any{{"sku_id": sku, "quantity": 1}},
				"address": map[string]any{"name": "a", "phone": "call me", "region": "b", "line": "c"}}, 400},
			{"invalid utf8", "{\"items\":[{\"sku_id\":\"" + sku + "\",\"quantity\":1}],\"address\":{\"name\":\"\xff\",\"phone\":\"12345\",\"region\":\"b\",\"line\":\"c\"}}", 400},
			{"negative points", map[string]any{"items": []map[string]any{{"sku_id": sku, "quantity": 1}}, "address": address, "points": -5}, 400},
			{"points without balance", map[string]any{"items": []map[string]any{{"sku_id": sku, "quantity": 1}}, "address": address, "points": 500}, 409},
			{"duplicate lines", map[string]any{"items": []map[string]any{{"sku_id": sku, "quantity": 1}, {"sku_id": sku, "quantity": 1}}, "address": address}, 400},
			{"two stores", map[string]any{"items": []map[string]any{{"sku_id": sku, "quantity": 1},
				{"sku_id": addProduct(t, f.m2, f.store2, "Other", 100, 5, "domestic"), "quantity": 1}}, "address": address}, 400},
		}
		for _, c := range cases {
			if r := order(alice, map[string]any{"_": 0}); r.Status != 400 {
				t.Fatalf("unknown field accepted: %d", r.Status)
			}
			var r *apitest.Response
			switch b := c.body.(type) {
			case map[string]any:
				r = order(alice, b)
			default:
				r = orderWithKey(alice, "k-"+c.name, b)
			}
			if r.Status != c.code {
				t.Errorf("%s: status %d (%s), want %d", c.name, r.Status, r.Body, c.code)
			}
		}
		// Unlisted products and inactive SKUs cannot be bought or carted.
		f.m1.Do("PATCH", "/api/v1/products/"+f.product, map[string]any{"listed": false}).Want(200)
		order(alice, buy(sku, 1)).WantError(400, "invalid_input")
		alice.Do("PUT", "/api/v1/cart/items", map[string]any{"sku_id": sku, "quantity": 1}).WantError(404, "not_found")
		f.m1.Do("PATCH", "/api/v1/products/"+f.product, map[string]any{"listed": true, "skus": []map[string]any{{"id": f.skus[1], "active": false}}}).Want(200)
		order(alice, buy(f.skus[1], 1)).WantError(400, "invalid_input")
		alice.Do("PUT", "/api/v1/cart/items", map[string]any{"sku_id": sku, "quantity": 100}).WantError(400, "invalid_input")
		alice.Do("PUT", "/api/v1/cart/items", map[string]any{"sku_id": sku, "quantity": -1}).WantError(400, "invalid_input")
		e.Anon().Do("GET", "/api/v1/cart", nil).WantError(401, "unauthorized")
		if n := countRows(t, e, "SELECT COUNT(*) FROM orders"); n != 0 {
			t.Fatalf("refused requests created %d orders", n)
		}
		if stockOf(t, e, f.product, 0) != 10 {
			t.Fatal("refused requests took stock")
		}
	})
}
