package recommend_test

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/id"
)

// TestDiscoverLatencySeeded measures the discover feed in process on a
// seeded community (see docs/discovery.md), without HTTP:
//
//	REDMARK_RECS_DATA=/tmp/seed go test ./internal/recommend -run Latency -v
//
// REDMARK_RECS_PROFILE=file also writes a CPU profile.
func TestDiscoverLatencySeeded(t *testing.T) {
	dir := os.Getenv("REDMARK_RECS_DATA")
	if dir == "" {
		t.Skip("set REDMARK_RECS_DATA to a seeded data directory")
	}
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	start := time.Now()
	if err := a.Recs.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("build %s, %+v", time.Since(start).Round(time.Millisecond), a.Recs.Stats())
	rows, err := a.DB.Reader(ctx).Query(ctx, "SELECT id FROM users ORDER BY id LIMIT 300")
	if err != nil {
		t.Fatal(err)
	}
	users := []id.ID{0}
	for rows.Next() {
		var u id.ID
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	rows.Close()
	if p := os.Getenv("REDMARK_RECS_PROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var cold, warm, hydrated []time.Duration
	for round := 0; round < 3; round++ {
		for _, u := range users {
			t0 := time.Now()
			p, err := a.Recs.Discover(ctx, u, "", 20)
			if err != nil || len(p.Items) == 0 {
				t.Fatalf("user %v: %v, %d items", u, err, len(p.Items))
			}
			if round == 0 {
				cold = append(cold, time.Since(t0))
			} else {
				warm = append(warm, time.Since(t0))
			}
			t0 = time.Now()
			if _, _, err := a.Discover(ctx, u, p.Next, 20); err != nil {
				t.Fatal(err)
			}
			hydrated = append(hydrated, time.Since(t0))
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("live heap after the runs (whole app, no search indexer): %.1f MiB; %+v", float64(ms.HeapAlloc)/(1<<20), a.Recs.Stats())
	pc := func(l []time.Duration) (time.Duration, time.Duration) {
		slices.Sort(l)
		return l[len(l)/2], l[len(l)*99/100]
	}
	for _, x := range []struct {
		name string
		l    []time.Duration
	}{{"ranking, profile loaded from the tables", cold}, {"ranking, profile in memory", warm}, {"ranking + hydration (next page)", hydrated}} {
		p50, p99 := pc(x.l)
		t.Logf("%-40s p50 %8s  p99 %8s", x.name, p50.Round(time.Microsecond), p99.Round(time.Microsecond))
	}
}
