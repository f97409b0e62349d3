// Package ratelimit keeps in-process token buckets per key (client address or
// user id), used on sign-up, login, posting, voting and buying.
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter allows Burst events at once and PerMinute on average, per key.
type Limiter struct {
	mu      sync.Mutex
	limit   rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	l    *rate.Limiter
	seen time.Time
}

// New returns a limiter; perMinute <= 0 means unlimited.
func New(perMinute float64, burst int) *Limiter {
	l := rate.Inf
	if perMinute > 0 {
		l = rate.Limit(perMinute / 60)
	}
	return &Limiter{limit: l, burst: burst, buckets: map[string]*bucket{}}
}

// Allow reports whether one more event for key is allowed now.
func (l *Limiter) Allow(key string) bool {
	if l == nil || l.limit == rate.Inf {
		return true
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	// Forget idle buckets now and then so the map stays bounded; an idle
	// bucket has refilled anyway.
	if now.Sub(l.swept) > time.Minute && len(l.buckets) > 1000 {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{l: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.l.AllowN(now, 1)
}
