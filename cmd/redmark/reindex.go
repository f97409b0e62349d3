package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/redmark/redmark/internal/app"
)

// reindexCmd rebuilds the search index from the database. The embedded
// index belongs to one process, so the server must be stopped (opening the
// index fails after a few seconds otherwise). Outbox rows written before the
// rebuild are applied by the server at its next start; they are harmless
// repeats.
func reindexCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ExitOnError)
	var cfg app.Config
	commonFlags(fs, &cfg)
	profile := fs.String("cpuprofile", "", "write a CPU profile of the rebuild to this file")
	fs.Parse(args)
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Search.Reset(); err != nil {
		return err
	}
	defer a.Search.Close()
	stop, err := startProfile(*profile)
	if err != nil {
		return err
	}
	defer stop()
	b := &bars{}
	start := time.Now()
	var rows int
	err = a.Search.Rebuild(ctx, func(done, total int) {
		b.progress("indexing", done, total)
		rows = done
	})
	b.finish()
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(os.Stderr, "\nindexed %d rows in %s (%.0f rows/s)\n", rows, took.Round(time.Millisecond), float64(rows)/max(took.Seconds(), 1e-9))
	return nil
}
