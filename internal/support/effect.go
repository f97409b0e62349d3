package support

import (
	"context"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/id"
)

// ArmEffect is one arm's figures: feed pages served to its readers, the
// impressions of lifted notes on them, and impressions per 100 pages.
type ArmEffect struct {
	Pages       int64   `json:"pages"`
	Impressions int64   `json:"impressions"`
	PerHundred  float64 `json:"per_100_pages"`
}

// Effect compares the arms; Lift is boosted over held-out impressions per
// page minus one, in percent (nil until both arms have impressions).
type Effect struct {
	Boost   ArmEffect `json:"boost"`
	Holdout ArmEffect `json:"holdout"`
	LiftPct *float64  `json:"lift_pct"`
}

func (e *Effect) finish() {
	for _, a := range []*ArmEffect{&e.Boost, &e.Holdout} {
		if a.Pages > 0 {
			a.PerHundred = float64(a.Impressions) * 100 / float64(a.Pages)
		}
	}
	if e.Holdout.PerHundred > 0 && e.Boost.Pages > 0 {
		l := (e.Boost.PerHundred/e.Holdout.PerHundred - 1) * 100
		e.LiftPct = &l
	}
}

// Member is an enrolled creator with their notes' effect.
type Member struct {
	UserID   id.ID  `json:"user_id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Source   string `json:"source"` // operator or rule
	Effect   Effect `json:"effect"`
}

// arms reads a program's counters: pages per arm and impressions per
// creator and arm (uid 0: every creator).
func (s *Service) arms(ctx context.Context, pid id.ID) (pages map[string]int64, imps map[id.ID]map[string]int64, err error) {
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT user_id, arm, SUM(impressions) FROM support_impressions WHERE program_id = ?
		GROUP BY user_id, arm`, pid)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	pages, imps = map[string]int64{}, map[id.ID]map[string]int64{}
	for rows.Next() {
		var uid id.ID
		var arm string
		var n int64
		if err := rows.Scan(&uid, &arm, &n); err != nil {
			return nil, nil, err
		}
		if uid == 0 {
			pages[arm] = n
			continue
		}
		if imps[uid] == nil {
			imps[uid] = map[string]int64{}
		}
		imps[uid][arm] = n
	}
	return pages, imps, rows.Err()
}

func effectOf(pages map[string]int64, imps map[string]int64) Effect {
	e := Effect{Boost: ArmEffect{Pages: pages[Boosted], Impressions: imps[Boosted]},
		Holdout: ArmEffect{Pages: pages[Holdout], Impressions: imps[Holdout]}}
	e.finish()
	return e
}

// Effect is a program's measured effect, overall and per member (operators).
func (s *Service) Effect(ctx context.Context, actor accounts.User, pid id.ID) (Effect, []Member, error) {
	if err := accounts.RequireOperator(actor, "run support programs"); err != nil {
		return Effect{}, nil, err
	}
	if _, err := s.Get(ctx, pid); err != nil {
		return Effect{}, nil, err
	}
	pages, imps, err := s.arms(ctx, pid)
	if err != nil {
		return Effect{}, nil, err
	}
	total := map[string]int64{}
	for _, by := range imps {
		for arm, n := range by {
			total[arm] += n
		}
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT m.user_id, u.username, CASE WHEN u.display_name = '' THEN u.username ELSE u.display_name END,
		m.source FROM support_members m JOIN users u ON u.id = m.user_id WHERE m.program_id = ? ORDER BY m.enrolled_at, m.user_id LIMIT 500`, pid)
	if err != nil {
		return Effect{}, nil, err
	}
	defer rows.Close()
	members := []Member{}
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.UserID, &m.Username, &m.Name, &m.Source); err != nil {
			return Effect{}, nil, err
		}
		m.Effect = effectOf(pages, imps[m.UserID])
		members = append(members, m)
	}
	return effectOf(pages, total), members, rows.Err()
}

// CreatorProgram is a program a creator is in, with their notes' effect.
type CreatorProgram struct {
	Program Program `json:"program"`
	Effect  Effect  `json:"effect"`
}

// ForCreator lists the programs a creator is enrolled in (their own).
func (s *Service) ForCreator(ctx context.Context, uid id.ID) ([]CreatorProgram, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+cols+` FROM support_programs p JOIN support_members m ON m.program_id = p.id
		WHERE m.user_id = ? ORDER BY p.starts_at DESC LIMIT 20`, uid)
	if err != nil {
		return nil, err
	}
	var ps []Program
	for rows.Next() {
		p, err := s.scan(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []CreatorProgram{}
	for _, p := range ps {
		pages, imps, err := s.arms(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, CreatorProgram{Program: p, Effect: effectOf(pages, imps[uid])})
	}
	return out, nil
}
