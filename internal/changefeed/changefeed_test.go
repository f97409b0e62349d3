package changefeed

import (
	"context"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/natstest"
	"github.com/redmark/redmark/internal/outbox"
)

// A relay that dies after publishing but before deleting the rows
// publishes them again; the stream keeps one copy, and a consumer that
// dies before acknowledging gets its batch again.
func TestRelayAndConsumeExactlyOnceAcrossCrashes(t *testing.T) {
	url, prefix := natstest.New(t)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f, err := Open(ctx, url, prefix+"_"+d.Dialect.String(), d)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		c, fresh, err := f.Consumer(ctx, "search-a", outbox.Note, outbox.User)
		if err != nil || !fresh {
			t.Fatalf("new consumer: fresh %v, %v", fresh, err)
		}
		refs := []id.ID{id.New(), id.New(), id.New()}
		add := func(topic string, ref id.ID) {
			if err := d.InTx(ctx, func(ctx context.Context) error { return outbox.Add(ctx, d, topic, ref) }); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range refs {
			add(outbox.Note, r)
		}
		add(outbox.Product, id.New()) // a topic this consumer does not read
		rows, err := outbox.Next(ctx, d, 10)
		if err != nil {
			t.Fatal(err)
		}
		// The relay publishes, then "crashes" before deleting: put the rows back.
		if err := f.Relay(ctx); err != nil {
			t.Fatal(err)
		}
		for _, e := range rows {
			if _, err := d.Writer(ctx).Exec(ctx, "INSERT INTO outbox (id, topic, ref, created_at) VALUES (?, ?, ?, ?)", e.ID, e.Topic, e.Ref, db.Now()); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Relay(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := outbox.Pending(ctx, d); n != 0 {
			t.Fatalf("%d outbox rows left after the relay", n)
		}
		info, err := f.stream.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Msgs != 4 {
			t.Fatalf("stream holds %d messages after a relayed replay, want 4", info.State.Msgs)
		}
		got, err := c.Next(ctx, 10)
		if err != nil || len(got) != 3 {
			t.Fatalf("consumer got %v (%v), want the 3 note changes", got, err)
		}
		// The consumer dies before Done: a new one under the same name gets
		// the batch again once the ack wait passes; here, at once after a nak.
		for _, m := range c.pending {
			_ = m.Nak()
		}
		c2, fresh, err := f.Consumer(ctx, "search-a", outbox.Note, outbox.User)
		if err != nil || fresh {
			t.Fatalf("reopened consumer: fresh %v, %v", fresh, err)
		}
		again, err := c2.Next(ctx, 10)
		if err != nil || len(again) != 3 {
			t.Fatalf("redelivered %v (%v), want 3", again, err)
		}
		if err := c2.Done(ctx, again); err != nil {
			t.Fatal(err)
		}
		c2.wait = 300 * time.Millisecond
		if rest, err := c2.Next(ctx, 10); err != nil || len(rest) != 0 {
			t.Fatalf("after Done the consumer still gets %v (%v)", rest, err)
		}
	})
}
