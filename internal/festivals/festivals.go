// Package festivals runs scheduled festivals (G5) such as "6.6 周年庆" or
// "红色星期五": a landing page that ties together shop promotions and flash
// sales, a campaign topic, a vote (a voting campaign) and a mark — the
// badge the app shows on the discover feed, product cards and note pages
// while the festival runs.
//
// A festival's status derives from the clock (upcoming, live, ended), so
// it starts and ends by itself with no job; the running festivals are
// read on every page, so they are cached for a few seconds and the cache
// is dropped when an operator saves one. See docs/festivals.md.
package festivals

import (
	"context"
	"database/sql"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/validate"
)

// Limits on what an operator may set up.
const (
	TitleMax       = 60
	MarkMax        = 12 // runes: the badge must fit on a card
	DescriptionMax = 2000
	MaxItems       = 20 // promotions, and flash sales, per festival
	MaxDuration    = 60 * 24 * time.Hour
	// CacheFor is how long the running festivals are cached; another
	// server's edit shows within it.
	CacheFor = 5 * time.Second
)

// Statuses.
const (
	Upcoming = "upcoming"
	Live     = "live"
	Ended    = "ended"
)

// Item kinds.
const (
	KindPromotion = "promotion"
	KindFlash     = "flash"
)

var slugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// Input creates or replaces a festival.
type Input struct {
	Slug         string    `json:"slug"` // the landing page is /festivals/{slug}
	Title        string    `json:"title"`
	Mark         string    `json:"mark"` // badge text, e.g. "6.6周年庆"
	Description  string    `json:"description"`
	Topic        string    `json:"topic"`       // optional campaign topic
	CampaignID   id.ID     `json:"campaign_id"` // optional vote (0: none)
	PromotionIDs []id.ID   `json:"promotion_ids"`
	FlashSaleIDs []id.ID   `json:"flash_sale_ids"`
	StartsAt     time.Time `json:"starts_at"`
	EndsAt       time.Time `json:"ends_at"`
}

// Festival is a festival as the API shows it.
type Festival struct {
	ID           id.ID     `json:"id"`
	Slug         string    `json:"slug"`
	Title        string    `json:"title"`
	Mark         string    `json:"mark"`
	Description  string    `json:"description"`
	Topic        string    `json:"topic"`
	CampaignID   id.ID     `json:"campaign_id,omitempty"`
	PromotionIDs []id.ID   `json:"promotion_ids"`
	FlashSaleIDs []id.ID   `json:"flash_sale_ids"`
	StartsAt     time.Time `json:"starts_at"`
	EndsAt       time.Time `json:"ends_at"`
	Status       string    `json:"status"`
	ServerTime   time.Time `json:"server_time"`
	// FlashProductIDs are the products of its flash sales (their marks).
	FlashProductIDs []id.ID `json:"flash_product_ids"`
}

// Mark is the badge of a running festival, as cards and note pages show it.
type Mark struct {
	Slug  string `json:"slug"`
	Text  string `json:"text"`
	Title string `json:"title"`
}

func (f Festival) mark() *Mark { return &Mark{Slug: f.Slug, Text: f.Mark, Title: f.Title} }

func statusAt(starts, ends, now time.Time) string {
	switch {
	case now.Before(starts):
		return Upcoming
	case !now.Before(ends):
		return Ended
	}
	return Live
}

// Service runs festivals.
type Service struct {
	db *db.DB
	// Now is the clock (tests inject one).
	Now func() time.Time

	mu      sync.Mutex
	running []Festival // live at loaded (and until CacheFor after)
	loaded  time.Time
}

func New(d *db.DB) *Service { return &Service{db: d, Now: time.Now} }

