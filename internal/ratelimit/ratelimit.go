// Package ratelimit keeps token buckets per key (client address or user
// id), used on sign-up, login, posting, voting and buying: in process, or
// shared by every server in Redis (GCRA, github.com/go-redis/redis_rate)
// once Share is called.
package ratelimit

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// Limiter allows Burst events at once and PerMinute on average, per key.
type Limiter struct {
	mu      sync.Mutex
	limit   rate.Limit
	burst   int
	buckets map[string]*bucket
	swept   time.Time

	shared *redis_rate.Limiter // set by Share
	name   string
	quota  redis_rate.Limit
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

// Share moves l's buckets into Redis under name, so a client's budget is
// the same whichever server it reaches. If Redis fails, Allow falls back
// to this server's own buckets rather than refusing or allowing everyone.
func (l *Limiter) Share(rdb *redis.Client, name string) {
	if l == nil || l.limit == rate.Inf {
		return
	}
	l.shared, l.name = redis_rate.NewLimiter(rdb), name
	l.quota = redis_rate.Limit{Rate: max(1, int(float64(l.limit)*60+0.5)), Period: time.Minute, Burst: l.burst}
}

// Allow reports whether one more event for key is allowed now.
func (l *Limiter) Allow(key string) bool {
	if l == nil || l.limit == rate.Inf {
		return true
	}
	if l.shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		res, err := l.shared.Allow(ctx, l.name+":"+key, l.quota)
		cancel()
		if err == nil {
			return res.Allowed > 0
		}
		slog.Warn("shared rate limit unavailable; using this server's", "limit", l.name, "err", err)
	}
	return l.local(key)
}

func (l *Limiter) local(key string) bool {
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
