package analytics

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
)

// Bootstrap settings: resamples and the fixed seed that makes an interval
// the same every time it is computed.
const (
	bootstrapRounds = 2000
	bootstrapSeed   = 20260101
)

// MinCampaignDays is the shortest campaign whose effect is called clear.
const MinCampaignDays = 3

// Uplift compares a metric on a campaign's days with a baseline of
// comparable days before it: the same number of whole weeks just before the
// start (so each weekday weighs the same in both).
type Uplift struct {
	Metric       string  `json:"metric"`
	Campaign     Range   `json:"campaign"`
	Baseline     Range   `json:"baseline"`
	CampaignMean float64 `json:"campaign_mean"`
	BaselineMean float64 `json:"baseline_mean"`
	// Lift is CampaignMean/BaselineMean − 1; Low and High bound its 95 %
	// bootstrap interval (days resampled with replacement in each group).
	Lift float64 `json:"lift"`
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Significant: the interval excludes zero (and the campaign ran MinCampaignDays).
	Significant bool `json:"significant"`
}

// BaselineFor is the baseline range of campaign c.
func BaselineFor(c Range) Range {
	weeks := (c.Days() + 6) / 7
	return Range{From: c.From - Day(7*weeks), To: c.From - 1}
}

// Uplift measures metric (see Series) over campaign c against BaselineFor(c).
func (m *Metrics) Uplift(ctx context.Context, c Range, metric string) (Uplift, error) {
	if err := c.Check(); err != nil {
		return Uplift{}, err
	}
	b := BaselineFor(c)
	cs, err := m.Series(ctx, c, metric)
	if err != nil {
		return Uplift{}, err
	}
	bs, err := m.Series(ctx, b, metric)
	if err != nil {
		return Uplift{}, err
	}
	u, err := Lift(cs, bs)
	u.Metric, u.Campaign, u.Baseline = metric, c, b
	return u, err
}

// Lift computes the lift of campaign over baseline days with its bootstrap interval.
func Lift(campaign, baseline []float64) (Uplift, error) {
	u := Uplift{CampaignMean: mean(campaign), BaselineMean: mean(baseline)}
	if len(campaign) == 0 || len(baseline) == 0 || u.BaselineMean == 0 {
		return u, apperr.Invalid("no baseline to compare with")
	}
	u.Lift = u.CampaignMean/u.BaselineMean - 1
	rng := rand.New(rand.NewPCG(bootstrapSeed, 1))
	lifts := make([]float64, 0, bootstrapRounds)
	cs, bs := make([]float64, len(campaign)), make([]float64, len(baseline))
	for range bootstrapRounds {
		for i := range cs {
			cs[i] = campaign[rng.IntN(len(campaign))]
		}
		for i := range bs {
			bs[i] = baseline[rng.IntN(len(baseline))]
		}
		if bm := mean(bs); bm > 0 {
			lifts = append(lifts, mean(cs)/bm-1)
		}
	}
	slices.Sort(lifts)
	u.Low = lifts[int(0.025*float64(len(lifts)))]
	u.High = lifts[min(len(lifts)-1, int(0.975*float64(len(lifts))))]
	// A campaign of a day or two says little, whatever the interval.
	u.Significant = (u.Low > 0 || u.High < 0) && len(campaign) >= MinCampaignDays
	return u, nil
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// Campaign is a voting campaign (internal/campaigns) as analytics sees it:
// its days and its effect on the main numbers.
type Campaign struct {
	ID      id.ID    `json:"id"`
	Title   string   `json:"title"`
	Range   Range    `json:"range"`
	Effects []Uplift `json:"effects"` // dau, new_users, gmv; missing when there is no baseline
}

// UpliftMetrics are the numbers each campaign is judged on.
var UpliftMetrics = []string{"dau", "new_users", "gmv"}

// Campaigns returns the campaigns that overlap r (up to the last rolled-up
// day) with their effects, newest first.
func (m *Metrics) Campaigns(ctx context.Context, r Range) ([]Campaign, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	rolled, ok, err := m.Rolled(ctx)
	if err != nil || !ok {
		return []Campaign{}, err
	}
	rows, err := m.q(ctx).Query(ctx, `SELECT id, title, starts_at, ends_at FROM campaigns
		WHERE starts_at < ? AND ends_at >= ? ORDER BY starts_at DESC LIMIT 50`,
		(r.To + 1).Time().UnixMilli(), r.From.Time().UnixMilli())
	if err != nil {
		return nil, err
	}
	out := []Campaign{}
	for rows.Next() {
		var c Campaign
		var s, e int64
		if err := rows.Scan(&c.ID, &c.Title, &s, &e); err != nil {
			rows.Close()
			return nil, err
		}
		c.Range = Range{From: DayOf(time.UnixMilli(s)), To: min(DayOf(time.UnixMilli(e-1)), rolled)}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Effects = []Uplift{}
		if out[i].Range.To < out[i].Range.From {
			continue // not started by the last rolled-up day
		}
		for _, mt := range UpliftMetrics {
			u, err := m.Uplift(ctx, out[i].Range, mt)
			if err == nil {
				out[i].Effects = append(out[i].Effects, u)
			} else if !errors.Is(err, apperr.ErrInvalid) {
				return nil, err
			}
		}
	}
	return out, nil
}
