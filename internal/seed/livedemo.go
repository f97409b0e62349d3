package seed

import (
	"context"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/live"
)

// demoLives schedules two lives of the most followed members (made
// creators), with covers from their own photos and products from the shop,
// so the discover feed's live row and /live have something to show. Going
// on air needs a media server (docs/live.md).
func demoLives(ctx context.Context, a *app.App) error {
	hosts, err := demoIDs(ctx, a.DB, "SELECT id FROM users WHERE role = 'user' ORDER BY follower_count DESC, id LIMIT 2")
	if err != nil || len(hosts) < 2 {
		return err
	}
	products, err := demoIDs(ctx, a.DB, "SELECT id FROM products WHERE listed = 1 ORDER BY id LIMIT 3")
	if err != nil {
		return err
	}
	tomorrow := time.Now().UTC().Truncate(24 * time.Hour).Add(36 * time.Hour) // 12:00 UTC, 20:00 in Beijing
	lives := []live.Input{
		{Title: "春季口红试色 · 新品首发", ScheduledAt: tomorrow, ProductIDs: products},
		{Title: "Weekend city walk: what's in my bag", ScheduledAt: tomorrow.Add(48 * time.Hour), ProductIDs: products[:min(1, len(products))]},
	}
	for i, in := range lives {
		if err := a.Accounts.SetRole(ctx, hosts[i], accounts.RoleCreator); err != nil {
			return err
		}
		host, err := a.Accounts.Get(ctx, hosts[i])
		if err != nil {
			return err
		}
		covers, err := db.IDs(a.DB.Reader(ctx).Query(ctx, "SELECT id FROM media WHERE owner_id = ? AND kind = 'image' ORDER BY id LIMIT 1", hosts[i]))
		if err != nil {
			return err
		}
		if len(covers) == 1 {
			in.CoverMediaID = &covers[0]
		}
		if _, _, err := a.Live.Create(ctx, host, in); err != nil {
			return err
		}
	}
	return nil
}
