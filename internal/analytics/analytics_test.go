package analytics

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
)

// The hand-built history (day 0 is Monday 2026-03-02):
//
//	day 0: A and B sign up through "ads", C directly. A views notes N1 and
//	       N2, B views N1, C views N2. A clicks product P1 on N1 at 10:00,
//	       orders 501 (10 yuan) at 11:00 and pays it. Creator W publishes
//	       N1. A and B search 口红, C searches lipstick.
//	day 1: D signs up by invitation, views N1, clicks P2 on it and orders
//	       502 (20 yuan, never paid). A views N1 again. B orders 503 (5
//	       yuan) without a click.
//	day 2: B pays 503; C visits.
//	day 7: A and D visit.      day 8: D visits.
const (
	uA, uB, uC, uD, uW id.ID = 101, 102, 103, 104, 201
	n1, n2             id.ID = 301, 302
	p1, p2             id.ID = 401, 402
)

var day0 = Day(20514) // 2026-03-02

func at(day int, hour int) time.Time {
	return (day0 + Day(day)).Time().Add(time.Duration(hour) * time.Hour)
}

func history() []Event {
	return []Event{
		{Kind: SignUp, User: uA, Label: "ads", At: at(0, 8)},
		{Kind: SignUp, User: uB, Label: "ads", At: at(0, 8)},
		{Kind: SignUp, User: uC, At: at(0, 8)},
		{Kind: View, User: uA, Ref: n1, At: at(0, 9)},
		{Kind: View, User: uA, Ref: n2, At: at(0, 9)},
		{Kind: View, User: uB, Ref: n1, At: at(0, 9)},
		{Kind: View, User: uC, Ref: n2, At: at(0, 9)},
		{Kind: ProductClick, User: uA, Ref: n1, Ref2: p1, At: at(0, 10)},
		{Kind: Order, User: uA, Ref: 501, Amount: 1000, At: at(0, 11)},
		{Kind: Pay, User: uA, Ref: 501, Amount: 1000, At: at(0, 11)},
		{Kind: Publish, User: uW, Ref: n1, At: at(0, 7)},
		{Kind: Search, User: uA, Label: "口红", At: at(0, 12)},
		{Kind: Search, User: uB, Label: "口红", At: at(0, 12)},
		{Kind: Search, User: uC, Label: "lipstick", At: at(0, 12)},

		{Kind: SignUp, User: uD, Label: "invite", At: at(1, 8)},
		{Kind: View, User: uD, Ref: n1, At: at(1, 9)},
		{Kind: ProductClick, User: uD, Ref: n1, Ref2: p2, At: at(1, 10)},
		{Kind: Order, User: uD, Ref: 502, Amount: 2000, At: at(1, 11)},
		{Kind: View, User: uA, Ref: n1, At: at(1, 9)},
		{Kind: Order, User: uB, Ref: 503, Amount: 500, At: at(1, 11)},

		{Kind: Pay, User: uB, Ref: 503, Amount: 500, At: at(2, 9)},
		{Kind: Visit, User: uC, At: at(2, 9)},
		{Kind: Visit, User: uA, At: at(7, 9)},
		{Kind: Visit, User: uD, At: at(7, 9)},
		{Kind: Visit, User: uD, At: at(8, 9)},
	}
}

func addUser(t *testing.T, d *db.DB, uid id.ID, gender string, birthYear int, region string, followers int64, role string) {
	t.Helper()
	if _, err := d.Writer(context.Background()).Exec(context.Background(), `INSERT INTO users (id, username, display_name, password_hash, role,
		gender, birth_year, region, follower_count, created_at, updated_at) VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, 0, 0)`,
		uid, "u"+uid.String(), "u", role, gender, birthYear, region, followers); err != nil {
		t.Fatal(err)
	}
}

func load(t *testing.T, d *db.DB, evs []Event) {
	t.Helper()
	for i := range evs {
		evs[i].ID = id.New()
	}
	if err := NewSQLSink(d).Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
}

