// Package campaigns runs voting campaigns (G4): an operator sets up a
// campaign with categories and nominees (products, notes, creators or free
// entries), a schedule, a daily vote allowance per user and bonus votes
// earned by acts (publishing a note with the campaign topic, sharing one);
// users vote and per-category leaderboards move live.
//
// The database is the source of truth and every vote is a row that is never
// deleted. A vote is one short transaction whose statements each guard one
// rule: the Idempotency-Key (unique vote row), the voter not excluded (the
// member row, locked first), the day's allowance (a conditional upsert), the
// per-IP and per-device limits (conditional upserts) and last the nominee's
// tally (hot row). Any refusal rolls everything back, so tallies always equal
// the count of valid votes and a voter never exceeds allowance + bonus.
// Anti-fraud (fraud.go) changes a vote's status, never deletes it, and
// recounts. See docs/campaigns.md.
package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/validate"
)

// Limits on what an operator may set up.
const (
	TitleMax       = 100
	DescriptionMax = 2000
	NameMax        = 40
	MaxDuration    = 60 * 24 * time.Hour
	MaxDaily       = 100
	MaxBonus       = 100
	MaxCategories  = 20
	MaxNominees    = 100 // per category
	MaxSourceDaily = 1_000_000
	FullWeight     = 100 // a vote's weight in score units
)

// Nominee kinds.
const (
	KindProduct = "product"
	KindNote    = "note"
	KindCreator = "creator"
	KindFree    = "free"
)

// New-account modes.
const (
	NewCount   = "count"
	NewWeight  = "weight"
	NewExclude = "exclude"
)

// Campaign statuses.
const (
	Upcoming  = "upcoming"
	Live      = "live"
	Ended     = "ended"
	Published = "published" // ended and results published (frozen)
)

// Days gives a user's local calendar day (days since 1970-01-01 in their
// zone); the growth service implements it, so check-ins and vote
// allowances roll over at the same local midnight.
type Days interface {
	Today(ctx context.Context, uid id.ID) (int64, error)
}

// Service runs voting campaigns.
type Service struct {
	db   *db.DB
	days Days
	// Now is the clock (tests inject one).
	Now func() time.Time

	live     sync.Map // id.ID -> *board: per-campaign change counter and cached leaderboard
	cached   sync.Map // id.ID -> Campaign: campaigns are read on every vote; edits drop the entry
	nominees sync.Map // nominee id.ID -> campaign id.ID
	group    grouper  // SQLite: votes share commits (group.go)
	rdb      *redis.Client
	rprefix  string
	lander   grouper // Redis mode: accepted votes land in batches (redis.go)
	synced   atomic.Bool
	streams  chan struct{}
	endOnce  sync.Once
}

func New(d *db.DB, days Days) *Service {
	s := &Service{db: d, days: days, Now: time.Now, streams: make(chan struct{})}
	s.group.write, s.group.max = s.writeVotes, maxBatch
	s.lander.write, s.lander.max = s.land, landBatch
	return s
}

// Close stops the SQLite vote writer after the votes already queued.
func (s *Service) Close() {
	s.EndStreams()
	s.group.stop()
	s.lander.stop()
}

// Rules are what an operator sets for a campaign.
type Rules struct {
	DailyVotes   int `json:"daily_votes"`   // votes per user per local day
	PublishBonus int `json:"publish_bonus"` // extra votes per note published with the topic
	PublishCap   int `json:"publish_cap"`   // at most this many publish bonus votes a day
	ShareBonus   int `json:"share_bonus"`   // extra votes per share of a note with the topic
	ShareCap     int `json:"share_cap"`
	IPDaily      int `json:"ip_daily"`     // votes per IP address per UTC day (0: no limit)
	DeviceDaily  int `json:"device_daily"` // votes per device per UTC day (0: no limit)
	NewDays      int `json:"new_days"`     // an account younger than this many days is new (0: none is)
	// NewMode is how new accounts' votes count: count, weight, exclude.
	NewMode   string `json:"new_mode"`
	NewWeight int    `json:"new_weight"` // percent, for weight
	// BurstVotes flags votes from new accounts for a nominee once it has
	// had this many new-account votes within BurstWindowSec (0: off).
	BurstVotes     int `json:"burst_votes"`
	BurstWindowSec int `json:"burst_window_sec"`
}

