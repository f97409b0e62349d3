package jobs

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
)

// Two runners on one database stand for two servers.
func TestClusterJobRunsOnOneServerLocalJobOnAll(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		a, b := New(d, "server-a"), New(d, "server-b")
		var clusterRuns, localRuns [2]atomic.Int64
		for i, r := range []*Runner{a, b} {
			r.Every("expire", 5*time.Millisecond, Cluster, func(context.Context) error { clusterRuns[i].Add(1); return nil })
			r.Every("refresh", 5*time.Millisecond, Local, func(context.Context) error { localRuns[i].Add(1); return nil })
			r.Every("expire", 5*time.Millisecond, Cluster, func(context.Context) error { t.Error("a name registers once"); return nil })
		}
		waitFor(t, func() bool { return localRuns[0].Load() > 5 && localRuns[1].Load() > 5 })
		if clusterRuns[0].Load() > 0 && clusterRuns[1].Load() > 0 {
			t.Fatalf("the cluster job ran on both servers: %d and %d runs", clusterRuns[0].Load(), clusterRuns[1].Load())
		}
		holder, other := a, b
		otherRuns := &clusterRuns[1]
		if clusterRuns[1].Load() > 0 {
			holder, other, otherRuns = b, a, &clusterRuns[0]
		}
		// The holder stops and hands its lease back: the other server takes
		// the job over at its next tick, not after the TTL.
		holder.Stop()
		waitFor(t, func() bool { return otherRuns.Load() > 0 })
		other.Stop()
		var left int
		if err := d.Reader(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM job_leases").Scan(&left); err != nil || left != 0 {
			t.Errorf("leases left after both stopped: %d (%v)", left, err)
		}
	})
}

func TestLeaseLapsesAndExactlyOneTakesOver(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ttl := time.Minute
		dead := New(d, "dead")
		if !dead.lease(ctx, "settle", ttl) || !dead.lease(ctx, "settle", ttl) {
			t.Fatal("a free lease is taken and renewed by its holder")
		}
		late := time.Now().Add(2 * ttl) // the holder died; its lease has lapsed
		servers := make([]*Runner, 20)
		for i := range servers {
			servers[i] = New(d, fmt.Sprintf("server-%d", i))
			if servers[i].lease(ctx, "settle", ttl) {
				t.Fatal("a live lease was taken by another server")
			}
			servers[i].now = func() time.Time { return late }
		}
		var wins atomic.Int64
		var wg sync.WaitGroup
		for _, s := range servers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if s.lease(ctx, "settle", ttl) {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("%d servers took the lapsed lease, want exactly 1", wins.Load())
		}
		if dead.lease(ctx, "settle", ttl) {
			t.Error("the old holder got its lease back while the new one holds it")
		}
		// A server restarted under its old name takes its live lease back at
		// once rather than waiting for it to lapse.
		holder := ""
		if err := d.Reader(ctx).QueryRow(ctx, "SELECT holder FROM job_leases WHERE name = 'settle'").Scan(&holder); err != nil {
			t.Fatal(err)
		}
		restarted := New(d, holder)
		restarted.now = func() time.Time { return late }
		if !restarted.lease(ctx, "settle", ttl) {
			t.Error("a restarted server did not get its own lease back")
		}
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
