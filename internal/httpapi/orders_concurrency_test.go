package httpapi_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/payments"
	"github.com/redmark/redmark/internal/points"
)

// countRows runs a COUNT/SUM query.
func countRows(t testing.TB, e *apitest.Env, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.App.DB.Reader(context.Background()).QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStockNeverOversold(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		sku := addProduct(t, f.m1, f.store, "Limited lipstick", 9900, 10, "bonded")
		shoppers := make([]*apitest.Client, 50)
		for i := range shoppers {
			shoppers[i] = e.SignUp(fmt.Sprintf("shopper%02d", i))
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		for _, c := range shoppers {
			wg.Add(1)
			go func(c *apitest.Client) {
				defer wg.Done()
				r := order(c, buy(sku, 1))
				mu.Lock()
				codes[r.Status]++
				mu.Unlock()
			}(c)
		}
		wg.Wait()
		if codes[201] != 10 || codes[409] != 40 {
			t.Fatalf("status codes %v, want 10×201 and 40×409", codes)
		}
		skuID, _ := id.Parse(sku)
		if n := countRows(t, e, "SELECT stock FROM skus WHERE id = ?", skuID); n != 0 {
			t.Fatalf("stock %d, want 0", n)
		}
		if n := countRows(t, e, "SELECT COALESCE(SUM(quantity), 0) FROM order_items WHERE sku_id = ?", skuID); n != 10 {
			t.Fatalf("%d units ordered, want 10", n)
		}
	})
}

func TestIdempotencyKeyRace(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice := e.SignUp("alice")
		body := buy(f.skus[0], 2)
		var wg sync.WaitGroup
		ids := make([]string, 20)
		statuses := make([]int, 20)
		for i := range ids {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := orderWithKey(alice, "same-key", body)
				statuses[i] = r.Status
				if r.Status == 200 || r.Status == 201 {
					ids[i] = r.Str("id")
				}
			}(i)
		}
		wg.Wait()
		created := 0
		for i, s := range statuses {
			if s == 201 {
				created++
			}
			if (s != 200 && s != 201) || ids[i] != ids[0] {
				t.Fatalf("request %d: status %d id %s (first %s)", i, s, ids[i], ids[0])
			}
		}
		if created != 1 {
			t.Fatalf("%d requests answered 201, want 1", created)
		}
		if n := countRows(t, e, "SELECT COUNT(*) FROM orders"); n != 1 {
			t.Fatalf("%d orders, want 1", n)
		}
		if stockOf(t, e, f.product, 0) != 8 {
			t.Fatal("stock reserved more than once")
		}
		// A retry returns the same body; another request under the key is refused.
		a := orderWithKey(alice, "same-key", body).Want(200)
		if a.Str("id") != ids[0] || a.Num("total") != 21000 {
			t.Fatalf("replay: %s", a.Body)
		}
		orderWithKey(alice, "same-key", buy(f.skus[0], 3)).WantError(409, "conflict")
		// Keys are per user.
		bob := e.SignUp("bob")
		if orderWithKey(bob, "same-key", body).Want(201).Str("id") == ids[0] {
			t.Fatal("another user's key returned alice's order")
		}
		orderWithKey(alice, "", body).WantError(400, "invalid_input")
	})
}

