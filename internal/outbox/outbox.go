// Package outbox is a durable queue of "this row changed" events kept in the
// database itself (the transactional outbox pattern). Domain code calls Add
// inside the transaction that makes a change, so the event exists if and
// only if the change committed. A consumer (the search indexer) reads rows
// in id order with Next, applies them to its own store, and only then calls
// Done to delete them: if the process dies in between, the rows are read
// again at the next start, so no update is lost. Consumers must therefore
// be idempotent; the search indexer is, because an event only names a row
// ("note 42 changed") and the consumer re-reads the row's current state.
//
// A row committed late by a slow transaction may carry a smaller id than
// rows already consumed; deleting exactly the rows processed (rather than
// advancing an offset) means it is still picked up by the next Next.
package outbox

import (
	"context"
	"sync"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Topics name what changed; Ref is the row's id.
const (
	Note    = "note"
	User    = "user"
	Product = "product"
)

// Event is one outbox row.
type Event struct {
	ID    id.ID
	Topic string
	Ref   id.ID
}

// Add records that topic/ref changed. Call it with the ctx of the
// transaction making the change (db.InTx), so both commit or neither does.
// Once the transaction commits, waiting consumers are woken.
func Add(ctx context.Context, d *db.DB, topic string, ref id.ID) error {
	_, err := d.Writer(ctx).Exec(ctx, "INSERT INTO outbox (id, topic, ref, created_at) VALUES (?, ?, ?, ?)",
		id.New(), topic, ref, db.Now())
	if err != nil {
		return err
	}
	db.AfterCommit(ctx, wake)
	return nil
}

// Next returns up to limit of the oldest events among topics (all topics
// when none are given).
func Next(ctx context.Context, d *db.DB, limit int, topics ...string) ([]Event, error) {
	q := "SELECT id, topic, ref FROM outbox"
	args := make([]any, 0, len(topics)+1)
	if len(topics) > 0 {
		q += " WHERE topic IN (" + db.Placeholders(len(topics)) + ")"
		for _, t := range topics {
			args = append(args, t)
		}
	}
	q += " ORDER BY id LIMIT ?"
	args = append(args, limit)
	rows, err := d.Reader(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.Topic, &e.Ref); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Done deletes consumed events. Call it only after their effect is durable.
func Done(ctx context.Context, d *db.DB, events []Event) error {
	for start := 0; start < len(events); start += 500 {
		chunk := events[start:min(start+500, len(events))]
		args := make([]any, len(chunk))
		for i, e := range chunk {
			args[i] = e.ID
		}
		if _, err := d.Writer(ctx).Exec(ctx, "DELETE FROM outbox WHERE id IN ("+db.Placeholders(len(args))+")", args...); err != nil {
			return err
		}
	}
	return nil
}

// Pending counts the events not yet consumed (a lag gauge).
func Pending(ctx context.Context, d *db.DB) (int64, error) {
	var n int64
	err := d.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM outbox").Scan(&n)
	return n, err
}

// Wakes broadcast "something committed" to consumers in this process, so
// they react at once instead of at their next poll. Consumers still poll:
// another process (a CLI, a second server) may have written the row.
var (
	wakeMu sync.Mutex
	wakeCh = make(chan struct{})
)

func wake() {
	wakeMu.Lock()
	close(wakeCh)
	wakeCh = make(chan struct{})
	wakeMu.Unlock()
}

// Wait returns a channel closed at the next Add that commits.
func Wait() <-chan struct{} {
	wakeMu.Lock()
	defer wakeMu.Unlock()
	return wakeCh
}

// Direct is the outbox read by its one consumer on one server: Next reads
// the oldest rows of its topics, Done deletes them. (With NATS, the
// changefeed relay is that one consumer and servers read the stream.)
type Direct struct {
	db     *db.DB
	topics []string
}

// NewDirect reads topics (all when none) from d.
func NewDirect(d *db.DB, topics ...string) *Direct { return &Direct{db: d, topics: topics} }

func (o *Direct) Next(ctx context.Context, limit int) ([]Event, error) {
	return Next(ctx, o.db, limit, o.topics...)
}

func (o *Direct) Done(ctx context.Context, evs []Event) error { return Done(ctx, o.db, evs) }

// Wait returns a channel closed at the next commit that adds a row here.
func (o *Direct) Wait() <-chan struct{} { return Wait() }
