package flashsale_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/id"
)

// BenchmarkSoldOutAttempt measures the service alone (no HTTP, no
// authentication) on the path most of a rush takes: attempts after the
// sale sold out, each with a fresh key.
func BenchmarkSoldOutAttempt(b *testing.B) {
	e := newEnv(b, dbtest.SQLite(b), "", "", nil)
	sale := e.sale(b, e.sku(b, 1000, 1), 100, 1, 1)
	users := e.shoppers(b, 1000)
	sid, _ := id.Parse(sale)
	buy(users[0], sale, "first", 1).Want(201)
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			u := accounts.User{ID: mustID(users[i%int64(len(users))].ID)}
			_, err := e.App.Flash.Purchase(context.Background(), u, sid, fmt.Sprintf("k%d", i), flashsale.PurchaseRequest{Quantity: 1})
			if err == nil {
				b.Fatal("bought from a sold-out sale")
			}
		}
	})
}

func mustID(s string) id.ID {
	v, err := id.Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}
