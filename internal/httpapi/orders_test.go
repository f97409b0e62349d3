package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/payments"
)

var address = map[string]any{"name": "王小红", "phone": "+86 138-0000-0000", "region": "上海市 徐汇区", "line": "漕溪北路 1 号"}

var keySeq atomic.Int64

// order places an order as c with a fresh Idempotency-Key.
func order(c *apitest.Client, body map[string]any) *apitest.Response {
	c.E.T.Helper()
	return orderWithKey(c, fmt.Sprintf("key-%d", keySeq.Add(1)), body)
}

func orderWithKey(c *apitest.Client, key string, body any) *apitest.Response {
	c.E.T.Helper()
	return c.DoWith("POST", "/api/v1/orders", body, http.Header{"Idempotency-Key": {key}})
}

func buy(sku string, qty int) map[string]any {
	return map[string]any{"items": []map[string]any{{"sku_id": sku, "quantity": qty}}, "address": address}
}

func stockOf(t testing.TB, e *apitest.Env, product string, i int) int {
	t.Helper()
	return int(e.Anon().Do("GET", "/api/v1/products/"+product, nil).Want(200).Num(fmt.Sprintf("skus.%d.stock", i)))
}

// payNow pays an order through the sandbox, delivering the webhook
// synchronously through the real HTTP handler.
func payNow(t testing.TB, c *apitest.Client, oid string) {
	t.Helper()
	it := c.Do("POST", "/api/v1/orders/"+oid+"/pay", nil).Want(200)
	deliver(t, c.E, intentOf(it), payments.EventSucceeded, time.Now()).Want(200)
}

func intentOf(r *apitest.Response) payments.Intent {
	var it payments.Intent
	r.Decode(&it)
	return it
}

func deliver(t testing.TB, e *apitest.Env, it payments.Intent, typ string, at time.Time) *apitest.Response {
	t.Helper()
	body, sig := e.App.Sandbox.Webhook(it, typ, at)
	return e.Anon().DoWith("POST", "/api/v1/payments/sandbox/webhook", body, http.Header{payments.SignatureHeader: {sig}})
}

func TestCheckoutPayShipComplete(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice := e.SignUp("alice")
		// Cart: add, change, remove.
		alice.Do("PUT", "/api/v1/cart/items", map[string]any{"sku_id": f.skus[0], "quantity": 2}).Want(200)
		alice.Do("PUT", "/api/v1/cart/items", map[string]any{"sku_id": f.skus[1], "quantity": 5}).Want(200)
		c := alice.Do("PUT", "/api/v1/cart/items", map[string]any{"sku_id": f.skus[1], "quantity": 1}).Want(200)
		if c.Num("subtotal") != 2*10000+12000 || len(c.Get("items").([]any)) != 2 {
			t.Fatalf("cart: %s", c.Body)
		}
		alice.Do("PUT", "/api/v1/cart/items", map[string]any{"sku_id": f.skus[1], "quantity": 0}).Want(200)
		// Check out the cart.
		r := order(alice, map[string]any{"from_cart": true, "address": address}).Want(201)
		oid := r.Str("id")
		if r.Str("status") != "pending_payment" || r.Num("subtotal") != 20000 || r.Num("shipping") != 1000 ||
			r.Num("total") != 21000 || r.Num("discount") != 0 || r.Num("points_deduction") != 0 || r.Num("items.0.quantity") != 2 {
			t.Fatalf("order: %s", r.Body)
		}
		if n := len(alice.Do("GET", "/api/v1/cart", nil).Want(200).Get("items").([]any)); n != 0 {
			t.Fatalf("checked-out lines stay in the cart: %d", n)
		}
		if stockOf(t, e, f.product, 0) != 8 {
			t.Fatal("stock not reserved")
		}
		// Only the buyer and the store see it.
		bob := e.SignUp("bob")
		bob.Do("GET", "/api/v1/orders/"+oid, nil).WantError(404, "not_found")
		f.m2.Do("GET", "/api/v1/orders/"+oid, nil).WantError(404, "not_found")
		f.m1.Do("GET", "/api/v1/orders/"+oid, nil).Want(200)
		bob.Do("POST", "/api/v1/orders/"+oid+"/pay", nil).WantError(404, "not_found")
		// Nobody ships an unpaid order; the buyer never ships.
		f.m1.Do("POST", "/api/v1/orders/"+oid+"/ship", map[string]any{"carrier": "SF", "tracking_number": "SF1234"}).WantError(409, "conflict")
		payNow(t, alice, oid)
		if s := alice.Do("GET", "/api/v1/orders/"+oid, nil).Str("status"); s != "paid" {
			t.Fatalf("status after webhook: %s", s)
		}
		alice.Do("POST", "/api/v1/orders/"+oid+"/ship", map[string]any{"carrier": "SF", "tracking_number": "SF1234"}).WantError(403, "forbidden")
		f.m2.Do("POST", "/api/v1/orders/"+oid+"/ship", map[string]any{"carrier": "SF", "tracking_number": "SF1234"}).WantError(404, "not_found")
		// Authorization before validation: a stranger's bad tracking number is still a 404.
		f.m2.Do("POST", "/api/v1/orders/"+oid+"/ship", map[string]any{"carrier": "SF", "tracking_number": "x"}).WantError(404, "not_found")
		f.m1.Do("POST", "/api/v1/orders/"+oid+"/ship", map[string]any{"carrier": "SF", "tracking_number": "bad number!"}).WantError(400, "invalid_input")
		s := f.m1.Do("POST", "/api/v1/orders/"+oid+"/ship", map[string]any{"carrier": "SF Express", "tracking_number": "SF1234567"}).Want(200)
		if s.Str("status") != "shipped" || s.Str("tracking_number") != "SF1234567" {
			t.Fatalf("ship: %s", s.Body)
		}
		alice.Do("POST", "/api/v1/orders/"+oid+"/tracking", map[string]any{"description": "x"}).WantError(403, "forbidden")
		f.m1.Do("POST", "/api/v1/orders/"+oid+"/tracking", map[string]any{"description": "到达上海转运中心", "location": "上海"}).Want(200)
		d := f.m1.Do("POST", "/api/v1/orders/"+oid+"/tracking", map[string]any{"description": "已签收", "delivered": true}).Want(200)
		if d.Str("status") != "delivered" {
			t.Fatalf("delivered: %s", d.Body)
		}
		f.m1.Do("POST", "/api/v1/orders/"+oid+"/complete", nil).WantError(403, "forbidden")
		done := alice.Do("POST", "/api/v1/orders/"+oid+"/complete", nil).Want(200)
		if done.Str("status") != "completed" || done.Num("points_earned") != 210 {
			t.Fatalf("complete: %s", done.Body)
		}
		kinds := []string{}
		for _, ev := range done.Get("events").([]any) {
			kinds = append(kinds, ev.(map[string]any)["kind"].(string))
		}
		if strings.Join(kinds, ",") != "pending_payment,paid,shipped,tracking,tracking,delivered,completed" {
			t.Fatalf("events: %v", kinds)
		}
		p := alice.Do("GET", "/api/v1/me/points", nil).Want(200)
		if p.Num("balance") != 210 || p.Str("ledger.0.kind") != "earn_order" {
			t.Fatalf("points: %s", p.Body)
		}
		// Lists: mine, and the store's for its merchant only.
		if n := len(alice.Do("GET", "/api/v1/orders", nil).Want(200).Get("items").([]any)); n != 1 {
			t.Fatalf("my orders: %d", n)
		}
		if n := len(f.m1.Do("GET", "/api/v1/orders?store="+f.store, nil).Want(200).Get("items").([]any)); n != 1 {
			t.Fatalf("store orders: %d", n)
		}
		f.m2.Do("GET", "/api/v1/orders?store="+f.store, nil).WantError(403, "forbidden")
		alice.Do("POST", "/api/v1/orders/"+oid+"/cancel", nil).WantError(409, "conflict")
	})
}

