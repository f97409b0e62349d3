package campaigns

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redmark/redmark/internal/id"
)

// Live leaderboards. Every committed vote (or recount) bumps the
// campaign's change counter in this process; Leaderboard re-reads the
// tallies when the counter moved, and at least every second so that votes
// landing through other servers show too. Many watchers of one campaign
// share one read.

// boardMaxAge bounds how stale a cached leaderboard may be.
const boardMaxAge = time.Second

type board struct {
	ver atomic.Int64

	mu     sync.Mutex
	seen   int64 // ver the cached cats were read at
	readAt time.Time
	cats   []Category
}

func (s *Service) board(cid id.ID) *board {
	if b, ok := s.live.Load(cid); ok {
		return b.(*board)
	}
	b, _ := s.live.LoadOrStore(cid, &board{})
	return b.(*board)
}

// changed marks cid's tallies as moved (after a commit).
func (s *Service) changed(cid id.ID) { s.board(cid).ver.Add(1) }

// Leaderboard returns the categories with nominees ranked by score, at most
// a second old (fresh after any vote on this server). The slice is shared:
// callers must not modify it.
func (s *Service) Leaderboard(ctx context.Context, cid id.ID) ([]Category, error) {
	if _, err := s.load(ctx, cid); err != nil {
		return nil, err
	}
	b := s.board(cid)
	b.mu.Lock()
	defer b.mu.Unlock()
	v := b.ver.Load()
	if b.cats != nil && v == b.seen && time.Since(b.readAt) < boardMaxAge {
		return b.cats, nil
	}
	cats, err := s.Categories(ctx, cid)
	if err != nil {
		return nil, err
	}
	if s.rdb != nil {
		// The live tallies: every server's accepted votes, landed or not.
		if err := s.redisTallies(ctx, cid, cats); err != nil {
			return nil, err
		}
	}
	b.cats, b.seen, b.readAt = cats, v, time.Now()
	return cats, nil
}

// Streams is closed when the server shuts down: live streams end then, so
// they do not hold the shutdown up.
func (s *Service) Streams() <-chan struct{} { return s.streams }

// EndStreams closes Streams (idempotent).
func (s *Service) EndStreams() { s.endOnce.Do(func() { close(s.streams) }) }
