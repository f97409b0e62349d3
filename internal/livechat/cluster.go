package livechat

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/peers"
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

// Redis is a Cluster over one Redis pub/sub channel shared by all rooms
// (internal/peers carries it): each server receives every room's events
// and hands them to its hub, which ignores rooms nobody here watches.
// Pub/sub delivers to servers connected at the time; a server that missed
// events has viewers whose EventSource reconnects and catches up from the
// history.
type Redis struct {
	bus     *peers.Redis
	node    string
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
	bus, err := peers.New(ctx, rdb, channel, node)
	if err != nil {
		return err
	}
	r := &Redis{bus: bus, node: node, deliver: func(live id.ID, frame []byte) { s.hub.Broadcast(live, frame) },
		now: time.Now, remote: map[string]report{}}
	bus.Subscribe(chatMessages, r.receive)
	s.cluster = r
	return nil
}

// chatMessages names live chat's messages on its channel.
const chatMessages = "chat"

// Close ends the link to the other servers.
func (s *Service) Close() error {
	if s.cluster == nil {
		return nil
	}
	return s.cluster.Close()
}

func (r *Redis) send(e envelope) {
	e.Node = r.node
	b, _ := json.Marshal(e) // JSON escapes NUL, which the bus reserves
	if r.bus.Send(chatMessages, string(b)) != nil {
		relayed.WithLabelValues("failed").Inc()
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

// receive handles a message from another server (the bus drops this
// server's own).
func (r *Redis) receive(payload string) {
	var e envelope
	if err := json.Unmarshal([]byte(payload), &e); err != nil {
		return
	}
	relayed.WithLabelValues("in").Inc()
	if e.Frame != "" {
		r.deliver(e.Live, []byte(e.Frame))
		return
	}
	r.mu.Lock()
	r.remote[e.Node] = report{at: r.now(), counts: e.Viewers}
	r.mu.Unlock()
}

func (r *Redis) Close() error { return r.bus.Close() }
