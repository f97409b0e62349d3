// Package analytics records what happens in the community as compact events
// and turns them into daily rollups the operator console and the generated
// report read (O1–O3). Design: docs/analytics.md.
//
// Events go through a buffered Recorder (batched writes off the request
// path) into a Sink; the SQL sink is the analytics_events table. A cluster
// job rolls complete days up once (Rollup) and deletes raw events past the
// retention period; the metrics read the rollups only.
package analytics

import (
	"context"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Kind is an event type, stored as a small integer. Values are stored:
// never renumber, only add.
type Kind uint8

const (
	Visit        Kind = 1  // a signed-in user opened the web app (once per user and day per server)
	View         Kind = 2  // User opened note Ref (browser)
	Dwell        Kind = 3  // User read note Ref for Amount ms (browser)
	Like         Kind = 4  // User liked note Ref
	Collect      Kind = 5  // User collected note Ref
	Comment      Kind = 6  // User commented on note Ref
	Share        Kind = 7  // User shared note Ref
	Follow       Kind = 8  // User followed Ref
	Search       Kind = 9  // User searched Label
	ProductClick Kind = 10 // User clicked product Ref2 on note Ref (browser)
	AddToCart    Kind = 11 // User put SKU Ref in the cart (Ref2: the live it was added from, 0 if none)
	Order        Kind = 12 // User placed order Ref of Amount fen (Ref2: the live it was attributed to, 0 if none)
	Pay          Kind = 13 // User paid order Ref, Amount fen
	Refund       Kind = 14 // a refund of User's order Ref was approved
	Vote         Kind = 15 // User voted in campaign Ref
	CheckIn      Kind = 16 // User checked in
	SignUp       Kind = 17 // User signed up through channel Label ("" direct, "invite" by invitation)
	LiveWatch    Kind = 18 // User watched live session Ref (recorded by the live feature)
	Publish      Kind = 19 // User published note Ref
	maxKind           = 19
)

var kindNames = [...]string{"", "visit", "view", "dwell", "like", "collect", "comment", "share", "follow", "search",
	"product_click", "add_to_cart", "order", "pay", "refund", "vote", "check_in", "sign_up", "live_watch", "publish"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Kinds lists every kind in order.
func Kinds() []Kind {
	out := make([]Kind, 0, maxKind)
	for k := Kind(1); k <= maxKind; k++ {
		out = append(out, k)
	}
	return out
}

// LabelMax bounds Label (a search term or channel name).
const LabelMax = 64

// Event is one act.
type Event struct {
	ID     id.ID // set by the Recorder when zero
	Kind   Kind
	User   id.ID
	Ref    id.ID
	Ref2   id.ID
	Amount int64
	Label  string
	At     time.Time // set by the Recorder when zero
}

// Day is a UTC day number: days since 1970-01-01.
type Day int

const dayMS = int64(24 * time.Hour / time.Millisecond)

// DayOf returns the UTC day of t.
func DayOf(t time.Time) Day { return Day(t.UnixMilli() / dayMS) }

// Time is the start of d (UTC).
func (d Day) Time() time.Time { return time.UnixMilli(int64(d) * dayMS).UTC() }

func (d Day) String() string { return d.Time().Format(time.DateOnly) }

// ParseDay reads YYYY-MM-DD.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, err
	}
	return DayOf(t), nil
}

// Sink stores batches of events. The SQL sink (NewSQLSink) is the
// analytics_events table; an analytical engine (ClickHouse) would be another
// Sink, with the rollups computed there (docs/analytics.md). Write must be
// idempotent per event ID: a retried batch adds nothing twice.
type Sink interface {
	Write(ctx context.Context, evs []Event) error
}

// SQLSink writes events into analytics_events.
type SQLSink struct{ db *db.DB }

// NewSQLSink returns the database sink.
func NewSQLSink(d *db.DB) *SQLSink { return &SQLSink{db: d} }

// sqlChunk keeps a statement under SQLite's and PostgreSQL's bound-parameter limits.
const sqlChunk = 500

// Write inserts evs in multi-row statements; ids already present are skipped.
func (s *SQLSink) Write(ctx context.Context, evs []Event) error {
	for len(evs) > 0 {
		n := min(len(evs), sqlChunk)
		if err := s.write(ctx, evs[:n]); err != nil {
			return err
		}
		evs = evs[n:]
	}
	return nil
}

func (s *SQLSink) write(ctx context.Context, evs []Event) error {
	var q strings.Builder
	q.WriteString("INSERT INTO analytics_events (id, kind, user_id, ref, ref2, amount, label, at, day) VALUES ")
	args := make([]any, 0, 9*len(evs))
	for i, e := range evs {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
		ms := e.At.UnixMilli()
		args = append(args, e.ID, int(e.Kind), e.User, e.Ref, e.Ref2, e.Amount, e.Label, ms, ms/dayMS)
	}
	q.WriteString(" ON CONFLICT (id) DO NOTHING")
	_, err := s.db.Writer(ctx).Exec(ctx, q.String(), args...)
	return err
}
