package live_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/orders"
)

// Adding to the cart from a live: the line carries the live only while it
// is on air and sells the product; checkout from the cart attributes the
// order to it; the add-to-cart and order events carry it for analytics.
func TestCartAttribution(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		s := f.a.Live
		onAir, key := f.create(t, f.host)
		if _, err := s.Publish(ctx, key); err != nil {
			t.Fatal(err)
		}
		scheduled, _ := f.create(t, f.host)
		ended, endedKey := f.create(t, f.host)
		if _, err := s.Publish(ctx, endedKey); err != nil {
			t.Fatal(err)
		}
		if _, err := s.End(ctx, f.host, ended.ID); err != nil {
			t.Fatal(err)
		}
		addLine := func(u accounts.User, sku, lid id.ID) id.ID {
			t.Helper()
			c, err := f.a.AddToCart(ctx, u.ID, sku, 1, lid)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range c.Items {
				if it.SKUID == sku {
					return it.LiveID
				}
			}
			t.Fatalf("sku %s not in the cart", sku)
			return 0
		}
		// Refused claims: the line is added, without the live.
		for name, c := range map[string]struct {
			sku, live id.ID
		}{
			"scheduled live":            {f.skuIn, scheduled.ID},
			"ended live":                {f.skuIn, ended.ID},
			"live not selling the item": {f.skuOut, onAir.ID},
			"no such live":              {f.skuIn, id.New()},
		} {
			u := user(t, f.a, fmt.Sprintf("cart%d", len(name)), accounts.RoleUser)
			if got := addLine(u, c.sku, c.live); got != 0 {
				t.Errorf("%s: the line carries live %s", name, got)
			}
		}
		// Accepted: on air and selling it (pinned or not). Changing the
		// quantity later without the live keeps it.
		if got := addLine(f.buyer, f.skuIn, onAir.ID); got != onAir.ID {
			t.Fatalf("line from the live carries %s", got)
		}
		c, err := f.a.Orders.SetCartItem(ctx, f.buyer.ID, f.skuIn, 3, 0)
		if err != nil || len(c.Items) != 1 || c.Items[0].LiveID != onAir.ID || c.Items[0].Quantity != 3 {
			t.Fatalf("quantity change: %+v %v", c, err)
		}
		// The live ends before checkout: the add happened on air, the order counts for it.
		if _, err := s.End(ctx, f.host, onAir.ID); err != nil {
			t.Fatal(err)
		}
		addr := orders.Address{Name: "Li Lei", Phone: "13800000000", Region: "Beijing", Line: "1 Chang'an Ave", Postcode: "100000"}
		o, _, err := f.a.Orders.Create(ctx, f.buyer, "cart-1", orders.CreateRequest{FromCart: true, Address: addr})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.LiveOf(ctx, o.ID); err != nil || got != onAir.ID {
			t.Fatalf("order from the cart attributed to %s (%v)", got, err)
		}
		if sales, err := s.SalesOf(ctx, f.host, onAir.ID); err != nil || sales.Orders != 1 {
			t.Fatalf("sales %+v %v", sales, err)
		}
		// A cart without a live line places an unattributed order.
		plain := user(t, f.a, "plaincart", accounts.RoleUser)
		addLine(plain, f.skuIn, 0)
		o2, _, err := f.a.Orders.Create(ctx, plain, "cart-2", orders.CreateRequest{FromCart: true, Address: addr})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.LiveOf(ctx, o2.ID); got != 0 {
			t.Fatalf("plain cart order attributed to %s", got)
		}
		// Analytics heard of the add and of the order with the live.
		if err := f.a.Analytics.Recorder.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		count := func(kind analytics.Kind, ref2 id.ID) int {
			var n int
			if err := d.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM analytics_events WHERE kind = ? AND ref2 = ?", int(kind), ref2).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(analytics.AddToCart, onAir.ID); n != 1 {
			t.Errorf("%d add_to_cart events with the live, want 1", n)
		}
		if n := count(analytics.AddToCart, 0); n != 5 {
			t.Errorf("%d add_to_cart events without a live, want 5", n)
		}
		if n := count(analytics.Order, onAir.ID); n != 1 {
			t.Errorf("%d order events with the live, want 1", n)
		}
	})
}
