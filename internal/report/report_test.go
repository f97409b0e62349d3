package report

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/analytics"
)

func per(dau float64, newUsers, mau int64) Period {
	return Period{Range: analytics.Range{From: 0, To: 29}, AvgDAU: dau, NewUsers: newUsers, MAU: mau}
}

func TestJudgeStages(t *testing.T) {
	for _, c := range []struct {
		name string
		ps   []Period
		want string
	}{
		{"small", []Period{per(5, 10, 40), per(8, 12, 60)}, "startup"},
		{"young", []Period{per(300, 500, 900)}, "startup"}, // four weeks of activity
		// 100 → 120 DAU is +20 %: growth.
		{"growth", []Period{per(80, 50, 400), per(90, 60, 400), per(100, 70, 500), per(120, 80, 600)}, "growth"},
		// 100 → 110 is +10 %: mature.
		{"mature", []Period{per(100, 50, 400), per(100, 60, 400), per(100, 50, 400), per(110, 45, 420)}, "mature"},
		// 100 → 80 is −20 % and sign-ups fall: decline.
		{"decline", []Period{per(120, 50, 400), per(110, 60, 400), per(100, 50, 400), per(80, 30, 380)}, "decline"},
		// −20 % while sign-ups rise is not decline yet.
		{"dip", []Period{per(120, 50, 400), per(110, 60, 400), per(100, 50, 400), per(80, 70, 380)}, "mature"},
	} {
		if got := Judge(c.ps); got.Name != c.want || len(got.Reasons) == 0 {
			t.Errorf("%s: %s (%v), want %s", c.name, got.Name, got.Reasons, c.want)
		}
	}
}

// rawKey is a catalogue key or a fmt error left in the text.
var rawKey = regexp.MustCompile(`\b(find|advice|stage|area|metric|channel)\.[a-z]|%!`)

func rate(f float64) *float64 { return &f }

func TestFindingsAndRendering(t *testing.T) {
	d := Data{
		Range: analytics.Range{From: 20514, To: 20543}, Generated: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		Overview: analytics.Overview{AvgDAU: 50, MAU: 500, Stickiness: 0.1 / 2, Creators: 10, GMV: 100000,
			Days: []analytics.DayPoint{{Date: "2026-03-02", DAU: 50, Refunds: 20000}}},
		// 10,000 views, 150 clicks (1.5 %): seeded here, bought elsewhere.
		Funnel: analytics.Funnel{Stages: []analytics.Stage{{Name: "view", Events: 10000}, {Name: "product_click", Events: 150},
			{Name: "order", Events: 45}, {Name: "pay", Events: 40}}},
		Channels: []analytics.Cohort{{Channel: "ads", Size: 40, D7: 4, D7Rate: rate(0.1)}, {Channel: "invite", Size: 20, D7: 8, D7Rate: rate(0.4)}},
		Campaigns: []analytics.Campaign{{Title: "Spring", Range: analytics.Range{From: 20530, To: 20536},
			Effects: []analytics.Uplift{{Metric: "dau", Lift: 0.4, Low: 0.2, High: 0.6, Significant: true}}}},
		Periods: []Period{per(40, 30, 450), per(50, 30, 500)},
	}
	d.Stage = Judge(d.Periods)
	d.Findings = Findings(d)
	keys := map[string]bool{}
	for _, f := range d.Findings {
		keys[f.Reason.Key] = true
	}
	// 45/150 = 30 % orders per click; D7 12/60 = 20 %; stickiness 5 %;
	// creators 10/500 = 2 %; refunds 20 %; invite beats ads by 30 points.
	for _, k := range []string{"find.seeded", "find.orders", "find.sticky_low", "find.creators_low", "find.refunds",
		"find.channel_best", "find.channel_worst", "find.campaign_up"} {
		if !keys[k] {
			t.Errorf("no %s in %v", k, keys)
		}
	}
	if keys["find.d7"] || keys["find.d7_low"] {
		t.Errorf("a middling D7 is a finding: %v", keys)
	}
	for _, lang := range Langs {
		b, err := HTML(d, lang, nil)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if raw := rawKey.FindString(s); raw != "" {
			t.Errorf("%s report shows %q", lang, raw)
		}
		want := map[string]string{"zh": "种草在这里，购买在别处", "en": "Seeded here, bought elsewhere"}[lang]
		if !strings.Contains(s, want) || !strings.Contains(s, "<svg") {
			t.Errorf("%s report lacks %q or its charts", lang, want)
		}
	}
	// Every key has both languages.
	for k := range catalog["en"] {
		if _, ok := catalog["zh"][k]; !ok {
			t.Errorf("%s has no Chinese", k)
		}
	}
	for k := range catalog["zh"] {
		if _, ok := catalog["en"][k]; !ok {
			t.Errorf("%s has no English", k)
		}
	}
}
