package analytics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// MaxBuffered bounds the events held in memory between flushes. Beyond it
// new events are dropped (and counted): analytics never slows a request or
// grows without bound when the database is down.
const MaxBuffered = 200_000

// Recorder buffers events in memory; Flush writes them to the sink in
// batches. Add never blocks on the database. Each event gets its ID when
// added, so a batch that failed and is written again adds nothing twice.
type Recorder struct {
	sink Sink
	now  func() time.Time

	mu      sync.Mutex
	buf     []Event
	dropped int64
	visits  map[id.ID]Day // users whose visit is recorded today (by this server)
	flushMu sync.Mutex    // one flush at a time, so failed batches go back in order
}

// NewRecorder returns a recorder writing to sink.
func NewRecorder(sink Sink) *Recorder {
	return &Recorder{sink: sink, now: time.Now, visits: map[id.ID]Day{}}
}

// Add buffers e, giving it an ID and time when it has none.
func (r *Recorder) Add(e Event) {
	if e.Kind == 0 || e.Kind > maxKind {
		return
	}
	if e.ID == 0 {
		e.ID = id.New()
	}
	if e.At.IsZero() {
		e.At = r.now()
	}
	if len(e.Label) > LabelMax*4 {
		e.Label = e.Label[:LabelMax*4]
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) >= MaxBuffered {
		r.dropped++
		return
	}
	r.buf = append(r.buf, e)
}

// Visit records user's first visit of the day on this server.
func (r *Recorder) Visit(user id.ID) {
	if user == 0 {
		return
	}
	today := DayOf(r.now())
	r.mu.Lock()
	if r.visits[user] == today {
		r.mu.Unlock()
		return
	}
	if len(r.visits) > 1_000_000 { // a new day, or a very big one: start over
		clear(r.visits)
	}
	r.visits[user] = today
	r.mu.Unlock()
	r.Add(Event{Kind: Visit, User: user})
}

// Flush writes the buffered events. On failure they go back to the
// buffer for the next flush.
func (r *Recorder) Flush(ctx context.Context) error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	r.mu.Lock()
	batch := r.buf
	r.buf = nil
	dropped := r.dropped
	r.dropped = 0
	r.mu.Unlock()
	if dropped > 0 {
		slog.Warn("analytics events dropped: buffer full", "dropped", dropped)
	}
	if len(batch) == 0 {
		return nil
	}
	if err := r.sink.Write(ctx, batch); err != nil {
		r.mu.Lock()
		r.buf = append(batch, r.buf...)
		if len(r.buf) > MaxBuffered {
			r.dropped += int64(len(r.buf) - MaxBuffered)
			r.buf = r.buf[:MaxBuffered]
		}
		r.mu.Unlock()
		return err
	}
	return nil
}

// Pending is how many events wait for the next flush.
func (r *Recorder) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.buf)
}

// Hook is the activity hook: each act is buffered once its transaction
// commits (never when it rolls back).
func (r *Recorder) Hook(ctx context.Context, a activity.Event) error {
	e, ok := fromActivity(a)
	if ok {
		db.AfterCommit(ctx, func() { r.Add(e) })
	}
	return nil
}

// fromActivity maps a domain act to an event.
func fromActivity(a activity.Event) (Event, bool) {
	e := Event{User: a.User, Ref: a.Ref, Amount: a.Amount}
	switch a.Kind {
	case activity.Publish:
		e.Kind = Publish
	case activity.Liked: // the hook's User is the author; the event is the liker's
		e.Kind, e.User = Like, a.Actor
	case activity.Collect:
		e.Kind = Collect
	case activity.Comment:
		e.Kind = Comment
	case activity.Share:
		e.Kind = Share
	case activity.Followed: // the hook's User is the one followed; the event is the follower's
		e.Kind, e.User, e.Ref = Follow, a.Actor, a.User
	case activity.OrderPlaced:
		e.Kind, e.Ref2 = Order, a.Live
	case activity.OrderPaid:
		e.Kind = Pay
	case activity.OrderRefunded:
		e.Kind = Refund
	default:
		return Event{}, false
	}
	return e, true
}
