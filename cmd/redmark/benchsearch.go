package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/search"
)

// benchCmd runs the benchmarks that live in the binary: "search" and "analytics".
func benchCmd(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "analytics" {
		return benchAnalytics(ctx, args[1:])
	}
	if len(args) == 0 || args[0] != "search" {
		return fmt.Errorf("usage: redmark bench search|analytics [flags]")
	}
	return benchSearch(ctx, args[1:])
}

// benchSearch measures the search index on a seeded database (redmark
// seed): indexing throughput (a full rebuild from the database) and query
// latency through search.Service — the engine plus the re-ranking query —
// for queries made from the notes' own titles: one Chinese word, two
// words, one English word, and English words with a typo.
func benchSearch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench search", flag.ExitOnError)
	var cfg app.Config
	commonFlags(fs, &cfg)
	queries := fs.Int("queries", 2000, "queries to time")
	rebuild := fs.Bool("rebuild", true, "rebuild the index first (and time it)")
	seed := fs.Uint64("seed", 1, "random seed for the query mix")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the timed queries to this file")
	rebuildProfile := fs.String("rebuildprofile", "", "write a CPU profile of the rebuild to this file")
	dump := fs.String("results", "", "write each query and its first page of note ids to this file (to compare rankings)")
	fs.Parse(args)
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	rssBase := rss("VmRSS")
	if *rebuild {
		if err := a.Search.Reset(); err != nil {
			return err
		}
		stop, err := startProfile(*rebuildProfile)
		if err != nil {
			return err
		}
		start, cpu0 := time.Now(), cpuTime()
		var rows int
		err = a.Search.Rebuild(ctx, func(done, _ int) { rows = done })
		took, cpu := time.Since(start), cpuTime()-cpu0
		stop()
		if err != nil {
			return err
		}
		fmt.Printf("index rebuild: %d rows in %s = %.0f rows/s wall; %.0f rows per CPU-second (%s CPU; notes, topics, users, products)\n",
			rows, took.Round(time.Millisecond), float64(rows)/took.Seconds(), float64(rows)/cpu.Seconds(), cpu.Round(time.Millisecond))
	}
	defer a.Search.Close()
	fmt.Printf("index on disk: %.1f MiB (%s)\n", float64(dirSize(filepath.Join(cfg.DataDir, "search")))/(1<<20), filepath.Join(cfg.DataDir, "search"))

	qs, err := benchQueries(ctx, a, *queries, *seed)
	if err != nil {
		return err
	}
	if len(qs) == 0 {
		return fmt.Errorf("no published notes to draw queries from: run redmark seed first")
	}
	// Warm up: the first queries load segments and the dictionary.
	for _, q := range qs[:min(50, len(qs))] {
		if _, err := a.Search.Search(ctx, search.Request{Text: q.text, Kind: search.Notes, Limit: 20}); err != nil {
			return err
		}
	}
	byKind := map[string][]time.Duration{}
	var all []time.Duration
	var hits int
	qcpu0 := cpuTime()
	stop, err := startProfile(*profile)
	if err != nil {
		return err
	}
	var results strings.Builder
	for _, q := range qs {
		t := time.Now()
		r, err := a.Search.Search(ctx, search.Request{Text: q.text, Kind: search.Notes, Limit: 20})
		if err != nil {
			return err
		}
		d := time.Since(t)
		if *dump != "" {
			fmt.Fprintf(&results, "%s\t%d\t%v\n", q.text, r.Total, r.IDs)
		}
		if len(r.IDs) > 0 {
			hits++
		}
		byKind[q.kind] = append(byKind[q.kind], d)
		all = append(all, d)
	}
	qcpu := cpuTime() - qcpu0
	stop()
	if *dump != "" {
		if err := os.WriteFile(*dump, []byte(results.String()), 0o644); err != nil {
			return err
		}
	}
	var sugg []time.Duration
	for _, q := range qs[:min(500, len(qs))] {
		rs := []rune(q.text)
		p := string(rs[:min(2, len(rs))])
		t := time.Now()
		if _, err := a.Search.Suggest(ctx, p, 8); err != nil {
			return err
		}
		sugg = append(sugg, time.Since(t))
	}
	fmt.Printf("queries: %d (%d with results), sequential, limit 20, re-rank window %d\n", len(all), hits, search.RerankWindow)
	fmt.Printf("  CPU per query: %s (process CPU time / queries; wall latency below includes waiting for a core)\n",
		(qcpu / time.Duration(len(all))).Round(10*time.Microsecond))
	printLatency("all", all)
	for _, k := range []string{"zh-1", "zh-2", "en-1", "en-typo"} {
		printLatency(k, byKind[k])
	}
	printLatency("suggest", sugg)
	fmt.Printf("RSS: %d MiB before opening the index, %d MiB now, peak %d MiB; dictionary %d words\n",
		rssBase>>10, rss("VmRSS")>>10, rss("VmHWM")>>10, search.DictionaryWords())
	return nil
}

// startProfile starts a CPU profile into path ("" does nothing) and returns
// the function that ends it.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

type benchQuery struct{ kind, text string }

func benchQueries(ctx context.Context, a *app.App, n int, seed uint64) ([]benchQuery, error) {
	rows, err := a.DB.Reader(ctx).Query(ctx, "SELECT title FROM notes WHERE status = 'published' ORDER BY id DESC LIMIT 20000")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var zh, en []string
	for rows.Next() {
		var title string
		if err := rows.Scan(&title); err != nil {
			return nil, err
		}
		for _, t := range search.AnalyzeQuery(title) {
			switch {
			case t.Latin && len(t.Term) >= 4:
				en = append(en, title[t.Start:t.End])
			case !t.Latin && utf8.RuneCountInString(t.Term) >= 2:
				zh = append(zh, t.Term)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(seed, 7))
	var out []benchQuery
	for i := 0; i < n && (len(zh) > 0 || len(en) > 0); i++ {
		switch i % 10 {
		case 0, 1, 2, 3:
			if len(zh) > 0 {
				out = append(out, benchQuery{"zh-1", zh[r.IntN(len(zh))]})
			}
		case 4, 5, 6:
			if len(zh) > 0 {
				out = append(out, benchQuery{"zh-2", zh[r.IntN(len(zh))] + " " + zh[r.IntN(len(zh))]})
			}
		case 7, 8:
			if len(en) > 0 {
				out = append(out, benchQuery{"en-1", strings.ToLower(en[r.IntN(len(en))])})
			}
		default:
			if len(en) > 0 {
				w := strings.ToLower(en[r.IntN(len(en))])
				if len(w) >= 5 { // drop one letter (not the first)
					k := 1 + r.IntN(len(w)-1)
					w = w[:k] + w[k+1:]
				}
				out = append(out, benchQuery{"en-typo", w})
			}
		}
	}
	return out, nil
}

func printLatency(name string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	pct := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	fmt.Printf("  %-8s n=%-5d p50 %-9s p95 %-9s p99 %s\n", name, len(s), pct(.50).Round(10*time.Microsecond),
		pct(.95).Round(10*time.Microsecond), pct(.99).Round(10*time.Microsecond))
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rss reads a /proc/self/status field in KiB (0 where there is no /proc).
func rss(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			var n int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &n)
			return n
		}
	}
	return 0
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
