package growth

import (
	"context"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/points"
)

// CheckIn is the result of a check-in.
type CheckIn struct {
	Day     string `json:"day"`     // local date, YYYY-MM-DD
	Streak  int64  `json:"streak"`  // consecutive local days up to today
	Points  int64  `json:"points"`  // paid by this call (0 when already checked in)
	Already bool   `json:"already"` // today was checked in before
}

func dayString(day int64) string { return time.Unix(day*86400, 0).UTC().Format("2006-01-02") }

// CheckIn checks uid in for their local today. The row's primary key makes
// it once per day however many requests race; the streak is yesterday's
// plus one, so a missed day starts again at 1.
func (s *Service) CheckIn(ctx context.Context, uid id.ID) (CheckIn, error) {
	var out CheckIn
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		day, err := s.today(ctx, uid)
		if err != nil {
			return err
		}
		out.Day = dayString(day)
		w := s.db.Writer(ctx)
		res, err := w.Exec(ctx, `INSERT INTO growth_checkins (user_id, day, streak, created_at)
			VALUES (?, ?, COALESCE((SELECT streak FROM growth_checkins WHERE user_id = ? AND day = ?), 0) + 1, ?)
			ON CONFLICT DO NOTHING`, uid, day, uid, day-1, db.Now())
		if err != nil {
			return err
		}
		inserted, _ := res.RowsAffected()
		out.Already = inserted == 0
		if err := w.QueryRow(ctx, "SELECT streak FROM growth_checkins WHERE user_id = ? AND day = ?", uid, day).Scan(&out.Streak); err != nil {
			return err
		}
		if out.Already {
			return nil
		}
		if out.Points, err = s.earn(ctx, uid, RuleCheckIn, points.CheckIn, id.ID(day), "daily check-in"); err != nil {
			return err
		}
		if out.Streak%7 == 0 {
			bonus, err := s.earn(ctx, uid, RuleStreak7, points.Streak, id.ID(day), "7-day check-in streak")
			out.Points += bonus
			return err
		}
		return nil
	})
	return out, err
}

// Calendar is a user's recent check-ins.
type Calendar struct {
	Today   string   `json:"today"`
	Checked bool     `json:"checked"` // today
	Streak  int64    `json:"streak"`  // current streak (still alive if yesterday was checked)
	Days    []string `json:"days"`    // checked local dates among the last n days, oldest first
}

// Calendar returns the check-ins of the last n local days.
func (s *Service) Calendar(ctx context.Context, uid id.ID, n int) (Calendar, error) {
	day, err := s.today(ctx, uid)
	if err != nil {
		return Calendar{}, err
	}
	c := Calendar{Today: dayString(day), Days: []string{}}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT day, streak FROM growth_checkins WHERE user_id = ? AND day > ? AND day <= ? ORDER BY day",
		uid, day-int64(n), day)
	if err != nil {
		return Calendar{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var d, streak int64
		if err := rows.Scan(&d, &streak); err != nil {
			return Calendar{}, err
		}
		c.Days = append(c.Days, dayString(d))
		if d >= day-1 {
			c.Streak = streak
		}
		c.Checked = c.Checked || d == day
	}
	return c, rows.Err()
}
