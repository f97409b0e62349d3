package shop_test

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/shop"
)

func TestReserveNeverOversells(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		store, err := media.NewLocalStore(filepath.Join(t.TempDir(), "media"))
		if err != nil {
			t.Fatal(err)
		}
		s := shop.New(d, media.New(d, store))
		m, err := accounts.New(d).CreateWithHash(ctx, "merchant", "M", "x", accounts.RoleMerchant)
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.CreateStore(ctx, m, shop.StoreInput{Name: "Store"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.CreateProduct(ctx, m, shop.ProductInput{StoreID: st.ID, Title: "Cream", Fulfilment: shop.Domestic,
			SKUs: []shop.SKUInput{{Price: 100, Stock: 10}}})
		if err != nil {
			t.Fatal(err)
		}
		sku := p.SKUs[0].ID
		var ok atomic.Int64
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := s.Reserve(ctx, sku, 3)
				if err != nil {
					t.Error(err)
				}
				if got {
					ok.Add(1)
				}
			}()
		}
		wg.Wait()
		items, err := s.Items(ctx, []id.ID{sku})
		if err != nil {
			t.Fatal(err)
		}
		if ok.Load() != 3 || items[sku].Stock != 1 {
			t.Fatalf("%d reservations, stock %d; want 3 and 1", ok.Load(), items[sku].Stock)
		}
	})
}
