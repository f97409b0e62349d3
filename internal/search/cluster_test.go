package search_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/natstest"
)

// Two servers, each with its own embedded index, on one database and one
// NATS: a note published on A is found on both, within a measured delay;
// B stopped and restarted (same data directory, so the same durable
// consumer) catches up on what it missed; each note is found once.
func TestEveryServersIndexFollowsTheOutboxThroughNATS(t *testing.T) {
	url, prefix := natstest.New(t)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		cfgB := app.Config{DataDir: t.TempDir(), NATSURL: url, NATSPrefix: prefix}
		a := apitest.NewWithConfig(t, d, app.Config{DataDir: t.TempDir(), NATSURL: url, NATSPrefix: prefix})
		b := apitest.NewWithConfig(t, d, cfgB)
		for _, e := range []*apitest.Env{a, b} {
			if err := e.App.StartDiscovery(); err != nil {
				t.Fatal(err)
			}
		}
		found := func(srv *app.App, q string) int {
			p, err := srv.Search.Search(ctx, searchReq(q))
			if err != nil {
				t.Fatal(err)
			}
			return len(p.IDs)
		}
		dan := a.SignUp("dan")
		var delays []time.Duration
		for _, word := range []string{"matcha", "hojicha", "sencha", "genmaicha", "gyokuro"} {
			start := time.Now()
			post(t, dan, word+" tasting", "leaves", false)
			waitFor(t, word+" on both servers", func() bool { return found(a.App, word) == 1 && found(b.App, word) == 1 })
			delays = append(delays, time.Since(start))
		}
		slices.Sort(delays)
		t.Logf("a note published on A is found on A and B after p50 %v, max %v", delays[2], delays[4])

		// B goes down; A keeps writing; B comes back under the same name.
		b.App.Shutdown()
		post(t, dan, "oolong tasting", "while B was down", false)
		waitFor(t, "oolong on A", func() bool { return found(a.App, "oolong") == 1 })
		b2, err := app.New(cfgB, d, []byte("test-secret"))
		if err != nil {
			t.Fatal(err)
		}
		defer b2.Shutdown()
		if err := b2.StartDiscovery(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the restarted B to catch up", func() bool { return found(b2, "oolong") == 1 })
		if n := found(b2, "tasting"); n != 6 {
			t.Fatalf("B finds %d tasting notes after its restart, want 6", n)
		}
		if n := pending(t, a.App); n != 0 {
			t.Fatalf("%d outbox rows left after the relay", n)
		}
	})
}