func fp(t *testing.T, name string, got *float64, want float64) {
	t.Helper()
	if got == nil || math.Abs(*got-want) > 1e-9 {
		t.Errorf("%s = %v, want %v", name, deref(got), want)
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func TestMetricsOnHandBuiltHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for _, u := range []id.ID{uA, uB, uC, uD, uW} {
			addUser(t, d, u, "", 0, "", 0, "user")
		}
		for _, n := range []id.ID{n1, n2} {
			if _, err := d.Writer(ctx).Exec(ctx, "INSERT INTO notes (id, author_id, status, kind, created_at, updated_at) VALUES (?, ?, 'published', 'image', 0, 0)", n, uW); err != nil {
				t.Fatal(err)
			}
		}
		load(t, d, history())
		ru := NewRollups(d, 0)
		// Day 9 at 01:00: days 0–8 are complete.
		n, err := ru.Run(ctx, at(9, 1))
		if err != nil || n != 9 {
			t.Fatalf("rolled %d days, %v; want 9", n, err)
		}
		if n, err := ru.Run(ctx, at(9, 2)); err != nil || n != 0 {
			t.Fatalf("second run rolled %d days, %v: past days are never recomputed", n, err)
		}
		m := NewMetrics(d)
		r := Range{From: day0, To: day0 + 8}

		o, err := m.Overview(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		// DAU: day 0 A B C W; day 1 A D B; day 2 B C; day 7 A D; day 8 D.
		wantDAU := []int64{4, 3, 2, 0, 0, 0, 0, 2, 1}
		for i, p := range o.Days {
			if p.DAU != wantDAU[i] {
				t.Errorf("DAU day %d = %d, want %d", i, p.DAU, wantDAU[i])
			}
		}
		// WAU day 1: A B C W D (days −5…1) = 5; day 8 (days 2–8): B C A D = 4. MAU day 8 = all five.
		if o.Days[1].WAU != 5 || o.Days[8].WAU != 4 || o.Days[8].MAU != 5 || o.Days[1].MAU != 5 {
			t.Errorf("WAU/MAU = %d %d %d", o.Days[1].WAU, o.Days[8].WAU, o.Days[8].MAU)
		}
		// Average DAU 12/9, over MAU 5.
		if math.Abs(o.AvgDAU-12.0/9) > 1e-9 || o.MAU != 5 || math.Abs(o.Stickiness-12.0/45) > 1e-9 {
			t.Errorf("avg DAU %v, MAU %d, stickiness %v", o.AvgDAU, o.MAU, o.Stickiness)
		}
		// Three orders, two paid (501 on day 0, 503 on day 2): 15 yuan.
		if o.NewUsers != 4 || o.Orders != 3 || o.PaidOrders != 2 || o.GMV != 1500 || o.Notes != 1 || o.Creators != 1 {
			t.Errorf("overview totals %+v", o)
		}
		if o.Days[2].GMV != 500 || o.Days[0].GMV != 1000 {
			t.Errorf("GMV by day %d %d", o.Days[0].GMV, o.Days[2].GMV)
		}

		// Cohort day 0 (A B C): D1 A and B were active on day 1 → 2/3;
		// D7 only A on day 7 → 1/3; D30 not rolled up yet.
		// Cohort day 1 (D): D1 (day 2) 0; D7 (day 8) 1/1.
		coh, err := m.Retention(ctx, r)
		if err != nil || len(coh) != 2 {
			t.Fatalf("cohorts %+v %v", coh, err)
		}
		fp(t, "day0 D1", coh[0].D1Rate, 2.0/3)
		fp(t, "day0 D7", coh[0].D7Rate, 1.0/3)
		if coh[0].D30Rate != nil || coh[0].Size != 3 {
			t.Errorf("day0 cohort %+v", coh[0])
		}
		fp(t, "day1 D1", coh[1].D1Rate, 0)
		fp(t, "day1 D7", coh[1].D7Rate, 1)

		// Channels: ads (A B) D1 2/2, D7 1/2; direct (C) 0, 0; invite (D) 0, 1.
		ch, err := m.Channels(ctx, r)
		if err != nil || len(ch) != 3 {
			t.Fatalf("channels %+v %v", ch, err)
		}
		byName := map[string]Cohort{}
		for _, c := range ch {
			byName[c.Channel] = c
		}
		ads, dir, inv := byName["ads"], byName[""], byName["invite"]
		if ads.Size != 2 || dir.Size != 1 || inv.Size != 1 || ch[0].Channel != "ads" {
			t.Errorf("channel sizes %+v", ch)
		}
		fp(t, "ads D1", ads.D1Rate, 1)
		fp(t, "ads D7", ads.D7Rate, 0.5)
		fp(t, "direct D1", dir.D1Rate, 0)
		fp(t, "invite D7", inv.D7Rate, 1)

		// Funnel: 6 views → 2 clicks → 3 orders → 2 paid (15 yuan); 501
		// and 502 come from clicks on N1, 503 from none.
		f, err := m.Funnel(ctx, r, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []int64{6, 2, 3, 2}
		for i, s := range f.Stages {
			if s.Events != want[i] {
				t.Errorf("stage %s = %d, want %d", s.Name, s.Events, want[i])
			}
		}
		fp(t, "click rate", f.Stages[1].Rate, 2.0/6)
		if f.Stages[3].Amount != 1500 || f.Attributed != 2 {
			t.Errorf("paid %d, attributed %d", f.Stages[3].Amount, f.Attributed)
		}
		// N1: views A B A D = 4, clicks 2, orders 501 502, paid 501.
		if len(f.Notes) != 2 || f.Notes[0].ID != n1 {
			t.Fatalf("notes %+v", f.Notes)
		}
		if g := f.Notes[0]; g.Views != 4 || g.Clicks != 2 || g.Orders != 2 || g.Paid != 1 || g.GMV != 1000 {
			t.Errorf("N1 funnel %+v", g)
		}
		fp(t, "N1 click rate", f.Notes[0].CTR, 0.5)
		if g := f.Notes[1]; g.ID != n2 || g.Views != 2 || g.Clicks != 0 || g.CTR == nil || *g.CTR != 0 {
			t.Errorf("N2 funnel %+v", g)
		}
		// W wrote both notes: 6 views, 2 clicks, 2 orders, 1 paid.
		if len(f.Creators) != 1 || f.Creators[0].ID != uW || f.Creators[0].Views != 6 || f.Creators[0].Orders != 2 || f.Creators[0].GMV != 1000 {
			t.Errorf("creators %+v", f.Creators)
		}
		// P1: clicked once, ordered and paid; P2: clicked, ordered, unpaid.
		pr := map[id.ID]FunnelItem{}
		for _, p := range f.Products {
			pr[p.ID] = p
		}
		if pr[p1].Clicks != 1 || pr[p1].Paid != 1 || pr[p1].GMV != 1000 || pr[p2].Orders != 1 || pr[p2].Paid != 0 {
			t.Errorf("products %+v", f.Products)
		}

		terms, err := m.Terms(ctx, r, 10)
		if err != nil || len(terms) != 2 || terms[0] != (Term{"口红", 2}) || terms[1] != (Term{"lipstick", 1}) {
			t.Errorf("terms %+v %v", terms, err)
		}
		if err := (Range{From: day0, To: day0 - 1}).Check(); err == nil {
			t.Error("a backwards range is accepted")
		}
	})
}

func TestLiveSalesAndRetentionCleanup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		load(t, d, []Event{
			{Kind: Order, User: uA, Ref: 601, Ref2: 900, Amount: 3000, At: at(0, 9)},
			{Kind: Pay, User: uA, Ref: 601, Amount: 3000, At: at(0, 10)},
			{Kind: Order, User: uB, Ref: 602, Ref2: 900, Amount: 1000, At: at(0, 9)},
			{Kind: AddToCart, User: uA, Ref: 701, Ref2: 900, At: at(0, 8)},
			{Kind: AddToCart, User: uB, Ref: 701, Ref2: 900, At: at(0, 8)},
			{Kind: AddToCart, User: uB, Ref: 702, At: at(0, 8)}, // not from a live
			{Kind: Visit, User: uA, At: at(20, 9)},
		})
		ru := NewRollups(d, 10)
		if _, err := ru.Run(ctx, at(21, 1)); err != nil {
			t.Fatal(err)
		}
		live, err := NewMetrics(d).Live(ctx, Range{From: day0, To: day0 + 20}, 10)
		if err != nil || len(live) != 1 || live[0] != (LiveSale{Live: 900, Carts: 2, Orders: 2, Paid: 1, GMV: 3000}) {
			t.Errorf("live %+v %v", live, err)
		}
		// Ten days kept: day 0's raw events are gone, day 20's stay; the rollups stay.
		var left, kept int
		if err := d.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM analytics_events WHERE day = ?", int(day0)).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if err := d.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM analytics_events WHERE day = ?", int(day0+20)).Scan(&kept); err != nil {
			t.Fatal(err)
		}
		o, err := NewMetrics(d).Overview(ctx, Range{From: day0, To: day0})
		if left != 0 || kept != 1 || err != nil || o.GMV != 3000 {
			t.Errorf("after cleanup: %d raw events of day 0, %d of day 20, GMV %d (%v)", left, kept, o.GMV, err)
		}
	})
}

