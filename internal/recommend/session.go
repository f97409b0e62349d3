package recommend

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
)

// A session is one scroll through the feed. The cursor handed to the
// client is a random token naming server-side state: the notes shown so
// far (so none repeats) and a seed that varies the exploration picks.
// Sessions live SessionTTL after their last page; the store is bounded.

// MaxSeen caps the notes a session remembers (50 pages of 20).
const MaxSeen = 1000

type session struct {
	user id.ID
	seed uint64
	seen map[id.ID]struct{}
	last time.Time
}

type sessionStore struct {
	mu  sync.Mutex
	m   map[string]*session
	ttl time.Duration
	max int
}

func newSessionStore(ttl time.Duration, max int) *sessionStore {
	return &sessionStore{m: map[string]*session{}, ttl: ttl, max: max}
}

func (st *sessionStore) len() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.m)
}

// checkCursor refuses cursors that cannot be ours (the token alphabet and
// length), so junk is a 400 rather than a silent fresh start.
func checkCursor(c string) error {
	if c == "" {
		return nil
	}
	if len(c) != 22 {
		return apperr.Invalid("invalid cursor")
	}
	if _, err := base64.RawURLEncoding.DecodeString(c); err != nil {
		return apperr.Invalid("invalid cursor")
	}
	return nil
}

// get returns the session a cursor names for user, or a new one when the
// cursor is empty, expired or someone else's. The bool is true for a
// session that continues.
func (st *sessionStore) get(cursor string, user id.ID, now time.Time) (string, *session, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s, ok := st.m[cursor]; ok && s.user == user && now.Sub(s.last) < st.ttl {
		s.last = now
		return cursor, s, true
	}
	if len(st.m) >= st.max {
		st.evict(now)
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	var seed [8]byte
	_, _ = rand.Read(seed[:])
	s := &session{user: user, seen: map[id.ID]struct{}{}, last: now}
	for _, x := range seed {
		s.seed = s.seed<<8 | uint64(x)
	}
	st.m[token] = s
	return token, s, false
}

// evict drops expired sessions, and the least recently used tenth when
// none has expired (st.mu held).
func (st *sessionStore) evict(now time.Time) {
	for k, s := range st.m {
		if now.Sub(s.last) >= st.ttl {
			delete(st.m, k)
		}
	}
	if len(st.m) < st.max {
		return
	}
	var cutoff time.Time
	for _, s := range st.m {
		if cutoff.IsZero() || s.last.Before(cutoff) {
			cutoff = s.last
		}
	}
	// Widen the cutoff until a tenth is gone: cheap enough for a rare event.
	for step := time.Second; len(st.m) >= st.max*9/10; step *= 2 {
		for k, s := range st.m {
			if !s.last.After(cutoff) {
				delete(st.m, k)
			}
		}
		cutoff = cutoff.Add(step)
	}
}

// markSeen records the notes of a page (st.mu guards the session too).
func (st *sessionStore) markSeen(s *session, ids []id.ID) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, n := range ids {
		if len(s.seen) >= MaxSeen {
			return
		}
		s.seen[n] = struct{}{}
	}
}

// seenSet copies the session's seen notes for ranking without the lock.
func (st *sessionStore) seenSet(s *session) map[id.ID]struct{} {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make(map[id.ID]struct{}, len(s.seen))
	for n := range s.seen {
		out[n] = struct{}{}
	}
	return out
}