func TestPointsNeverDoubleSpent(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		sku := addProduct(t, f.m1, f.store, "Toner", 10000, 100, "domestic")
		alice := e.SignUp("alice")
		uid, _ := id.Parse(alice.ID)
		ctx := context.Background()
		if _, err := e.App.Points.Add(ctx, uid, 3000, points.Grant, 0, "welcome"); err != nil {
			t.Fatal(err)
		}
		// Each checkout spends 1000 points (10 yuan, under the 50% cap):
		// of 10 concurrent checkouts exactly 3 can get them.
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := buy(sku, 1)
				body["points"] = 1000
				r := order(alice, body)
				mu.Lock()
				codes[r.Status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[201] != 3 || codes[409] != 7 {
			t.Fatalf("codes %v, want 3×201, 7×409", codes)
		}
		p := alice.Do("GET", "/api/v1/me/points", nil).Want(200)
		if p.Num("balance") != 0 {
			t.Fatalf("balance: %s", p.Body)
		}
		sum, err := e.App.Points.LedgerSum(ctx, uid)
		if err != nil || sum != 0 {
			t.Fatalf("ledger sum %d (%v), want 0", sum, err)
		}
		if n := countRows(t, e, "SELECT COALESCE(SUM(points_used), 0) FROM orders WHERE user_id = ?", uid); n != 3000 {
			t.Fatalf("orders used %d points, want 3000", n)
		}
	})
}

func TestCouponQuotaAndPerUserLimit(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		sku := addProduct(t, f.m1, f.store, "Serum", 10000, 100, "domestic")
		now := time.Now()
		f.m1.Do("POST", "/api/v1/coupons", map[string]any{"store_id": f.store, "code": "red5", "name": "¥5 off", "kind": "fixed",
			"amount_off": 500, "scope": "store", "scope_id": f.store, "per_user_limit": 1, "quota": 5,
			"starts_at": now.Add(-time.Hour), "ends_at": now.Add(time.Hour)}).Want(201)
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		for i := 0; i < 12; i++ {
			c := e.SignUp(fmt.Sprintf("buyer%02d", i))
			for j := 0; j < 2; j++ { // each buyer tries twice at once
				wg.Add(1)
				go func() {
					defer wg.Done()
					body := buy(sku, 1)
					body["coupon_code"] = "RED5"
					r := order(c, body)
					mu.Lock()
					codes[r.Status]++
					mu.Unlock()
				}()
			}
		}
		wg.Wait()
		if codes[201] != 5 || codes[409] != 19 {
			t.Fatalf("codes %v, want 5×201, 19×409", codes)
		}
		if n := countRows(t, e, "SELECT used FROM coupons WHERE code = 'RED5'"); n != 5 {
			t.Fatalf("coupon used %d, want 5", n)
		}
		if n := countRows(t, e, "SELECT COUNT(DISTINCT user_id) FROM orders WHERE coupon_id IS NOT NULL"); n != 5 {
			t.Fatalf("%d distinct users used the coupon, want 5", n)
		}
	})
}

func TestWebhookExactlyOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice := e.SignUp("alice")
		oid := order(alice, buy(f.skus[0], 1)).Want(201).Str("id")
		it := intentOf(alice.Do("POST", "/api/v1/orders/"+oid+"/pay", nil).Want(200))
		if it.Provider != "sandbox" || it.Amount != 11000 || it.IntentID == "" || it.ConfirmURL == "" {
			t.Fatalf("intent: %+v", it)
		}
		// Forged, stale and future-dated deliveries are refused.
		body, sig := e.App.Sandbox.Webhook(it, payments.EventSucceeded, time.Now())
		e.Anon().DoWith("POST", "/api/v1/payments/sandbox/webhook", body, map[string][]string{payments.SignatureHeader: {sig + "00"}}).
			WantError(401, "unauthorized")
		e.Anon().DoWith("POST", "/api/v1/payments/sandbox/webhook", append(body, ' '), map[string][]string{payments.SignatureHeader: {sig}}).
			WantError(401, "unauthorized")
		e.Anon().Do("POST", "/api/v1/payments/sandbox/webhook", body).WantError(401, "unauthorized")
		deliver(t, e, it, payments.EventSucceeded, time.Now().Add(-6*time.Minute)).WantError(401, "unauthorized")
		deliver(t, e, it, payments.EventSucceeded, time.Now().Add(6*time.Minute)).WantError(401, "unauthorized")
		e.Anon().Do("POST", "/api/v1/payments/nope/webhook", body).WantError(404, "not_found")
		// The same event delivered many times at once, a second success event
		// and a late failure all leave exactly one paid transition.
		var wg sync.WaitGroup
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.Anon().DoWith("POST", "/api/v1/payments/sandbox/webhook", body, map[string][]string{payments.SignatureHeader: {sig}}).Want(200)
			}()
		}
		wg.Wait()
		deliver(t, e, it, payments.EventSucceeded, time.Now()).Want(200)
		deliver(t, e, it, payments.EventFailed, time.Now()).Want(200)
		o := alice.Do("GET", "/api/v1/orders/"+oid, nil).Want(200)
		if o.Str("status") != "paid" || o.Num("paid_amount") != 11000 || o.JSON()["refunds"] != nil {
			t.Fatalf("order: %s", o.Body)
		}
		orderID, _ := id.Parse(oid)
		if n := countRows(t, e, "SELECT COUNT(*) FROM order_events WHERE order_id = ? AND kind = 'paid'", orderID); n != 1 {
			t.Fatalf("%d paid events, want 1", n)
		}
		alice.Do("POST", "/api/v1/orders/"+oid+"/pay", nil).WantError(409, "conflict")
	})
}

