// Package support runs creator support programs (G2, the report's
// 创作者123计划 and "30 亿流量" support): an operator enrols creators, or a
// rule picks them (growth level ≥ N, optionally only new accounts), and
// their new notes are lifted in the discover feed for the program's period
// by a multiplier on the ranking score (internal/recommend's Booster).
//
// The effect is measured with a holdout: a fixed share of readers, chosen
// by a hash of the reader and the program, never get the boost. The
// feed counts, per arm, the pages it served to signed-in readers and the
// impressions of enrolled creators' new notes in them, so the console
// and the creator centre compare impressions per 100 pages boosted vs
// held out. Counts are kept in memory and flushed every few seconds (an
// impression is not worth a write). See docs/creators.md.
package support

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/recommend"
	"github.com/redmark/redmark/internal/validate"
)

// Limits on what an operator may set.
const (
	NameMax     = 60
	MaxBoost    = 500 // percent
	MaxHoldout  = 50  // percent
	MaxNoteDays = 30
	MaxDuration = 90 * 24 * time.Hour
	// RefreshEvery is how often each server reloads the live programs
	// (and how soon another server's enrolment takes effect here).
	RefreshEvery = 10 * time.Second
	// FlushEvery is how often counted impressions are written.
	FlushEvery = 5 * time.Second
)

// Arms of the measurement.
const (
	Boosted = "boost"
	Holdout = "holdout"
)

// Input creates a program.
type Input struct {
	Name         string    `json:"name"`
	BoostPct     int       `json:"boost_pct"`      // 101–500: the score multiplier in percent
	HoldoutPct   int       `json:"holdout_pct"`    // 1–50: readers who never get the boost
	NoteDays     int       `json:"note_days"`      // 1–30: how long a note stays new
	RuleMinLevel int       `json:"rule_min_level"` // 0: operator enrolment only
	RuleNewDays  int       `json:"rule_new_days"`  // with the rule: only accounts younger than this (0: any)
	StartsAt     time.Time `json:"starts_at"`
	EndsAt       time.Time `json:"ends_at"`
}

// Program is a program as the API shows it.
type Program struct {
	ID id.ID `json:"id"`
	Input
	Members int    `json:"members"`
	Status  string `json:"status"` // upcoming, live, ended
}

func status(p Input, now time.Time) string {
	switch {
	case now.Before(p.StartsAt):
		return "upcoming"
	case !now.Before(p.EndsAt):
		return "ended"
	}
	return "live"
}

// live is a running program as the feed needs it.
type live struct {
	id       id.ID
	factor   float32
	holdout  uint64
	noteDays time.Duration
	ends     time.Time
	members  map[id.ID]int64 // creator → enrolled at (Unix s)
}

type countKey struct {
	program, user id.ID // user 0: pages served
	day           int64
	arm           string
}

// Service runs support programs.
type Service struct {
	db *db.DB
	// Now is the clock (tests inject one).
	Now func() time.Time

	mu   sync.RWMutex
	live []live

	countMu sync.Mutex
	counts  map[countKey]int64
}

func New(d *db.DB) *Service {
	return &Service{db: d, Now: time.Now, counts: map[countKey]int64{}}
}

var _ recommend.Booster = (*Service)(nil)

// Create starts a program (operators only) and enrols the creators its
// rule picks.
func (s *Service) Create(ctx context.Context, actor accounts.User, in Input) (Program, error) {
	if err := accounts.RequireOperator(actor, "run support programs"); err != nil {
		return Program{}, err
	}
	var err error
	if in.Name, err = validate.Text("name", in.Name, 1, NameMax, false); err != nil {
		return Program{}, err
	}
	switch {
	case in.BoostPct <= 100 || in.BoostPct > MaxBoost:
		return Program{}, apperr.Invalid("boost_pct must be 101–%d", MaxBoost)
	case in.HoldoutPct < 1 || in.HoldoutPct > MaxHoldout:
		return Program{}, apperr.Invalid("holdout_pct must be 1–%d", MaxHoldout)
	case in.NoteDays < 1 || in.NoteDays > MaxNoteDays:
		return Program{}, apperr.Invalid("note_days must be 1–%d", MaxNoteDays)
	case in.RuleMinLevel < 0 || in.RuleMinLevel > 10 || in.RuleNewDays < 0 || in.RuleNewDays > 365:
		return Program{}, apperr.Invalid("rule_min_level must be 0–10 and rule_new_days 0–365")
	case in.StartsAt.IsZero() || in.EndsAt.IsZero():
		return Program{}, apperr.Invalid("starts_at and ends_at are required (RFC 3339)")
	case !in.EndsAt.After(in.StartsAt) || in.EndsAt.Sub(in.StartsAt) > MaxDuration:
		return Program{}, apperr.Invalid("a program lasts up to 90 days and ends after it starts")
	case !in.EndsAt.After(s.Now()):
		return Program{}, apperr.Invalid("ends_at is in the past")
	}
	in.StartsAt, in.EndsAt = in.StartsAt.UTC().Truncate(time.Millisecond), in.EndsAt.UTC().Truncate(time.Millisecond)
	p := Program{ID: id.New(), Input: in}
	if _, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO support_programs (id, name, boost_pct, holdout_pct, note_days, rule_min_level,
		rule_new_days, starts_at, ends_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, in.Name, in.BoostPct,
		in.HoldoutPct, in.NoteDays, in.RuleMinLevel, in.RuleNewDays, in.StartsAt.UnixMilli(), in.EndsAt.UnixMilli(), actor.ID, db.Now()); err != nil {
		return Program{}, err
	}
	if err := s.ApplyRules(ctx); err != nil {
		return Program{}, err
	}
	return s.Get(ctx, p.ID)
}

