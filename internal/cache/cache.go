// Package cache is a read-through LRU for rows that many requests read and
// few change, safe against the race every such cache has: a read that
// loaded the old row before a write committed must not store it after the
// write's invalidation, or the stale row would live on until it expired.
//
// Callers take a Token before reading the database and Put with it; Forget
// (called after the write commits) moves the key's token on, so a Put that
// started earlier is dropped. Tokens are kept per stripe of keys, not per
// key: an unrelated write in the same stripe only costs a skipped Put.
//
// Entries also expire after a TTL: it bounds how long a write made by
// another server sharing the database goes unseen. With Share, invalidations
// also travel to the other servers (peers.go), and the TTL is only the
// bound for when that channel is down.
package cache

import (
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// lookups counts Get results per cache, so operators can see whether a
// cache is big enough (redmark_cache_lookups_total{cache,result}).
var lookups = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "redmark_cache_lookups_total",
	Help: "Cache lookups by cache and result (hit, miss).",
}, []string{"cache", "result"})

func init() { prometheus.MustRegister(lookups) }

const stripes = 256

// Cache maps keys to values of one kind.
type Cache[K comparable, V any] struct {
	hits    prometheus.Counter
	misses  prometheus.Counter
	lru     *lru.Cache[K, entry[V]]
	ttl     time.Duration
	hash    func(K) uint64
	shared  *sharing[K]
	stripes [stripes]struct {
		mu  sync.Mutex
		gen uint64
	}
}

// New makes a cache of at most size entries that live for ttl; hash
// spreads keys over the stripes; name labels its metrics.
func New[K comparable, V any](name string, size int, ttl time.Duration, hash func(K) uint64) *Cache[K, V] {
	l, err := lru.New[K, entry[V]](size)
	if err != nil {
		panic(err) // size <= 0: a programming error
	}
	return &Cache[K, V]{lru: l, ttl: ttl, hash: hash,
		hits: lookups.WithLabelValues(name, "hit"), misses: lookups.WithLabelValues(name, "miss")}
}

// entry remembers when its value was read from the database; an in-place
// Update keeps that time, so the TTL still bounds staleness.
type entry[V any] struct {
	v  V
	at time.Time
}

func (c *Cache[K, V]) stripe(k K) int {
	// Fibonacci hashing: ids that differ only in low or high bits still spread.
	return int((c.hash(k) * 0x9E3779B97F4A7C15) >> 56)
}

// Get returns the cached value of k.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	e, ok := c.lru.Get(k)
	if !ok || time.Since(e.at) > c.ttl {
		c.misses.Inc()
		var zero V
		return zero, false
	}
	c.hits.Inc()
	return e.v, true
}

// Token must be taken before reading the value that Put will store.
func (c *Cache[K, V]) Token(k K) uint64 {
	s := &c.stripes[c.stripe(k)]
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen
}

// Put stores v unless k's stripe was invalidated since tok was taken.
func (c *Cache[K, V]) Put(k K, v V, tok uint64) {
	s := &c.stripes[c.stripe(k)]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen == tok {
		c.lru.Add(k, entry[V]{v, time.Now()})
	}
}

// Forget drops k; reads that started before cannot store it again.
func (c *Cache[K, V]) Forget(k K) {
	c.forget(k)
	c.shared.publish(k)
}

func (c *Cache[K, V]) forget(k K) {
	s := &c.stripes[c.stripe(k)]
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	c.lru.Remove(k)
}

// Update changes k's cached value in place (when it is cached) with f, for
// writes whose effect is known without a read (a counter moved by n).
// Other servers cannot replay f, so they forget k instead.
func (c *Cache[K, V]) Update(k K, f func(V) V) {
	s := &c.stripes[c.stripe(k)]
	s.mu.Lock()
	s.gen++
	if e, ok := c.lru.Peek(k); ok {
		c.lru.Add(k, entry[V]{f(e.v), e.at})
	}
	s.mu.Unlock()
	c.shared.publish(k)
}

// Purge drops everything (a change that touches many keys at once).
func (c *Cache[K, V]) Purge() {
	c.purge()
	c.shared.publishAll()
}

func (c *Cache[K, V]) purge() {
	for i := range c.stripes {
		c.stripes[i].mu.Lock()
		c.stripes[i].gen++
	}
	c.lru.Purge()
	for i := range c.stripes {
		c.stripes[i].mu.Unlock()
	}
}

// Len is the number of cached entries.
func (c *Cache[K, V]) Len() int { return c.lru.Len() }
