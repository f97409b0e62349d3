// Command checkout benchmarks the shop's checkout: concurrent shoppers do
// cart → order → sandbox pay (confirm, then the signed webhook) against a
// real server over HTTP, on the demo shop's catalog. It runs the server in
// process so that afterwards it can check the invariants in the database:
// stock never negative, stock sold = quantities ordered, points balance =
// ledger sum, coupon quotas and per-user limits kept, every confirmed
// payment paid its order exactly once.
//
//	go run ./bench/checkout -shoppers 32 -duration 20s            # SQLite
//	go run ./bench/checkout -db postgres://… -shoppers 32          # PostgreSQL (an empty database)
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/points"
	"github.com/redmark/redmark/internal/seed"
	"github.com/redmark/redmark/internal/server"
)

func main() {
	shoppers := flag.Int("shoppers", 32, "concurrent shoppers")
	duration := flag.Duration("duration", 20*time.Second, "how long to run")
	dsn := flag.String("db", "", "postgres://… (an empty database); SQLite in a temp dir when empty")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err := run(*shoppers, *duration, *dsn); err != nil {
		fmt.Fprintln(os.Stderr, "checkout bench:", err)
		os.Exit(1)
	}
}

type client struct {
	base  string
	token string
	http  *http.Client
}

func (c *client) do(method, path string, body any, key string, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return res.StatusCode, err
		}
	}
	return res.StatusCode, nil
}

type sku struct {
	id    string
	store string
}

type stats struct {
	mu       sync.Mutex
	cycle    []time.Duration
	steps    map[string][]time.Duration
	orders   atomic.Int64
	rejected atomic.Int64 // 409 (out of stock, coupon used up) and 400
	errors   atomic.Int64
}

func (s *stats) add(step string, d time.Duration) {
	s.mu.Lock()
	s.steps[step] = append(s.steps[step], d)
	s.mu.Unlock()
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

func run(shoppers int, duration time.Duration, dsn string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "redmark-checkout-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	cfg := app.Config{DataDir: dir, DatabaseURL: dsn, Addr: ln.Addr().String()}
	cfg.Commerce.SandboxDelay = 5 * time.Millisecond
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	defer a.Shutdown()
	t0 := time.Now()
	opts := seed.DemoOptions{Users: 200, Notes: 400, Covers: 20, Avatars: 10, Seed: 1, Shop: true}
	if err := seed.DemoWith(ctx, a, opts); err != nil {
		return err
	}
	fmt.Printf("seeded the demo community and shop in %s (%s)\n", time.Since(t0).Round(time.Millisecond), a.DB.Dialect)
	srv := &http.Server{Handler: server.New(a)}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: shoppers * 2}, Timeout: 30 * time.Second}

	// The catalog: every SKU of every listed product.
	var skus []sku
	cursor := ""
	for {
		var page struct {
			Items []struct {
				ID      id.ID `json:"id"`
				StoreID id.ID `json:"store_id"`
			} `json:"items"`
			Next string `json:"next_cursor"`
		}
		anon := &client{base: base, http: hc}
		if _, err := anon.do("GET", "/api/v1/products?limit=100&cursor="+cursor, nil, "", &page); err != nil {
			return err
		}
		for _, p := range page.Items {
			var full struct {
				SKUs []struct {
					ID id.ID `json:"id"`
				} `json:"skus"`
			}
			if _, err := anon.do("GET", "/api/v1/products/"+p.ID.String(), nil, "", &full); err != nil {
				return err
			}
			for _, k := range full.SKUs {
				skus = append(skus, sku{k.ID.String(), p.StoreID.String()})
			}
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	stock0, err := stockBySKU(ctx, a)
	if err != nil {
		return err
	}

	// Shoppers: signed up through the API, with some points to spend.
	clients := make([]*client, shoppers)
	for i := range clients {
		c := &client{base: base, http: hc}
		var out struct {
			Token string `json:"token"`
			User  struct {
				ID id.ID `json:"id"`
			} `json:"user"`
		}
		if _, err := c.do("POST", "/api/v1/auth/signup", map[string]any{"username": fmt.Sprintf("shopper%04d", i),
			"password": "bench-password", "display_name": "Shopper"}, "", &out); err != nil {
			return err
		}
		if out.Token == "" {
			return fmt.Errorf("sign-up failed (rate limits are on in app defaults? use an app without limits)")
		}
		c.token = out.Token
		if _, err := a.Points.Add(ctx, out.User.ID, 2000, points.Grant, id.New(), "bench"); err != nil {
			return err
		}
		clients[i] = c
	}

	st := &stats{steps: map[string][]time.Duration{}}
	start := time.Now()
	deadline := start.Add(duration)
	var wg sync.WaitGroup
	var keySeq atomic.Int64
	for i, c := range clients {
		wg.Add(1)
		go func(i int, c *client) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 42))
			for time.Now().Before(deadline) {
				shop(c, r, skus, st, keySeq.Add(1))
			}
		}(i, c)
	}
	wg.Wait()
	elapsed := time.Since(start)

	// Let the last webhooks land.
	waitPaid(ctx, a, 10*time.Second)

	fmt.Printf("\n%d shoppers for %s on %d SKUs\n", shoppers, duration, len(skus))
	fmt.Printf("orders placed and paid: %d  (%.1f orders/s), rejected: %d, errors: %d\n",
		st.orders.Load(), float64(st.orders.Load())/elapsed.Seconds(), st.rejected.Load(), st.errors.Load())
	fmt.Printf("%-28s %9s %9s %9s\n", "step", "p50", "p99", "n")
	fmt.Printf("%-28s %9s %9s %9d\n", "cycle (cart→order→pay)", pct(st.cycle, .5).Round(time.Microsecond*100),
		pct(st.cycle, .99).Round(time.Microsecond*100), len(st.cycle))
	for _, step := range []string{"PUT cart/items", "POST orders", "POST orders/{id}/pay", "POST sandbox confirm"} {
		ds := st.steps[step]
		fmt.Printf("%-28s %9s %9s %9d\n", step, pct(ds, .5).Round(time.Microsecond*100), pct(ds, .99).Round(time.Microsecond*100), len(ds))
	}
	return checkInvariants(ctx, a, stock0, start)
}

