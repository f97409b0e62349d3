package search

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Ranking (docs/discovery.md, "Search ranking"). A note's final score is
//
//	relevance/maxRelevance × (1 + EngagementWeight·ln(1 + E)) × (1 + FreshnessWeight·2^(−age/FreshnessHalfLife))
//
// where E = Engagement(likes, collects, comments, shares) from the live
// counters and age is the time since publication. Relevance is the
// engine's TF-IDF score over title ×3, topics/location/author ×2, body ×1
// (typo matches count half; engine.go), normalised by the best hit so the blend does
// not depend on the engine's scale. Text relevance dominates: with α = 0.1
// a note with 1,000 engagement points gets ×1.69 and it takes ~22,000 to
// double a score, so a note matching half as well rarely overtakes on
// popularity alone, while among similar matches the loved and the recent
// come first. Users and topics blend relevance
// with ln(1 + followers) / ln(1 + notes) the same way; products rank by
// relevance.
const (
	WeightLike    = 1.0
	WeightCollect = 2.0
	WeightComment = 3.0
	WeightShare   = 3.0

	EngagementWeight  = 0.1
	FreshnessWeight   = 0.3
	FreshnessHalfLife = 7 * 24 * time.Hour

	// RerankWindow is how many of the best text matches are re-ranked; a
	// page beyond it widens the window up to MaxOffset.
	RerankWindow = 100
	MaxOffset    = 1000
	MaxLimit     = 50
)

// Engagement weighs interactions by how much intent they show: a collect
// (saving for later) and a comment or share (effort, reach) count more
// than a like.
func Engagement(likes, collects, comments, shares int64) float64 {
	return WeightLike*float64(likes) + WeightCollect*float64(collects) + WeightComment*float64(comments) + WeightShare*float64(shares)
}

// NoteScore is the blended score of a note (relN in 0..1).
func NoteScore(relN, engagement float64, age time.Duration) float64 {
	fresh := math.Exp2(-max(0, age.Hours()) / FreshnessHalfLife.Hours())
	return relN * (1 + EngagementWeight*math.Log1p(max(0, engagement))) * (1 + FreshnessWeight*fresh)
}

// Request is a search as the API receives it.
type Request struct {
	Text   string
	Kind   Kind
	Cursor string // opaque: the offset of the page
	Limit  int
}

// Highlighted is text with the matched parts marked: Ranges are [start,
// end) offsets in Unicode code points (not bytes, not UTF-16 units). The
// text is plain user text: clients must escape it, marking the ranges.
type Highlighted struct {
	Text   string   `json:"text"`
	Ranges [][2]int `json:"highlights"`
}

// Result is one page of a search: ids in final order with their highlights,
// for the caller to hydrate (notes through app.NoteViews, and so on).
type Result struct {
	Kind     Kind
	IDs      []id.ID
	Title    map[id.ID]Highlighted // notes, products: title; users: display name; topics: name
	Snippet  map[id.ID]Highlighted // notes, products: body; users: bio
	Total    uint64
	Next     string // cursor of the next page, "" at the end
	Fallback bool   // no document had every word: showing those with any
}

const maxQueryRunes = 100

// Search runs a request: the engine's best matches re-ranked with the live
// database counters, invisible rows dropped, highlights computed.
func (s *Service) Search(ctx context.Context, r Request) (Result, error) {
	text := strings.TrimSpace(r.Text)
	if !utf8.ValidString(text) {
		return Result{}, apperr.Invalid("q is not valid UTF-8")
	}
	if utf8.RuneCountInString(text) > maxQueryRunes {
		return Result{}, apperr.Invalid("q must be at most %d characters", maxQueryRunes)
	}
	if r.Limit <= 0 || r.Limit > MaxLimit {
		return Result{}, apperr.Invalid("limit must be 1–%d", MaxLimit)
	}
	offset := 0
	if r.Cursor != "" {
		n, err := strconv.Atoi(r.Cursor)
		if err != nil || n < 0 || n > MaxOffset {
			return Result{}, apperr.Invalid("invalid cursor")
		}
		offset = n
	}
	res := Result{Kind: r.Kind, Title: map[id.ID]Highlighted{}, Snippet: map[id.ID]Highlighted{}, IDs: []id.ID{}}
	if text == "" {
		return res, nil
	}
	idx, err := s.index()
	if err != nil {
		return Result{}, err
	}
	window := min(max(RerankWindow, offset+r.Limit), MaxOffset+MaxLimit)
	hits, err := idx.Search(ctx, Query{Kind: r.Kind, Text: text, Size: window})
	if err != nil {
		return Result{}, err
	}
	res.Total, res.Fallback = hits.Total, hits.AnyOf
	if len(hits.Hits) == 0 {
		return res, nil
	}
	ranked, texts, err := s.rerank(ctx, r.Kind, hits.Hits)
	if err != nil {
		return Result{}, err
	}
	if offset < len(ranked) {
		page := ranked[offset:min(offset+r.Limit, len(ranked))]
		res.IDs = page
		if offset+len(page) < len(ranked) && offset+len(page) <= MaxOffset {
			res.Next = strconv.Itoa(offset + len(page))
		}
	}
	terms := QueryTerms(text)
	for _, i := range res.IDs {
		t := texts[i]
		res.Title[i] = Highlight(t.title, terms)
		if t.body != "" {
			res.Snippet[i] = Snippet(t.body, terms, SnippetRunes)
		}
	}
	return res, nil
}

