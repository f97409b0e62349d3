package livechat

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/redistest"
)

// TestTwoServersShareARoomThroughRedis: two services ("servers") on one
// database and one Redis; a message sent on A reaches a subscriber on B,
// hearts and deletions too, and each counts the other's viewers.
func TestTwoServersShareARoomThroughRedis(t *testing.T) {
	url, prefix := redistest.New(t)
	f := newFixture(t, dbtest.SQLite(t))
	b := New(f.d, f.rooms, f.growth)
	ctx := context.Background()
	opt, _ := redis.ParseURL(url)
	for i, s := range []*Service{f.s, b} {
		rdb := redis.NewClient(opt)
		t.Cleanup(func() { rdb.Close() })
		if err := s.UseRedis(ctx, rdb, prefix+":livechat", string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
	}
	host, viewer := f.user("creator"), f.user("user")
	live := f.rooms.Add(host.ID, Live)
	onB := b.Hub().Subscribe(live)
	defer onB.Close()
	onA := f.s.Hub().Subscribe(live)
	defer onA.Close()
	onA2 := f.s.Hub().Subscribe(live)
	defer onA2.Close()

	m, err := f.s.Send(ctx, viewer, live, "hello from A")
	if err != nil {
		t.Fatal(err)
	}
	want := string(messageFrame(m))
	got := next(t, onB)
	if got != want {
		t.Fatalf("B received %q, want %q", got, want)
	}
	if got := next(t, onA); got != want {
		t.Fatalf("A received %q", got)
	}
	// Hearts tapped on B are announced on A.
	b.Heart(ctx, viewer, live, 4)
	b.Tick(ctx)
	if got := next(t, onA); !strings.Contains(got, `"n":4,"total":4`) {
		t.Fatalf("A received %q", got)
	}
	// Viewers: 2 on A + 1 on B, once both have reported.
	deadline := time.Now().Add(5 * time.Second)
	for f.s.Viewers(live) != 3 || b.Viewers(live) != 3 {
		if time.Now().After(deadline) {
			t.Fatalf("viewers on A %d, on B %d; want 3", f.s.Viewers(live), b.Viewers(live))
		}
		f.s.Tick(ctx)
		b.Tick(ctx)
		time.Sleep(20 * time.Millisecond)
	}
	// A deletion on B clears the message on A.
	if err := b.Delete(ctx, host, live, m.ID); err != nil {
		t.Fatal(err)
	}
	for {
		got := next(t, onA2)
		if strings.HasPrefix(got, "event: delete") {
			break
		}
	}
}

// next waits for the subscriber's next event.
func next(t *testing.T, s *Sub) string {
	t.Helper()
	for {
		if fr, ok := s.Next(nil); !ok {
			t.Fatal("lapped")
		} else if len(fr) > 0 {
			s.next -= uint64(len(fr) - 1) // hand back all but the first
			return string(fr[0])
		}
		select {
		case <-s.Wait():
		case <-time.After(5 * time.Second):
			t.Fatal("no event within 5 s")
		}
	}
}