// TestSandboxConfirmsAsynchronously runs the sandbox as a real provider:
// the payer confirms, and the webhook arrives later from another goroutine
// over HTTP.
func TestSandboxConfirmsAsynchronously(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.App.Sandbox.Configure(e.URL+"/api/v1/payments/sandbox/webhook", 20*time.Millisecond, false)
		f := newShopFixture(t, e)
		alice := e.SignUp("alice")
		oid := order(alice, buy(f.skus[0], 1)).Want(201).Str("id")
		it := intentOf(alice.Do("POST", "/api/v1/orders/"+oid+"/pay", nil).Want(200))
		e.SignUp("bob").Do("POST", it.ConfirmURL, nil).WantError(404, "not_found")
		alice.Do("POST", it.ConfirmURL, map[string]any{"outcome": "maybe"}).WantError(400, "invalid_input")
		alice.Do("POST", it.ConfirmURL, nil).Want(202)
		alice.Do("POST", it.ConfirmURL, nil).WantError(409, "conflict")
		if s := alice.Do("GET", "/api/v1/orders/"+oid, nil).Str("status"); s != "pending_payment" {
			t.Fatalf("paid before the webhook arrived: %s", s)
		}
		deadline := time.Now().Add(5 * time.Second)
		for alice.Do("GET", "/api/v1/orders/"+oid, nil).Str("status") != "paid" {
			if time.Now().After(deadline) {
				t.Fatal("the sandbox webhook never paid the order")
			}
			time.Sleep(10 * time.Millisecond)
		}
		// Auto-confirm (demo, benchmarks) pays without a payer step.
		e.App.Sandbox.Configure(e.URL+"/api/v1/payments/sandbox/webhook", time.Millisecond, true)
		oid2 := order(alice, buy(f.skus[0], 1)).Want(201).Str("id")
		alice.Do("POST", "/api/v1/orders/"+oid2+"/pay", nil).Want(200)
		for alice.Do("GET", "/api/v1/orders/"+oid2, nil).Str("status") != "paid" {
			if time.Now().After(deadline) {
				t.Fatal("auto-confirm never paid the order")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}
