package moderation

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Automatic signals. Notes and comments are screened inside the
// transaction that makes them public, before their row is written (the
// notes.Guard and social.CommentGuard hooks): a hit holds the content
// hidden and opens (or joins) a case with the evidence and a Hold action
// the author can appeal, all atomically with the post, so nothing is ever
// public for a moment and nothing is deleted silently. Only a filter whose
// action is "reject" refuses the post, and says so.

// Signal kinds.
const (
	SignalFilter    = "filter"         // an operator's keyword or pattern
	SignalContact   = "contact"        // WeChat id, phone number, QR code, link
	SignalDuplicate = "near_duplicate" // SimHash near-duplicates from several accounts
	SignalBurst     = "burst"          // a new account posting fast
)

// Config holds the thresholds of the signals and the commerce policy. A
// zero field switches its signal off (tests, benchmarks); the operator's
// filter lists always apply. serve runs with DefaultConfig.
type Config struct {
	Contact bool // hold contact details and links

	DuplicateDistance int           // Hamming distance of near-duplicate SimHashes (≤ 3: see 0072)
	DuplicateAccounts int           // other accounts with a near-duplicate that make a signal
	DuplicateWindow   time.Duration // how far back near-duplicates are looked for
	MinTokens         int           // texts with fewer terms are not compared
	NewAccountAge     time.Duration // accounts younger than this are "new"
	BurstNotes        int           // notes a new account published within BurstWindow before this one
	BurstWindow       time.Duration
	// SpotCheckFailures failed spot checks delist a product (E8).
	SpotCheckFailures int
	// SuspendStoreOnDelist: a product delisted for a confirmed counterfeit
	// or failed spot checks also suspends its store.
	SuspendStoreOnDelist bool
}

// DefaultConfig suits a community: three accounts posting one text is a
// campaign; five notes in ten minutes from a day-old account is a burst.
var DefaultConfig = Config{Contact: true, DuplicateDistance: 3, DuplicateAccounts: 2, DuplicateWindow: 7 * 24 * time.Hour, MinTokens: 6,
	NewAccountAge: 24 * time.Hour, BurstNotes: 4, BurstWindow: 10 * time.Minute, SpotCheckFailures: 3, SuspendStoreOnDelist: true}

// Signal is one automatic finding with its evidence (JSON).
type Signal struct {
	ID        id.ID           `json:"id"`
	Kind      string          `json:"kind"`
	Evidence  json.RawMessage `json:"evidence"`
	CreatedAt time.Time       `json:"created_at"`
}

type finding struct {
	kind     string
	evidence any
}

// Contact and link spam, over folded text.
var contactPatterns = []struct {
	name string
	re   *regexp.Regexp
}{
	{"wechat", regexp.MustCompile(`(?:微信|威信|薇信|v信|vx|wx|wechat|weixin|加v|加微)\s*(?:号|id)?\s*[:：]?\s*[a-z][-_a-z0-9]{5,19}`)},
	{"phone", regexp.MustCompile(`(?:^|[^0-9])((?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2})(?:[^0-9]|$)`)},
	{"qr", regexp.MustCompile(`二维码|扫码|扫一扫|qr ?code`)},
	{"url", regexp.MustCompile(`https?://[^\s]+|www\.[^\s]+|\b[a-z0-9][-a-z0-9]*\.(?:com|cn|net|org|top|xyz|cc|io|me|shop|vip|link)\b`)},
}

// ContactHits lists the contact details and links in text, by kind.
func ContactHits(text string) map[string][]string {
	folded := Fold(text)
	out := map[string][]string{}
	for _, p := range contactPatterns {
		for _, m := range p.re.FindAllStringSubmatch(folded, 5) {
			hit := m[0]
			if len(m) > 1 && m[1] != "" {
				hit = m[1]
			}
			out[p.name] = append(out[p.name], strings.TrimSpace(hit))
		}
	}
	return out
}

// FilterHit is a filter that matched, and the text it matched.
type FilterHit struct {
	FilterID id.ID  `json:"filter_id"`
	Kind     string `json:"kind"`
	Pattern  string `json:"pattern"`
	Action   string `json:"action"`
	Match    string `json:"match"`
}

// MatchFilters runs the compiled lists over text.
func matchFilters(list []compiled, text string) []FilterHit {
	folded := Fold(text)
	squeezed := squeeze(folded)
	var hits []FilterHit
	for _, c := range list {
		if m, ok := c.match(folded, squeezed); ok {
			hits = append(hits, FilterHit{FilterID: c.ID, Kind: c.Kind, Pattern: c.Pattern, Action: c.Action, Match: m})
		}
	}
	return hits
}

var errRejected = &apperr.Error{Status: http.StatusBadRequest, Code: "content_rejected",
	Message: "this text contains words the community does not allow"}

