// Package peers tells the other servers of a cluster what changed, so their
// caches drop it (cache.Peers), over Redis pub/sub. Pub/sub delivers only to
// servers connected at the time; a server that was disconnected misses
// messages, which is why caches keep their TTL as the bound on staleness
// when the channel is down (docs/cluster.md).
package peers

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

var sent = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "redmark_peer_invalidations_total",
	Help: "Messages to other servers (cache invalidations, live chat events) published, received, and failed publishes.",
}, []string{"dir"})

func init() { prometheus.MustRegister(sent) }

// Redis is a cache.Peers over Redis pub/sub; other per-server state that
// follows the cluster (live chat) sends its own messages on a channel of
// its own through the same type.
type Redis struct {
	rdb     *redis.Client
	channel string
	node    string
	sub     *redis.PubSub
	done    chan struct{}

	mu       sync.RWMutex
	handlers map[string]func(string)
}

// New subscribes to channel (the same on every server of a cluster) and
// returns once the subscription is live. node names this server; its own
// messages are not applied twice.
func New(ctx context.Context, rdb *redis.Client, channel, node string) (*Redis, error) {
	sub := rdb.Subscribe(ctx, channel)
	if _, err := sub.Receive(ctx); err != nil { // the subscription's confirmation
		sub.Close()
		return nil, err
	}
	r := &Redis{rdb: rdb, channel: channel, node: node, sub: sub, done: make(chan struct{}), handlers: map[string]func(string){}}
	go r.listen()
	return r, nil
}

// A message is node, cache name and key separated by NUL, which none of
// them contains.
const sep = "\x00"

// Publish sends the invalidation; failures are logged and counted, since a
// write must not fail because the channel is down.
func (r *Redis) Publish(name, key string) { _ = r.Send(name, key) }

// Send delivers payload (without NUL bytes) to the handlers of name on the
// other servers; a failure is logged, counted and returned.
func (r *Redis) Send(name, payload string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := r.rdb.Publish(ctx, r.channel, r.node+sep+name+sep+payload).Err(); err != nil {
		sent.WithLabelValues("failed").Inc()
		slog.Warn("publish to peers", "channel", r.channel, "name", name, "err", err)
		return err
	}
	sent.WithLabelValues("out").Inc()
	return nil
}

// Subscribe registers f for the messages of name from the other servers
// (for a cache: the keys to forget).
func (r *Redis) Subscribe(name string, f func(string)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[name] = f
}

func (r *Redis) listen() {
	defer close(r.done)
	for m := range r.sub.Channel() {
		node, rest, ok := strings.Cut(m.Payload, sep)
		name, key, ok2 := strings.Cut(rest, sep)
		if !ok || !ok2 || node == r.node {
			continue
		}
		r.mu.RLock()
		f := r.handlers[name]
		r.mu.RUnlock()
		if f != nil {
			sent.WithLabelValues("in").Inc()
			f(key)
		}
	}
}

// Close ends the subscription.
func (r *Redis) Close() error {
	err := r.sub.Close()
	<-r.done
	return err
}
