package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/redmark/redmark/internal/jobs"
	"github.com/redmark/redmark/internal/support"
)

// initSupport builds creator support programs (G2): they lift enrolled
// creators' new notes in the discover feed, with a holdout of readers.
func (a *App) initSupport() {
	a.Support = support.New(a.DB)
	a.Recs.Booster = a.Support
}

// startSupport registers the programs' jobs: every server reloads the live
// programs and writes the impressions it counted; one server at a time
// enrols the creators the programs' rules pick.
func (a *App) startSupport() {
	a.Jobs.Every("support-refresh", support.RefreshEvery, jobs.Local, a.Support.Refresh)
	a.Jobs.Every("support-flush", support.FlushEvery, jobs.Local, a.Support.Flush)
	a.Jobs.Every("support-rules", 10*time.Minute, jobs.Cluster, a.Support.ApplyRules)
}

// flushSupport writes the impressions still counted (at shutdown).
func (a *App) flushSupport() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := a.Support.Flush(ctx); err != nil {
		slog.Warn("flush support impressions at shutdown", "err", err)
	}
}
