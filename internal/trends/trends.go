// Package trends computes the hot list of notes (热榜) and the trending
// topics (D3) from the database into an in-memory snapshot, refreshed by a
// background job, and applies operators' pins and hides. The formulas and
// constants are documented in docs/discovery.md.
//
// Hot list: for published notes of the last HotWindow,
//
//	hot = E / (ageHours + HotAgeOffset)^HotGravity
//
// with E = search.Engagement(likes, collects, comments, shares) (a like
// counts 1, a collect 2, a comment or a share 3). Gravity 1.5 halves a
// note's score over roughly its first 2.5 hours and keeps falling, so a
// fresh note with a burst of saves outranks an old one with more in total,
// yet a day-old note with ten times the engagement still ranks.
//
// Trending topics compare a topic's use today with its own past
// (Mastodon-style): uses are distinct authors publishing a note with the
// topic in a 24-hour bucket;
//
//	expected = max(1, mean uses per day over the TrendBaselineDays before today)
//	score    = (observed − expected)² / expected   when observed ≥ TrendMinUses and observed > expected, else 0
//
// so a small topic that jumps from nothing to 6 authors (score 25) beats a
// big one that is merely steady at 20 a day (22 today: score 0.2), and a
// topic with fewer than TrendMinUses authors today never trends.
package trends

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
)

// Constants of the formulas (see the package doc).
const (
	HotWindow       = 7 * 24 * time.Hour
	HotGravity      = 1.5
	HotAgeOffset    = 2.0 // hours: a brand-new note is not divided by ~0
	HotSize         = 50
	RefreshInterval = time.Minute

	TrendBaselineDays = 7
	TrendMinUses      = 3
	TrendingSize      = 20
)

// HotScore is the hot-list score of a note with engagement e at age.
func HotScore(e float64, age time.Duration) float64 {
	return e / math.Pow(max(0, age.Hours())+HotAgeOffset, HotGravity)
}

// TrendScore is the trending score of a topic used by observed authors
// today against its baseline expected uses per day.
func TrendScore(observed int, expected float64) float64 {
	expected = max(1, expected)
	o := float64(observed)
	if observed < TrendMinUses || o <= expected {
		return 0
	}
	return (o - expected) * (o - expected) / expected
}

// HotEntry is a note on the hot list.
type HotEntry struct {
	NoteID id.ID
	Score  float64
	Pinned bool
}

// TopicTrend is a trending topic.
type TopicTrend struct {
	ID        id.ID   `json:"-"`
	Name      string  `json:"name"`
	UsesToday int     `json:"uses_today"`
	Expected  float64 `json:"expected"`
	Score     float64 `json:"score"`
	Pinned    bool    `json:"pinned"`
}

// Kinds of entries operators moderate, and what they do to them.
const (
	KindNote  = "note"
	KindTopic = "topic"
	Pin       = "pin"
	Hide      = "hide"
)

type override struct {
	action string
	at     int64
}

type key struct {
	kind string
	ref  id.ID
}

// Service holds the snapshot.
type Service struct {
	db *db.DB

	mu        sync.Mutex
	at        time.Time // when the snapshot was computed (zero: never)
	hot       []HotEntry
	topics    []TopicTrend
	overrides map[key]override
	refresh   sync.Mutex // one computation at a time; guards the caches below

	uses       hourCache[hourUses] // trending topics (uses.go)
	topicNames map[id.ID]string
	hotHours   hourCache[[]hotNote] // hot list (hot.go)
}

// New builds the service; nothing is computed until first use or Run.
func New(d *db.DB) *Service { return &Service{db: d} }

// Refresh recomputes the hot list and the trending topics as of now.
func (s *Service) Refresh(ctx context.Context, now time.Time) error {
	s.refresh.Lock()
	defer s.refresh.Unlock()
	hot, err := s.computeHot(ctx, now)
	if err != nil {
		return err
	}
	topics, err := s.computeTrending(ctx, now)
	if err != nil {
		return err
	}
	ov, err := s.loadOverrides(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.at, s.hot, s.topics, s.overrides = now, hot, topics, ov
	s.mu.Unlock()
	return nil
}

// ensure computes the snapshot when there is none or it is older than
// twice the refresh interval (the background job has stopped or lags).
func (s *Service) ensure(ctx context.Context) error {
	s.mu.Lock()
	stale := s.at.IsZero() || time.Since(s.at) > 2*RefreshInterval
	s.mu.Unlock()
	if !stale {
		return nil
	}
	return s.Refresh(ctx, time.Now())
}

func (s *Service) loadOverrides(ctx context.Context) (map[key]override, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT kind, ref, action, created_at FROM trend_overrides")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[key]override{}
	for rows.Next() {
		var k key
		var o override
		if err := rows.Scan(&k.kind, &k.ref, &o.action, &o.at); err != nil {
			return nil, err
		}
		out[k] = o
	}
	return out, rows.Err()
}

// pinned returns the refs of kind pinned, newest pin first.
func pinned(ov map[key]override, kind string) []id.ID {
	type p struct {
		ref id.ID
		at  int64
	}
	var ps []p
	for k, o := range ov {
		if k.kind == kind && o.action == Pin {
			ps = append(ps, p{k.ref, o.at})
		}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].at > ps[j].at || (ps[i].at == ps[j].at && ps[i].ref > ps[j].ref) })
	out := make([]id.ID, len(ps))
	for i, x := range ps {
		out[i] = x.ref
	}
	return out
}

