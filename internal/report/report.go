// Package report writes the user-operations report (O3) of a community
// from its analytics, in the shape of the seed report: who the users are,
// the lifecycle stage judged from the growth curves (with the reasons),
// AARRR per period, each campaign's effect, strengths and weaknesses found
// in the data, and suggestions. The rules are plain functions of the
// numbers (Judge, Findings) and are documented in docs/analytics.md.
package report

import (
	"context"
	"time"

	"github.com/redmark/redmark/internal/analytics"
)

// Periods is how many equal periods the range is cut into for AARRR and
// the lifecycle judgement.
const Periods = 4

// Period is one slice of the range with its AARRR numbers.
type Period struct {
	Range analytics.Range
	// Acquisition: new users. Activation: share of them active the next
	// day (D1). Retention: D7 of the period's cohorts. Revenue: GMV (fen),
	// paid orders and paying share of active users. Referral: share of
	// sign-ups that came by invitation.
	NewUsers   int64
	Activation *float64
	Retention  *float64
	GMV        int64
	PaidOrders int64
	AvgDAU     float64
	MAU        int64
	Stickiness float64
	Referral   *float64
	Notes      int64
	Creators   int64
}

// Data is everything the report shows.
type Data struct {
	Range     analytics.Range
	Generated time.Time
	Overview  analytics.Overview
	Periods   []Period
	Funnel    analytics.Funnel
	Channels  []analytics.Cohort
	Campaigns []analytics.Campaign
	Personas  []analytics.Persona
	Terms     []analytics.Term
	Stage     Stage
	Findings  []Finding
}

// Collect reads the numbers of r.
func Collect(ctx context.Context, m *analytics.Metrics, r analytics.Range, pc analytics.PersonaConfig, now time.Time) (Data, error) {
	d := Data{Range: r, Generated: now.UTC()}
	var err error
	if d.Overview, err = m.Overview(ctx, r); err != nil {
		return d, err
	}
	if d.Funnel, err = m.Funnel(ctx, r, 5); err != nil {
		return d, err
	}
	if d.Channels, err = m.Channels(ctx, r); err != nil {
		return d, err
	}
	if d.Campaigns, err = m.Campaigns(ctx, r); err != nil {
		return d, err
	}
	if d.Personas, err = m.Personas(ctx, r, pc); err != nil {
		return d, err
	}
	if d.Terms, err = m.Terms(ctx, r, 10); err != nil {
		return d, err
	}
	n := r.Days()
	parts := min(Periods, n)
	for i := range parts {
		pr := analytics.Range{From: r.From + analytics.Day(i*n/parts), To: r.From + analytics.Day((i+1)*n/parts) - 1}
		o, err := m.Overview(ctx, pr)
		if err != nil {
			return d, err
		}
		p := Period{Range: pr, NewUsers: o.NewUsers, GMV: o.GMV, PaidOrders: o.PaidOrders, AvgDAU: o.AvgDAU, MAU: o.MAU,
			Stickiness: o.Stickiness, Notes: o.Notes, Creators: o.Creators}
		ch, err := m.Channels(ctx, pr)
		if err != nil {
			return d, err
		}
		var size, invite, s1, d1, s7, d7 int64
		for _, c := range ch {
			size += c.Size
			if c.Channel == "invite" {
				invite += c.Size
			}
			if c.D1Rate != nil {
				s1 += c.Size
				d1 += c.D1
			}
			if c.D7Rate != nil {
				s7 += c.Size
				d7 += c.D7
			}
		}
		p.Activation, p.Retention, p.Referral = ratio(d1, s1), ratio(d7, s7), ratio(invite, size)
		d.Periods = append(d.Periods, p)
	}
	d.Stage = Judge(d.Periods)
	d.Findings = Findings(d)
	return d, nil
}

func ratio(a, b int64) *float64 {
	if b == 0 {
		return nil
	}
	v := float64(a) / float64(b)
	return &v
}

