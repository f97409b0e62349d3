package moderation

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/search"
)

// Filter kinds and actions.
const (
	Keyword = "keyword" // matched in folded text, and with spaces and punctuation squeezed out
	Pattern = "pattern" // an RE2 regular expression over the folded text
	Reject  = "reject"  // the note or comment is refused
)

// Limits on filters.
const (
	FilterMax     = 100 // runes in a keyword or pattern
	FiltersMax    = 2000
	filterRefresh = 10 * time.Second // another server's edit shows within this
)

// Filter is one operator-edited entry of the keyword/pattern lists.
type Filter struct {
	ID        id.ID     `json:"id"`
	Kind      string    `json:"kind"`
	Pattern   string    `json:"pattern"`
	Action    string    `json:"action"`
	CreatedBy id.ID     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// FilterInput adds a filter.
type FilterInput struct {
	Kind    string `json:"kind"`
	Pattern string `json:"pattern"`
	Action  string `json:"action"`
}

type compiled struct {
	Filter
	keyword string // folded
	squeeze string // folded, separators removed
	re      *regexp.Regexp
}

// filterCache keeps the compiled lists, reloaded at most every
// filterRefresh and at once after an edit on this server.
type filterCache struct {
	mu     sync.Mutex
	at     time.Time
	list   []compiled
	loaded bool
}

// Fold is text as filters see it: case, accents, traditional characters
// and full-width forms folded.
func Fold(text string) string {
	text = strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII
			return r - 0xFEE0
		}
		if r == 0x3000 {
			return ' '
		}
		return r
	}, text)
	return search.Fold(strings.ToLower(text))
}

// squeeze drops spaces, punctuation and symbols, so "微 信" and "w.e.c.h.a.t"
// still match their keyword.
func squeeze(folded string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return -1
		}
		return r
	}, folded)
}

func compile(f Filter) (compiled, error) {
	c := compiled{Filter: f}
	switch f.Kind {
	case Keyword:
		c.keyword = Fold(f.Pattern)
		c.squeeze = squeeze(c.keyword)
		if strings.TrimSpace(c.keyword) == "" {
			return c, apperr.Invalid("a keyword cannot be empty")
		}
	case Pattern:
		re, err := regexp.Compile(f.Pattern)
		if err != nil {
			return c, apperr.Invalid("pattern: %v", err)
		}
		c.re = re
	default:
		return c, apperr.Invalid("kind must be keyword or pattern")
	}
	return c, nil
}

// match reports whether folded text (and its squeezed form) hits c, and
// what matched.
func (c compiled) match(folded, squeezed string) (string, bool) {
	if c.re != nil {
		loc := c.re.FindStringIndex(folded)
		if loc == nil {
			return "", false
		}
		return folded[loc[0]:loc[1]], true
	}
	if strings.Contains(folded, c.keyword) || (c.squeeze != "" && strings.Contains(squeezed, c.squeeze)) {
		return c.Pattern, true
	}
	return "", false
}

// CheckFilter validates a filter without storing it.
func CheckFilter(in FilterInput) (FilterInput, error) {
	p, err := checkPattern(in.Pattern)
	if err != nil {
		return in, err
	}
	in.Pattern = p
	if in.Action != Hold && in.Action != Reject {
		return in, apperr.Invalid("action must be hold or reject")
	}
	_, err = compile(Filter{Kind: in.Kind, Pattern: in.Pattern})
	return in, err
}

func checkPattern(p string) (string, error) {
	p = strings.TrimSpace(p)
	if n := len([]rune(p)); n == 0 || n > FilterMax {
		return p, apperr.Invalid("pattern must be 1–%d characters", FilterMax)
	}
	if !utf8.ValidString(p) || strings.ContainsAny(p, "\n\r\x00") {
		return p, apperr.Invalid("pattern must be one line")
	}
	return p, nil
}