func TestFailedThenPaidAndDoublePayment(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice := e.SignUp("alice")
		oid := order(alice, buy(f.skus[0], 1)).Want(201).Str("id")
		first := intentOf(alice.Do("POST", "/api/v1/orders/"+oid+"/pay", nil).Want(200))
		second := intentOf(alice.Do("POST", "/api/v1/orders/"+oid+"/pay", nil).Want(200))
		deliver(t, e, first, payments.EventFailed, time.Now()).Want(200)
		if s := alice.Do("GET", "/api/v1/orders/"+oid, nil).Str("status"); s != "pending_payment" {
			t.Fatalf("a failed payment changed the order to %s", s)
		}
		deliver(t, e, second, payments.EventSucceeded, time.Now()).Want(200)
		// The first intent succeeds after all (the payer retried in the
		// provider's app): the order is already paid, so it is refunded.
		deliver(t, e, first, payments.EventSucceeded, time.Now()).Want(200)
		o := alice.Do("GET", "/api/v1/orders/"+oid, nil).Want(200)
		if o.Str("status") != "paid" || o.Num("paid_amount") != 11000 || o.Num("refunded_amount") != 0 {
			t.Fatalf("order: %s", o.Body)
		}
		if n := countRows(t, e, "SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE status = 'succeeded'"); n != 0 {
			t.Fatalf("refunded %d, want 0 (the first intent had failed)", n)
		}
	})
}

func TestLatePaymentAfterExpiryIsRefunded(t *testing.T) {
	dbtestEach(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice := e.SignUp("alice")
		oid := order(alice, buy(f.skus[0], 3)).Want(201).Str("id")
		it := intentOf(alice.Do("POST", "/api/v1/orders/"+oid+"/pay", nil).Want(200))
		if stockOf(t, e, f.product, 0) != 7 {
			t.Fatal("stock not reserved")
		}
		time.Sleep(shortWindow + 20*time.Millisecond)
		// Expiry racing itself releases stock once.
		var wg sync.WaitGroup
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := e.App.Orders.ExpireUnpaid(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if stockOf(t, e, f.product, 0) != 10 {
			t.Fatalf("stock %d after expiry, want 10", stockOf(t, e, f.product, 0))
		}
		alice.Do("POST", "/api/v1/orders/"+oid+"/pay", nil).WantError(409, "conflict")
		deliver(t, e, it, payments.EventSucceeded, time.Now()).Want(200)
		o := alice.Do("GET", "/api/v1/orders/"+oid, nil).Want(200)
		if o.Str("status") != "cancelled" || o.Num("refunds.0.amount") != 11000+20000 || o.Str("refunds.0.status") != "succeeded" {
			t.Fatalf("late payment: %s", o.Body)
		}
	})
}