// Enrol adds a creator (by username) to a program (operators only).
func (s *Service) Enrol(ctx context.Context, actor accounts.User, pid id.ID, username string) error {
	if err := accounts.RequireOperator(actor, "run support programs"); err != nil {
		return err
	}
	p, err := s.Get(ctx, pid)
	if err != nil {
		return err
	}
	if p.Status == "ended" {
		return apperr.Conflict("the program has ended")
	}
	var uid id.ID
	err = s.db.Reader(ctx).QueryRow(ctx, "SELECT id FROM users WHERE username = ?",
		strings.ToLower(strings.TrimPrefix(strings.TrimSpace(username), "@"))).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Invalid("no account %q", username)
	}
	if err != nil {
		return err
	}
	if _, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO support_members (program_id, user_id, source, enrolled_at)
		VALUES (?, ?, 'operator', ?) ON CONFLICT DO NOTHING`, pid, uid, s.Now().UnixMilli()); err != nil {
		return err
	}
	return s.Refresh(ctx)
}

// Remove takes a creator out of a program (operators only).
func (s *Service) Remove(ctx context.Context, actor accounts.User, pid, uid id.ID) error {
	if err := accounts.RequireOperator(actor, "run support programs"); err != nil {
		return err
	}
	if _, err := s.db.Writer(ctx).Exec(ctx, "DELETE FROM support_members WHERE program_id = ? AND user_id = ?", pid, uid); err != nil {
		return err
	}
	return s.Refresh(ctx)
}

// ApplyRules enrols, into every program running or upcoming with a rule,
// the creators the rule picks now (a cluster job repeats it, so creators
// who reach the level during the program join it).
func (s *Service) ApplyRules(ctx context.Context) error {
	now := s.Now()
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT id, rule_min_level, rule_new_days FROM support_programs
		WHERE rule_min_level > 0 AND ends_at > ?`, now.UnixMilli())
	if err != nil {
		return err
	}
	type rule struct {
		id           id.ID
		level, fresh int
	}
	var rules []rule
	for rows.Next() {
		var r rule
		if err := rows.Scan(&r.id, &r.level, &r.fresh); err != nil {
			rows.Close()
			return err
		}
		rules = append(rules, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range rules {
		born := int64(0)
		if r.fresh > 0 {
			born = now.Add(-time.Duration(r.fresh) * 24 * time.Hour).UnixMilli()
		}
		if _, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO support_members (program_id, user_id, source, enrolled_at)
			SELECT ?, g.user_id, 'rule', ? FROM growth_users g JOIN users u ON u.id = g.user_id
			WHERE g.level >= ? AND u.created_at >= ? ON CONFLICT DO NOTHING`, r.id, now.UnixMilli(), r.level, born); err != nil {
			return err
		}
	}
	return s.Refresh(ctx)
}

const cols = `p.id, p.name, p.boost_pct, p.holdout_pct, p.note_days, p.rule_min_level, p.rule_new_days, p.starts_at, p.ends_at,
	(SELECT COUNT(*) FROM support_members m WHERE m.program_id = p.id)`

func (s *Service) scan(rows interface{ Scan(...any) error }) (Program, error) {
	var p Program
	var starts, ends int64
	err := rows.Scan(&p.ID, &p.Name, &p.BoostPct, &p.HoldoutPct, &p.NoteDays, &p.RuleMinLevel, &p.RuleNewDays, &starts, &ends, &p.Members)
	p.StartsAt, p.EndsAt = time.UnixMilli(starts).UTC(), time.UnixMilli(ends).UTC()
	p.Status = status(p.Input, s.Now())
	return p, err
}

// Get returns a program.
func (s *Service) Get(ctx context.Context, pid id.ID) (Program, error) {
	p, err := s.scan(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+cols+" FROM support_programs p WHERE p.id = ?", pid))
	if errors.Is(err, sql.ErrNoRows) {
		return Program{}, apperr.NotFound("program")
	}
	return p, err
}

// List returns the programs not ended more than 90 days ago, newest first.
func (s *Service) List(ctx context.Context, limit int) ([]Program, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+cols+" FROM support_programs p WHERE p.ends_at > ? ORDER BY p.starts_at DESC, p.id DESC LIMIT ?",
		s.Now().Add(-90*24*time.Hour).UnixMilli(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Program{}
	for rows.Next() {
		p, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Refresh reloads the live programs and their members (a local job runs
// it every RefreshEvery; writes on this server run it at once).
func (s *Service) Refresh(ctx context.Context) error {
	now := s.Now().UnixMilli()
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT p.id, p.boost_pct, p.holdout_pct, p.note_days, p.ends_at, m.user_id, m.enrolled_at
		FROM support_programs p JOIN support_members m ON m.program_id = p.id WHERE p.starts_at <= ? AND p.ends_at > ? ORDER BY p.id`, now, now)
	if err != nil {
		return err
	}
	defer rows.Close()
	var out []live
	for rows.Next() {
		var pid, uid id.ID
		var boost, hold, days int
		var ends, enrolled int64
		if err := rows.Scan(&pid, &boost, &hold, &days, &ends, &uid, &enrolled); err != nil {
			return err
		}
		if len(out) == 0 || out[len(out)-1].id != pid {
			out = append(out, live{id: pid, factor: float32(boost) / 100, holdout: uint64(hold), ends: time.UnixMilli(ends),
				noteDays: time.Duration(days) * 24 * time.Hour, members: map[id.ID]int64{}})
		}
		out[len(out)-1].members[uid] = enrolled / 1000
	}
	if err := rows.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.live = out
	s.mu.Unlock()
	return nil
}

// held says whether a reader is in a program's holdout: a stable hash of
// both, the same on every server and after restarts.
func held(program, viewer id.ID, pct uint64) bool {
	h := fnv.New64a()
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(program))
	binary.BigEndian.PutUint64(b[8:], uint64(viewer))
	h.Write(b[:])
	return h.Sum64()%100 < pct
}

