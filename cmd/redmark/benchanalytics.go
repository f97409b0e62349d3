package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/id"
)

// benchAnalytics creates --users users with persona fields and 50,000
// notes, generates --events synthetic events over --days through the
// Recorder into the database (ingest rate), rolls them up (rollup time),
// then times the console's queries over random 30-day ranges (the
// console's default, kept by the rollup windows) and random 20-day ones
// (aggregated from the day rollups). Use an empty --data directory or
// database (--db for PostgreSQL).
func benchAnalytics(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench analytics", flag.ExitOnError)
	var cfg app.Config
	commonFlags(fs, &cfg)
	events := fs.Int("events", 10_000_000, "events to generate")
	days := fs.Int("days", 90, "days of history")
	users := fs.Int("users", 100_000, "distinct users")
	queries := fs.Int("queries", 50, "timed runs of each console query")
	reuse := fs.Bool("reuse", false, "only time the queries, over a database this command loaded earlier the same day")
	fs.Parse(args)
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	first := analytics.DayOf(time.Now()) - analytics.Day(*days)
	if !*reuse {
		if err := benchLoad(ctx, a, *events, *days, *users, rng); err != nil {
			return err
		}
	}
	return benchConsoleQueries(ctx, a, first, *days, *queries, rng)
}

// benchLoad creates the people, records the events and rolls them up.
func benchLoad(ctx context.Context, a *app.App, events, days, users int, rng *rand.Rand) error {
	rec := a.Analytics.Recorder
	if err := benchPeople(ctx, a, users, rng); err != nil {
		return err
	}
	today := analytics.DayOf(time.Now())
	first := today - analytics.Day(days)
	kinds := []analytics.Kind{analytics.View, analytics.View, analytics.View, analytics.View, analytics.Dwell, analytics.Dwell,
		analytics.Visit, analytics.Like, analytics.Search, analytics.Collect, analytics.ProductClick, analytics.Order, analytics.Pay, analytics.Publish}
	perDay := events / days
	start := time.Now()
	n := 0
	for d := first; d < today; d++ {
		for i := 0; i < perDay; i++ {
			u := id.ID(1 + min(rng.IntN(users), rng.IntN(users)))
			e := analytics.Event{Kind: kinds[rng.IntN(len(kinds))], User: u, Ref: id.ID(1 + rng.IntN(50_000)),
				At: d.Time().Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))}
			switch e.Kind {
			case analytics.Search:
				e.Ref, e.Label = 0, fmt.Sprintf("term%d", min(rng.IntN(500), rng.IntN(500)))
			case analytics.ProductClick:
				e.Ref2 = id.ID(1 + rng.IntN(5000))
			case analytics.Publish: // one of the 2,000 authors
				e.User = id.ID(1 + rng.IntN(benchAuthors))
			case analytics.Order, analytics.Pay:
				e.Ref, e.Amount = id.ID(1+rng.IntN(1_000_000)), int64(1000+rng.IntN(50000))
			}
			if i%200 == 0 { // about one sign-up per 200 events
				rec.Add(analytics.Event{Kind: analytics.SignUp, User: id.ID(1 + rng.IntN(users)), Label: []string{"", "ads", "invite"}[rng.IntN(3)], At: e.At})
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
	return nil
}

// benchConsoleQueries times each console query over random ranges.
func benchConsoleQueries(ctx context.Context, a *app.App, first analytics.Day, days, queries int, rng *rand.Rand) error {
	m := a.Analytics.Metrics
	qs := []struct {
		name string
		days int
		fn   func(analytics.Range) error
	}{
		{"baseline (SELECT 1)", 30, func(analytics.Range) error {
			var one int
			return a.DB.Reader(ctx).QueryRow(ctx, "SELECT 1").Scan(&one)
		}},
		{"overview", 30, func(r analytics.Range) error { _, err := m.Overview(ctx, r); return err }},
		{"retention", 30, func(r analytics.Range) error { _, err := m.Retention(ctx, r); return err }},
		{"channels", 30, func(r analytics.Range) error { _, err := m.Channels(ctx, r); return err }},
		{"funnel", 30, func(r analytics.Range) error { _, err := m.Funnel(ctx, r, 20); return err }},
		{"terms", 30, func(r analytics.Range) error { _, err := m.Terms(ctx, r, 20); return err }},
		{"personas", 30, func(r analytics.Range) error { _, err := m.Personas(ctx, r, a.Analytics.Personas); return err }},
		{"funnel 20d", 20, func(r analytics.Range) error { _, err := m.Funnel(ctx, r, 20); return err }},
		{"personas 20d", 20, func(r analytics.Range) error { _, err := m.Personas(ctx, r, a.Analytics.Personas); return err }},
	}
	fmt.Println("console queries over random ranges of 30 days (20d: 20 days):")
	for _, q := range qs {
		ds := make([]time.Duration, queries)
		for i := range ds {
			n := analytics.Day(q.days)
			to := first + n - 1 + analytics.Day(rng.IntN(max(1, days-q.days)))
			t0 := time.Now()
			if err := q.fn(analytics.Range{From: to - n + 1, To: to}); err != nil {
				return err
			}
			ds[i] = time.Since(t0)
		}
		printLatency(q.name, ds)
	}
	return nil
}

// benchAuthors is how many of the bench's users write its notes.
const benchAuthors = 2000

// benchPeople inserts users 1…n with persona fields (so personas join real
// rows) and notes 1…50,000 by the first benchAuthors of them (so creators
// have funnels), in multi-row statements.
func benchPeople(ctx context.Context, a *app.App, n int, rng *rand.Rand) error {
	regions := []string{"上海", "北京", "广东", "浙江", "江苏", "四川", "湖北", ""}
	genders := []string{"female", "female", "female", "male", "other", ""}
	insert := func(head string, rows int, row func(i int) []any) error {
		const chunk = 500
		for i := 0; i < rows; i += chunk {
			var q strings.Builder
			q.WriteString(head)
			var args []any
			for j := i; j < min(rows, i+chunk); j++ {
				r := row(j)
				if j > i {
					q.WriteString(", ")
				}
				q.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(r)), ", ") + ")")
				args = append(args, r...)
			}
			if _, err := a.DB.Writer(ctx).Exec(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		return nil
	}
	if err := insert("INSERT INTO users (id, username, display_name, password_hash, role, gender, birth_year, region, follower_count, created_at, updated_at) VALUES ",
		n, func(i int) []any {
			by := 0
			if rng.IntN(10) > 0 {
				by = 1960 + rng.IntN(50)
			}
			return []any{i + 1, fmt.Sprintf("bench%d", i+1), "bench", "", []string{"user", "user", "user", "merchant"}[rng.IntN(4)],
				genders[rng.IntN(len(genders))], by, regions[rng.IntN(len(regions))], rng.Int64N(3000), 0, 0}
		}); err != nil {
		return err
	}
	return insert("INSERT INTO notes (id, author_id, status, kind, created_at, updated_at) VALUES ", 50_000, func(i int) []any {
		return []any{i + 1, 1 + rng.IntN(min(n, benchAuthors)), "published", "image", 0, 0}
	})
}
