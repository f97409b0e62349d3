package orders_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/payments"
)

var addr = map[string]any{"name": "A", "phone": "13800000000", "region": "Shanghai", "line": "1 Road"}

// TestBackgroundJobs runs the app's job loop: an unpaid order expires on
// its own and gives its stock back; a delivered order completes on its
// own and earns points; old idempotency keys are forgotten.
func TestBackgroundJobs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		cfg := app.Config{DataDir: t.TempDir()}
		cfg.Commerce.Orders.PaymentWindow = 500 * time.Millisecond
		cfg.Commerce.Orders.AutoComplete = time.Millisecond
		cfg.Commerce.JobInterval = 10 * time.Millisecond
		cfg.Commerce.Orders.KeyRetention = time.Millisecond
		e := apitest.NewWithConfig(t, d, cfg)
		ctx := context.Background()
		m := e.SignUp("merchant")
		mid, _ := id.Parse(m.ID)
		if err := e.App.Accounts.SetRole(ctx, mid, accounts.RoleMerchant); err != nil {
			t.Fatal(err)
		}
		store := m.Do("POST", "/api/v1/stores", map[string]any{"name": "Shop"}).Want(201).Str("id")
		p := m.Do("POST", "/api/v1/products", map[string]any{"store_id": store, "title": "Mask", "fulfilment": "domestic",
			"skus": []map[string]any{{"options": map[string]string{}, "price": 5000, "stock": 5}}}).Want(201)
		sku, product := p.Str("skus.0.id"), p.Str("id")
		alice := e.SignUp("alice")
		place := func(key string) string {
			return alice.DoWith("POST", "/api/v1/orders", map[string]any{"items": []map[string]any{{"sku_id": sku, "quantity": 2}},
				"address": addr}, http.Header{"Idempotency-Key": {key}}).Want(201).Str("id")
		}
		unpaid, paid := place("a"), place("b")
		it := alice.Do("POST", "/api/v1/orders/"+paid+"/pay", nil).Want(200)
		var intent payments.Intent
		it.Decode(&intent)
		body, sig := e.App.Sandbox.Webhook(intent, payments.EventSucceeded, time.Now())
		e.Anon().DoWith("POST", "/api/v1/payments/sandbox/webhook", body, http.Header{payments.SignatureHeader: {sig}}).Want(200)
		m.Do("POST", "/api/v1/orders/"+paid+"/ship", map[string]any{"carrier": "SF", "tracking_number": "SF0001"}).Want(200)
		m.Do("POST", "/api/v1/orders/"+paid+"/tracking", map[string]any{"description": "signed", "delivered": true}).Want(200)

		e.App.StartCommerce()
		deadline := time.Now().Add(5 * time.Second)
		for {
			u := alice.Do("GET", "/api/v1/orders/"+unpaid, nil).Str("status")
			c := alice.Do("GET", "/api/v1/orders/"+paid, nil).Str("status")
			if u == "cancelled" && c == "completed" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("jobs did not run: unpaid %s, delivered %s", u, c)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if s := e.Anon().Do("GET", "/api/v1/products/"+product, nil).Num("skus.0.stock"); s != 3 {
			t.Fatalf("stock %v, want 3 (2 shipped, 2 released)", s)
		}
		if b := alice.Do("GET", "/api/v1/me/points", nil).Num("balance"); b != 100 {
			t.Fatalf("points %v, want 100", b)
		}
		// The keys were forgotten after KeyRetention: reusing one places a new order.
		if again := place("a"); again == unpaid {
			t.Fatal("an expired idempotency key still returned its old order")
		}
	})
}
