package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/id"
)

// AnalyticsDays is how much event history the demo has.
const AnalyticsDays = 120

// demoAnalytics writes AnalyticsDays of event history for the community's
// users (at most maxUsers) and rolls it up, so the console and the report
// show something true from the first start. The history has a growth curve
// (sign-ups rise along a logistic curve), a weekly rhythm (weekends busier)
// and one campaign with a real uplift: the finished vote campaign's days
// bring more sign-ups and more activity. It also fills the demo users'
// private persona fields (gender, birth year, region) with a plausible mix.
func demoAnalytics(ctx context.Context, a *app.App, seed uint64, maxUsers int) (int, error) {
	rng := rand.New(rand.NewPCG(seed, 12))
	users, err := demoIDs(ctx, a.DB, fmt.Sprintf("SELECT id FROM users WHERE role IN ('user', 'creator') ORDER BY id LIMIT %d", maxUsers))
	if err != nil || len(users) == 0 {
		return 0, err
	}
	notes, err := demoIDs(ctx, a.DB, "SELECT id FROM notes WHERE status = 'published' ORDER BY like_count DESC, id LIMIT 2000")
	if err != nil || len(notes) == 0 {
		return 0, err
	}
	type link struct {
		note, product id.ID
		price         int64
	}
	var links []link
	rows, err := a.DB.Reader(ctx).Query(ctx, `SELECT np.note_id, np.product_id, COALESCE(MIN(s.price), 9900) FROM note_products np
		LEFT JOIN skus s ON s.product_id = np.product_id GROUP BY np.note_id, np.product_id ORDER BY np.note_id LIMIT 500`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.note, &l.product, &l.price); err != nil {
			rows.Close()
			return 0, err
		}
		links = append(links, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	// The campaign with the uplift: the finished one (demoCampaigns), else the last 30 to 10 days.
	now := time.Now().UTC()
	today := analytics.DayOf(now)
	campFrom, campTo, campID := today-40, today-11, id.ID(0)
	var s, e int64
	if err := a.DB.Reader(ctx).QueryRow(ctx, "SELECT id, starts_at, ends_at FROM campaigns WHERE ends_at < ? ORDER BY ends_at DESC LIMIT 1",
		now.UnixMilli()).Scan(&campID, &s, &e); err == nil {
		campFrom, campTo = analytics.DayOf(time.UnixMilli(s)), analytics.DayOf(time.UnixMilli(e-1))
	}
	inCampaign := func(d analytics.Day) bool { return d >= campFrom && d <= campTo }
	first := today - AnalyticsDays

	if err := demoPersonas(ctx, a, users, rng); err != nil {
		return 0, err
	}
	// Sign-up days along a logistic curve (slow start, growth, flattening),
	// three times as dense on campaign days.
	weight := make([]float64, AnalyticsDays)
	total := 0.0
	for i := range weight {
		x := float64(i)/AnalyticsDays*10 - 6
		weight[i] = math.Exp(-x) / math.Pow(1+math.Exp(-x), 2)
		if inCampaign(first + analytics.Day(i)) {
			weight[i] *= 3
		}
		total += weight[i]
	}
	pick := func() analytics.Day {
		r := rng.Float64() * total
		for i, w := range weight {
			if r -= w; r <= 0 {
				return first + analytics.Day(i)
			}
		}
		return today - 1
	}
	channels := []string{"", "", "", "xhs_ads", "xhs_ads", "weibo", "invite", "invite", "douyin"}
	terms := []string{"口红", "防晒", "东京攻略", "咖啡", "穿搭", "面膜", "露营", "lipstick", "sunscreen", "kyoto", "香水", "健身"}
	sink := analytics.NewSQLSink(a.DB)
	var buf []analytics.Event
	written := 0
	flush := func() error {
		if err := sink.Write(ctx, buf); err != nil {
			return err
		}
		written += len(buf)
		buf = buf[:0]
		return nil
	}
	add := func(e analytics.Event) error {
		e.ID = id.New()
		buf = append(buf, e)
		if len(buf) >= 5000 {
			return flush()
		}
		return nil
	}
	at := func(d analytics.Day) time.Time {
		// Evenings are busiest (UTC+8 readers: 12:00–15:00 UTC is 20:00–23:00 local).
		h := math.Mod(13+rng.NormFloat64()*4+24, 24)
		return d.Time().Add(time.Duration(h * float64(time.Hour)))
	}
	for i, u := range users {
		signup := pick()
		if i == 0 {
			signup = first // a founder is there from the first day: the history spans all of it
		}
		base := 0.15 + 0.5*rng.Float64() // how keen this user is
		creator := rng.Float64() < 0.2   // publishes now and then
		stay := 4 + rng.ExpFloat64()*25  // days until interest settles
		floor := 0.2 + 0.5*rng.Float64() // the share of interest that stays
		ch := channels[rng.IntN(len(channels))]
		if err := add(analytics.Event{Kind: analytics.SignUp, User: u, Label: ch, At: at(signup)}); err != nil {
			return written, err
		}
		for d := signup; d < today; d++ {
			p := base * (floor + (1-floor)*math.Exp(-float64(d-signup)/stay))
			if d == signup {
				p = 1
			}
			if wd := d.Time().Weekday(); wd == time.Saturday || wd == time.Sunday {
				p *= 1.3
			}
			if inCampaign(d) {
				p *= 1.4
			}
			if rng.Float64() >= min(p, 1) {
				continue
			}
			evs := []analytics.Event{{Kind: analytics.Visit, User: u, At: at(d)}}
			for range 1 + rng.IntN(8) {
				n := notes[min(rng.IntN(len(notes)), rng.IntN(len(notes)))] // popular notes more often
				t := at(d)
				evs = append(evs, analytics.Event{Kind: analytics.View, User: u, Ref: n, At: t},
					analytics.Event{Kind: analytics.Dwell, User: u, Ref: n, Amount: int64(3000 + rng.ExpFloat64()*25000), At: t.Add(time.Minute)})
				for _, act := range []struct {
					k analytics.Kind
					p float64
				}{{analytics.Like, 0.2}, {analytics.Collect, 0.08}, {analytics.Comment, 0.03}, {analytics.Share, 0.02}} {
					if rng.Float64() < act.p {
						evs = append(evs, analytics.Event{Kind: act.k, User: u, Ref: n, At: t.Add(time.Minute)})
					}
				}
			}
			if len(links) > 0 && rng.Float64() < 0.1 { // few readers click through: the report finds "seeded here, bought elsewhere"
				l := links[rng.IntN(len(links))]
				t := at(d)
				evs = append(evs, analytics.Event{Kind: analytics.View, User: u, Ref: l.note, At: t.Add(-time.Minute)},
					analytics.Event{Kind: analytics.ProductClick, User: u, Ref: l.note, Ref2: l.product, At: t})
				if rng.Float64() < 0.3 {
					evs = append(evs, analytics.Event{Kind: analytics.AddToCart, User: u, Ref: l.product, At: t.Add(time.Minute)})
				}
				if rng.Float64() < 0.22 {
					oid := id.New()
					amount := l.price * int64(1+rng.IntN(2))
					evs = append(evs, analytics.Event{Kind: analytics.Order, User: u, Ref: oid, Amount: amount, At: t.Add(2 * time.Minute)})
					if rng.Float64() < 0.85 {
						evs = append(evs, analytics.Event{Kind: analytics.Pay, User: u, Ref: oid, Amount: amount, At: t.Add(3 * time.Minute)})
						if rng.Float64() < 0.05 {
							evs = append(evs, analytics.Event{Kind: analytics.Refund, User: u, Ref: oid, Amount: amount, At: t.Add(time.Hour)})
						}
					}
				}
			}
			if rng.Float64() < 0.3 {
				evs = append(evs, analytics.Event{Kind: analytics.Search, User: u, Label: terms[min(rng.IntN(len(terms)), rng.IntN(len(terms)))], At: at(d)})
			}
			if rng.Float64() < 0.06 {
				evs = append(evs, analytics.Event{Kind: analytics.Follow, User: u, Ref: users[rng.IntN(len(users))], At: at(d)})
			}
			if rng.Float64() < 0.3 {
				evs = append(evs, analytics.Event{Kind: analytics.CheckIn, User: u, At: at(d)})
			}
			if creator && rng.Float64() < 0.12 {
				evs = append(evs, analytics.Event{Kind: analytics.Publish, User: u, Ref: notes[rng.IntN(len(notes))], At: at(d)})
			}
			if campID != 0 && inCampaign(d) && rng.Float64() < 0.35 {
				evs = append(evs, analytics.Event{Kind: analytics.Vote, User: u, Ref: campID, At: at(d)})
			}
			for _, e := range evs {
				if err := add(e); err != nil {
					return written, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return written, err
	}
	_, err = a.Analytics.Rollups.Run(ctx, now)
	return written, err
}

// demoPersonas gives the demo users a gender, birth year and region, as
// people fill them in on their private profile (some leave them empty).
func demoPersonas(ctx context.Context, a *app.App, users []id.ID, rng *rand.Rand) error {
	regions := []string{"上海", "上海", "上海", "北京", "北京", "广州", "深圳", "深圳", "杭州", "成都", "南京", "武汉"}
	year := time.Now().UTC().Year()
	for _, u := range users {
		g := "female"
		switch r := rng.Float64(); {
		case r > 0.97:
			g = ""
		case r > 0.94:
			g = "other"
		case r > 0.72:
			g = "male"
		}
		age := 0
		switch r := rng.Float64(); {
		case r < 0.45:
			age = 18 + rng.IntN(7)
		case r < 0.8:
			age = 25 + rng.IntN(10)
		case r < 0.92:
			age = 35 + rng.IntN(10)
		case r < 0.97:
			age = 45 + rng.IntN(15)
		}
		by := 0
		if age > 0 {
			by = year - age
		}
		region := ""
		if rng.Float64() < 0.92 {
			region = regions[rng.IntN(len(regions))]
		}
		if _, err := a.DB.Writer(ctx).Exec(ctx, "UPDATE users SET gender = ?, birth_year = ?, region = ? WHERE id = ?", g, by, region, u); err != nil {
			return err
		}
	}
	return nil
}