func (s *Service) check(ctx context.Context, in *Input, creating bool) error {
	var err error
	in.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	if !slugRe.MatchString(in.Slug) {
		return apperr.Invalid("slug must be 2–40 lower-case letters, digits and '-'")
	}
	if in.Title, err = validate.Text("title", in.Title, 1, TitleMax, false); err != nil {
		return err
	}
	if in.Mark, err = validate.Text("mark", in.Mark, 1, MarkMax, false); err != nil {
		return err
	}
	if in.Description, err = validate.Text("description", in.Description, 0, DescriptionMax, true); err != nil {
		return err
	}
	if strings.TrimSpace(in.Topic) != "" {
		if in.Topic, err = notes.NormalizeTopic(in.Topic); err != nil {
			return err
		}
	} else {
		in.Topic = ""
	}
	switch {
	case in.StartsAt.IsZero() || in.EndsAt.IsZero():
		return apperr.Invalid("starts_at and ends_at are required (RFC 3339)")
	case !in.EndsAt.After(in.StartsAt) || in.EndsAt.Sub(in.StartsAt) > MaxDuration:
		return apperr.Invalid("a festival lasts up to 60 days and ends after it starts")
	case creating && !in.EndsAt.After(s.Now()):
		return apperr.Invalid("ends_at is in the past")
	case len(in.PromotionIDs) > MaxItems || len(in.FlashSaleIDs) > MaxItems:
		return apperr.Invalid("a festival features at most %d promotions and %d flash sales", MaxItems, MaxItems)
	}
	in.StartsAt, in.EndsAt = in.StartsAt.UTC().Truncate(time.Millisecond), in.EndsAt.UTC().Truncate(time.Millisecond)
	in.PromotionIDs, in.FlashSaleIDs = dedupe(in.PromotionIDs), dedupe(in.FlashSaleIDs)
	r := s.db.Reader(ctx)
	if in.CampaignID != 0 {
		if err := exists(ctx, r, "SELECT 1 FROM campaigns WHERE id = ?", in.CampaignID); err != nil {
			return apperr.Invalid("campaign %s does not exist", in.CampaignID)
		}
	}
	for _, p := range in.PromotionIDs {
		if err := exists(ctx, r, "SELECT 1 FROM promotions WHERE id = ?", p); err != nil {
			return apperr.Invalid("promotion %s does not exist", p)
		}
	}
	for _, f := range in.FlashSaleIDs {
		if err := exists(ctx, r, "SELECT 1 FROM flash_sales WHERE id = ?", f); err != nil {
			return apperr.Invalid("flash sale %s does not exist", f)
		}
	}
	return nil
}

func exists(ctx context.Context, q db.Querier, query string, ref id.ID) error {
	var one int
	return q.QueryRow(ctx, query, ref).Scan(&one)
}

func dedupe(ids []id.ID) []id.ID {
	out := []id.ID{}
	for _, x := range ids {
		if x != 0 && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// Create sets up a festival (operators only).
func (s *Service) Create(ctx context.Context, actor accounts.User, in Input) (Festival, error) {
	if err := accounts.RequireOperator(actor, "set up festivals"); err != nil {
		return Festival{}, err
	}
	if err := s.check(ctx, &in, true); err != nil {
		return Festival{}, err
	}
	fid := id.New()
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		now := db.Now()
		_, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO festivals (id, slug, title, mark, description, topic, campaign_id,
			starts_at, ends_at, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			fid, in.Slug, in.Title, in.Mark, in.Description, in.Topic, nullID(in.CampaignID), in.StartsAt.UnixMilli(),
			in.EndsAt.UnixMilli(), actor.ID, now, now)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("the slug %q is taken", in.Slug)
		}
		if err != nil {
			return err
		}
		return s.writeItems(ctx, fid, in)
	})
	if err != nil {
		return Festival{}, err
	}
	return s.Get(ctx, fid)
}

