package flashsale_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/payments"
)

func TestScheduleIsForOperators(t *testing.T) {
	eachMode(t, nil, func(t *testing.T, e *env) {
		sku := e.sku(t, 10000, 50)
		now := time.Now()
		in := map[string]any{"sku_id": sku, "price": 5000, "stock": 20, "per_user_limit": 2,
			"starts_at": now.Add(time.Hour), "ends_at": now.Add(2 * time.Hour)}
		e.m.Do("POST", "/api/v1/flash-sales", in).WantError(403, "forbidden")
		e.SignUp("bob").Do("POST", "/api/v1/flash-sales", in).WantError(403, "forbidden")
		e.Anon().Do("POST", "/api/v1/flash-sales", in).Want(401)
		for field, v := range map[string]any{"price": 10001, "stock": 0, "per_user_limit": 100, "ends_at": now.Add(time.Hour)} {
			bad := map[string]any{}
			for k, x := range in {
				bad[k] = x
			}
			bad[field] = v
			e.op.Do("POST", "/api/v1/flash-sales", bad).WantError(400, "invalid_input")
		}
		e.op.Do("POST", "/api/v1/flash-sales", map[string]any{"sku_id": sku, "price": 1, "stock": 1, "per_user_limit": 1,
			"starts_at": now, "ends_at": now.Add(time.Hour), "list_price": 1}).WantError(400, "invalid_input")
		over := map[string]any{}
		for k, x := range in {
			over[k] = x
		}
		over["stock"] = 51
		e.op.Do("POST", "/api/v1/flash-sales", over).WantError(409, "conflict")

		r := e.op.Do("POST", "/api/v1/flash-sales", in).Want(201)
		sale := r.Str("id")
		if r.Str("status") != "upcoming" || r.Num("remaining") != 20 || r.Num("list_price") != 10000 {
			t.Fatalf("created: %s", r.Body)
		}
		// The sale's units left the SKU.
		if got := e.skuStock(t, sku); got != 30 {
			t.Fatalf("SKU stock after scheduling = %d, want 30", got)
		}
		g := e.Anon().Do("GET", "/api/v1/flash-sales/"+sale, nil).Want(200)
		if g.Str("status") != "upcoming" || g.Str("server_time") == "" {
			t.Fatalf("get: %s", g.Body)
		}
		l := e.Anon().Do("GET", "/api/v1/flash-sales", nil).Want(200)
		if l.Str("items.0.id") != sale {
			t.Fatalf("list: %s", l.Body)
		}
		e.Anon().Do("GET", "/api/v1/flash-sales/12345", nil).WantError(404, "not_found")
		e.Anon().Do("GET", "/api/v1/flash-sales/nope", nil).WantError(404, "not_found")
		e.verify(t)
	})
}