// Stage is a lifecycle stage with the reasons it was chosen.
type Stage struct {
	Name    string   // startup, growth, mature, decline
	Reasons []Reason // catalogue keys with their numbers
}

// Reason is a sentence of the report: a catalogue key and its arguments.
type Reason struct {
	Key  string
	Args []any
}

// Thresholds of the lifecycle rules.
const (
	growthStep   = 0.15 // a period-on-period change in DAU that counts as growth or decline
	startupMAU   = 100  // fewer monthly actives: still starting up
	startupWeeks = 8    // younger than this (days with activity): still starting up
)

// Judge decides the lifecycle stage from the periods' average DAU and new
// users (docs/analytics.md):
//   - 初创 startup: under startupMAU monthly actives, or activity for fewer than startupWeeks weeks;
//   - 成长 growth: the last period's DAU is at least growthStep above the one before;
//   - 衰退 decline: it is at least growthStep below, and new users fall too;
//   - 成熟 mature: otherwise (DAU steady within ±growthStep).
func Judge(ps []Period) Stage {
	if len(ps) == 0 {
		return Stage{Name: "startup", Reasons: []Reason{{Key: "stage.r.nodata"}}}
	}
	last := ps[len(ps)-1]
	active := 0
	for _, p := range ps {
		if p.AvgDAU > 0 {
			active += p.Range.Days()
		}
	}
	if last.MAU < startupMAU || active < startupWeeks*7 {
		return Stage{Name: "startup", Reasons: []Reason{{Key: "stage.r.small", Args: []any{last.MAU, startupMAU, active / 7}}}}
	}
	prev := ps[max(0, len(ps)-2)]
	change := 0.0
	if prev.AvgDAU > 0 {
		change = last.AvgDAU/prev.AvgDAU - 1
	}
	newChange := 0.0
	if prev.NewUsers > 0 {
		newChange = float64(last.NewUsers)/float64(prev.NewUsers) - 1
	}
	first := ps[0]
	overall := 0.0
	if first.AvgDAU > 0 {
		overall = last.AvgDAU/first.AvgDAU - 1
	}
	r := []Reason{{Key: "stage.r.dau", Args: []any{prev.AvgDAU, last.AvgDAU, change * 100}},
		{Key: "stage.r.new", Args: []any{prev.NewUsers, last.NewUsers, newChange * 100}},
		{Key: "stage.r.overall", Args: []any{first.AvgDAU, last.AvgDAU, overall * 100}}}
	switch {
	case change >= growthStep:
		return Stage{Name: "growth", Reasons: append(r, Reason{Key: "stage.r.growth", Args: []any{growthStep * 100}})}
	case change <= -growthStep && newChange < 0:
		return Stage{Name: "decline", Reasons: append(r, Reason{Key: "stage.r.decline", Args: []any{growthStep * 100}})}
	}
	return Stage{Name: "mature", Reasons: append(r, Reason{Key: "stage.r.mature", Args: []any{growthStep * 100}})}
}

// Finding is a strength or weakness seen in the numbers, with what to do.
type Finding struct {
	Area     string // content, activity, users, commerce
	Strength bool
	Reason   Reason
	Advice   string // catalogue key of the suggestion ("" for none)
}

// Thresholds of the findings.
const (
	lowClickRate    = 0.03 // product clicks per note view under it: seeded here, bought elsewhere
	goodClickRate   = 0.08
	goodOrderRate   = 0.2 // orders per product click
	lowOrderRate    = 0.05
	goodD7          = 0.25
	lowD7           = 0.10
	goodStickiness  = 0.2
	lowStickiness   = 0.1
	lowCreatorShare = 0.05 // active creators per monthly active
	highRefunds     = 0.1  // refunds per paid GMV
)