// Arm is a reader's arm of a program (signed-out readers always get the
// boost and are not measured).
func Arm(program, viewer id.ID, holdoutPct int) string {
	if viewer != 0 && held(program, viewer, uint64(holdoutPct)) {
		return Holdout
	}
	return Boosted
}

// Boosts is the recommender's Booster: the lift of each enrolled creator's
// notes published since their enrolment and within the program's
// note_days, for a reader not held out.
func (s *Service) Boosts(viewer id.ID, now time.Time) map[id.ID]recommend.Boost {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out map[id.ID]recommend.Boost
	for _, p := range s.live {
		if !now.Before(p.ends) || (viewer != 0 && held(p.id, viewer, p.holdout)) {
			continue
		}
		newSince := now.Add(-p.noteDays).Unix()
		for uid, enrolled := range p.members {
			if out == nil {
				out = map[id.ID]recommend.Boost{}
			}
			b := recommend.Boost{Factor: p.factor, Since: max(enrolled, newSince)}
			if cur, ok := out[uid]; !ok || b.Factor > cur.Factor {
				out[uid] = b
			}
		}
	}
	return out
}

// Shown is a note a feed page showed: its author and publication time.
type Shown struct {
	Author    id.ID
	Published time.Time
}

// Served counts a discover page served to a signed-in reader: a page for
// the reader's arm of each live program, and an impression for each note
// on it that the program lifts (or, held out, would lift).
func (s *Service) Served(viewer id.ID, page []Shown, now time.Time) {
	if viewer == 0 {
		return
	}
	day := now.UTC().Unix() / 86400
	s.mu.RLock()
	var add []countKey
	for _, p := range s.live {
		if !now.Before(p.ends) {
			continue
		}
		arm := Boosted
		if held(p.id, viewer, p.holdout) {
			arm = Holdout
		}
		add = append(add, countKey{p.id, 0, day, arm})
		newSince := now.Add(-p.noteDays).Unix()
		for _, n := range page {
			if enrolled, ok := p.members[n.Author]; ok && n.Published.Unix() >= max(enrolled, newSince) {
				add = append(add, countKey{p.id, n.Author, day, arm})
			}
		}
	}
	s.mu.RUnlock()
	if len(add) == 0 {
		return
	}
	s.countMu.Lock()
	for _, k := range add {
		if len(s.counts) < 1<<16 || s.counts[k] > 0 {
			s.counts[k]++
		}
	}
	s.countMu.Unlock()
}

// Flush writes the counted impressions in one transaction; on failure they
// are kept for the next flush.
func (s *Service) Flush(ctx context.Context) error {
	s.countMu.Lock()
	pending := s.counts
	s.counts = map[countKey]int64{}
	s.countMu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		for k, n := range pending {
			if _, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO support_impressions (program_id, user_id, day, arm, impressions)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (program_id, user_id, day, arm) DO UPDATE
				SET impressions = support_impressions.impressions + excluded.impressions`, k.program, k.user, k.day, k.arm, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.countMu.Lock()
		for k, n := range pending {
			s.counts[k] += n
		}
		s.countMu.Unlock()
	}
	return err
}