type hitText struct{ title, body string }

type scored struct {
	id    id.ID
	score float64
}

// rerank loads the live signals of the hits (one query), drops rows that
// are no longer visible, and orders by the blended score.
func (s *Service) rerank(ctx context.Context, k Kind, hits []Hit) ([]id.ID, map[id.ID]hitText, error) {
	top := hits[0].Score
	for _, h := range hits {
		top = max(top, h.Score)
	}
	if top <= 0 {
		top = 1
	}
	rel := make(map[id.ID]float64, len(hits))
	ids := make([]id.ID, len(hits))
	for i, h := range hits {
		rel[h.ID] = h.Score / top
		ids[i] = h.ID
	}
	var q string
	// Snippets come from the first 400 characters of a body: reading
	// 5,000-character bodies for a hundred hits would dominate the query.
	switch k {
	case Notes:
		q = `SELECT id, title, substr(body, 1, 400), like_count, collect_count, comment_count, share_count, published_at
			FROM notes WHERE status = 'published' AND id IN `
	case Users:
		q = "SELECT id, display_name, substr(bio, 1, 400), follower_count, 0, 0, 0, 0 FROM users WHERE id IN "
	case Topics:
		q = "SELECT id, COALESCE(NULLIF(display, ''), name), '', note_count, 0, 0, 0, 0 FROM topics WHERE note_count > 0 AND id IN "
	case Products:
		q = "SELECT id, title, substr(description, 1, 400), 0, 0, 0, 0, 0 FROM products WHERE listed = 1 AND id IN "
	}
	rows, err := s.db.Reader(ctx).Query(ctx, q+"("+db.Placeholders(len(ids))+")", db.Args(ids)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	now := time.Now()
	texts := make(map[id.ID]hitText, len(ids))
	var out []scored
	for rows.Next() {
		var i id.ID
		var t hitText
		var a, b, c, d, published int64
		if err := rows.Scan(&i, &t.title, &t.body, &a, &b, &c, &d, &published); err != nil {
			return nil, nil, err
		}
		texts[i] = t
		var sc float64
		switch k {
		case Notes:
			sc = NoteScore(rel[i], Engagement(a, b, c, d), now.Sub(time.UnixMilli(published)))
		case Users, Topics:
			sc = rel[i] * (1 + EngagementWeight*math.Log1p(float64(a)))
		default:
			sc = rel[i]
		}
		out = append(out, scored{i, sc})
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	sort.Slice(out, func(x, y int) bool {
		if out[x].score != out[y].score {
			return out[x].score > out[y].score
		}
		return out[x].id > out[y].id
	})
	ranked := make([]id.ID, len(out))
	for i, o := range out {
		ranked[i] = o.id
	}
	return ranked, texts, nil
}

// MaxSuggest is the most completions Suggest returns.
const MaxSuggest = 10

// Suggest completes a prefix over note titles, topics, usernames and
// display names, most popular first.
func (s *Service) Suggest(ctx context.Context, prefix string, limit int) ([]Completion, error) {
	prefix = strings.TrimSpace(prefix)
	if !utf8.ValidString(prefix) || utf8.RuneCountInString(prefix) > maxQueryRunes {
		return nil, apperr.Invalid("q must be valid UTF-8, at most %d characters", maxQueryRunes)
	}
	if limit <= 0 || limit > MaxSuggest {
		return nil, apperr.Invalid("limit must be 1–%d", MaxSuggest)
	}
	if prefix == "" {
		return []Completion{}, nil
	}
	idx, err := s.index()
	if err != nil {
		return nil, err
	}
	// Products are found by search, not offered as completions; ask for a
	// few extra so they can be dropped.
	cs, err := idx.Suggest(ctx, prefix, limit*2)
	if err != nil {
		return nil, err
	}
	out := make([]Completion, 0, limit)
	seen := map[string]bool{}
	for _, c := range cs {
		key := string(c.Kind) + "\x00" + strings.ToLower(c.Text)
		if c.Kind == Products || seen[key] || len(out) == limit {
			continue
		}
		seen[key] = true
		out = append(out, c)
	}
	return out, nil
}
