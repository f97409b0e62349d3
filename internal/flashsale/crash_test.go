package flashsale_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/redistest"
	"github.com/redmark/redmark/internal/servertest"
	"github.com/redmark/redmark/internal/shop"
)

// TestCrashRestart builds the real binary, serves a sale, fires purchases,
// kills the server with SIGKILL in the middle of the rush, restarts it, and
// checks with SQL that every 201 has its order, that a retried winning key
// still answers the same 201, and — once reconciliation and expiry have run
// — every invariant. Embedded mode and Redis mode.
func TestCrashRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	bin := servertest.Build(t)
	t.Run("embedded", func(t *testing.T) { crashRun(t, bin, "") })
	t.Run("redis", func(t *testing.T) {
		url, _ := redistest.New(t)
		crashRun(t, bin, url)
	})
}

func startServer(t *testing.T, bin, dir, addr, redisURL string, n int) *servertest.Proc {
	t.Helper()
	args := []string{"--data", dir, "--no-rate-limits", "--flash-payment-window", "3s"}
	if redisURL != "" {
		args = append(args, "--redis", redisURL)
	}
	return servertest.Start(t, bin, addr, filepath.Join(dir, fmt.Sprintf("server%d.log", n)), args...)
}

// crashSetup writes an operator, a product, a live sale and signed-in
// shoppers straight into a fresh data directory.
func crashSetup(t *testing.T, dir string, shoppers, stock int) (sale id.ID, tokens []string) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	op, err := a.Accounts.CreateWithHash(ctx, "operator1", "Op", "", accounts.RoleOperator)
	if err != nil {
		t.Fatal(err)
	}
	st, err := a.Shop.CreateStore(ctx, op, shop.StoreInput{Name: "福利社"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Shop.CreateProduct(ctx, op, shop.ProductInput{StoreID: st.ID, Title: "Lipstick", Fulfilment: "domestic",
		SKUs: []shop.SKUInput{{Options: map[string]string{}, Price: 19900, Stock: int64(stock)}}})
	if err != nil {
		t.Fatal(err)
	}
	sl, err := a.Flash.Create(ctx, op, flashsale.Input{SKUID: p.SKUs[0].ID, Price: 990, Stock: int64(stock), PerUserLimit: 2,
		StartsAt: time.Now().Add(-time.Second), EndsAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	err = a.DB.InTx(ctx, func(ctx context.Context) error {
		for i := 0; i < shoppers; i++ {
			u, err := a.Accounts.CreateWithHash(ctx, fmt.Sprintf("shopper%d", i), "S", "", accounts.RoleUser)
			if err != nil {
				return err
			}
			tok, err := a.Accounts.NewSession(ctx, u.ID, "crash-test")
			if err != nil {
				return err
			}
			tokens = append(tokens, tok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sl.ID, tokens
}

type shot struct {
	status int
	body   string
}

// rush fires purchases until stop is closed: random shoppers, new keys,
// retries of earlier keys, quantities 1–2. It returns each key's answers.
func rush(addr string, sale id.ID, tokens []string, stop <-chan struct{}, wins *atomic.Int64) map[string][]shot {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var mu sync.Mutex
	answers := map[string][]shot{}
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w)))
			var mine []string
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				u := rng.Intn(len(tokens))
				key := fmt.Sprintf("%d|w%d-%d|%d", u, w, i, 1+rng.Intn(2))
				if len(mine) > 0 && rng.Intn(4) == 0 {
					key = mine[rng.Intn(len(mine))]
				} else {
					mine = append(mine, key)
				}
				s := shoot(client, addr, sale, tokens, key)
				if s.status == 201 {
					wins.Add(1)
				}
				mu.Lock()
				answers[key] = append(answers[key], s)
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	return answers
}

// shoot sends the purchase a key stands for ("user|key|qty"); status 0 is
// a request that got no answer (the server died).
func shoot(client *http.Client, addr string, sale id.ID, tokens []string, key string) shot {
	parts := strings.Split(key, "|")
	var u int
	fmt.Sscan(parts[0], &u)
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/flash-sales/"+sale.String()+"/purchase",
		bytes.NewReader([]byte(`{"quantity":`+parts[2]+`,"address":{"name":"A","phone":"13800000000","region":"上海市","line":"1 Road"}}`)))
	req.Header.Set("Authorization", "Bearer "+tokens[u])
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", parts[1])
	res, err := client.Do(req)
	if err != nil {
		return shot{}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return shot{res.StatusCode, string(b)}
}

func crashRun(t *testing.T, bin, redisURL string) {
	const stock, shoppers = 150, 400
	dir := t.TempDir()
	sale, tokens := crashSetup(t, dir, shoppers, stock)
	if redisURL != "" {
		opt, _ := redis.ParseURL(redisURL)
		rdb := redis.NewClient(opt)
		t.Cleanup(func() {
			rdb.Del(context.Background(), "rm:fs:{"+sale.String()+"}:stock", "rm:fs:{"+sale.String()+"}:users",
				"rm:fs:{"+sale.String()+"}:keys", "rm:fs:{"+sale.String()+"}:log", "rm:fs:{"+sale.String()+"}:released")
			rdb.Close()
		})
	}
	addr := servertest.FreeAddr(t)

	// Phase 1: kill the server once about a third of the stock is sold.
	srv := startServer(t, bin, dir, addr, redisURL, 1)
	var wins atomic.Int64
	stop := make(chan struct{})
	done := make(chan map[string][]shot)
	go func() { done <- rush(addr, sale, tokens, stop, &wins) }()
	deadline := time.Now().Add(10 * time.Second)
	for wins.Load() < stock/4 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	srv.Stop(syscall.SIGKILL)
	close(stop)
	before := <-done
	t.Logf("phase 1: %d keys, %d answered 201 before SIGKILL", len(before), wins.Load())

	// Phase 2: restart; retries of winning keys answer the same 201, and
	// the rush goes on until the stock is gone.
	srv = startServer(t, bin, dir, addr, redisURL, 2)
	client := &http.Client{Timeout: 10 * time.Second}
	won := map[string]string{}
	for key, shots := range before {
		for _, s := range shots {
			if s.status == 201 {
				won[key] = s.body
			}
			if s.status != 0 && s.status != 201 && s.status != 409 && s.status != 429 {
				t.Errorf("phase 1: key %s got %d %s", key, s.status, s.body)
			}
		}
		if w, ok := won[key]; ok {
			for _, s := range shots {
				if s.status != 0 && (s.status != 201 || s.body != w) {
					t.Errorf("key %s answered %d %s and %s", key, s.status, s.body, w)
				}
			}
			if s := shoot(client, addr, sale, tokens, key); s.status != 201 || s.body != w {
				t.Errorf("after restart, winning key %s answered %d %s, first %s", key, s.status, s.body, w)
			}
		}
	}
	stop = make(chan struct{})
	go func() { done <- rush(addr, sale, tokens, stop, &wins) }()
	time.Sleep(1500 * time.Millisecond)
	close(stop)
	after := <-done
	for key, shots := range after {
		for _, s := range shots[1:] {
			if s != shots[0] {
				t.Errorf("phase 2: key %s answered %d %s and %d %s", key, shots[0].status, shots[0].body, s.status, s.body)
			}
		}
		if shots[0].status == 201 {
			won[key] = shots[0].body
		}
	}

	// Every 201 (before and after the crash) has a durable order.
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(dir, "redmark.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for key, body := range won {
		var rc flashsale.Receipt
		if err := json.Unmarshal([]byte(body), &rc); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM orders o JOIN flash_orders f ON f.order_id = o.id WHERE o.id = ?", rc.OrderID).Scan(&n); err != nil || n != 1 {
			t.Fatalf("key %s answered 201 with order %s, which is not in the database (%v)", key, rc.OrderID, err)
		}
	}
	t.Logf("%d winning keys, all with durable orders", len(won))

	// Reconciliation and expiry: every unpaid order expires and its units
	// come back; then everything is on sale again.
	var rdb *redis.Client
	if redisURL != "" {
		opt, _ := redis.ParseURL(redisURL)
		rdb = redis.NewClient(opt)
		defer rdb.Close()
	}
	var bad []string
	for end := time.Now().Add(15 * time.Second); time.Now().Before(end); time.Sleep(250 * time.Millisecond) {
		var pending, remaining int64
		if err := d.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM orders WHERE status = 'pending_payment'").Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if err := d.Reader(ctx).QueryRow(ctx, "SELECT remaining FROM flash_sales WHERE id = ?", sale).Scan(&remaining); err != nil {
			t.Fatal(err)
		}
		if bad, err = flashsale.Verify(ctx, d, rdb, "rm:fs"); err != nil {
			t.Fatal(err)
		}
		if pending == 0 && remaining == stock && len(bad) == 0 {
			srv.Stop(syscall.SIGTERM)
			return
		}
	}
	t.Fatalf("after restart the sale did not settle: %s", strings.Join(bad, "\n"))
}
