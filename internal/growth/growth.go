// Package growth is the retention engine (G1, E7, G3, G6): ten levels whose
// tasks count distinct social acts, daily check-in with streaks in the
// user's time zone, earning rules with daily caps, tips, and invites with
// channel attribution. Points live only in internal/points: every reward is
// a points.Add with a ref, so the ledger's (user, kind, ref) uniqueness makes
// it exactly-once; this package adds the caps and the bookkeeping around it.
//
// Task progress is fed by activity hooks inside the transaction of the act
// (a like, a publish…). An act counts when its row in growth_acts is first
// inserted; rows are never deleted, so unliking and liking again, or
// deleting a note, can never count twice, and the counter moves in the same
// transaction as the row it counts, so it stays exact under concurrency.
package growth

import (
	"context"
	"database/sql"
	"errors"
	"time"
	_ "time/tzdata" // user time zones must resolve on hosts without zoneinfo

	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/points"
)

// Task kinds: the activity kinds that levels ask for.
var TaskKinds = []string{activity.Publish, activity.Liked, activity.Collect, activity.Comment, activity.Share}

// Counts are a user's distinct acts per task kind.
type Counts map[string]int64

// Level is one of the ten levels and the counts it asks for.
type Level struct {
	Level  int    `json:"level"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	Needs  Counts `json:"needs"`
}

// met reports whether c reaches every threshold of l.
func (l Level) met(c Counts) bool {
	for k, n := range l.Needs {
		if c[k] < n {
			return false
		}
	}
	return true
}

// reached is the highest level whose thresholds, and all lower levels',
// c meets (levels sorted by number).
func reached(levels []Level, c Counts) int {
	lv := 1
	for _, l := range levels {
		if !l.met(c) {
			break
		}
		lv = l.Level
	}
	return lv
}

// Notes is what tipping needs from the notes and social services.
type Notes interface {
	Get(ctx context.Context, viewer, noteID id.ID) (notes.Note, error)
	Blocked(ctx context.Context, a, b id.ID) (bool, error)
}

// Config holds the fixed rules; zero values take the defaults.
type Config struct {
	DefaultTZ    string        // zone of users who set none (default Asia/Shanghai)
	ActiveWithin time.Duration // an invitee counts as active if they publish or buy this soon (default 7 days)
	IPBurst      int           // sign-ups from one IP per day beyond this earn their inviter nothing (default 3)
}

// Service runs growth over the database and the points ledger.
type Service struct {
	db     *db.DB
	points *points.Service
	notes  Notes
	cfg    Config
	defTZ  *time.Location
	// Notify, when set, tells a user in-transaction about each level reached.
	Notify func(ctx context.Context, uid id.ID, level int) error
	// Tipped receives each tip in its transaction (the creator centre's stats).
	Tipped activity.Hook
	// Now is the clock (tests inject one).
	Now func() time.Time
}

func New(d *db.DB, p *points.Service, n Notes, cfg Config) *Service {
	if cfg.DefaultTZ == "" {
		cfg.DefaultTZ = "Asia/Shanghai"
	}
	if cfg.ActiveWithin <= 0 {
		cfg.ActiveWithin = 7 * 24 * time.Hour
	}
	if cfg.IPBurst <= 0 {
		cfg.IPBurst = 3
	}
	loc, err := time.LoadLocation(cfg.DefaultTZ)
	if err != nil {
		loc = time.UTC
	}
	return &Service{db: d, points: p, notes: n, cfg: cfg, defTZ: loc, Now: time.Now}
}

// Record is the activity hook: it runs in the transaction of the act.
func (s *Service) Record(ctx context.Context, e activity.Event) error {
	switch e.Kind {
	case activity.OrderPaid:
		return s.orderPaid(ctx, e)
	case activity.OrderRefunded:
		return s.orderRefunded(ctx, e)
	}
	return s.act(ctx, e)
}

// act counts a distinct act and levels the user up when it completes a level.
func (s *Service) act(ctx context.Context, e activity.Event) error {
	col, ok := column(e.Kind)
	if !ok {
		return nil
	}
	w := s.db.Writer(ctx)
	res, err := w.Exec(ctx, `INSERT INTO growth_acts (user_id, kind, ref, actor, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, e.User, e.Kind, e.Ref, e.Actor, db.Now())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	var cur int
	c := Counts{}
	var pub, liked, coll, com, sh int64
	if err := w.QueryRow(ctx, `INSERT INTO growth_users (user_id, `+col+`) VALUES (?, 1)
		ON CONFLICT (user_id) DO UPDATE SET `+col+` = growth_users.`+col+` + 1
		RETURNING level, publish, liked, collect, comment, share`, e.User).Scan(&cur, &pub, &liked, &coll, &com, &sh); err != nil {
		return err
	}
	c[activity.Publish], c[activity.Liked], c[activity.Collect], c[activity.Comment], c[activity.Share] = pub, liked, coll, com, sh
	if err := s.levelUp(ctx, e.User, cur, c); err != nil {
		return err
	}
	switch e.Kind {
	case activity.Share:
		_, err = s.earn(ctx, e.User, RuleShare, points.ShareReward, e.Ref, "shared a note")
	case activity.Publish:
		err = s.activate(ctx, e.User)
	}
	return err
}

