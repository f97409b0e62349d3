package seed

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/growth"
	"github.com/redmark/redmark/internal/id"
)

// demoGrowth gives the demo community check-in streaks and invite trees
// through the growth service itself (so caps, streaks and rewards follow
// the real rules): the clock is stepped back day by day while loading.
func demoGrowth(ctx context.Context, a *app.App, seed uint64) error {
	rows, err := a.DB.Reader(ctx).Query(ctx, "SELECT id FROM users WHERE role = 'user' ORDER BY id LIMIT 60")
	if err != nil {
		return err
	}
	var users []id.ID
	for rows.Next() {
		var u id.ID
		if err := rows.Scan(&u); err != nil {
			rows.Close()
			return err
		}
		users = append(users, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 9))
	channels := []string{"campus", "weibo", "celebrity-fall", ""}
	// Invite trees: each user after the first few was invited by an earlier one.
	for i, u := range users {
		src := growth.Source{Channel: channels[rng.IntN(len(channels))]}
		if i >= 4 {
			code, err := a.Growth.InviteCode(ctx, users[rng.IntN(i)])
			if err != nil {
				return err
			}
			src.Invite = code
		}
		if err := a.Growth.Attribute(ctx, u, src, ""); err != nil {
			return err
		}
	}
	clock := a.Growth.Now
	defer func() { a.Growth.Now = clock }()
	now := time.Now()
	for d := 13; d >= 0; d-- {
		a.Growth.Now = func() time.Time { return now.Add(-time.Duration(d) * 24 * time.Hour) }
		for i, u := range users {
			// Earlier users check in more regularly, so streaks vary.
			if rng.IntN(len(users)+10) < len(users)-i+8 {
				if _, err := a.Growth.CheckIn(ctx, u); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
