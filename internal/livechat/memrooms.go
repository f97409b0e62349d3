package livechat

import (
	"context"
	"sync"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
)

// MemRooms is Rooms in memory, for tests and the load benchmark, which
// run without internal/live.
type MemRooms struct {
	mu    sync.Mutex
	rooms map[id.ID]memRoom
}

type memRoom struct {
	host   id.ID
	status string
}

func (m *MemRooms) Room(_ context.Context, live id.ID) (id.ID, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.rooms[live]
	if !ok {
		return 0, "", apperr.NotFound("live")
	}
	return r.host, r.status, nil
}

// Add creates a room of host in status and returns its live id.
func (m *MemRooms) Add(host id.ID, status string) id.ID {
	l := id.New()
	m.Set(l, host, status)
	return l
}

// Set creates or changes a room.
func (m *MemRooms) Set(live, host id.ID, status string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rooms == nil {
		m.rooms = map[id.ID]memRoom{}
	}
	m.rooms[live] = memRoom{host, status}
}
