package cache

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func ident(k int) uint64 { return uint64(k) }

// Readers fill the cache from a "database" while a writer changes it and
// forgets the key after each change: once Forget returns, no read may see
// a value older than the write, however the reads interleave.
func TestForgetBeatsRacingFills(t *testing.T) {
	c := New[int, int64]("test", 100, time.Minute, ident)
	var db atomic.Int64
	read := func() int64 {
		if v, ok := c.Get(1); ok {
			return v
		}
		tok := c.Token(1)
		v := db.Load()
		time.Sleep(time.Microsecond) // widen the window between read and Put
		c.Put(1, v, tok)
		return v
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					read()
				}
			}
		}()
	}
	for i := int64(1); i <= 2000; i++ {
		db.Store(i)
		c.Forget(1)
		if v := read(); v < i {
			close(stop)
			wg.Wait()
			t.Fatalf("after write %d a read returned %d", i, v)
		}
	}
	close(stop)
	wg.Wait()
}

func TestUpdateKeepsTTLAndSkipsMissing(t *testing.T) {
	c := New[int, int]("test", 10, 50*time.Millisecond, ident)
	c.Update(1, func(v int) int { return v + 1 })
	if _, ok := c.Get(1); ok {
		t.Fatal("Update created an entry")
	}
	c.Put(1, 10, c.Token(1))
	tok := c.Token(1)
	c.Update(1, func(v int) int { return v + 5 })
	if v, _ := c.Get(1); v != 15 {
		t.Fatalf("after Update: %d, want 15", v)
	}
	c.Put(1, 99, tok) // started before the Update: dropped
	if v, _ := c.Get(1); v != 15 {
		t.Fatalf("a stale Put overwrote the update: %d", v)
	}
	time.Sleep(60 * time.Millisecond)
	c.Update(1, func(v int) int { return v + 1 })
	if _, ok := c.Get(1); ok {
		t.Fatal("an updated entry outlived its TTL")
	}
}

func TestPurge(t *testing.T) {
	c := New[int, int]("test", 10, time.Minute, ident)
	tok := c.Token(3)
	c.Put(1, 1, c.Token(1))
	c.Purge()
	c.Put(3, 3, tok)
	if _, ok := c.Get(1); ok {
		t.Fatal("Purge kept an entry")
	}
	if _, ok := c.Get(3); ok {
		t.Fatal("a Put that started before Purge was stored")
	}
}