// column maps a task kind to its counter column (a fixed set, never input).
func column(kind string) (string, bool) {
	switch kind {
	case activity.Publish, activity.Liked, activity.Collect, activity.Comment, activity.Share:
		return kind, true
	}
	return "", false
}

// levelUp moves the user to the level c reaches, recording each level
// passed and paying its task reward once (ledger ref: the level).
func (s *Service) levelUp(ctx context.Context, uid id.ID, cur int, c Counts) error {
	levels, err := s.Levels(ctx)
	if err != nil {
		return err
	}
	to := reached(levels, c)
	if to <= cur {
		return nil
	}
	w := s.db.Writer(ctx)
	if _, err := w.Exec(ctx, "UPDATE growth_users SET level = ? WHERE user_id = ? AND level < ?", to, uid, to); err != nil {
		return err
	}
	for lv := cur + 1; lv <= to; lv++ {
		res, err := w.Exec(ctx, "INSERT INTO growth_levelups (user_id, level, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			uid, lv, db.Now())
		if err != nil {
			return err
		}
		if _, err := s.earn(ctx, uid, RuleTask, points.TaskReward, id.ID(lv), "reached a new level"); err != nil {
			return err
		}
		// A level reached before (a backfill run again) is announced once.
		if n, _ := res.RowsAffected(); n > 0 && s.Notify != nil {
			if err := s.Notify(ctx, uid, lv); err != nil {
				return err
			}
		}
	}
	return nil
}

// Levels returns the ten levels in order.
func (s *Service) Levels(ctx context.Context) ([]Level, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT level, name_zh, name_en, publish, liked, collect, comment, share
		FROM growth_levels ORDER BY level`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Level
	for rows.Next() {
		var l Level
		var p, li, co, cm, sh int64
		if err := rows.Scan(&l.Level, &l.NameZh, &l.NameEn, &p, &li, &co, &cm, &sh); err != nil {
			return nil, err
		}
		l.Needs = Counts{activity.Publish: p, activity.Liked: li, activity.Collect: co, activity.Comment: cm, activity.Share: sh}
		out = append(out, l)
	}
	return out, rows.Err()
}

// NameMax bounds level names.
const NameMax = 32

// SetLevel changes a level's names and thresholds (operator). Thresholds
// must not fall from one level to the next; users keep levels they reached.
func (s *Service) SetLevel(ctx context.Context, l Level) error {
	if l.Level < 1 || l.Level > 10 {
		return apperr.Invalid("level must be 1 to 10")
	}
	if l.NameZh == "" || l.NameEn == "" || len([]rune(l.NameZh)) > NameMax || len([]rune(l.NameEn)) > NameMax {
		return apperr.Invalid("names must be 1 to %d characters", NameMax)
	}
	for _, k := range TaskKinds {
		if n := l.Needs[k]; n < 0 || n > 1_000_000 {
			return apperr.Invalid("%s must be 0 to 1000000", k)
		}
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		n := l.Needs
		if _, err := s.db.Writer(ctx).Exec(ctx, `UPDATE growth_levels SET name_zh = ?, name_en = ?, publish = ?, liked = ?,
			collect = ?, comment = ?, share = ? WHERE level = ?`, l.NameZh, l.NameEn, n[activity.Publish], n[activity.Liked],
			n[activity.Collect], n[activity.Comment], n[activity.Share], l.Level); err != nil {
			return err
		}
		levels, err := s.Levels(ctx)
		if err != nil {
			return err
		}
		for i := 1; i < len(levels); i++ {
			for _, k := range TaskKinds {
				if levels[i].Needs[k] < levels[i-1].Needs[k] {
					return apperr.Invalid("level %d asks for fewer %s than level %d", levels[i].Level, k, levels[i-1].Level)
				}
			}
		}
		return nil
	})
}

// Task is one threshold of the next level and how far the user is.
type Task struct {
	Kind string `json:"kind"`
	Have int64  `json:"have"`
	Need int64  `json:"need"`
	Done bool   `json:"done"`
}

// Status is a user's level and the tasks of the next one.
type Status struct {
	Level    Level     `json:"level"`
	Next     *Level    `json:"next"`
	Counts   Counts    `json:"counts"`
	Tasks    []Task    `json:"tasks"`
	LevelUps []LevelUp `json:"level_ups"`
}

// LevelUp is a level reached.
type LevelUp struct {
	Level int       `json:"level"`
	At    time.Time `json:"at"`
}

// Status returns where a user stands.
func (s *Service) Status(ctx context.Context, uid id.ID) (Status, error) {
	levels, err := s.Levels(ctx)
	if err != nil {
		return Status{}, err
	}
	cur, c, err := s.user(ctx, uid)
	if err != nil {
		return Status{}, err
	}
	st := Status{Counts: c, Tasks: []Task{}, LevelUps: []LevelUp{}}
	for i, l := range levels {
		if l.Level == cur {
			st.Level = l
			if i+1 < len(levels) {
				st.Next = &levels[i+1]
			}
		}
	}
	if st.Next != nil {
		for _, k := range TaskKinds {
			if need := st.Next.Needs[k]; need > 0 {
				st.Tasks = append(st.Tasks, Task{Kind: k, Have: c[k], Need: need, Done: c[k] >= need})
			}
		}
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT level, created_at FROM growth_levelups WHERE user_id = ? ORDER BY level DESC LIMIT 5", uid)
	if err != nil {
		return Status{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var lu LevelUp
		var at int64
		if err := rows.Scan(&lu.Level, &at); err != nil {
			return Status{}, err
		}
		lu.At = time.UnixMilli(at).UTC()
		st.LevelUps = append(st.LevelUps, lu)
	}
	return st, rows.Err()
}

// user reads a user's level and counts (level 1, nothing done, when new).
func (s *Service) user(ctx context.Context, uid id.ID) (int, Counts, error) {
	var lv int
	var p, li, co, cm, sh int64
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT level, publish, liked, collect, comment, share FROM growth_users WHERE user_id = ?", uid).
		Scan(&lv, &p, &li, &co, &cm, &sh)
	if errors.Is(err, sql.ErrNoRows) {
		lv, err = 1, nil
	}
	return lv, Counts{activity.Publish: p, activity.Liked: li, activity.Collect: co, activity.Comment: cm, activity.Share: sh}, err
}

// UserLevels returns the levels of users (1 for those without a row), for
// badges on profiles and comments.
func (s *Service) UserLevels(ctx context.Context, uids []id.ID) (map[id.ID]int, error) {
	out := make(map[id.ID]int, len(uids))
	if len(uids) == 0 {
		return out, nil
	}
	args := make([]any, len(uids))
	for i, u := range uids {
		args[i] = u
		out[u] = 1
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT user_id, level FROM growth_users WHERE user_id IN ("+db.Placeholders(len(uids))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u id.ID
		var lv int
		if err := rows.Scan(&u, &lv); err != nil {
			return nil, err
		}
		out[u] = lv
	}
	return out, rows.Err()
}
