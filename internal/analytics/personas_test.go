package analytics

import (
	"context"
	"testing"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
)

func TestPersonasSuppressSmallCells(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// Active on day 0 (2026): 12 women born 2006 (20, students) in 上海,
		// 11 men born 1996 (30, white collar) in 北京, 3 people of other
		// gender without age or region, one of the men a KOL.
		var evs []Event
		uid := id.ID(1)
		add := func(n int, gender string, by int, region string, followers int64) {
			for range n {
				addUser(t, d, uid, gender, by, region, followers, "user")
				evs = append(evs, Event{Kind: Visit, User: uid, At: at(0, 9)})
				uid++
				followers = 0
			}
		}
		add(12, "female", 2006, "上海", 0)
		add(11, "male", 1996, "北京", 5000)
		add(3, "other", 0, "", 0)
		// Nine buyers: too few for any table.
		for u := id.ID(1); u <= 9; u++ {
			evs = append(evs, Event{Kind: Pay, User: u, Ref: 700 + u, Amount: 100, At: at(0, 10)})
		}
		load(t, d, evs)
		if _, err := NewRollups(d, 0).Run(ctx, at(1, 1)); err != nil {
			t.Fatal(err)
		}
		ps, err := NewMetrics(d).Personas(ctx, Range{From: day0, To: day0}, DefaultPersonas)
		if err != nil {
			t.Fatal(err)
		}
		get := func(cs []Cell, key string) *int64 {
			for _, c := range cs {
				if c.Key == key {
					return c.Users
				}
			}
			t.Fatalf("no cell %s in %+v", key, cs)
			return nil
		}
		eq := func(name string, got *int64, want int64) {
			t.Helper()
			if got == nil || *got != want {
				t.Errorf("%s = %v, want %d", name, got, want)
			}
		}
		hidden := func(name string, got *int64) {
			t.Helper()
			if got != nil {
				t.Errorf("%s = %d, want suppressed", name, *got)
			}
		}
		active := ps[0]
		eq("active users", active.Users, 26)
		eq("female", get(active.Gender, "female"), 12)
		// "other" (3) is under 10; hidden alone it would be 26 − 12 − 11:
		// the smallest shown cell (male, 11) is hidden with it.
		hidden("other", get(active.Gender, "other"))
		hidden("male", get(active.Gender, "male"))
		eq("unknown gender", get(active.Gender, "unknown"), 0)
		eq("18–24", get(active.Age, "18_24"), 12)
		hidden("unknown age", get(active.Age, "unknown"))
		hidden("25–34", get(active.Age, "25_34"))
		eq("上海", get(active.Region, "上海"), 12)
		eq("students", get(active.Segments, "students"), 12)
		eq("white collar", get(active.Segments, "white_collar"), 11)
		hidden("kol", get(active.Segments, "kol"))
		eq("merchants", get(active.Segments, "merchant"), 0)
		buyers := ps[2]
		if buyers.Users != nil || len(buyers.Gender) != 0 || len(buyers.Region) != 0 {
			t.Errorf("9 buyers shown: %+v", buyers)
		}
	})
}