// Findings reads strengths and weaknesses out of d (docs/analytics.md).
func Findings(d Data) []Finding {
	var out []Finding
	add := func(area string, strength bool, advice, key string, args ...any) {
		out = append(out, Finding{Area: area, Strength: strength, Reason: Reason{Key: key, Args: args}, Advice: advice})
	}
	st := d.Funnel.Stages
	if len(st) == 4 && st[0].Events > 0 {
		click := float64(st[1].Events) / float64(st[0].Events)
		switch {
		case click < lowClickRate:
			add("content", false, "advice.seeded", "find.seeded", click*100, st[0].Events)
		case click >= goodClickRate:
			add("content", true, "", "find.clicks", click*100)
		}
		if st[1].Events > 0 {
			or := float64(st[2].Events) / float64(st[1].Events)
			switch {
			case or >= goodOrderRate:
				add("commerce", true, "", "find.orders", or*100)
			case or < lowOrderRate:
				add("commerce", false, "advice.checkout", "find.orders_low", or*100)
			}
		}
	}
	var s7, d7 int64
	for _, c := range d.Channels {
		if c.D7Rate != nil {
			s7 += c.Size
			d7 += c.D7
		}
	}
	if s7 > 0 {
		r := float64(d7) / float64(s7)
		switch {
		case r >= goodD7:
			add("users", true, "", "find.d7", r*100)
		case r < lowD7:
			add("users", false, "advice.retention", "find.d7_low", r*100)
		}
	}
	switch o := d.Overview; {
	case o.Stickiness >= goodStickiness:
		add("users", true, "", "find.sticky", o.Stickiness*100)
	case o.MAU > 0 && o.Stickiness < lowStickiness:
		add("users", false, "advice.habit", "find.sticky_low", o.Stickiness*100)
	}
	if o := d.Overview; o.MAU > 0 {
		if share := float64(o.Creators) / float64(o.MAU); share < lowCreatorShare {
			add("content", false, "advice.creators", "find.creators_low", share*100, o.Creators)
		} else {
			add("content", true, "", "find.creators", share*100, o.Creators)
		}
	}
	var best, worst *analytics.Cohort
	for i := range d.Channels {
		c := &d.Channels[i]
		if c.D7Rate == nil || c.Size < analytics.MinCell {
			continue
		}
		if best == nil || *c.D7Rate > *best.D7Rate {
			best = c
		}
		if worst == nil || *c.D7Rate < *worst.D7Rate {
			worst = c
		}
	}
	if best != nil && worst != nil && best != worst && *best.D7Rate-*worst.D7Rate >= 0.1 {
		add("users", true, "", "find.channel_best", channelKey(best.Channel), *best.D7Rate*100)
		add("users", false, "advice.channel", "find.channel_worst", channelKey(worst.Channel), *worst.D7Rate*100)
	}
	for _, c := range d.Campaigns {
		for _, u := range c.Effects {
			if u.Metric != "dau" {
				continue
			}
			switch {
			case u.Significant && u.Lift > 0:
				add("activity", true, "advice.campaign_more", "find.campaign_up", c.Title, u.Lift*100, u.Low*100, u.High*100)
			case !u.Significant && len(c.Effects) > 0 && c.Range.Days() >= analytics.MinCampaignDays:
				add("activity", false, "advice.campaign_rethink", "find.campaign_flat", c.Title, u.Lift*100)
			}
		}
	}
	var refunds int64
	for _, p := range d.Overview.Days {
		refunds += p.Refunds
	}
	if d.Overview.GMV > 0 && float64(refunds)/float64(d.Overview.GMV) > highRefunds {
		add("commerce", false, "advice.refunds", "find.refunds", float64(refunds)/float64(d.Overview.GMV)*100)
	}
	return out
}

// channelKey names a channel for the catalogue: "" and "invite" are translated.
func channelKey(c string) string {
	switch c {
	case "":
		return "\x00direct"
	case "invite":
		return "\x00invite"
	}
	return c
}