// Update replaces a festival's settings (operators only). A festival that
// has ended keeps its record; editing it cannot bring it back past 60 days.
func (s *Service) Update(ctx context.Context, actor accounts.User, fid id.ID, in Input) (Festival, error) {
	if err := accounts.RequireOperator(actor, "set up festivals"); err != nil {
		return Festival{}, err
	}
	if _, err := s.Get(ctx, fid); err != nil {
		return Festival{}, err
	}
	if err := s.check(ctx, &in, false); err != nil {
		return Festival{}, err
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		_, err := w.Exec(ctx, `UPDATE festivals SET slug = ?, title = ?, mark = ?, description = ?, topic = ?, campaign_id = ?,
			starts_at = ?, ends_at = ?, updated_at = ? WHERE id = ?`, in.Slug, in.Title, in.Mark, in.Description, in.Topic,
			nullID(in.CampaignID), in.StartsAt.UnixMilli(), in.EndsAt.UnixMilli(), db.Now(), fid)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("the slug %q is taken", in.Slug)
		}
		if err != nil {
			return err
		}
		if _, err := w.Exec(ctx, "DELETE FROM festival_items WHERE festival_id = ?", fid); err != nil {
			return err
		}
		return s.writeItems(ctx, fid, in)
	})
	if err != nil {
		return Festival{}, err
	}
	return s.Get(ctx, fid)
}

func (s *Service) writeItems(ctx context.Context, fid id.ID, in Input) error {
	w := s.db.Writer(ctx)
	for kind, ids := range map[string][]id.ID{KindPromotion: in.PromotionIDs, KindFlash: in.FlashSaleIDs} {
		for i, ref := range ids {
			if _, err := w.Exec(ctx, "INSERT INTO festival_items (festival_id, kind, ref, position) VALUES (?, ?, ?, ?)",
				fid, kind, ref, i); err != nil {
				return err
			}
		}
	}
	db.AfterCommit(ctx, s.forget)
	return nil
}

func (s *Service) forget() {
	s.mu.Lock()
	s.loaded = time.Time{}
	s.mu.Unlock()
}

func nullID(x id.ID) any {
	if x == 0 {
		return nil
	}
	return x
}

const cols = "id, slug, title, mark, description, topic, campaign_id, starts_at, ends_at"

