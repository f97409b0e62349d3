package recommend_test

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/id"
)

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func vmHWM() string {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
		}
	}
	return "?"
}

// TestDiscoverLatencySeeded measures the discover feed in process on a
// seeded community (see docs/discovery.md), without HTTP:
//
//	REDMARK_RECS_DATA=/tmp/seed go test ./internal/recommend -run Latency -v
//
// REDMARK_RECS_PROFILE=file also writes a CPU profile of the requests,
// REDMARK_RECS_BUILD_PROFILE=file one of the build, and
// REDMARK_RECS_MEMPROFILE=file an allocation profile.
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
	// The build: each phase's wall time and the heap when it starts, and
	// the process's peak RSS (VmHWM) before and after.
	t.Logf("before the build: peak RSS %s", vmHWM())
	if p := os.Getenv("REDMARK_RECS_BUILD_PROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		pprof.StartCPUProfile(f)
	}
	start := time.Now()
	phase, phaseStart := "", start
	err = a.Recs.Build(ctx, func(p string, done, total int) {
		if p != phase {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if phase != "" {
				t.Logf("  %-12s %8s", phase, time.Since(phaseStart).Round(time.Millisecond))
			}
			t.Logf("  %-12s starts: heap %.0f MiB (in use %.0f, from the OS %.0f)", p, float64(ms.HeapAlloc)/(1<<20),
				float64(ms.HeapInuse)/(1<<20), float64(ms.HeapSys-ms.HeapReleased)/(1<<20))
			phase, phaseStart = p, time.Now()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("REDMARK_RECS_BUILD_PROFILE") != "" {
		pprof.StopCPUProfile()
	}
	t.Logf("build %s, peak RSS %s, %+v", time.Since(start).Round(time.Millisecond), vmHWM(), a.Recs.Stats())
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
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime()
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
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&after)
	if p := os.Getenv("REDMARK_RECS_MEMPROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
	calls := len(cold) + len(warm)
	t.Logf("process CPU per ranking + next page with hydration: %s (%d of each)", (cpu / time.Duration(calls)).Round(time.Microsecond), calls)
	t.Logf("allocated per ranking + hydration: %.0f KiB in %.1f objects; %d GC cycles during the runs",
		float64(after.TotalAlloc-before.TotalAlloc)/float64(calls)/1024, float64(after.Mallocs-before.Mallocs)/float64(calls),
		after.NumGC-before.NumGC)
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
