package seed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/id"
)

// demoFlashSales schedules, through the flash-sale service, a sale that
// is running (for most of a week, the longest a sale may last) and one
// that starts in twelve hours, on two well-stocked products of the demo
// shop, so the flash pages and the console have something to show.
func demoFlashSales(ctx context.Context, a *app.App) error {
	op, err := a.Accounts.GetByUsername(ctx, AdminUsername)
	if err != nil {
		return err
	}
	skus, err := demoIDs(ctx, a.DB, `SELECT k.id FROM skus k JOIN products p ON p.id = k.product_id
		WHERE p.listed = 1 AND k.active = 1 AND k.stock >= 40 AND k.price >= 2000 ORDER BY k.price DESC, k.id LIMIT 2`)
	if err != nil {
		return err
	}
	if len(skus) < 2 {
		return errors.New("demo flash sales: the demo shop has no two well-stocked products")
	}
	now := time.Now()
	for i, sl := range []struct {
		title      string
		start, end time.Time
		stock      int64
	}{
		{"限时秒杀 · 周末狂欢", now.Add(-time.Hour), now.Add(6 * 24 * time.Hour), 30},
		{"Midnight drop 零点开抢", now.Add(12 * time.Hour), now.Add(14 * time.Hour), 20},
	} {
		items, err := a.Shop.Items(ctx, []id.ID{skus[i]})
		if err != nil {
			return err
		}
		price := items[skus[i]].Price * 6 / 10 / 100 * 100 // 40 % off, whole yuan
		if _, err := a.Flash.Create(ctx, op, flashsale.Input{SKUID: skus[i], Title: sl.title, Price: price, Stock: sl.stock,
			PerUserLimit: 2, StartsAt: sl.start, EndsAt: sl.end}); err != nil {
			return fmt.Errorf("demo flash sale %q: %w", sl.title, err)
		}
	}
	return nil
}