func TestPurchaseRules(t *testing.T) {
	eachMode(t, nil, func(t *testing.T, e *env) {
		sku := e.sku(t, 10000, 100)
		now := time.Now()
		early := e.op.Do("POST", "/api/v1/flash-sales", map[string]any{"sku_id": sku, "price": 100, "stock": 5,
			"per_user_limit": 2, "starts_at": now.Add(time.Hour), "ends_at": now.Add(2 * time.Hour)}).Want(201).Str("id")
		sale := e.sale(t, sku, 4900, 5, 2)
		alice, bob, carol := e.SignUp("alice"), e.SignUp("bob"), e.SignUp("carol")

		buy(alice, early, "k0", 1).WantError(403, "not_started")
		buy(e.Anon(), sale, "k1", 1).Want(401)
		alice.Do("POST", "/api/v1/flash-sales/"+sale+"/purchase", map[string]any{"quantity": 1}).WantError(400, "invalid_input")
		buy(alice, sale, "k1", 0).WantError(400, "invalid_input")
		buy(alice, sale, "bad key", 1).WantError(400, "invalid_input")
		alice.DoWith("POST", "/api/v1/flash-sales/"+sale+"/purchase", map[string]any{"quantity": 1, "price": 1},
			http.Header{"Idempotency-Key": {"k1"}}).WantError(400, "invalid_input")
		buy(alice, sale, "k1", 3).WantError(429, "over_limit")
		buy(alice, "999", "k1", 1).WantError(404, "not_found")

		first := buy(alice, sale, "k2", 2).Want(201)
		again := buy(alice, sale, "k2", 2).Want(201)
		if string(first.Body) != string(again.Body) {
			t.Fatalf("retry answered differently:\n%s\n%s", first.Body, again.Body)
		}
		buy(alice, sale, "k2", 1).WantError(409, "conflict")
		buy(alice, sale, "k3", 1).WantError(429, "over_limit")
		oid := first.Str("order_id")
		o := alice.Do("GET", "/api/v1/orders/"+oid, nil).Want(200)
		if o.Str("status") != "pending_payment" || o.Num("total") != 9800 || o.Str("source") != "flash" || o.Num("items.0.quantity") != 2 {
			t.Fatalf("order: %s", o.Body)
		}
		if e.Anon().Do("GET", "/api/v1/flash-sales/"+sale, nil).Want(200).Num("remaining") != 3 {
			t.Fatal("remaining after 2 sold")
		}
		if alice.Do("GET", "/api/v1/flash-sales/"+sale, nil).Want(200).Num("bought") != 2 {
			t.Fatal("bought for alice")
		}
		buy(bob, sale, "b1", 2).Want(201)
		// One unit left: asking for two is refused, and remembered.
		no := buy(carol, sale, "c1", 2).WantError(409, "sold_out")
		buy(carol, sale, "c2", 1).Want(201)
		if e.Anon().Do("GET", "/api/v1/flash-sales/"+sale, nil).Want(200).Str("status") != "sold_out" {
			t.Fatal("status after the last unit")
		}
		buy(carol, sale, "c3", 1).WantError(409, "sold_out")
		if again := buy(carol, sale, "c1", 2); string(again.Body) != string(no.Body) || again.Status != 409 {
			t.Fatalf("rejection replayed differently: %d %s", again.Status, again.Body)
		}
		// The winning keys still answer 201 after the sell-out.
		if r := buy(alice, sale, "k2", 2).Want(201); string(r.Body) != string(first.Body) {
			t.Fatalf("retry after sell-out: %s", r.Body)
		}
		// After the end.
		flashsale.SetClock(e.App.Flash, func() time.Time { return time.Now().Add(2 * time.Hour) })
		buy(e.SignUp("dave"), sale, "d1", 1).WantError(403, "ended")
		e.verify(t)
	})
}

// TestRush fires thousands of purchases at once: many shoppers, repeated
// clicks with new keys, retries with the same key (some concurrent with the
// first try), quantities 1–3 and over the limit. Every answer for one key
// must be the same, and every invariant must hold.
func TestRush(t *testing.T) {
	eachMode(t, nil, func(t *testing.T, e *env) {
		shoppers, stock, limit := 1000, 300, 3
		if raceOn {
			shoppers, stock = 300, 100
		}
		sku := e.sku(t, 10000, stock)
		sale := e.sale(t, sku, 990, stock, limit)
		users := e.shoppers(t, shoppers)
		type job struct {
			c   *apitest.Client
			key string
			qty int
		}
		var jobs []job
		rng := rand.New(rand.NewSource(1))
		for i, c := range users {
			q := 1 + rng.Intn(3)
			jobs = append(jobs, job{c, fmt.Sprintf("a%d", i), q}, job{c, fmt.Sprintf("a%d", i), q}, // retry, maybe concurrent
				job{c, fmt.Sprintf("b%d", i), 1}, job{c, fmt.Sprintf("c%d", i), 1}, job{c, fmt.Sprintf("d%d", i), limit + 1})
		}
		rng.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
		jobs = append(jobs, jobs[:len(jobs)/5]...) // late retries
		type answer struct {
			status int
			body   string
		}
		var mu sync.Mutex
		answers := map[string][]answer{}
		ch := make(chan job)
		var wg sync.WaitGroup
		for w := 0; w < 48; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range ch {
					r := buy(j.c, sale, j.key, j.qty)
					if r.Status != 201 && r.Status != 409 && r.Status != 429 {
						t.Errorf("status %d: %s", r.Status, r.Body)
					}
					mu.Lock()
					k := j.c.ID + "|" + j.key
					answers[k] = append(answers[k], answer{r.Status, string(r.Body)})
					mu.Unlock()
				}
			}()
		}
		start := time.Now()
		for _, j := range jobs {
			ch <- j
		}
		close(ch)
		wg.Wait()
		t.Logf("%d purchases in %v", len(jobs), time.Since(start))
		orders := map[string]bool{}
		sold := 0
		for k, as := range answers {
			for _, a := range as[1:] {
				if a != as[0] {
					t.Fatalf("key %s answered %d %s and then %d %s", k, as[0].status, as[0].body, a.status, a.body)
				}
			}
			if as[0].status == 201 {
				var rc flashsale.Receipt
				if err := json.Unmarshal([]byte(as[0].body), &rc); err != nil {
					t.Fatal(err)
				}
				if orders[rc.OrderID.String()] {
					t.Fatalf("two keys answered with order %s", rc.OrderID)
				}
				orders[rc.OrderID.String()] = true
				sold += int(rc.Quantity)
			}
		}
		if sold != stock || e.remaining(t, sale) != 0 {
			t.Fatalf("sold %d of %d, remaining %d (demand exceeds stock: everything must sell)", sold, stock, e.remaining(t, sale))
		}
		var n int
		if err := e.App.DB.Reader(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM flash_orders").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(orders) {
			t.Fatalf("%d purchases in the database, %d answered 201", n, len(orders))
		}
		e.verify(t)
	})
}

