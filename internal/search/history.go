package search

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Recent and hot searches, shown on the search page before a query is
// typed (docs/discovery.md, "Recent and hot searches").
const (
	RecentKept = 10 // recent searches kept per user
	// HotWindow is the period hot searches count over, in whole UTC hours.
	HotWindow = 24 * time.Hour
	// HotMinSearchers: a query is hot only once this many different people
	// searched it in the window, so one person's searches (a name, say)
	// never show to everyone, and one client cannot make a query hot alone.
	HotMinSearchers = 3
	HotSize         = 10
	// hotTTL: the hot list is read from the table at most this often.
	hotTTL = time.Minute
)

// History records searches and lists a user's recent ones and everyone's
// hot ones.
type History struct {
	db     *db.DB
	secret []byte
	now    func() time.Time

	mu       sync.Mutex
	hot      []HotSearch
	hotAt    time.Time
	prunedAt int64 // the hour old counts were last deleted
}

// NewHistory keeps search history in d; secret keys the hash of the
// addresses of signed-out searchers.
func NewHistory(d *db.DB, secret []byte) *History {
	return &History{db: d, secret: secret, now: time.Now}
}

// RecentSearch is one of a user's recent searches.
type RecentSearch struct {
	Query      string    `json:"query"`
	SearchedAt time.Time `json:"searched_at"`
}

// HotSearch is a query many people searched in the hot window.
type HotSearch struct {
	Query     string `json:"query"`
	Searchers int64  `json:"searchers"`
}

// queryKey folds a query as the index folds words and collapses spaces:
// "Café  Lune" and "cafe lune" are one recent search and one hot search.
func queryKey(q string) (display, key string) {
	display = strings.Join(strings.Fields(q), " ")
	return display, Fold(display)
}

// Record notes that user (0: signed out, identified by addr) searched q.
// found says whether the search had results: only those count towards hot
// searches, while the user's own recent searches keep every query.
func (h *History) Record(ctx context.Context, user id.ID, addr, q string, found bool) error {
	display, key := queryKey(q)
	if key == "" {
		return nil
	}
	now := h.now().UTC()
	hour := now.Unix() / 3600
	// One transaction: one commit (on SQLite, one sync) per search.
	err := h.db.InTx(ctx, func(ctx context.Context) error {
		w := h.db.Writer(ctx)
		if user != 0 {
			if _, err := w.Exec(ctx, `INSERT INTO recent_searches (user_id, query_key, query, searched_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (user_id, query_key) DO UPDATE SET query = excluded.query, searched_at = excluded.searched_at`,
				user, key, display, now.UnixMilli()); err != nil {
				return err
			}
			if _, err := w.Exec(ctx, `DELETE FROM recent_searches WHERE user_id = ? AND query_key NOT IN
				(SELECT query_key FROM recent_searches WHERE user_id = ? ORDER BY searched_at DESC, query_key LIMIT ?)`,
				user, user, RecentKept); err != nil {
				return err
			}
		}
		if !found {
			return nil
		}
		_, err := w.Exec(ctx, `INSERT INTO search_counts (hour, query_key, searcher, query) VALUES (?, ?, ?, ?)
			ON CONFLICT (hour, query_key, searcher) DO NOTHING`, hour, key, h.searcher(user, addr), display)
		return err
	})
	if err != nil || !found {
		return err
	}
	return h.prune(ctx, hour)
}

// searcher names who searched: the user, or a keyed hash of the address
// (the address itself is never stored).
func (h *History) searcher(user id.ID, addr string) string {
	if user != 0 {
		return "u" + user.String()
	}
	m := hmac.New(sha256.New, h.secret)
	m.Write([]byte("search-addr:" + addr))
	return "a" + hex.EncodeToString(m.Sum(nil)[:12])
}

// prune deletes the counts of hours before the window, once an hour.
func (h *History) prune(ctx context.Context, hour int64) error {
	h.mu.Lock()
	due := h.prunedAt != hour
	h.prunedAt = hour
	h.mu.Unlock()
	if !due {
		return nil
	}
	_, err := h.db.Writer(ctx).Exec(ctx, "DELETE FROM search_counts WHERE hour < ?", hour-hotHours()+1)
	return err
}

func hotHours() int64 { return int64(HotWindow / time.Hour) }

// Recent lists user's recent searches, newest first.
func (h *History) Recent(ctx context.Context, user id.ID) ([]RecentSearch, error) {
	rows, err := h.db.Reader(ctx).Query(ctx, `SELECT query, searched_at FROM recent_searches WHERE user_id = ?
		ORDER BY searched_at DESC, query_key LIMIT ?`, user, RecentKept)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RecentSearch{}
	for rows.Next() {
		var r RecentSearch
		var at int64
		if err := rows.Scan(&r.Query, &at); err != nil {
			return nil, err
		}
		r.SearchedAt = time.UnixMilli(at).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// ClearRecent forgets user's recent searches.
func (h *History) ClearRecent(ctx context.Context, user id.ID) error {
	_, err := h.db.Writer(ctx).Exec(ctx, "DELETE FROM recent_searches WHERE user_id = ?", user)
	return err
}

// Hot lists the queries the most people searched (with results) in the
// current hour and the HotWindow hours before it, at least HotMinSearchers
// each; recomputed at most once a minute.
func (h *History) Hot(ctx context.Context) ([]HotSearch, error) {
	now := h.now()
	h.mu.Lock()
	if h.hot != nil && now.Sub(h.hotAt) < hotTTL {
		out := h.hot
		h.mu.Unlock()
		return out, nil
	}
	h.mu.Unlock()
	since := now.Unix()/3600 - hotHours() + 1
	rows, err := h.db.Reader(ctx).Query(ctx, `SELECT query_key, MAX(query), COUNT(DISTINCT searcher) FROM search_counts WHERE hour >= ?
		GROUP BY query_key HAVING COUNT(DISTINCT searcher) >= ? ORDER BY 3 DESC, query_key LIMIT ?`, since, HotMinSearchers, HotSize)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []HotSearch{}
	for rows.Next() {
		var key string
		var s HotSearch
		if err := rows.Scan(&key, &s.Query, &s.Searchers); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.hot, h.hotAt = out, now
	h.mu.Unlock()
	return out, nil
}