// shop is one shopper's round: a SKU into the cart, check out that store's
// lines (sometimes with the coupon and points), pay, confirm.
func shop(c *client, r *rand.Rand, skus []sku, st *stats, key int64) {
	k := skus[r.IntN(len(skus))]
	t0 := time.Now()
	code, err := c.do("PUT", "/api/v1/cart/items", map[string]any{"sku_id": k.id, "quantity": 1 + r.IntN(2)}, "", nil)
	st.add("PUT cart/items", time.Since(t0))
	if err != nil || code != 200 {
		st.fail(code, err)
		return
	}
	body := map[string]any{"from_cart": true, "store_id": k.store,
		"address": map[string]any{"name": "Bench", "phone": "13800000000", "region": "上海市", "line": "1 号"}}
	if r.IntN(4) == 0 {
		body["points"] = 300
	}
	if r.IntN(8) == 0 {
		body["coupon_code"] = "REDMARK20"
	}
	t1 := time.Now()
	var o struct {
		ID id.ID `json:"id"`
	}
	code, err = c.do("POST", "/api/v1/orders", body, fmt.Sprintf("bench-%d", key), &o)
	st.add("POST orders", time.Since(t1))
	if err != nil || code != 201 {
		st.fail(code, err)
		// Clear the line so the next round starts clean.
		c.do("PUT", "/api/v1/cart/items", map[string]any{"sku_id": k.id, "quantity": 0}, "", nil)
		return
	}
	t2 := time.Now()
	var it struct {
		ConfirmURL string `json:"confirm_url"`
	}
	code, err = c.do("POST", "/api/v1/orders/"+o.ID.String()+"/pay", nil, "", &it)
	st.add("POST orders/{id}/pay", time.Since(t2))
	if err != nil || code != 200 {
		st.fail(code, err)
		return
	}
	if it.ConfirmURL != "" {
		t3 := time.Now()
		code, err = c.do("POST", it.ConfirmURL, nil, "", nil)
		st.add("POST sandbox confirm", time.Since(t3))
		if err != nil || code != 202 {
			st.fail(code, err)
			return
		}
	}
	st.mu.Lock()
	st.cycle = append(st.cycle, time.Since(t0))
	st.mu.Unlock()
	st.orders.Add(1)
}

func (s *stats) fail(code int, err error) {
	if err == nil && (code == 409 || code == 400) {
		s.rejected.Add(1)
		return
	}
	s.errors.Add(1)
}