// TestExpiryAndCancel: unpaid orders expire and their units come back once;
// a shopper who cancels gets units and quota back; a paid order keeps them.
func TestExpiryAndCancel(t *testing.T) {
	window := time.Second
	eachMode(t, func(c *app.Config) { c.Commerce.Flash.PaymentWindow = window }, func(t *testing.T, e *env) {
		ctx := context.Background()
		sku := e.sku(t, 10000, 10)
		sale := e.sale(t, sku, 5000, 5, 2)
		u := e.shoppers(t, 4)
		a := buy(u[0], sale, "a", 2).Want(201).Str("order_id")
		b := buy(u[1], sale, "b", 2).Want(201).Str("order_id")
		c := buy(u[2], sale, "c", 1).Want(201).Str("order_id")
		buy(u[3], sale, "d", 1).WantError(409, "sold_out")

		// u[0] cancels: units and quota come back.
		u[0].Do("POST", "/api/v1/orders/"+a+"/cancel", map[string]any{}).Want(200)
		u[0].Do("POST", "/api/v1/orders/"+a+"/cancel", map[string]any{}).WantError(409, "conflict")
		if got := e.remaining(t, sale); got != 2 {
			t.Fatalf("remaining after cancel = %d, want 2", got)
		}
		a2 := buy(u[0], sale, "a2", 2).Want(201).Str("order_id")
		// The cancelled key still answers with its (cancelled) order.
		if buy(u[0], sale, "a", 2).Want(201).Str("order_id") != a {
			t.Fatal("replay after cancel")
		}
		e.verify(t)

		// u[1] pays; the others let the window close.
		it := u[1].Do("POST", "/api/v1/orders/"+b+"/pay", nil).Want(200)
		var intent payments.Intent
		it.Decode(&intent)
		body, sig := e.App.Sandbox.Webhook(intent, payments.EventSucceeded, time.Now())
		e.Anon().DoWith("POST", "/api/v1/payments/sandbox/webhook", body, http.Header{payments.SignatureHeader: {sig}}).Want(200)
		time.Sleep(window + 50*time.Millisecond)
		for i := 0; i < 3; i++ { // exactly once, however often the job runs
			if err := e.App.Flash.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for oid, want := range map[string]string{a2: "cancelled", c: "cancelled", b: "paid"} {
			var status string
			if err := e.App.DB.Reader(ctx).QueryRow(ctx, "SELECT status FROM orders WHERE id = ?", oid).Scan(&status); err != nil {
				t.Fatal(err)
			}
			if status != want {
				t.Fatalf("order %s is %s, want %s", oid, status, want)
			}
		}
		if got := e.remaining(t, sale); got != 3 {
			t.Fatalf("remaining after expiry = %d, want 3 (2 paid)", got)
		}
		// Paying an expired order is refused.
		u[2].Do("POST", "/api/v1/orders/"+c+"/pay", nil).WantError(409, "conflict")
		buy(u[3], sale, "d2", 1).Want(201)
		e.verify(t)

		// After the end, unsold units go back to the SKU.
		flashsale.SetClock(e.App.Flash, func() time.Time { return time.Now().Add(2 * time.Hour) })
		if err := e.App.Flash.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if got := e.skuStock(t, sku); got != 7 {
			t.Fatalf("SKU stock after the sale = %d, want 5 + 2 unsold", got)
		}
		e.verify(t)
	})
}
