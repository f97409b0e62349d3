package search_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/search"
)

func users(t *testing.T, d *db.DB, names ...string) []id.ID {
	t.Helper()
	acc := accounts.New(d)
	var out []id.ID
	for _, n := range names {
		u, _, err := acc.SignUp(context.Background(), n, "password123", n, "test")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, u.ID)
	}
	return out
}

func TestRecentSearchesPerUser(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		h := search.NewHistory(d, []byte("k"))
		clock := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		search.SetHistoryClock(h, func() time.Time { clock = clock.Add(time.Second); return clock })
		u := users(t, d, "ann", "ben")
		for i := range search.RecentKept + 3 {
			if err := h.Record(ctx, u[0], "", fmt.Sprintf("query %d", i), false); err != nil {
				t.Fatal(err)
			}
		}
		// The same query folded (case, accents, spaces) moves to the top
		// with the spelling used last, and is kept once.
		for _, q := range []string{"Café  Lune", "cafe lune"} {
			if err := h.Record(ctx, u[0], "", q, true); err != nil {
				t.Fatal(err)
			}
		}
		if err := h.Record(ctx, u[1], "", "ben's own", true); err != nil {
			t.Fatal(err)
		}
		got, err := h.Recent(ctx, u[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != search.RecentKept || got[0].Query != "cafe lune" || got[1].Query != fmt.Sprintf("query %d", search.RecentKept+2) {
			t.Fatalf("recent: %+v", got)
		}
		for _, r := range got {
			if r.Query == "ben's own" || r.Query == "query 0" {
				t.Fatalf("recent of ann has %q", r.Query)
			}
		}
		// Clearing one user's list leaves the other's.
		if err := h.ClearRecent(ctx, u[1]); err != nil {
			t.Fatal(err)
		}
		if got, _ := h.Recent(ctx, u[0]); len(got) != search.RecentKept {
			t.Fatalf("ben's clear touched ann's searches: %d left", len(got))
		}
		if got, _ := h.Recent(ctx, u[1]); len(got) != 0 {
			t.Fatalf("ben's searches after clearing: %+v", got)
		}
	})
}

func TestHotSearchesCountPeopleInTheWindow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		clock := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
		now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
		advance := func(dt time.Duration) { mu.Lock(); clock = clock.Add(dt); mu.Unlock() }
		newH := func() *search.History { // a new reader: no cached list
			h := search.NewHistory(d, []byte("k"))
			search.SetHistoryClock(h, now)
			return h
		}
		h := newH()
		u := users(t, d, "amy", "bob", "cat", "dan")
		rec := func(user id.ID, addr, q string, found bool) {
			t.Helper()
			if err := h.Record(ctx, user, addr, q, found); err != nil {
				t.Fatal(err)
			}
		}
		// 防晒: four people, once more in another hour by one of them.
		for _, x := range u {
			rec(x, "", "防晒", true)
		}
		// Café (at 10:30): three signed-out addresses, spelled differently.
		rec(0, "10.0.0.1", "Café", true)
		rec(0, "10.0.0.2", "cafe", true)
		rec(0, "10.0.0.3", "CAFE", true)
		advance(time.Hour)
		rec(u[0], "", "防晒", true)
		// 露营: one person fifty times, and signed out from one address:
		// two searchers, not hot.
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := h.Record(ctx, u[1], "", "露营", true); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		rec(0, "10.0.0.1", "露营", true)
		rec(0, "10.0.0.1", "露营", true)
		// No results: never hot, however many search it.
		for _, x := range u {
			rec(x, "", "qwxz", false)
		}
		hot, err := h.Hot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(hot) != "[{防晒 4} {Café 3}]" && fmt.Sprint(hot) != "[{防晒 4} {cafe 3}]" && fmt.Sprint(hot) != "[{防晒 4} {CAFE 3}]" {
			t.Fatalf("hot: %v", hot)
		}
		var stored int
		if err := d.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM search_counts WHERE searcher LIKE '%10.0.0%'").Scan(&stored); err != nil || stored != 0 {
			t.Fatalf("addresses are stored in clear (%d rows, %v)", stored, err)
		}
		// A day later the 10:00 hour has left the window (防晒 keeps one
		// searcher, Café none) and 11:00 is its first hour: 露营's third
		// searcher makes it hot.
		advance(23 * time.Hour)
		rec(u[2], "", "露营", true)
		hot, err = newH().Hot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(hot) != "[{露营 3}]" {
			t.Fatalf("hot a day later: %v", hot)
		}
		var left int
		if err := d.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM search_counts").Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 4 { // 11:00: 防晒 by amy, 露营 by bob and the address; 露营 by cat now. 10:00 was pruned.
			t.Fatalf("%d rows kept after pruning, want 4", left)
		}
	})
}

// BenchmarkRecord is what a first page of search adds: go test -run X
// -bench Record ./internal/search/
func BenchmarkRecord(b *testing.B) {
	d := dbtest.SQLite(b)
	h := search.NewHistory(d, []byte("k"))
	acc := accounts.New(d)
	u, _, err := acc.SignUp(context.Background(), "bench", "password123", "bench", "test")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		user id.ID
	}{{"signed-in", u.ID}, {"signed-out", 0}} {
		b.Run(c.name, func(b *testing.B) {
			for i := range b.N {
				if err := h.Record(context.Background(), c.user, fmt.Sprint("10.0.", i%250), fmt.Sprint("query ", i%500), true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