// Input creates a campaign.
type Input struct {
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Topic       string    `json:"topic"` // optional: notes with this #topic earn publish/share bonuses
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	Rules
}

// Campaign is a campaign as the API shows it.
type Campaign struct {
	ID          id.ID      `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Topic       string     `json:"topic"`
	StartsAt    time.Time  `json:"starts_at"`
	EndsAt      time.Time  `json:"ends_at"`
	PublishedAt *time.Time `json:"published_at"`
	Status      string     `json:"status"`
	ServerTime  time.Time  `json:"server_time"`
	Rules
}

func (c Campaign) statusAt(now time.Time) string {
	switch {
	case c.PublishedAt != nil:
		return Published
	case now.Before(c.StartsAt):
		return Upcoming
	case !now.Before(c.EndsAt):
		return Ended
	}
	return Live
}

func (r *Rules) check() error {
	if r.NewMode == "" {
		r.NewMode = NewCount
	}
	if r.NewWeight == 0 {
		r.NewWeight = FullWeight
	}
	switch {
	case r.DailyVotes < 1 || r.DailyVotes > MaxDaily:
		return apperr.Invalid("daily_votes must be 1–%d", MaxDaily)
	case r.PublishBonus < 0 || r.PublishBonus > MaxBonus || r.ShareBonus < 0 || r.ShareBonus > MaxBonus:
		return apperr.Invalid("bonuses must be 0–%d", MaxBonus)
	case r.PublishCap < 0 || r.PublishCap > MaxBonus || r.ShareCap < 0 || r.ShareCap > MaxBonus:
		return apperr.Invalid("bonus caps must be 0–%d", MaxBonus)
	case r.IPDaily < 0 || r.IPDaily > MaxSourceDaily || r.DeviceDaily < 0 || r.DeviceDaily > MaxSourceDaily:
		return apperr.Invalid("ip_daily and device_daily must be 0–%d", MaxSourceDaily)
	case r.NewDays < 0 || r.NewDays > 365:
		return apperr.Invalid("new_days must be 0–365")
	case r.NewMode != NewCount && r.NewMode != NewWeight && r.NewMode != NewExclude:
		return apperr.Invalid("new_mode must be count, weight or exclude")
	case r.NewWeight < 1 || r.NewWeight > FullWeight:
		return apperr.Invalid("new_weight must be 1–%d (percent)", FullWeight)
	case r.BurstVotes < 0 || r.BurstVotes > 1_000_000:
		return apperr.Invalid("burst_votes must be 0–1000000")
	case r.BurstVotes > 0 && (r.BurstWindowSec < 1 || r.BurstWindowSec > 86400):
		return apperr.Invalid("burst_window_sec must be 1–86400 when burst_votes is set")
	}
	return nil
}

// Create sets up a campaign (operators only).
func (s *Service) Create(ctx context.Context, actor accounts.User, in Input) (Campaign, error) {
	if err := accounts.RequireOperator(actor, "create campaigns"); err != nil {
		return Campaign{}, err
	}
	title, err := validate.Text("title", in.Title, 1, TitleMax, false)
	if err != nil {
		return Campaign{}, err
	}
	desc, err := validate.Text("description", in.Description, 0, DescriptionMax, true)
	if err != nil {
		return Campaign{}, err
	}
	topic := ""
	if strings.TrimSpace(in.Topic) != "" {
		if topic, err = notes.NormalizeTopic(in.Topic); err != nil {
			return Campaign{}, err
		}
	}
	now := s.Now()
	switch {
	case in.StartsAt.IsZero() || in.EndsAt.IsZero():
		return Campaign{}, apperr.Invalid("starts_at and ends_at are required (RFC 3339)")
	case !in.EndsAt.After(in.StartsAt) || in.EndsAt.Sub(in.StartsAt) > MaxDuration:
		return Campaign{}, apperr.Invalid("a campaign lasts up to 60 days and ends after it starts")
	case !in.EndsAt.After(now):
		return Campaign{}, apperr.Invalid("ends_at is in the past")
	}
	if err := in.Rules.check(); err != nil {
		return Campaign{}, err
	}
	c := Campaign{ID: id.New(), Title: title, Description: desc, Topic: topic,
		StartsAt: in.StartsAt.UTC().Truncate(time.Millisecond), EndsAt: in.EndsAt.UTC().Truncate(time.Millisecond), Rules: in.Rules}
	r := c.Rules
	_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO campaigns (id, title, description, topic, starts_at, ends_at, daily_votes,
		publish_bonus, publish_cap, share_bonus, share_cap, ip_daily, device_daily, new_days, new_mode, new_weight, burst_votes,
		burst_window_ms, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Title, c.Description, c.Topic, c.StartsAt.UnixMilli(), c.EndsAt.UnixMilli(), r.DailyVotes, r.PublishBonus, r.PublishCap,
		r.ShareBonus, r.ShareCap, r.IPDaily, r.DeviceDaily, r.NewDays, r.NewMode, r.NewWeight, r.BurstVotes,
		int64(r.BurstWindowSec)*1000, actor.ID, db.Now())
	if err != nil {
		return Campaign{}, err
	}
	c.Status, c.ServerTime = c.statusAt(now), now.UTC()
	return c, nil
}

const campaignCols = `id, title, description, topic, starts_at, ends_at, published_at, daily_votes, publish_bonus, publish_cap,
	share_bonus, share_cap, ip_daily, device_daily, new_days, new_mode, new_weight, burst_votes, burst_window_ms`

func scanCampaign(row interface{ Scan(...any) error }) (Campaign, error) {
	var c Campaign
	var starts, ends, pub, window int64
	r := &c.Rules
	err := row.Scan(&c.ID, &c.Title, &c.Description, &c.Topic, &starts, &ends, &pub, &r.DailyVotes, &r.PublishBonus, &r.PublishCap,
		&r.ShareBonus, &r.ShareCap, &r.IPDaily, &r.DeviceDaily, &r.NewDays, &r.NewMode, &r.NewWeight, &r.BurstVotes, &window)
	c.StartsAt, c.EndsAt = time.UnixMilli(starts).UTC(), time.UnixMilli(ends).UTC()
	if pub != 0 {
		t := time.UnixMilli(pub).UTC()
		c.PublishedAt = &t
	}
	r.BurstWindowSec = int(window / 1000)
	return c, err
}

// load reads a campaign through the cache; writes that change a campaign's
// row drop its entry (forget).
func (s *Service) load(ctx context.Context, cid id.ID) (Campaign, error) {
	if c, ok := s.cached.Load(cid); ok {
		return c.(Campaign), nil
	}
	c, err := scanCampaign(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+campaignCols+" FROM campaigns WHERE id = ?", cid))
	if errors.Is(err, sql.ErrNoRows) {
		return Campaign{}, apperr.NotFound("campaign")
	}
	if err != nil {
		return Campaign{}, err
	}
	s.cached.Store(cid, c)
	return c, nil
}

func (s *Service) forget(ctx context.Context, cid id.ID) {
	db.AfterCommit(ctx, func() { s.cached.Delete(cid) })
}

// Get returns a campaign with its status.
func (s *Service) Get(ctx context.Context, cid id.ID) (Campaign, error) {
	c, err := s.load(ctx, cid)
	if err != nil {
		return Campaign{}, err
	}
	now := s.Now()
	c.Status, c.ServerTime = c.statusAt(now), now.UTC()
	return c, nil
}

// List returns campaigns running or upcoming (soonest end first), then
// those ended in the last 90 days, newest first; at most limit.
func (s *Service) List(ctx context.Context, limit int) ([]Campaign, error) {
	now := s.Now()
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+campaignCols+` FROM campaigns WHERE ends_at > ?
		ORDER BY CASE WHEN ends_at > ? THEN 0 ELSE 1 END, CASE WHEN ends_at > ? THEN ends_at ELSE -ends_at END, id LIMIT ?`,
		now.Add(-90*24*time.Hour).UnixMilli(), now.UnixMilli(), now.UnixMilli(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Campaign{}
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, err
		}
		c.Status, c.ServerTime = c.statusAt(now), now.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// Category is a leaderboard within a campaign.
type Category struct {
	ID       id.ID     `json:"id"`
	Name     string    `json:"name"`
	Nominees []Nominee `json:"nominees"` // by score, then votes, then id
}

// Nominee is an entry with its live tally.
type Nominee struct {
	ID       id.ID  `json:"id"`
	Category id.ID  `json:"category_id"`
	Kind     string `json:"kind"`
	Ref      id.ID  `json:"ref,omitempty"`
	Title    string `json:"title"`
	Votes    int64  `json:"votes"` // valid votes
	Score    int64  `json:"score"` // sum of their weights (100 per full vote)
}

// AddCategory adds a category (operators; not after the campaign ended).
func (s *Service) AddCategory(ctx context.Context, actor accounts.User, cid id.ID, name string) (Category, error) {
	if err := accounts.RequireOperator(actor, "edit campaigns"); err != nil {
		return Category{}, err
	}
	c, err := s.load(ctx, cid)
	if err != nil {
		return Category{}, err
	}
	if name, err = validate.Text("name", name, 1, NameMax, false); err != nil {
		return Category{}, err
	}
	if !s.Now().Before(c.EndsAt) {
		return Category{}, apperr.Conflict("the campaign has ended")
	}
	cat := Category{ID: id.New(), Name: name, Nominees: []Nominee{}}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		var n int
		if err := w.QueryRow(ctx, "SELECT COUNT(*) FROM campaign_categories WHERE campaign_id = ?", cid).Scan(&n); err != nil {
			return err
		}
		if n >= MaxCategories {
			return apperr.Conflict("a campaign has at most %d categories", MaxCategories)
		}
		_, err := w.Exec(ctx, "INSERT INTO campaign_categories (id, campaign_id, name, position, created_at) VALUES (?, ?, ?, ?, ?)",
			cat.ID, cid, name, n, db.Now())
		return err
	})
	if err != nil {
		return Category{}, err
	}
	s.changed(cid)
	return cat, nil
}

// NomineeInput adds a nominee; Title may be empty for a product, note or
// creator (their own title or name is used).
type NomineeInput struct {
	Category id.ID  `json:"category_id"`
	Kind     string `json:"kind"`
	Ref      id.ID  `json:"ref"`
	Title    string `json:"title"`
}

// refTitle is the title of what a nominee refers to ("" when it does not exist).
var refTitle = map[string]string{
	KindProduct: "SELECT title FROM products WHERE id = ?",
	KindNote:    "SELECT title FROM notes WHERE id = ? AND status = 'published'",
	KindCreator: "SELECT CASE WHEN display_name = '' THEN username ELSE display_name END FROM users WHERE id = ?",
}

// AddNominee adds a nominee to a category (operators; not after the end).
func (s *Service) AddNominee(ctx context.Context, actor accounts.User, cid id.ID, in NomineeInput) (Nominee, error) {
	if err := accounts.RequireOperator(actor, "edit campaigns"); err != nil {
		return Nominee{}, err
	}
	c, err := s.load(ctx, cid)
	if err != nil {
		return Nominee{}, err
	}
	title, err := validate.Text("title", in.Title, 0, TitleMax, false)
	if err != nil {
		return Nominee{}, err
	}
	q, known := refTitle[in.Kind]
	switch {
	case in.Kind == KindFree:
		if title == "" {
			return Nominee{}, apperr.Invalid("a free entry needs a title")
		}
		in.Ref = 0
	case !known:
		return Nominee{}, apperr.Invalid("kind must be product, note, creator or free")
	case in.Ref == 0:
		return Nominee{}, apperr.Invalid("ref is required for a %s", in.Kind)
	}
	if !s.Now().Before(c.EndsAt) {
		return Nominee{}, apperr.Conflict("the campaign has ended")
	}
	if known {
		var own string
		err := s.db.Reader(ctx).QueryRow(ctx, q, in.Ref).Scan(&own)
		if errors.Is(err, sql.ErrNoRows) {
			return Nominee{}, apperr.Invalid("%s %s does not exist", in.Kind, in.Ref)
		}
		if err != nil {
			return Nominee{}, err
		}
		if title == "" {
			title = truncate(own, TitleMax)
		}
		if title == "" {
			title = in.Kind + " " + in.Ref.String()
		}
	}
	n := Nominee{ID: id.New(), Category: in.Category, Kind: in.Kind, Ref: in.Ref, Title: title}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		var count int
		err := w.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM campaign_nominees WHERE category_id = c.id) FROM campaign_categories c
			WHERE c.id = ? AND c.campaign_id = ?`, in.Category, cid).Scan(&count)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Invalid("category %s is not in this campaign", in.Category)
		}
		if err != nil {
			return err
		}
		if count >= MaxNominees {
			return apperr.Conflict("a category has at most %d nominees", MaxNominees)
		}
		_, err = w.Exec(ctx, `INSERT INTO campaign_nominees (id, campaign_id, category_id, kind, ref, title, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, n.ID, cid, n.Category, n.Kind, n.Ref, n.Title, db.Now())
		return err
	})
	if err != nil {
		return Nominee{}, err
	}
	s.changed(cid)
	return n, nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// Categories reads the categories with their nominees ranked by tally.
func (s *Service) Categories(ctx context.Context, cid id.ID) ([]Category, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT c.id, c.name, n.id, n.kind, n.ref, n.title, n.votes, n.score
		FROM campaign_categories c LEFT JOIN campaign_nominees n ON n.category_id = c.id
		WHERE c.campaign_id = ? ORDER BY c.position, c.id, n.score DESC, n.votes DESC, n.id`, cid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Category{}
	for rows.Next() {
		var cat id.ID
		var name string
		var nid, ref sql.NullInt64
		var kind, title sql.NullString
		var votes, score sql.NullInt64
		if err := rows.Scan(&cat, &name, &nid, &kind, &ref, &title, &votes, &score); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != cat {
			out = append(out, Category{ID: cat, Name: name, Nominees: []Nominee{}})
		}
		if nid.Valid {
			last := &out[len(out)-1]
			last.Nominees = append(last.Nominees, Nominee{ID: id.ID(nid.Int64), Category: cat, Kind: kind.String,
				Ref: id.ID(ref.Int64), Title: title.String, Votes: votes.Int64, Score: score.Int64})
		}
	}
	return out, rows.Err()
}

