package seed

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// demoCampaigns loads a finished vote campaign with published results and
// a running one, through the campaigns service (so allowances, weights and
// tallies follow the real rules); the service's clock is stepped back for
// the finished one.
func demoCampaigns(ctx context.Context, a *app.App, seed uint64) error {
	op, err := a.Accounts.GetByUsername(ctx, AdminUsername)
	if err != nil {
		return err
	}
	voters, err := demoIDs(ctx, a.DB, "SELECT id FROM users WHERE role = 'user' ORDER BY id LIMIT 120")
	if err != nil {
		return err
	}
	creators, err := demoIDs(ctx, a.DB, "SELECT id FROM users WHERE role = 'user' ORDER BY follower_count DESC, id LIMIT 4")
	if err != nil {
		return err
	}
	topNotes, err := demoIDs(ctx, a.DB, "SELECT id FROM notes WHERE status = 'published' ORDER BY like_count DESC, id LIMIT 4")
	if err != nil {
		return err
	}
	products, err := demoIDs(ctx, a.DB, "SELECT id FROM products ORDER BY id LIMIT 4")
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 10))
	svc := a.Campaigns
	clock := svc.Now
	defer func() { svc.Now = clock }()
	now := clock()
	type cat struct {
		name, kind string
		refs       []id.ID
		free       []string
	}
	load := func(in campaigns.Input, cats []cat, votes int) (campaigns.Campaign, error) {
		c, err := svc.Create(ctx, op, in)
		if err != nil {
			return c, err
		}
		var noms []id.ID
		for _, ct := range cats {
			k, err := svc.AddCategory(ctx, op, c.ID, ct.name)
			if err != nil {
				return c, err
			}
			for _, r := range ct.refs {
				n, err := svc.AddNominee(ctx, op, c.ID, campaigns.NomineeInput{Category: k.ID, Kind: ct.kind, Ref: r})
				if err != nil {
					return c, err
				}
				noms = append(noms, n.ID)
			}
			for _, t := range ct.free {
				n, err := svc.AddNominee(ctx, op, c.ID, campaigns.NomineeInput{Category: k.ID, Kind: campaigns.KindFree, Title: t})
				if err != nil {
					return c, err
				}
				noms = append(noms, n.ID)
			}
		}
		if len(noms) == 0 {
			return c, nil
		}
		for i := range votes {
			uid := voters[rng.IntN(len(voters))]
			// Skewed towards the first nominees, so the boards have leaders.
			nom := noms[min(rng.IntN(len(noms)), rng.IntN(len(noms)))]
			u := accounts.User{ID: uid, CreatedAt: now.Add(-60 * 24 * time.Hour)}
			_, err := svc.Vote(ctx, u, c.ID, nom, fmt.Sprintf("demo-%d", i), campaigns.Source{IP: fmt.Sprintf("192.0.2.%d", rng.IntN(200))})
			if err != nil && !isNoVotes(err) {
				return c, err
			}
		}
		return c, nil
	}
	// Finished: ran 40 to 10 days ago, results published.
	svc.Now = func() time.Time { return now.Add(-20 * 24 * time.Hour) }
	done, err := load(campaigns.Input{Title: "2026 年度好物大赏", Description: "年度最受欢迎的好物与创作者，由社区投票选出。",
		StartsAt: now.Add(-40 * 24 * time.Hour), EndsAt: now.Add(-10 * 24 * time.Hour),
		Rules: campaigns.Rules{DailyVotes: 5, IPDaily: 500}},
		[]cat{{"好物榜", campaigns.KindProduct, products, nil}, {"创作者榜", campaigns.KindCreator, creators, nil}}, 600)
	if err != nil {
		return err
	}
	svc.Now = clock
	if _, err := svc.Publish(ctx, op, done.ID); err != nil {
		return err
	}
	// Running: started two days ago, a week to go; posting #全球大赏 earns votes.
	_, err = load(campaigns.Input{Title: "全球大赏 · 彩妆与旅行", Description: "为你心中的年度笔记和好物投票！发布或分享带 #全球大赏 的笔记可获得额外票数。",
		Topic: "全球大赏", StartsAt: now.Add(-2 * 24 * time.Hour), EndsAt: now.Add(7 * 24 * time.Hour),
		Rules: campaigns.Rules{DailyVotes: 5, PublishBonus: 2, PublishCap: 4, ShareBonus: 1, ShareCap: 3, IPDaily: 200,
			NewDays: 3, NewMode: campaigns.NewWeight, NewWeight: 50, BurstVotes: 30, BurstWindowSec: 600}},
		[]cat{{"笔记榜", campaigns.KindNote, topNotes, nil}, {"彩妆榜", campaigns.KindFree, nil, []string{"丝绒哑光口红", "水光唇釉", "气垫粉底", "眉笔"}}}, 300)
	return err
}

// isNoVotes: a random voter who has used up the day's votes is skipped.
func isNoVotes(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae) && ae.Code == "no_votes_left"
}

func demoIDs(ctx context.Context, d *db.DB, q string) ([]id.ID, error) {
	return db.IDs(d.Reader(ctx).Query(ctx, q))
}
