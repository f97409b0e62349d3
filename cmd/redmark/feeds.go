package main

import (
	"context"
	"log/slog"
	"time"
)

// rebuildFeedsCmd recomputes every following timeline from follows and
// notes (repair after a restore or bulk import). The server may keep
// running: each batch of readers is replaced in its own transaction.
func rebuildFeedsCmd(ctx context.Context, args []string) error {
	a, err := openApp(ctx, "rebuild-feeds", args)
	if err != nil {
		return err
	}
	defer a.Close()
	b := &bars{}
	start := time.Now()
	err = a.Feed.RebuildAll(ctx, func(done, total int) { b.progress("timelines", done, total) })
	b.finish()
	if err != nil {
		return err
	}
	slog.Info("following timelines rebuilt", "took", time.Since(start).Round(time.Millisecond).String())
	return nil
}
