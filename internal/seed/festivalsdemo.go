package seed

import (
	"context"
	"time"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/festivals"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
)

// demoFestival loads a running festival: the running vote, the shop's
// running promotions and upcoming or live flash sales, and the vote's
// topic with a few notes carrying it, so its mark shows across the demo.
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
	if in.Topic != "" {
		if err := demoTopicNotes(ctx, a, in.Topic); err != nil {
			return err
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

// demoTopicTitles are the notes published with the festival's topic.
var demoTopicTitles = []string{"我的年度爱用彩妆 Top 5", "今年最值得的一次旅行", "空瓶记：回购了三次的精华",
	"这支口红我投了一票", "东京药妆店必买清单", "年度好物：通勤包里的五件小物"}

// demoTopicNotes publishes, through the notes service (so topics, search and
// the campaign's publish bonus follow the real rules), one note with #topic
// by each of a few active authors, on a cover they uploaded.
func demoTopicNotes(ctx context.Context, a *app.App, topic string) error {
	rows, err := a.DB.Reader(ctx).Query(ctx, `SELECT n.author_id, MIN(n.cover_media_id) FROM notes n JOIN users u ON u.id = n.author_id
		WHERE n.status = 'published' AND n.kind = 'image' AND n.cover_media_id IS NOT NULL AND u.role = 'user'
		GROUP BY n.author_id ORDER BY COUNT(*) DESC, n.author_id LIMIT ?`, len(demoTopicTitles))
	if err != nil {
		return err
	}
	type pick struct{ author, cover id.ID }
	var picks []pick
	for rows.Next() {
		var p pick
		if err := rows.Scan(&p.author, &p.cover); err != nil {
			rows.Close()
			return err
		}
		picks = append(picks, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, p := range picks {
		u, err := a.Accounts.Get(ctx, p.author)
		if err != nil {
			return err
		}
		if _, err := a.Notes.Create(ctx, u, notes.Input{Title: demoTopicTitles[i], MediaIDs: []id.ID{p.cover},
			Body: "认真整理了一年的心得，分享给大家，也欢迎一起投票 #" + topic}); err != nil {
			return err
		}
	}
	return nil
}