func stockBySKU(ctx context.Context, a *app.App) (map[id.ID]int64, error) {
	rows, err := a.DB.Reader(ctx).Query(ctx, "SELECT id, stock FROM skus")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[id.ID]int64{}
	for rows.Next() {
		var k id.ID
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// waitPaid waits until no confirmed payment is still pending.
func waitPaid(ctx context.Context, a *app.App, limit time.Duration) {
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		var n int
		_ = a.DB.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM payments WHERE status = 'pending'").Scan(&n)
		if n == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func checkInvariants(ctx context.Context, a *app.App, stock0 map[id.ID]int64, start time.Time) error {
	r := a.DB.Reader(ctx)
	count := func(q string, args ...any) int64 {
		var n int64
		if err := r.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			fmt.Println("  query failed:", err)
			return -1
		}
		return n
	}
	fmt.Println("\ninvariants after the run:")
	ok := true
	check := func(name string, good bool, detail string) {
		mark := "ok  "
		if !good {
			mark, ok = "FAIL", false
		}
		fmt.Printf("  %s %s %s\n", mark, name, detail)
	}
	neg := count("SELECT COUNT(*) FROM skus WHERE stock < 0")
	check("stock never negative", neg == 0, fmt.Sprintf("(%d SKUs below zero)", neg))

	// Stock sold = quantities ordered (lines of orders not cancelled, less
	// refunds), over the orders made during the run.
	now, err := stockBySKU(ctx, a)
	if err != nil {
		return err
	}
	rows, err := r.Query(ctx, `SELECT oi.sku_id, SUM(oi.quantity - oi.refunded_quantity) FROM order_items oi JOIN orders o ON o.id = oi.order_id
		WHERE o.created_at >= ? AND o.status <> 'cancelled' GROUP BY oi.sku_id`, start.UnixMilli())
	if err != nil {
		return err
	}
	ordered := map[id.ID]int64{}
	for rows.Next() {
		var k id.ID
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return err
		}
		ordered[k] = n
	}
	rows.Close()
	bad, units := 0, int64(0)
	for k, before := range stock0 {
		if before-now[k] != ordered[k] {
			bad++
		}
		units += ordered[k]
	}
	check("stock sold = quantities ordered", bad == 0, fmt.Sprintf("(%d units over %d SKUs; %d SKUs differ)", units, len(ordered), bad))

	ledger := count(`SELECT COUNT(*) FROM point_accounts pa WHERE pa.balance < 0 OR pa.balance <>
		(SELECT COALESCE(SUM(delta), 0) FROM point_ledger l WHERE l.user_id = pa.user_id)`)
	spent := count("SELECT COALESCE(SUM(points_used), 0) FROM orders WHERE created_at >= ?", start.UnixMilli())
	check("points balance = ledger sum, never negative", ledger == 0, fmt.Sprintf("(%d accounts differ; %d points spent)", ledger, spent))

	quota := count("SELECT COUNT(*) FROM coupons WHERE used > quota OR used < 0")
	perUser := count(`SELECT COUNT(*) FROM coupon_uses u JOIN coupons c ON c.id = u.coupon_id WHERE u.used > c.per_user_limit`)
	sums := count(`SELECT COUNT(*) FROM coupons c WHERE c.used <> (SELECT COALESCE(SUM(used), 0) FROM coupon_uses u WHERE u.coupon_id = c.id)`)
	byOrders := count(`SELECT COUNT(*) FROM coupons c WHERE c.used <> (SELECT COUNT(*) FROM orders o WHERE o.coupon_id = c.id
		AND o.status NOT IN ('cancelled', 'refunded'))`)
	used := count("SELECT COALESCE(SUM(used), 0) FROM coupons")
	check("coupon quotas and per-user limits", quota+perUser+sums+byOrders == 0,
		fmt.Sprintf("(%d redemptions; over quota %d, over per-user %d, uses≠sum %d, uses≠orders %d)", used, quota, perUser, sums, byOrders))

	pending := count("SELECT COUNT(*) FROM payments WHERE status = 'pending' AND created_at >= ?", start.UnixMilli())
	unpaid := count(`SELECT COUNT(*) FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.status = 'succeeded'
		AND p.created_at >= ? AND (o.status = 'pending_payment' OR o.paid_amount <> o.total)`, start.UnixMilli())
	twice := count(`SELECT COUNT(*) FROM (SELECT order_id FROM payments WHERE status = 'succeeded' AND refunded = 0
		GROUP BY order_id HAVING COUNT(*) > 1) x`)
	paid := count("SELECT COUNT(*) FROM orders WHERE created_at >= ? AND status = 'paid'", start.UnixMilli())
	check("every confirmed payment paid its order once", pending+unpaid+twice == 0,
		fmt.Sprintf("(%d orders paid; %d payments still pending, %d paid but order not, %d orders paid twice)", paid, pending, unpaid, twice))
	if !ok {
		return fmt.Errorf("invariants broken")
	}
	return nil
}