// Hot returns up to limit entries: pinned notes first (marked), then the
// computed list without hidden or pinned notes. The caller hydrates the
// notes (and drops any that are gone).
func (s *Service) Hot(ctx context.Context, limit int) ([]HotEntry, time.Time, error) {
	if err := s.ensure(ctx); err != nil {
		return nil, time.Time{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []HotEntry{}
	for _, n := range pinned(s.overrides, KindNote) {
		out = append(out, HotEntry{NoteID: n, Pinned: true})
	}
	for _, e := range s.hot {
		if _, moderated := s.overrides[key{KindNote, e.NoteID}]; !moderated {
			out = append(out, e)
		}
	}
	return out[:min(len(out), limit)], s.at, nil
}

// Trending returns up to limit topics: pinned first, then by score, hidden
// ones left out.
func (s *Service) Trending(ctx context.Context, limit int) ([]TopicTrend, time.Time, error) {
	if err := s.ensure(ctx); err != nil {
		return nil, time.Time{}, err
	}
	s.mu.Lock()
	pins := pinned(s.overrides, KindTopic)
	var rest []TopicTrend
	for _, t := range s.topics {
		if _, moderated := s.overrides[key{KindTopic, t.ID}]; !moderated {
			rest = append(rest, t)
		}
	}
	at := s.at
	s.mu.Unlock()
	out := []TopicTrend{}
	if len(pins) > 0 {
		args := make([]any, len(pins))
		for i, p := range pins {
			args[i] = p
		}
		rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id, COALESCE(NULLIF(display, ''), name) FROM topics WHERE id IN ("+db.Placeholders(len(args))+")", args...)
		if err != nil {
			return nil, time.Time{}, err
		}
		byID := map[id.ID]string{}
		for rows.Next() {
			var i id.ID
			var n string
			if err := rows.Scan(&i, &n); err != nil {
				rows.Close()
				return nil, time.Time{}, err
			}
			byID[i] = n
		}
		rows.Close()
		for _, p := range pins {
			if n, ok := byID[p]; ok {
				out = append(out, TopicTrend{ID: p, Name: n, Pinned: true})
			}
		}
	}
	out = append(out, rest...)
	return out[:min(len(out), limit)], at, nil
}

// Moderate pins or hides (action) a note or a topic; set false removes that
// action (and leaves the other alone). Operators only. A pin replaces a
// hide and the other way round: an entry is in one state at a time.
func (s *Service) Moderate(ctx context.Context, actor accounts.User, kind string, ref id.ID, action string, set bool) error {
	if actor.Role != accounts.RoleOperator {
		return apperr.Forbidden("only operators can pin or hide hot-list entries")
	}
	if action != Pin && action != Hide {
		return apperr.Invalid("action must be pin or hide")
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		if !set {
			_, err := w.Exec(ctx, "DELETE FROM trend_overrides WHERE kind = ? AND ref = ? AND action = ?", kind, ref, action)
			return err
		}
		_, err := w.Exec(ctx, `INSERT INTO trend_overrides (kind, ref, action, created_by, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (kind, ref) DO UPDATE SET action = excluded.action, created_by = excluded.created_by,
			created_at = excluded.created_at`, kind, ref, action, actor.ID, db.Now())
		return err
	})
	if err != nil {
		return err
	}
	// Moderation shows at once, not at the next refresh.
	ov, err := s.loadOverrides(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.overrides = ov
	s.mu.Unlock()
	return nil
}

// NoteRef checks that a published note exists (only those can be pinned).
func (s *Service) NoteRef(ctx context.Context, noteID id.ID) error {
	var status string
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT status FROM notes WHERE id = ?", noteID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && status != notes.Published) {
		return apperr.NotFound("note")
	}
	return err
}

// TopicRef finds a topic's id by name.
func (s *Service) TopicRef(ctx context.Context, name string) (id.ID, error) {
	n, err := notes.NormalizeTopic(name)
	if err != nil {
		return 0, apperr.NotFound("topic")
	}
	var tid id.ID
	err = s.db.Reader(ctx).QueryRow(ctx, "SELECT id FROM topics WHERE name = ?", n).Scan(&tid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.NotFound("topic")
	}
	return tid, err
}

// Hidden is an entry an operator hid, for the console to undo.
type Hidden struct {
	Kind string
	Ref  id.ID
	Name string // the topic's name; empty for notes
}

// Hidden lists the hidden notes and topics, latest first (operators only).
func (s *Service) Hidden(ctx context.Context, actor accounts.User) ([]Hidden, error) {
	if actor.Role != accounts.RoleOperator {
		return nil, apperr.Forbidden("only operators can see hidden hot-list entries")
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT o.kind, o.ref, COALESCE(NULLIF(t.display, ''), t.name, '') FROM trend_overrides o
		LEFT JOIN topics t ON o.kind = ? AND t.id = o.ref WHERE o.action = ? ORDER BY o.created_at DESC, o.ref LIMIT 200`, KindTopic, Hide)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Hidden{}
	for rows.Next() {
		var h Hidden
		if err := rows.Scan(&h.Kind, &h.Ref, &h.Name); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
