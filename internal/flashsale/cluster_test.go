package flashsale_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
)

// Two servers sell one sale at once, in both modes, each key sent to both
// at the same moment: together they sell the stock exactly, never more, and
// a key makes at most one order. A key that bought on one server may be
// answered "sold out" by the other, whose fast path knows only its own
// buyers (docs/flashsale.md, "Several servers"); the order stands.
func TestTwoServersNeverOversell(t *testing.T) {
	eachMode(t, nil, func(t *testing.T, a *env) {
		cfg := a.App.Config
		cfg.DataDir = t.TempDir()
		b := apitest.NewWithConfig(t, a.App.DB, cfg)
		stock := 30
		sku := a.sku(t, 10000, stock)
		sale := a.sale(t, sku, 990, stock, 2)
		users := a.shoppers(t, stock) // each wants 2: twice the stock
		var mu sync.Mutex
		answers := map[string][]int{}
		var wg sync.WaitGroup
		for i, c := range users {
			onB := &apitest.Client{E: b, Token: c.Token, ID: c.ID}
			for _, try := range []*apitest.Client{c, onB} { // the same key on both servers, at once
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := buy(try, sale, fmt.Sprintf("k%d", i), 2)
					mu.Lock()
					answers[c.ID] = append(answers[c.ID], r.Status)
					mu.Unlock()
				}()
			}
		}
		wg.Wait()
		sold, split := 0, 0
		for uid, st := range answers {
			if st[0] != st[1] {
				split++
			}
			if st[0] == 201 || st[1] == 201 {
				sold += 2
			} else if st[0] != 409 || st[1] != 409 {
				t.Fatalf("shopper %s: answers %v", uid, st)
			}
		}
		t.Logf("%d of %d keys answered 201 on one server and 409 on the other", split, len(answers))
		var orders int
		if err := a.App.DB.Reader(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM flash_orders").Scan(&orders); err != nil {
			t.Fatal(err)
		}
		if orders != sold/2 {
			t.Fatalf("%d orders for %d keys that bought", orders, sold/2)
		}
		if sold != stock || a.remaining(t, sale) != 0 {
			t.Fatalf("sold %d of %d across two servers, remaining %d", sold, stock, a.remaining(t, sale))
		}
		a.verify(t)
	})
}
