package ratelimit

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/redistest"
)

func TestBurstThenRefuse(t *testing.T) {
	l := New(1, 5) // 1/min: no refill during the test
	for i := 0; i < 5; i++ {
		if !l.Allow("a") {
			t.Fatalf("event %d refused inside the burst", i)
		}
	}
	if l.Allow("a") {
		t.Fatal("event past the burst allowed")
	}
	if !l.Allow("b") {
		t.Fatal("another key shares the bucket")
	}
}

func TestConcurrentAllowsExactlyBurst(t *testing.T) {
	l := New(1, 50)
	var ok atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 20; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if l.Allow("k") {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 50 {
		t.Fatalf("allowed %d of 400, want exactly the burst of 50", ok.Load())
	}
}

func TestUnlimited(t *testing.T) {
	l := New(0, 0)
	for i := 0; i < 1000; i++ {
		if !l.Allow("x") {
			t.Fatal("unlimited limiter refused")
		}
	}
}

// Two servers sharing a limit in Redis give a key one budget between them,
// exactly, under concurrent requests to both.
func TestSharedLimitIsOneBudgetAcrossServers(t *testing.T) {
	url, prefix := redistest.New(t)
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	a, b := New(1, 30), New(1, 30)
	a.Share(rdb, prefix+":signup")
	b.Share(rdb, prefix+":signup")
	var ok atomic.Int64
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := []*Limiter{a, b}[g%2]
			for range 10 {
				if l.Allow("203.0.113.7") {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 30 {
		t.Fatalf("%d events allowed across two servers, want the burst of 30", ok.Load())
	}
	if !a.Allow("198.51.100.1") {
		t.Fatal("another key shares the budget")
	}
}

// With Redis unreachable a shared limiter keeps limiting with its own buckets.
func TestSharedLimitFallsBackWhenRedisIsDown(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer rdb.Close()
	l := New(1, 3)
	l.Share(rdb, "down")
	n := 0
	for range 5 {
		if l.Allow("k") {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("%d allowed with Redis down, want the local burst of 3", n)
	}
}