// Record is the activity hook: publishing a note with a live campaign's
// topic, or sharing one, earns bonus votes for that day, within the caps.
// It runs in the transaction of the act.
func (s *Service) Record(ctx context.Context, e activity.Event) error {
	if e.Kind != activity.Publish && e.Kind != activity.Share {
		return nil
	}
	now := s.Now().UnixMilli()
	w := s.db.Writer(ctx)
	rows, err := w.Query(ctx, `SELECT c.id, c.publish_bonus, c.publish_cap, c.share_bonus, c.share_cap FROM campaigns c
		JOIN topics t ON t.name = c.topic JOIN note_topics nt ON nt.topic_id = t.id AND nt.note_id = ?
		WHERE c.topic <> '' AND c.starts_at <= ? AND c.ends_at > ? AND c.published_at = 0`, e.Ref, now, now)
	if err != nil {
		return err
	}
	type grant struct {
		cid      id.ID
		bonus    int
		cap      int
		column   string
		kindName string
	}
	var grants []grant
	for rows.Next() {
		var cid id.ID
		var pb, pc, sb, sc int
		if err := rows.Scan(&cid, &pb, &pc, &sb, &sc); err != nil {
			rows.Close()
			return err
		}
		if e.Kind == activity.Publish && pb > 0 && pc > 0 {
			grants = append(grants, grant{cid, pb, pc, "bonus_publish", e.Kind})
		} else if e.Kind == activity.Share && sb > 0 && sc > 0 {
			grants = append(grants, grant{cid, sb, sc, "bonus_share", e.Kind})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(grants) == 0 {
		return err
	}
	day, err := s.days.Today(ctx, e.User)
	if err != nil {
		return err
	}
	for _, g := range grants {
		res, err := w.Exec(ctx, `INSERT INTO campaign_bonus_acts (campaign_id, user_id, kind, ref, day, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, g.cid, e.User, g.kindName, e.Ref, day, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // this act already earned its bonus
		}
		// The cap holds by construction: the new value is clamped to it.
		var bonus int64
		if err := w.QueryRow(ctx, `INSERT INTO campaign_days (campaign_id, user_id, day, `+g.column+`) VALUES (?, ?, ?, ?)
			ON CONFLICT (campaign_id, user_id, day) DO UPDATE SET `+g.column+` = CASE
			WHEN campaign_days.`+g.column+` + ? > ? THEN ? ELSE campaign_days.`+g.column+` + ? END
			RETURNING bonus_publish + bonus_share`,
			g.cid, e.User, day, min(g.bonus, g.cap), g.bonus, g.cap, g.cap, g.bonus).Scan(&bonus); err != nil {
			return err
		}
		s.redisBonus(ctx, g.cid, e.User, day, bonus)
	}
	return nil
}

// Points is the weighted score in votes ("12.5"): a full vote is 1.
func (n Nominee) Points() string {
	s := fmt.Sprintf("%d.%02d", n.Score/FullWeight, n.Score%FullWeight)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