// scanText runs the filters and the contact patterns: the findings to hold
// for, or the rejection.
func (s *Service) scanText(ctx context.Context, text string) ([]finding, error) {
	list, err := s.compiledFilters(ctx)
	if err != nil {
		return nil, err
	}
	var out []finding
	if hits := matchFilters(list, text); len(hits) > 0 {
		for _, h := range hits {
			if h.Action == Reject {
				slog.Info("moderation: text rejected by filter", "filter", h.FilterID)
				return nil, errRejected
			}
		}
		out = append(out, finding{SignalFilter, hits})
	}
	if !s.Config.Contact {
		return out, nil
	}
	if c := ContactHits(text); len(c) > 0 {
		out = append(out, finding{SignalContact, c})
	}
	return out, nil
}

type trustedKey struct{}

// Trusted marks ctx as writing trusted content (the demo seed), which is
// not screened.
func Trusted(ctx context.Context) context.Context { return context.WithValue(ctx, trustedKey{}, true) }

func trusted(ctx context.Context) bool { return ctx.Value(trustedKey{}) != nil }

// ScreenNote is notes.Guard's screening of a note going public.
func (s *Service) ScreenNote(ctx context.Context, author, noteID id.ID, title, body string) (bool, error) {
	if trusted(ctx) {
		return false, nil
	}
	text := title + "\n" + body
	found, err := s.scanText(ctx, text)
	if err != nil {
		return false, err
	}
	dup, err := s.nearDuplicates(ctx, author, noteID, text)
	if err != nil {
		return false, err
	}
	if dup != nil {
		found = append(found, *dup)
	}
	burst, err := s.burst(ctx, author)
	if err != nil {
		return false, err
	}
	if burst != nil {
		found = append(found, *burst)
	}
	if len(found) == 0 {
		return false, nil
	}
	return true, s.hold(ctx, Note, noteID, author, found)
}

// ScreenComment is social.CommentGuard's screening of a new comment.
func (s *Service) ScreenComment(ctx context.Context, author, noteID, commentID id.ID, body string) (bool, error) {
	if trusted(ctx) {
		return false, nil
	}
	found, err := s.scanText(ctx, body)
	if err != nil || len(found) == 0 {
		return false, err
	}
	return true, s.hold(ctx, Comment, commentID, author, found)
}

// hold opens or joins the target's case, attaches the evidence and records
// the Hold action (actor 0) the author is told of and may appeal.
func (s *Service) hold(ctx context.Context, kind string, target, author id.ID, found []finding) error {
	cid, err := s.openCase(ctx, kind, target, author)
	if err != nil {
		return err
	}
	now := db.Now()
	kinds := make([]string, len(found))
	for i, f := range found {
		kinds[i] = f.kind
		ev, err := json.Marshal(f.evidence)
		if err != nil {
			return err
		}
		if _, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO moderation_signals (id, case_id, kind, evidence, created_at) VALUES (?, ?, ?, ?, ?)`,
			id.New(), cid, f.kind, string(ev), now); err != nil {
			return err
		}
	}
	if _, err := s.db.Writer(ctx).Exec(ctx, "UPDATE moderation_cases SET updated_at = ? WHERE id = ?", now, cid); err != nil {
		return err
	}
	a := Action{ID: id.New(), CaseID: cid, Kind: Hold, TargetKind: kind, TargetID: target, TargetUserID: author,
		Reason: "automatic: " + strings.Join(kinds, ", ")}
	return s.insertAction(ctx, a, 0, nil, map[string]any{"held": true, "signals": kinds})
}

// burst is a finding when a new account has published BurstNotes notes
// within BurstWindow.
func (s *Service) burst(ctx context.Context, author id.ID) (*finding, error) {
	cfg := s.Config
	if cfg.BurstNotes <= 0 {
		return nil, nil
	}
	now := db.Now()
	var created int64
	if err := s.db.Writer(ctx).QueryRow(ctx, "SELECT created_at FROM users WHERE id = ?", author).Scan(&created); err != nil {
		return nil, err
	}
	if now-created > cfg.NewAccountAge.Milliseconds() {
		return nil, nil
	}
	var n int
	since := now - cfg.BurstWindow.Milliseconds()
	if err := s.db.Writer(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM notes WHERE author_id = ? AND status IN ('published', 'hidden')
		AND created_at >= ?`, author, since).Scan(&n); err != nil {
		return nil, err
	}
	if n < cfg.BurstNotes {
		return nil, nil
	}
	return &finding{SignalBurst, map[string]any{"notes_in_window": n, "window_minutes": int(cfg.BurstWindow.Minutes()),
		"account_age_hours": float64(now-created) / float64(time.Hour.Milliseconds())}}, nil
}
