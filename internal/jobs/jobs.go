// Package jobs is the one runner for background work. A job is a function
// run every interval until the runner stops. Local jobs run on every server
// (they refresh that server's in-memory state: trends, sold-out flags).
// Cluster jobs change shared data (expire orders, settle flash sales) and run
// on one server at a time: the one holding the job's lease in the database.
// The holder renews the lease on each run; if it dies, another server takes
// the job over once the lease lapses (TTL); a server that stops hands its
// leases back at once. A lease avoids doing the work twice, it is not what
// makes the work correct: every cluster job is idempotent (conditional
// updates), so a run that overlaps a takeover does no harm.
package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/db"
)

// Scope says where a job runs.
type Scope int

const (
	Local   Scope = iota // on every server
	Cluster              // on the lease holder only
)

// Runner runs jobs until Stop.
type Runner struct {
	db     *db.DB
	holder string // this server, in the lease table
	now    func() time.Time

	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	names  map[string]bool
}

// New returns a runner whose cluster jobs lease through d under the name
// node, which must differ between the servers of a cluster and should stay
// the same across a server's restarts (so it takes its leases straight back).
func New(d *db.DB, node string) *Runner {
	ctx, cancel := context.WithCancel(context.Background())
	return &Runner{db: d, holder: node, now: time.Now, ctx: ctx, cancel: cancel, names: map[string]bool{}}
}

// Every runs fn now and then every interval. A name is registered once:
// a second Every with the same name is ignored, so Start functions can be
// called again harmlessly. Errors are logged; the job runs again next tick.
func (r *Runner) Every(name string, interval time.Duration, scope Scope, fn func(context.Context) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names[name] || r.ctx.Err() != nil {
		return
	}
	r.names[name] = true
	ttl := LeaseTTL(interval)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		var held time.Time // our lease runs until then, as last written
		for {
			if scope == Local || r.holds(r.ctx, name, ttl, &held) {
				if err := fn(r.ctx); err != nil && r.ctx.Err() == nil {
					slog.Warn("job failed", "job", name, "err", err)
				}
			}
			select {
			case <-r.ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// LeaseTTL is how long a cluster job's lease lasts without renewal: three
// missed runs, and never under 30 s so a slow run keeps its lease.
func LeaseTTL(interval time.Duration) time.Duration {
	return max(3*interval, 30*time.Second)
}

// holds reports whether this server holds name's lease, renewing it only
// once half its time is gone: a job run every 100 ms writes its lease
// every 15 s, not ten times a second.
func (r *Runner) holds(ctx context.Context, name string, ttl time.Duration, held *time.Time) bool {
	now := r.now()
	if held.Sub(now) > ttl/2 {
		return true
	}
	if !r.lease(ctx, name, ttl) {
		*held = time.Time{}
		return false
	}
	*held = now.Add(ttl)
	return true
}

// lease takes or renews name's lease for ttl and reports whether this
// process holds it. One statement does both, so two servers racing for a
// lapsed lease cannot both win.
func (r *Runner) lease(ctx context.Context, name string, ttl time.Duration) bool {
	now := r.now()
	res, err := r.db.Writer(ctx).Exec(ctx, `INSERT INTO job_leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE job_leases.holder = excluded.holder OR job_leases.expires_at < ?`,
		name, r.holder, now.Add(ttl).UnixMilli(), now.UnixMilli())
	if err != nil {
		if ctx.Err() == nil {
			slog.Warn("job lease", "job", name, "err", err)
		}
		return false
	}
	n, err := res.RowsAffected()
	return err == nil && n == 1
}

// Stop ends every job, waits for running ones to return and hands this
// server's leases back so another server takes over without waiting.
func (r *Runner) Stop() {
	r.cancel()
	r.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := r.db.Writer(ctx).Exec(ctx, "DELETE FROM job_leases WHERE holder = ?", r.holder); err != nil {
		slog.Warn("release job leases", "err", err)
	}
}
