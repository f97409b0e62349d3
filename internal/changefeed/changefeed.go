// Package changefeed carries the outbox (internal/outbox) to every server
// through NATS JetStream, so each server's consumers — its search index
// first — see every change exactly once in effect, even across crashes.
//
// Without NATS the one consumer reads the outbox table directly and deletes
// what it applied (outbox.Direct), which is right for one server. With NATS:
//
//   - the relay (a cluster job: one server at a time) moves outbox rows into
//     the stream "<prefix>_changes", subject "<prefix>.changes.<topic>",
//     each message carrying its outbox id as Nats-Msg-Id, and deletes the
//     rows only after JetStream acknowledged them. A relay that dies between
//     publishing and deleting publishes the rows again after restart; the
//     stream's duplicate window drops the second copy, so nothing is lost
//     and nothing is doubled;
//   - every server reads the stream through its own durable consumer
//     (Consumer, named after the server), and acknowledges a batch only once
//     its effect is durable (the index has the batch). Unacknowledged
//     messages are delivered again after a crash; consumers are idempotent
//     (an event only names a row, which is re-read).
package changefeed

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/outbox"
)

// Retention is how long the stream keeps changes: a server offline for
// longer finds its consumer behind the stream's start and rebuilds.
const Retention = 7 * 24 * time.Hour

// RelayInterval is how often the relay looks for new outbox rows: the
// delay a change may wait before it reaches the other servers.
const RelayInterval = 100 * time.Millisecond

// AckWait is how long a delivered change may stay unacknowledged before
// the stream delivers it again. A server killed mid-batch gets its batch
// again this long after it restarts, so it is short; a batch that takes
// longer is applied twice, which is harmless (consumers are idempotent).
const AckWait = 10 * time.Second

// Feed is a connection to the stream.
type Feed struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	stream  jetstream.Stream
	prefix  string
	db      *db.DB
	subject string
}

// Open connects to NATS at url and creates (or updates) the stream.
// prefix namespaces the stream and its subjects ("redmark").
func Open(ctx context.Context, url, prefix string, d *db.DB) (*Feed, error) {
	nc, err := nats.Connect(url, nats.Name("redmark"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("connect to NATS %s: %w", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       prefix + "_changes",
		Subjects:   []string{prefix + ".changes.*"},
		Storage:    jetstream.FileStorage,
		MaxAge:     Retention,
		Duplicates: 10 * time.Minute,
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("create JetStream stream %s_changes: %w", prefix, err)
	}
	return &Feed{nc: nc, js: js, stream: st, prefix: prefix, db: d, subject: prefix + ".changes."}, nil
}

// Close drops the connection.
func (f *Feed) Close() { f.nc.Close() }

// Relay moves pending outbox rows into the stream, 500 at a time, and
// deletes each batch once JetStream has stored it. Run it as a cluster job.
func (f *Feed) Relay(ctx context.Context) error {
	for {
		evs, err := outbox.Next(ctx, f.db, 500)
		if err != nil || len(evs) == 0 {
			return err
		}
		acks := make([]jetstream.PubAckFuture, len(evs))
		for i, e := range evs {
			m := nats.NewMsg(f.subject + e.Topic)
			m.Data = []byte(e.Topic + " " + e.Ref.String())
			m.Header.Set(jetstream.MsgIDHeader, e.ID.String())
			if acks[i], err = f.js.PublishMsgAsync(m); err != nil {
				return err
			}
		}
		for _, a := range acks {
			select {
			case <-a.Ok():
			case err := <-a.Err():
				return fmt.Errorf("relay outbox to NATS: %w", err)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err := outbox.Done(ctx, f.db, evs); err != nil {
			return err
		}
	}
}

// Consumer is one server's durable reading of the stream for some topics.
// It satisfies the search indexer's source of changes (Next, Done, Wait).
type Consumer struct {
	cons    jetstream.Consumer
	want    map[string]bool         // topics read (all when empty)
	pending map[id.ID]jetstream.Msg // delivered, not yet acknowledged
	wait    time.Duration
}

// Consumer opens (or creates) the durable consumer name for topics. fresh
// says it did not exist: the caller must then rebuild its state from the
// database, since the consumer starts at the changes made from now on.
func (f *Feed) Consumer(ctx context.Context, name string, topics ...string) (c *Consumer, fresh bool, err error) {
	// One filter subject: servers before 2.10 (Debian's) take no list, so
	// a consumer of several topics reads them all and skips the others.
	filter, want := f.subject+"*", map[string]bool{}
	for _, t := range topics {
		want[t] = true
	}
	if len(topics) == 1 {
		filter = f.subject + topics[0]
	}
	_, err = f.stream.Consumer(ctx, name)
	fresh = errors.Is(err, jetstream.ErrConsumerNotFound)
	if err != nil && !fresh {
		return nil, false, err
	}
	cons, err := f.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       name,
		FilterSubject: filter,
		DeliverPolicy: jetstream.DeliverNewPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       AckWait,
		MaxAckPending: -1,
		// A server gone for good frees its consumer after the retention.
		InactiveThreshold: Retention,
	})
	if err != nil {
		return nil, false, fmt.Errorf("JetStream consumer %s: %w", name, err)
	}
	return &Consumer{cons: cons, want: want, pending: map[id.ID]jetstream.Msg{}, wait: 200 * time.Millisecond}, fresh, nil
}

// Next returns up to limit changes, waiting briefly for the first one so a
// change made on another server is applied as soon as it arrives.
func (c *Consumer) Next(ctx context.Context, limit int) ([]outbox.Event, error) {
	first, err := c.cons.Next(jetstream.FetchMaxWait(c.wait))
	if errors.Is(err, nats.ErrTimeout) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []outbox.Event
	c.take(first, &out)
	if limit > 1 {
		rest, err := c.cons.FetchNoWait(limit - 1)
		if err != nil {
			return out, err
		}
		for m := range rest.Messages() {
			c.take(m, &out)
		}
		if err := rest.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return out, err
		}
	}
	return out, nil
}

// take adds m to out and to the messages awaiting Done.
func (c *Consumer) take(m jetstream.Msg, out *[]outbox.Event) {
	e, err := decode(m)
	if err != nil {
		_ = m.Term() // not ours to understand; never redeliver it
		return
	}
	if len(c.want) > 0 && !c.want[e.Topic] {
		_ = m.Ack()
		return
	}
	c.pending[e.ID] = m
	*out = append(*out, e)
}

// Done acknowledges applied changes; call it only once their effect is durable.
func (c *Consumer) Done(ctx context.Context, evs []outbox.Event) error {
	for _, e := range evs {
		m, ok := c.pending[e.ID]
		if !ok {
			continue
		}
		if err := m.DoubleAck(ctx); err != nil {
			return err
		}
		delete(c.pending, e.ID)
	}
	return nil
}

// Wait returns a closed channel: Next itself waits for new messages, so
// the indexer may call it again at once.
func (c *Consumer) Wait() <-chan struct{} { return closed }

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func decode(m jetstream.Msg) (outbox.Event, error) {
	topic, ref, ok := strings.Cut(string(m.Data()), " ")
	eid, err1 := id.Parse(m.Headers().Get(jetstream.MsgIDHeader))
	rid, err2 := id.Parse(ref)
	if !ok || err1 != nil || err2 != nil {
		return outbox.Event{}, fmt.Errorf("bad change message %q", m.Data())
	}
	return outbox.Event{ID: eid, Topic: topic, Ref: rid}, nil
}