// AddFilter adds a keyword or pattern (operators); the same one twice is 409.
func (s *Service) AddFilter(ctx context.Context, actor accounts.User, in FilterInput) (Filter, error) {
	if err := accounts.RequireOperator(actor, "edit the filter lists"); err != nil {
		return Filter{}, err
	}
	in, err := CheckFilter(in)
	if err != nil {
		return Filter{}, err
	}
	f := Filter{ID: id.New(), Kind: in.Kind, Pattern: in.Pattern, Action: in.Action, CreatedBy: actor.ID, CreatedAt: time.UnixMilli(db.Now()).UTC()}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		var n int
		if err := s.db.Writer(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM moderation_filters").Scan(&n); err != nil {
			return err
		}
		if n >= FiltersMax {
			return apperr.Invalid("at most %d filters", FiltersMax)
		}
		res, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO moderation_filters (id, kind, pattern, action, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, pattern) DO NOTHING`, f.ID, f.Kind, f.Pattern, f.Action, f.CreatedBy, f.CreatedAt.UnixMilli())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("that %s is already on the list", f.Kind)
		}
		db.AfterCommit(ctx, s.filters.invalidate)
		return s.audit(ctx, actor.ID, "filter_add", "filter", f.ID, 0, "", nil, f)
	})
	return f, err
}

// RemoveFilter deletes a filter (operators).
func (s *Service) RemoveFilter(ctx context.Context, actor accounts.User, fid id.ID) error {
	if err := accounts.RequireOperator(actor, "edit the filter lists"); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		fs, err := s.filterRows(ctx, s.db.Writer(ctx), "WHERE id = ?", fid)
		if err != nil {
			return err
		}
		if len(fs) == 0 {
			return apperr.NotFound("filter")
		}
		if _, err := s.db.Writer(ctx).Exec(ctx, "DELETE FROM moderation_filters WHERE id = ?", fid); err != nil {
			return err
		}
		db.AfterCommit(ctx, s.filters.invalidate)
		return s.audit(ctx, actor.ID, "filter_remove", "filter", fid, 0, "", fs[0], nil)
	})
}

// Filters lists the filters, newest first (moderators and operators).
func (s *Service) Filters(ctx context.Context, actor accounts.User) ([]Filter, error) {
	if err := requireModerator(actor); err != nil {
		return nil, err
	}
	return s.filterRows(ctx, s.db.Reader(ctx), "ORDER BY id DESC")
}

func (s *Service) filterRows(ctx context.Context, q db.Querier, where string, args ...any) ([]Filter, error) {
	rows, err := q.Query(ctx, "SELECT id, kind, pattern, action, created_by, created_at FROM moderation_filters "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Filter{}
	for rows.Next() {
		var f Filter
		var at int64
		if err := rows.Scan(&f.ID, &f.Kind, &f.Pattern, &f.Action, &f.CreatedBy, &at); err != nil {
			return nil, err
		}
		f.CreatedAt = time.UnixMilli(at).UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}

func (fc *filterCache) invalidate() {
	fc.mu.Lock()
	fc.loaded = false
	fc.mu.Unlock()
}

// compiledFilters returns the lists, reloading them when stale. A pattern
// stored by an older version that no longer compiles is skipped.
func (s *Service) compiledFilters(ctx context.Context) ([]compiled, error) {
	fc := &s.filters
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.loaded && time.Since(fc.at) < filterRefresh {
		return fc.list, nil
	}
	fs, err := s.filterRows(ctx, s.db.Reader(ctx), "ORDER BY id")
	if err != nil {
		return nil, err
	}
	list := make([]compiled, 0, len(fs))
	for _, f := range fs {
		if c, err := compile(f); err == nil {
			list = append(list, c)
		}
	}
	fc.list, fc.at, fc.loaded = list, time.Now(), true
	return list, nil
}

// FilterMatches reports whether a filter would match text.
func FilterMatches(in FilterInput, text string) bool {
	c, err := compile(Filter{Kind: in.Kind, Pattern: in.Pattern, Action: in.Action})
	if err != nil {
		return false
	}
	folded := Fold(text)
	_, ok := c.match(folded, squeeze(folded))
	return ok
}
