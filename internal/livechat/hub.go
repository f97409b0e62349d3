package livechat

import (
	"sync"
	"sync/atomic"

	"github.com/redmark/redmark/internal/id"
)

// The hub fans events out to the subscribers of each room on this server
// without a goroutine of its own. A room keeps the last ringSize events
// (already encoded as SSE frames, so 10,000 subscribers share one
// encoding) in a ring; each subscriber holds a cursor into it and a wake
// channel of capacity one. Broadcast writes the ring and pokes every wake
// channel without blocking, so a stalled reader costs the sender nothing.
// A reader that falls ringSize events behind has been lapped: Next reports
// it and the connection is closed (the browser reconnects and catches up
// from the history). So each subscriber's backlog is bounded by the ring
// and the memory per subscriber is a few words.

// ringSize bounds how far a subscriber may fall behind before it is dropped.
const ringSize = 256

// Hub is the set of rooms with subscribers on this server.
type Hub struct {
	mu    sync.Mutex
	rooms map[id.ID]*room
}

// Readers never lock: the sender (one at a time, under mu) stores the slot,
// then publishes it by advancing seq; a reader loads seq, copies its slots
// and loads seq again, so a slot overwritten while it copied shows as a lap.
type room struct {
	mu   sync.Mutex // senders
	ring [ringSize]atomic.Pointer[[]byte]
	seq  atomic.Uint64 // events ever written; the next one goes to ring[seq%ringSize]

	subsMu sync.RWMutex
	subs   map[*Sub]struct{}
}

// Sub is one subscriber of a room.
type Sub struct {
	hub  *Hub
	live id.ID
	room *room
	wake chan struct{}
	next uint64 // seq of the next event to read
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{rooms: map[id.ID]*room{}} }

// Subscribe adds a subscriber to live's room; it sees events broadcast
// from now on. Close it when done.
func (h *Hub) Subscribe(live id.ID) *Sub {
	h.mu.Lock()
	r := h.rooms[live]
	if r == nil {
		r = &room{subs: map[*Sub]struct{}{}}
		h.rooms[live] = r
	}
	// Under h.mu so a room is never removed between lookup and join.
	s := &Sub{hub: h, live: live, room: r, wake: make(chan struct{}, 1), next: r.seq.Load()}
	r.subsMu.Lock()
	r.subs[s] = struct{}{}
	r.subsMu.Unlock()
	h.mu.Unlock()
	return s
}

// Close removes the subscriber; the room goes with its last subscriber.
func (s *Sub) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	r := s.room
	r.subsMu.Lock()
	delete(r.subs, s)
	empty := len(r.subs) == 0
	r.subsMu.Unlock()
	if empty && h.rooms[s.live] == r {
		delete(h.rooms, s.live)
	}
}

// Wait is signalled when events may be ready for Next.
func (s *Sub) Wait() <-chan struct{} { return s.wake }

// Next appends the events not read yet to buf. ok is false when the
// subscriber was lapped (fell more than ringSize events behind) and must
// be dropped.
func (s *Sub) Next(buf [][]byte) (_ [][]byte, ok bool) {
	r := s.room
	from, to := s.next, r.seq.Load()
	if to-from > ringSize {
		return buf, false
	}
	for i := from; i < to; i++ {
		buf = append(buf, *r.ring[i%ringSize].Load())
	}
	// A sender that wrote a full ring meanwhile may have replaced the
	// oldest slots copied.
	if r.seq.Load()-from > ringSize {
		return buf, false
	}
	s.next = to
	return buf, true
}

// Broadcast sends frame to every subscriber of live on this server and
// reports how many there were. It never blocks on a subscriber.
func (h *Hub) Broadcast(live id.ID, frame []byte) int {
	h.mu.Lock()
	r := h.rooms[live]
	h.mu.Unlock()
	if r == nil {
		return 0
	}
	r.mu.Lock()
	seq := r.seq.Load()
	r.ring[seq%ringSize].Store(&frame)
	r.seq.Store(seq + 1)
	r.mu.Unlock()
	r.subsMu.RLock()
	defer r.subsMu.RUnlock()
	for s := range r.subs {
		select {
		case s.wake <- struct{}{}:
		default: // already poked; it will read everything at once
		}
	}
	return len(r.subs)
}

// Count is live's subscribers on this server.
func (h *Hub) Count(live id.ID) int {
	h.mu.Lock()
	r := h.rooms[live]
	h.mu.Unlock()
	if r == nil {
		return 0
	}
	r.subsMu.RLock()
	defer r.subsMu.RUnlock()
	return len(r.subs)
}

// Rooms lists the rooms with subscribers on this server and their counts.
func (h *Hub) Rooms() map[id.ID]int {
	h.mu.Lock()
	rooms := make(map[id.ID]*room, len(h.rooms))
	for k, r := range h.rooms {
		rooms[k] = r
	}
	h.mu.Unlock()
	out := make(map[id.ID]int, len(rooms))
	for k, r := range rooms {
		r.subsMu.RLock()
		out[k] = len(r.subs)
		r.subsMu.RUnlock()
	}
	return out
}
