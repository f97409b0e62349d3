package livechat

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/id"
)

// TestHubTenThousandSubscribers: every one of 10,000 readers (1,000 under
// the race detector) gets every event in order.
func TestHubTenThousandSubscribers(t *testing.T) {
	h := NewHub()
	live := id.New()
	readers, events := 10_000, 50
	if raceOn {
		readers = 1_000
	}
	var wg sync.WaitGroup
	// One abort channel per reader, as each connection has its own
	// context: a channel shared by 10,000 selects is one contended lock.
	aborts := make([]chan struct{}, readers)
	errs := make(chan error, readers)
	subs := make([]*Sub, readers)
	for r := range subs {
		subs[r] = h.Subscribe(live)
	}
	for r, s := range subs {
		abort := make(chan struct{})
		aborts[r] = abort
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer s.Close()
			var buf [][]byte
			for seen := 0; seen < events; {
				select {
				case <-s.Wait():
				case <-abort:
					errs <- fmt.Errorf("reader %d: stuck after %d events", r, seen)
					return
				}
				var ok bool
				if buf, ok = s.Next(buf[:0]); !ok {
					errs <- fmt.Errorf("reader %d lapped", r)
					return
				}
				for _, b := range buf {
					if want := fmt.Sprint(seen); string(b) != want {
						errs <- fmt.Errorf("reader %d: got %s, want %s", r, b, want)
						return
					}
					seen++
				}
			}
		}()
	}
	if n := h.Count(live); n != readers {
		t.Fatalf("count = %d", n)
	}
	start := time.Now()
	for i := range events {
		if n := h.Broadcast(live, []byte(fmt.Sprint(i))); n > readers {
			t.Fatalf("broadcast reached %d", n)
		}
	}
	timer := time.AfterFunc(time.Minute, func() {
		for _, a := range aborts {
			close(a)
		}
	})
	wg.Wait()
	timer.Stop()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("%d events to %d readers in %v", events, readers, time.Since(start))
	if n := h.Count(live); n != 0 || len(h.Rooms()) != 0 {
		t.Fatalf("after all closed: count %d, rooms %v", n, h.Rooms())
	}
}

// TestHubDropsOnlyTheSlowReader: a reader that stops reading is lapped
// once it is a ring behind; the others and the sender carry on.
func TestHubDropsOnlyTheSlowReader(t *testing.T) {
	h := NewHub()
	live := id.New()
	slow, fast := h.Subscribe(live), h.Subscribe(live)
	defer slow.Close()
	defer fast.Close()
	var got int
	for i := range 3 * ringSize {
		h.Broadcast(live, []byte(fmt.Sprint(i)))
		if i%16 == 0 {
			fr, ok := fast.Next(nil)
			if !ok {
				t.Fatal("the fast reader was lapped")
			}
			got += len(fr)
		}
	}
	fr, ok := fast.Next(nil)
	if got += len(fr); !ok || got != 3*ringSize {
		t.Fatalf("fast reader got %d events, ok %v", got, ok)
	}
	if _, ok := slow.Next(nil); ok {
		t.Fatal("a reader three rings behind was not lapped")
	}
	// Exactly a ring behind is still fine.
	s := h.Subscribe(live)
	defer s.Close()
	for i := range ringSize {
		h.Broadcast(live, []byte(fmt.Sprint(i)))
	}
	if fr, ok := s.Next(nil); !ok || len(fr) != ringSize || string(fr[0]) != "0" {
		t.Fatalf("a ring behind: %d events, ok %v", len(fr), ok)
	}
}

// TestHubChurn subscribes and leaves from many goroutines while events
// flow (run with -race).
func TestHubChurn(t *testing.T) {
	h := NewHub()
	live := id.New()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					h.Broadcast(live, []byte("x"))
				}
			}
		}()
	}
	var readers sync.WaitGroup
	for range 50 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for range 200 {
				s := h.Subscribe(live)
				select {
				case <-s.Wait():
					s.Next(nil)
				case <-time.After(time.Second):
				}
				h.Count(live)
				s.Close()
			}
		}()
	}
	readers.Wait()
	close(stop)
	wg.Wait()
	if n := h.Count(live); n != 0 {
		t.Fatalf("count = %d after everyone left", n)
	}
}