// load reads festivals matching where, with their items, in the order given.
func (s *Service) load(ctx context.Context, where string, args ...any) ([]Festival, error) {
	r := s.db.Reader(ctx)
	rows, err := r.Query(ctx, "SELECT "+cols+" FROM festivals WHERE "+where, args...)
	if err != nil {
		return nil, err
	}
	out := []Festival{}
	now := s.Now()
	for rows.Next() {
		var f Festival
		var camp sql.NullInt64
		var starts, ends int64
		if err := rows.Scan(&f.ID, &f.Slug, &f.Title, &f.Mark, &f.Description, &f.Topic, &camp, &starts, &ends); err != nil {
			rows.Close()
			return nil, err
		}
		f.CampaignID = id.ID(camp.Int64)
		f.StartsAt, f.EndsAt = time.UnixMilli(starts).UTC(), time.UnixMilli(ends).UTC()
		f.Status, f.ServerTime = statusAt(f.StartsAt, f.EndsAt, now), now.UTC()
		f.PromotionIDs, f.FlashSaleIDs, f.FlashProductIDs = []id.ID{}, []id.ID{}, []id.ID{}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	at := map[id.ID]int{}
	args = args[:0]
	for i, f := range out {
		at[f.ID] = i
		args = append(args, f.ID)
	}
	rows, err = r.Query(ctx, `SELECT i.festival_id, i.kind, i.ref, COALESCE(fs.product_id, 0) FROM festival_items i
		LEFT JOIN flash_sales fs ON i.kind = 'flash' AND fs.id = i.ref
		WHERE i.festival_id IN (`+db.Placeholders(len(args))+`) ORDER BY i.festival_id, i.kind, i.position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var fid, ref, product id.ID
		var kind string
		if err := rows.Scan(&fid, &kind, &ref, &product); err != nil {
			return nil, err
		}
		f := &out[at[fid]]
		if kind == KindPromotion {
			f.PromotionIDs = append(f.PromotionIDs, ref)
		} else {
			f.FlashSaleIDs = append(f.FlashSaleIDs, ref)
			if product != 0 && !slices.Contains(f.FlashProductIDs, product) {
				f.FlashProductIDs = append(f.FlashProductIDs, product)
			}
		}
	}
	return out, rows.Err()
}

func one(fs []Festival, err error) (Festival, error) {
	if err != nil {
		return Festival{}, err
	}
	if len(fs) == 0 {
		return Festival{}, apperr.NotFound("festival")
	}
	return fs[0], nil
}

// Get returns a festival by id.
func (s *Service) Get(ctx context.Context, fid id.ID) (Festival, error) {
	return one(s.load(ctx, "id = ?", fid))
}

// BySlug returns the festival of a landing page.
func (s *Service) BySlug(ctx context.Context, slug string) (Festival, error) {
	if !slugRe.MatchString(slug) {
		return Festival{}, apperr.NotFound("festival")
	}
	return one(s.load(ctx, "slug = ?", slug))
}

// List returns festivals running or upcoming (soonest first), then those
// ended in the last 90 days, newest first; at most limit.
func (s *Service) List(ctx context.Context, limit int) ([]Festival, error) {
	now := s.Now().UnixMilli()
	return s.load(ctx, `ends_at > ? ORDER BY CASE WHEN ends_at > ? THEN 0 ELSE 1 END,
		CASE WHEN ends_at > ? THEN starts_at ELSE -ends_at END, id LIMIT ?`,
		now-90*24*time.Hour.Milliseconds(), now, now, limit)
}

// Running returns the festivals live now, the one starting first first,
// through a cache of CacheFor. A read error shows no festival rather than
// failing the page that asked.
func (s *Service) Running(ctx context.Context) []Festival {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.loaded) > CacheFor || now.Before(s.loaded) {
		ms := now.UnixMilli()
		// Those starting within the cache period are read too, so a
		// festival starts on time, not up to CacheFor late.
		fs, err := s.load(ctx, "starts_at <= ? AND ends_at > ? ORDER BY starts_at, id LIMIT 20", ms+CacheFor.Milliseconds(), ms)
		if err != nil {
			return nil
		}
		s.running, s.loaded = fs, now
	}
	var out []Festival
	for _, f := range s.running {
		if statusAt(f.StartsAt, f.EndsAt, now) == Live {
			f.Status, f.ServerTime = Live, now.UTC()
			out = append(out, f)
		}
	}
	return out
}

// Current is the mark of the first running festival (nil: none).
func (s *Service) Current(ctx context.Context) *Mark {
	if fs := s.Running(ctx); len(fs) > 0 {
		return fs[0].mark()
	}
	return nil
}

// ForTopics is the mark of the running festival whose topic is among a
// note's topics (compared case-folded, as topics are matched).
func (s *Service) ForTopics(ctx context.Context, topics []string) *Mark {
	if len(topics) == 0 {
		return nil
	}
	for _, f := range s.Running(ctx) {
		if f.Topic == "" {
			continue
		}
		for _, t := range topics {
			if strings.EqualFold(t, f.Topic) {
				return f.mark()
			}
		}
	}
	return nil
}

// ForProduct is the mark of the running festival that features one of the
// promotions covering a product, or a flash sale of it.
func (s *Service) ForProduct(ctx context.Context, productID id.ID, promotionIDs []id.ID) *Mark {
	for _, f := range s.Running(ctx) {
		if slices.Contains(f.FlashProductIDs, productID) {
			return f.mark()
		}
		for _, p := range promotionIDs {
			if slices.Contains(f.PromotionIDs, p) {
				return f.mark()
			}
		}
	}
	return nil
}