func TestLiftAndBootstrap(t *testing.T) {
	// Baseline alternates 10 and 12 (mean 76/7), the campaign 15 and 18
	// (mean 114/7): lift 114/76 − 1 = 0.5. Every resample's lift lies
	// between 15/12 − 1 = 0.25 and 18/10 − 1 = 0.8, so the interval does too.
	base := []float64{10, 12, 10, 12, 10, 12, 10}
	camp := []float64{15, 18, 15, 18, 15, 18, 15}
	u, err := Lift(camp, base)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(u.Lift-0.5) > 1e-12 || u.Low < 0.25 || u.High > 0.8 || u.Low > 0.5 || u.High < 0.5 || !u.Significant {
		t.Errorf("lift %+v", u)
	}
	if u2, _ := Lift(camp, base); u2 != u {
		t.Errorf("bootstrap is not reproducible: %+v vs %+v", u, u2)
	}
	// No change: the interval straddles zero.
	flat, _ := Lift([]float64{10, 12, 11, 10, 12, 11, 10}, []float64{11, 10, 12, 11, 10, 12, 11})
	if flat.Significant || flat.Low > 0 || flat.High < 0 {
		t.Errorf("flat lift %+v", flat)
	}
	if _, err := Lift(camp, []float64{0, 0}); err == nil {
		t.Error("a zero baseline gives a lift")
	}
	// A 10-day campaign is compared with the two whole weeks before it.
	if b := BaselineFor(Range{From: 100, To: 109}); b != (Range{From: 86, To: 99}) {
		t.Errorf("baseline %+v", b)
	}
}

func TestUpliftFromRollups(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// Days 0–6: 2 users a day; days 7–13: 3 a day → DAU lift 0.5.
		var evs []Event
		for day := 0; day < 14; day++ {
			n := 2
			if day >= 7 {
				n = 3
			}
			for u := range n {
				evs = append(evs, Event{Kind: Visit, User: id.ID(1000 + u), At: at(day, 9)})
			}
		}
		load(t, d, evs)
		if _, err := NewRollups(d, 0).Run(ctx, at(14, 1)); err != nil {
			t.Fatal(err)
		}
		u, err := NewMetrics(d).Uplift(ctx, Range{From: day0 + 7, To: day0 + 13}, "dau")
		if err != nil || u.Lift != 0.5 || u.Low != 0.5 || u.High != 0.5 || u.Baseline != (Range{From: day0, To: day0 + 6}) {
			t.Errorf("uplift %+v %v", u, err)
		}
		if _, err := NewMetrics(d).Uplift(ctx, Range{From: day0 + 7, To: day0 + 13}, "nope"); err == nil {
			t.Error("unknown metric accepted")
		}
	})
}
