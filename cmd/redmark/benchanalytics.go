package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/id"
)

// benchAnalytics generates --events synthetic events over --days through
// the Recorder into the database (ingest rate), rolls them up (rollup
// time), then times the console's queries over random 30-day ranges.
// Use an empty --data directory or database.
func benchAnalytics(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench analytics", flag.ExitOnError)
	var cfg app.Config
	commonFlags(fs, &cfg)
	events := fs.Int("events", 10_000_000, "events to generate")
	days := fs.Int("days", 90, "days of history")
	users := fs.Int("users", 100_000, "distinct users")
	queries := fs.Int("queries", 50, "timed runs of each console query")
	fs.Parse(args)
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	rec := a.Analytics.Recorder
	rng := rand.New(rand.NewPCG(1, 2))
	today := analytics.DayOf(time.Now())
	first := today - analytics.Day(*days)
	kinds := []analytics.Kind{analytics.View, analytics.View, analytics.View, analytics.View, analytics.Dwell, analytics.Dwell,
		analytics.Visit, analytics.Like, analytics.Search, analytics.Collect, analytics.ProductClick, analytics.Order, analytics.Pay}
	perDay := *events / *days
	start := time.Now()
	n := 0
	for d := first; d < today; d++ {
		for i := 0; i < perDay; i++ {
			u := id.ID(1 + min(rng.IntN(*users), rng.IntN(*users)))
			e := analytics.Event{Kind: kinds[rng.IntN(len(kinds))], User: u, Ref: id.ID(1 + rng.IntN(50_000)),
				At: d.Time().Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))}
			switch e.Kind {
			case analytics.Search:
				e.Ref, e.Label = 0, fmt.Sprintf("term%d", min(rng.IntN(500), rng.IntN(500)))
			case analytics.ProductClick:
				e.Ref2 = id.ID(1 + rng.IntN(5000))
			case analytics.Order, analytics.Pay:
				e.Ref, e.Amount = id.ID(1+rng.IntN(1_000_000)), int64(1000+rng.IntN(50000))
			}
			if i%200 == 0 { // about one sign-up per 200 events
				rec.Add(analytics.Event{Kind: analytics.SignUp, User: id.ID(1 + rng.IntN(*users)), Label: []string{"", "ads", "invite"}[rng.IntN(3)], At: e.At})
				n++
			}
			rec.Add(e)
			n++
			if rec.Pending() >= 50_000 { // what a second's flush would carry at ~50k events/s
				if err := rec.Flush(ctx); err != nil {
					return err
				}
			}
		}
	}
	if err := rec.Flush(ctx); err != nil {
		return err
	}
	ing := time.Since(start)
	fmt.Printf("ingest: %d events in %s = %.0f events/s (%s)\n", n, ing.Round(time.Millisecond), float64(n)/ing.Seconds(), a.DB.Dialect)
	start = time.Now()
	rolled, err := a.Analytics.Rollups.Run(ctx, time.Now())
	if err != nil {
		return err
	}
	rt := time.Since(start)
	fmt.Printf("rollup: %d days in %s (%s per day)\n", rolled, rt.Round(time.Millisecond), (rt / time.Duration(max(rolled, 1))).Round(time.Millisecond))
	m := a.Analytics.Metrics
	qs := []struct {
		name string
		fn   func(analytics.Range) error
	}{
		{"overview", func(r analytics.Range) error { _, err := m.Overview(ctx, r); return err }},
		{"retention", func(r analytics.Range) error { _, err := m.Retention(ctx, r); return err }},
		{"channels", func(r analytics.Range) error { _, err := m.Channels(ctx, r); return err }},
		{"funnel", func(r analytics.Range) error { _, err := m.Funnel(ctx, r, 20); return err }},
		{"terms", func(r analytics.Range) error { _, err := m.Terms(ctx, r, 20); return err }},
		{"personas", func(r analytics.Range) error { _, err := m.Personas(ctx, r, a.Analytics.Personas); return err }},
	}
	fmt.Println("console queries over random 30-day ranges:")
	for _, q := range qs {
		ds := make([]time.Duration, *queries)
		for i := range ds {
			to := first + 29 + analytics.Day(rng.IntN(max(1, *days-30)))
			t0 := time.Now()
			if err := q.fn(analytics.Range{From: to - 29, To: to}); err != nil {
				return err
			}
			ds[i] = time.Since(t0)
		}
		printLatency(q.name, ds)
	}
	return nil
}
