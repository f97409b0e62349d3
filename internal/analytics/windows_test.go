package analytics

import (
	"context"
	"reflect"
	"testing"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
)

// Notes N1–N4 by W, product P1:
//
//	day 0: N1 viewed by users 1, 2, 3; N2 by 1; N4 by 2.
//	day 3: N2 viewed by 4 and 5; 4 clicks P1 on N2, orders 801 (30 yuan) and pays.
//	day 7: 6 views N3 and N1.
//	day 9: 1 views N2.
func windowHistory() []Event {
	v := func(u, note id.ID, day int) Event { return Event{Kind: View, User: u, Ref: note, At: at(day, 9)} }
	return []Event{
		v(1, n1, 0), v(2, n1, 0), v(3, n1, 0), v(1, n2, 0), v(2, n4, 0),
		v(4, n2, 3), v(5, n2, 3),
		{Kind: ProductClick, User: 4, Ref: n2, Ref2: p1, At: at(3, 10)},
		{Kind: Order, User: 4, Ref: 801, Amount: 3000, At: at(3, 11)},
		{Kind: Pay, User: 4, Ref: 801, Amount: 3000, At: at(3, 12)},
		v(6, n3, 7), v(6, n1, 7),
		v(1, n2, 9),
	}
}

const (
	n3, n4 id.ID = 303, 304
)

func TestWindowRankingsOnHandBuiltHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		addUser(t, d, uW, "", 0, "", 0, "user")
		for _, n := range []id.ID{n1, n2, n3, n4} {
			if _, err := d.Writer(ctx).Exec(ctx, "INSERT INTO notes (id, author_id, status, kind, created_at, updated_at) VALUES (?, ?, 'published', 'image', 0, 0)", n, uW); err != nil {
				t.Fatal(err)
			}
		}
		load(t, d, windowHistory())
		ru := NewRollups(d, 0)
		if _, err := ru.Run(ctx, at(5, 1)); err != nil {
			t.Fatal(err)
		}
		// As if the windows arrived after day 4 was rolled up: day 5 rebuilds
		// them from the day rollups, days 6–9 slide them.
		for _, q := range []string{"DELETE FROM analytics_state WHERE name IN ('windows', 'ranked_since')",
			"DELETE FROM analytics_window_items", "DELETE FROM analytics_last", "DELETE FROM analytics_top_items", "DELETE FROM analytics_persona_days"} {
			if _, err := d.Writer(ctx).Exec(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := ru.Run(ctx, at(10, 1)); err != nil {
			t.Fatal(err)
		}
		m := NewMetrics(d)
		week := func(last int) Range { return Range{From: day0 + Day(last-6), To: day0 + Day(last)} }
		type row struct {
			id                               id.ID
			views, clicks, orders, paid, gmv int64
		}
		check := func(name string, got []FunnelItem, want []row) {
			t.Helper()
			var g []row
			for _, it := range got {
				g = append(g, row{it.ID, it.Views, it.Clicks, it.Orders, it.Paid, it.GMV})
			}
			if !reflect.DeepEqual(g, want) {
				t.Errorf("%s = %+v, want %+v", name, g, want)
			}
		}
		// Days 0–6: N1 3 views, N2 1 + 2 (tied: lower id first) with the
		// click, order and payment, N4 1. W: 7 views.
		f, err := m.Funnel(ctx, week(6), 10)
		if err != nil {
			t.Fatal(err)
		}
		check("notes 0–6", f.Notes, []row{{n1, 3, 0, 0, 0, 0}, {n2, 3, 1, 1, 1, 3000}, {n4, 1, 0, 0, 0, 0}})
		check("products 0–6", f.Products, []row{{p1, 0, 1, 1, 1, 3000}})
		check("creators 0–6", f.Creators, []row{{uW, 7, 1, 1, 1, 3000}})
		// Days 1–7: day 0 left (N4 with it), N1 and N3 got a view on day 7.
		f, _ = m.Funnel(ctx, week(7), 10)
		check("notes 1–7", f.Notes, []row{{n2, 2, 1, 1, 1, 3000}, {n1, 1, 0, 0, 0, 0}, {n3, 1, 0, 0, 0, 0}})
		// Days 3–9: N2 2 + 1; the top 2 only.
		f, _ = m.Funnel(ctx, week(9), 2)
		check("top 2 of 3–9", f.Notes, []row{{n2, 3, 1, 1, 1, 3000}, {n1, 1, 0, 0, 0, 0}})
		check("creators 3–9", f.Creators, []row{{uW, 5, 1, 1, 1, 3000}})
		// Days 4–10 … 30 days to day 9 hold everything: N1 4, N2 4, N3 1, N4 1.
		f, _ = m.Funnel(ctx, Range{From: day0 - 20, To: day0 + 9}, 10)
		check("notes of 30 days", f.Notes, []row{{n1, 4, 0, 0, 0, 0}, {n2, 4, 1, 1, 1, 3000}, {n3, 1, 0, 0, 0, 0}, {n4, 1, 0, 0, 0, 0}})

		// The windows answered (not the aggregation): a ranking exists from day 5 on.
		var kept int
		if err := d.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM analytics_top_items WHERE day = ? AND days = 7 AND item_type = ?", int(day0+6), ItemNote).Scan(&kept); err != nil || kept != 3 {
			t.Errorf("ranking of days 0–6 has %d notes (%v), want 3", kept, err)
		}
		// Every window ending on days 5–9 agrees with the aggregation over
		// its days (a limit above TopItems is always aggregated).
		for last := 5; last <= 9; last++ {
			for _, n := range WindowDays {
				r := Range{From: day0 + Day(last-n+1), To: day0 + Day(last)}
				kept, _ := m.Funnel(ctx, r, TopItems)
				agg, err := m.Funnel(ctx, r, TopItems+1)
				if err != nil || !reflect.DeepEqual(kept, agg) {
					t.Errorf("window %d days to day %d: kept %+v, aggregated %+v (%v)", n, last, kept, agg, err)
				}
			}
		}
		// Day 4's windows were never kept: aggregated, same numbers.
		if ok, err := m.windowed(ctx, week(4)); ok || err != nil {
			t.Errorf("day 4 windowed %v %v", ok, err)
		}
		f, _ = m.Funnel(ctx, week(4), 10)
		check("notes −2–4", f.Notes, []row{{n1, 3, 0, 0, 0, 0}, {n2, 3, 1, 1, 1, 3000}, {n4, 1, 0, 0, 0, 0}})
	})
}

func TestWindowPersonasOnHandBuiltHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// 12 women born 2006 in 上海 visit on day 0, 10 of them pay on day 1;
		// 11 men born 1996 in 北京 visit on days 0 and 8; one of them publishes on day 8.
		var evs []Event
		for u := id.ID(1); u <= 12; u++ {
			addUser(t, d, u, "female", 2006, "上海", 0, "user")
			evs = append(evs, Event{Kind: Visit, User: u, At: at(0, 9)})
			if u <= 10 {
				evs = append(evs, Event{Kind: Pay, User: u, Ref: 900 + u, Amount: 100, At: at(1, 9)})
			}
		}
		for u := id.ID(21); u <= 31; u++ {
			addUser(t, d, u, "male", 1996, "北京", 0, "merchant")
			evs = append(evs, Event{Kind: Visit, User: u, At: at(0, 9)}, Event{Kind: Visit, User: u, At: at(8, 9)})
		}
		evs = append(evs, Event{Kind: Publish, User: 21, Ref: 77, At: at(8, 10)})
		load(t, d, evs)
		if _, err := NewRollups(d, 0).Run(ctx, at(9, 1)); err != nil {
			t.Fatal(err)
		}
		m := NewMetrics(d)
		n := func(v int64) *int64 { return &v }
		get := func(p Persona, cs []Cell, key string) *int64 {
			for _, c := range cs {
				if c.Key == key {
					return c.Users
				}
			}
			t.Fatalf("%s: no cell %s in %+v", p.Population, key, cs)
			return nil
		}
		eq := func(name string, got, want *int64) {
			t.Helper()
			if (got == nil) != (want == nil) || (got != nil && *got != *want) {
				t.Errorf("%s = %v, want %v", name, deref64(got), deref64(want))
			}
		}
		// Days 0–6: 23 active (12 women, 11 men), 10 buyers (all women, students).
		ps, err := m.Personas(ctx, Range{From: day0, To: day0 + 6}, DefaultPersonas)
		if err != nil {
			t.Fatal(err)
		}
		ps1, _ := m.Personas(ctx, Range{From: day0 - 6, To: day0 + 6}, DefaultPersonas) // 13 days: aggregated
		for _, p := range []Persona{ps[0], ps1[0]} {
			eq("active", p.Users, n(23))
			eq("female", get(p, p.Gender, "female"), n(12))
			eq("male", get(p, p.Gender, "male"), n(11))
			eq("18–24", get(p, p.Age, "18_24"), n(12))
			eq("25–34", get(p, p.Age, "25_34"), n(11))
			eq("北京", get(p, p.Region, "北京"), n(11))
			eq("merchants", get(p, p.Segments, "merchant"), n(11))
		}
		eq("buyers", ps[2].Users, n(10))
		eq("buyer students", get(ps[2], ps[2].Segments, "students"), n(10))
		eq("creators", ps[1].Users, nil)
		// Days 2–8: the 11 men only; the women left the window, the buyers too.
		ps, _ = m.Personas(ctx, Range{From: day0 + 2, To: day0 + 8}, DefaultPersonas)
		eq("active 2–8", ps[0].Users, n(11))
		eq("female 2–8", get(ps[0], ps[0].Gender, "female"), n(0))
		eq("white collar 2–8", get(ps[0], ps[0].Segments, "white_collar"), n(11))
		eq("buyers 2–8", ps[2].Users, nil)
		// Other rules than the rollup's: counted from the day rollups.
		men := PersonaConfig{Segments: []SegmentRule{{Name: "men", MinAge: 0, MaxAge: 120, Gender: "male"}}}
		ps, _ = m.Personas(ctx, Range{From: day0 + 2, To: day0 + 8}, men)
		eq("men 2–8", get(ps[0], ps[0].Segments, "men"), n(11))

		// Every kept window agrees with counting the users of its days.
		for last := 0; last <= 8; last++ {
			for _, w := range WindowDays {
				r := Range{From: day0 + Day(last-w+1), To: day0 + Day(last)}
				kept, ok, err := m.windowPersonas(ctx, r, DefaultPersonas)
				if err != nil || !ok {
					t.Fatalf("no window %d to day %d: %v", w, last, err)
				}
				counted, err := m.countPersonas(ctx, r, DefaultPersonas)
				if err != nil || !reflect.DeepEqual(kept, counted) {
					t.Errorf("window %d to day %d: kept %+v, counted %+v", w, last, kept, counted)
				}
			}
		}
	})
}

func deref64(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
