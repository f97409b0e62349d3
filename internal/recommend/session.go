package recommend

import (
	"crypto/rand"
	"encoding/base64"
	"slices"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
)

// A session is one scroll through the feed. The cursor handed to the
// client is a random token naming server-side state: the notes shown so
// far (so none repeats) and a seed that varies the exploration picks.
// Sessions live SessionTTL after their last page; the store is bounded.

// MaxSeen caps the notes a session remembers (30 pages of 20). Seen
// notes are kept as sorted 32-bit hashes of their ids: 4 bytes each, and
// a collision (a note wrongly skipped) has odds of about 600 in 4 billion.
const MaxSeen = 600

type session struct {
	user id.ID
	seed uint64
	seen []uint32 // sorted
	last time.Time
}

func seenHash(n id.ID) uint32 { return uint32(uint64(n)*0x9E3779B97F4A7C15>>32) ^ uint32(n) }

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
	s := &session{user: user, last: now}
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
		h := seenHash(n)
		if i, ok := slices.BinarySearch(s.seen, h); !ok {
			s.seen = slices.Insert(s.seen, i, h)
		}
	}
}

// seenSet copies the session's seen hashes for ranking without the lock.
func (st *sessionStore) seenSet(s *session) seenSet {
	st.mu.Lock()
	defer st.mu.Unlock()
	return slices.Clone(s.seen)
}

type seenSet []uint32

func (ss seenSet) has(n id.ID) bool {
	_, ok := slices.BinarySearch(ss, seenHash(n))
	return ok
}
