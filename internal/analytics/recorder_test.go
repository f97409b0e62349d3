package analytics

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
)

// flaky writes the first half of every other batch, then fails: the
// recorder must write the batch again without doubling the written half.
type flaky struct {
	mu    sync.Mutex
	sink  Sink
	calls int
}

func (f *flaky) Write(ctx context.Context, evs []Event) error {
	f.mu.Lock()
	f.calls++
	fail := f.calls%2 == 1
	f.mu.Unlock()
	if fail {
		if err := f.sink.Write(ctx, evs[:len(evs)/2]); err != nil {
			return err
		}
		return errors.New("connection lost")
	}
	return f.sink.Write(ctx, evs)
}

func TestRecorderConcurrentAddsAndFailedFlushes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		r := NewRecorder(&flaky{sink: NewSQLSink(d)})
		const writers, each = 20, 150
		var wg sync.WaitGroup
		for g := range writers {
			wg.Go(func() {
				for i := range each {
					r.Add(Event{Kind: View, User: id.ID(g + 1), Ref: id.ID(i + 1)})
				}
			})
		}
		stop := make(chan struct{})
		flushed := make(chan struct{})
		go func() {
			defer close(flushed)
			for {
				select {
				case <-stop:
					return
				default:
					_ = r.Flush(ctx)
				}
			}
		}()
		wg.Wait()
		close(stop)
		<-flushed
		for r.Pending() > 0 {
			_ = r.Flush(ctx)
		}
		var n int
		if err := d.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM analytics_events").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != writers*each {
			t.Fatalf("%d events stored, want %d", n, writers*each)
		}
	})
}

func TestHookRecordsAfterCommitOnly(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	r := NewRecorder(NewSQLSink(d))
	boom := errors.New("rolled back")
	_ = d.InTx(ctx, func(ctx context.Context) error {
		_ = r.Hook(ctx, activity.Event{Kind: activity.Collect, User: 1, Ref: 2})
		return boom
	})
	if r.Pending() != 0 {
		t.Fatal("a rolled-back act was recorded")
	}
	_ = d.InTx(ctx, func(ctx context.Context) error {
		_ = r.Hook(ctx, activity.Event{Kind: activity.Liked, User: 9, Actor: 1, Ref: 2})
		return r.Hook(ctx, activity.Event{Kind: "unknown", User: 1})
	})
	if r.Pending() != 1 || r.buf[0].Kind != Like || r.buf[0].User != 1 {
		t.Fatalf("after commit: %+v", r.buf)
	}
	// Visits count once per user and day.
	r.Visit(5)
	r.Visit(5)
	r.Visit(0)
	if r.Pending() != 2 {
		t.Fatalf("visits: %d pending", r.Pending())
	}
}
