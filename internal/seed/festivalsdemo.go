package seed

import (
	"context"
	"time"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/festivals"
	"github.com/redmark/redmark/internal/flashsale"
)

// demoFestival loads a running festival: the running vote, the shop's
// running promotions and upcoming or live flash sales, and the vote's
// topic, so its mark shows across the demo.
func demoFestival(ctx context.Context, a *app.App) error {
	op, err := a.Accounts.GetByUsername(ctx, AdminUsername)
	if err != nil {
		return err
	}
	now := time.Now()
	in := festivals.Input{Slug: "red-friday", Title: "红色星期五 Red Friday", Mark: "红色星期五",
		Description: "全场好物低至 5 折，海外直邮包邮，限时购每天开抢；为你心中的年度好物投票，发布带 #全球大赏 的笔记赢额外票数。",
		StartsAt:    now.Add(-24 * time.Hour), EndsAt: now.Add(6 * 24 * time.Hour)}
	cs, err := a.Campaigns.List(ctx, 10)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Status == "live" {
			in.CampaignID, in.Topic = c.ID, c.Topic
			break
		}
	}
	promos, err := a.Promotions.Active(ctx, 0, now)
	if err != nil {
		return err
	}
	for _, p := range promos[:min(len(promos), festivals.MaxItems)] {
		in.PromotionIDs = append(in.PromotionIDs, p.ID)
	}
	sales, err := a.Flash.List(ctx, festivals.MaxItems)
	if err != nil {
		return err
	}
	for _, s := range sales {
		if s.Status != flashsale.Ended {
			in.FlashSaleIDs = append(in.FlashSaleIDs, s.ID)
		}
	}
	_, err = a.Festivals.Create(ctx, op, in)
	return err
}
