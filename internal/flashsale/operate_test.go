package flashsale_test

import (
	"context"
	"testing"
)

// TestEndAndAudit: only operators end a sale or list its orders (a
// stranger learns nothing, not even whether the sale exists); the audit
// lists the buyers' orders; after the end purchases are refused and the
// unsold units go back to the SKU.
func TestEndAndAudit(t *testing.T) {
	eachMode(t, nil, func(t *testing.T, e *env) {
		sku := e.sku(t, 10000, 20)
		sale := e.sale(t, sku, 4900, 5, 2)
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		oid := buy(alice, sale, "k1", 2).Want(201).Str("order_id")

		for _, c := range []struct {
			method, path string
		}{{"POST", "/end"}, {"GET", "/orders"}} {
			bob.Do(c.method, "/api/v1/flash-sales/"+sale+c.path, nil).WantError(403, "forbidden")
			e.m.Do(c.method, "/api/v1/flash-sales/"+sale+c.path, nil).WantError(403, "forbidden")
			bob.Do(c.method, "/api/v1/flash-sales/999"+c.path, nil).WantError(403, "forbidden")
			e.Anon().Do(c.method, "/api/v1/flash-sales/"+sale+c.path, nil).Want(401)
			e.op.Do(c.method, "/api/v1/flash-sales/999"+c.path, nil).WantError(404, "not_found")
		}
		a := e.op.Do("GET", "/api/v1/flash-sales/"+sale+"/orders", nil).Want(200)
		if a.Str("items.0.order_id") != oid || a.Str("items.0.buyer_id") != alice.ID || a.Num("items.0.quantity") != 2 ||
			a.Str("items.0.status") != "pending_payment" || a.Str("next_cursor") != "" {
			t.Fatalf("audit: %s", a.Body)
		}

		if r := e.op.Do("POST", "/api/v1/flash-sales/"+sale+"/end", nil).Want(200); r.Str("status") != "ended" {
			t.Fatalf("ended: %s", r.Body)
		}
		e.op.Do("POST", "/api/v1/flash-sales/"+sale+"/end", nil).WantError(409, "conflict")
		buy(bob, sale, "k2", 1).WantError(403, "ended")
		if err := e.App.Flash.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		// 20 − 5 for the sale + the 3 unsold units back.
		if got := e.skuStock(t, sku); got != 18 {
			t.Fatalf("SKU stock after the end = %d, want 18", got)
		}
		e.verify(t)
	})
}
