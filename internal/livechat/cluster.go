package livechat

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/id"
)

// Cluster carries chat events and viewer counts between servers.
type Cluster interface {
	Publish(live id.ID, frame []byte) // to the other servers' subscribers of live
	ShareViewers(local map[id.ID]int) // this server's counts, every Tick
	RemoteViewers(live id.ID) int     // the other servers' viewers of live
	Close() error
}

var relayed = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "redmark_livechat_relayed_total",
	Help: "Live chat events published to and received from other servers, and failed publishes.",
}, []string{"dir"})

func init() { prometheus.MustRegister(relayed) }

// viewersFresh is how long a server's viewer report counts: a server that
// stopped reporting (gone, or cut off from Redis) drops out of the sum.
const viewersFresh = 5 * time.Second

// Redis is a Cluster over one Redis pub/sub channel shared by all rooms:
// each server receives every room's events and hands them to its hub,
// which ignores rooms nobody here watches. Pub/sub delivers to servers
// connected at the time; a server that missed events has viewers whose
// EventSource reconnects and catches up from the history.
type Redis struct {
	rdb     *redis.Client
	channel string
	node    string
	sub     *redis.PubSub
	done    chan struct{}
	deliver func(live id.ID, frame []byte)
	now     func() time.Time

	mu     sync.Mutex
	remote map[string]report // node → its last report
}

type report struct {
	at     time.Time
	counts map[id.ID]int
}

// envelope is one pub/sub message: an event frame for a room, or a
// server's viewer counts.
type envelope struct {
	Node    string        `json:"n"`
	Live    id.ID         `json:"l,omitempty"`
	Frame   string        `json:"f,omitempty"`
	Viewers map[id.ID]int `json:"v,omitempty"`
}

// UseRedis links this server's chat to the other servers on channel (the
// same on every server) and returns once the subscription is live; node
// names this server.
func (s *Service) UseRedis(ctx context.Context, rdb *redis.Client, channel, node string) error {
	sub := rdb.Subscribe(ctx, channel)
	if _, err := sub.Receive(ctx); err != nil {
		sub.Close()
		return err
	}
	r := &Redis{rdb: rdb, channel: channel, node: node, sub: sub, done: make(chan struct{}),
		deliver: func(live id.ID, frame []byte) { s.hub.Broadcast(live, frame) }, now: time.Now, remote: map[string]report{}}
	go r.listen()
	s.cluster = r
	return nil
}

// Close ends the link to the other servers.
func (s *Service) Close() error {
	if s.cluster == nil {
		return nil
	}
	return s.cluster.Close()
}

func (r *Redis) send(e envelope) {
	e.Node = r.node
	b, _ := json.Marshal(e)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := r.rdb.Publish(ctx, r.channel, b).Err(); err != nil {
		relayed.WithLabelValues("failed").Inc()
		slog.Warn("publish live chat event", "err", err)
		return
	}
	relayed.WithLabelValues("out").Inc()
}

func (r *Redis) Publish(live id.ID, frame []byte) { r.send(envelope{Live: live, Frame: string(frame)}) }

func (r *Redis) ShareViewers(local map[id.ID]int) { r.send(envelope{Viewers: local}) }

func (r *Redis) RemoteViewers(live id.ID) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for node, rep := range r.remote {
		if r.now().Sub(rep.at) > viewersFresh {
			delete(r.remote, node)
			continue
		}
		n += rep.counts[live]
	}
	return n
}

func (r *Redis) listen() {
	defer close(r.done)
	for m := range r.sub.Channel() {
		var e envelope
		if err := json.Unmarshal([]byte(m.Payload), &e); err != nil || e.Node == r.node {
			continue
		}
		relayed.WithLabelValues("in").Inc()
		if e.Frame != "" {
			r.deliver(e.Live, []byte(e.Frame))
			continue
		}
		r.mu.Lock()
		r.remote[e.Node] = report{at: r.now(), counts: e.Viewers}
		r.mu.Unlock()
	}
}

func (r *Redis) Close() error {
	err := r.sub.Close()
	<-r.done
	return err
}
