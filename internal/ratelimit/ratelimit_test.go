package ratelimit

import (
	"sync"
	"sync/atomic"
	"testing"
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
