package creators

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
)

// Counts are what notes got over a day or a period. Sales is in fen.
type Counts struct {
	Views     int64 `json:"views"`
	Likes     int64 `json:"likes"`
	Collects  int64 `json:"collects"`
	Comments  int64 `json:"comments"`
	Shares    int64 `json:"shares"`
	Tips      int64 `json:"tips"`
	TipPoints int64 `json:"tip_points"`
	Clicks    int64 `json:"clicks"`
	Orders    int64 `json:"orders"`
	Sales     int64 `json:"sales"`
	Followers int64 `json:"new_followers"` // per day and in totals only
}

func (c *Counts) add(o Counts) {
	c.Views += o.Views
	c.Likes += o.Likes
	c.Collects += o.Collects
	c.Comments += o.Comments
	c.Shares += o.Shares
	c.Tips += o.Tips
	c.TipPoints += o.TipPoints
	c.Clicks += o.Clicks
	c.Orders += o.Orders
	c.Sales += o.Sales
	c.Followers += o.Followers
}

// Day is one of the creator's local days.
type Day struct {
	Day  int64  `json:"day"`  // days since 1970-01-01 in the creator's zone
	Date string `json:"date"` // the same, as YYYY-MM-DD
	Counts
}

// NoteStats is one note over the period.
type NoteStats struct {
	NoteID id.ID  `json:"note_id"`
	Title  string `json:"title"`
	Counts
}

// Stats is a creator's period: every day (zeros included, oldest first),
// the totals, and the notes that got something, most viewed first.
type Stats struct {
	Days   []Day       `json:"days"`
	Totals Counts      `json:"totals"`
	Notes  []NoteStats `json:"notes"`
}

// MaxNotes bounds the per-note table.
const MaxNotes = 100

const sums = `SUM(views), SUM(likes), SUM(collects), SUM(comments), SUM(shares), SUM(tips), SUM(tip_points),
	SUM(clicks), SUM(orders), SUM(sales)`

func scanCounts(sc interface{ Scan(...any) error }, head ...any) (Counts, error) {
	var c Counts
	err := sc.Scan(append(head, &c.Views, &c.Likes, &c.Collects, &c.Comments, &c.Shares, &c.Tips, &c.TipPoints,
		&c.Clicks, &c.Orders, &c.Sales)...)
	return c, err
}

func (s *Service) period(ctx context.Context, creator id.ID, days int) (from, to int64, err error) {
	if days < 1 || days > MaxDays {
		return 0, 0, apperr.Invalid("days must be 1–%d", MaxDays)
	}
	to, err = s.days.Today(ctx, creator)
	return to - int64(days) + 1, to, err
}

func dayList(from, to int64) ([]Day, map[int64]int) {
	out := make([]Day, 0, to-from+1)
	at := map[int64]int{}
	for d := from; d <= to; d++ {
		at[d] = len(out)
		out = append(out, Day{Day: d, Date: time.Unix(d*86400, 0).UTC().Format("2006-01-02")})
	}
	return out, at
}

// Stats is creator's last days days (the creator's own: the caller passes
// the signed-in user).
func (s *Service) Stats(ctx context.Context, creator id.ID, days int) (Stats, error) {
	from, to, err := s.period(ctx, creator, days)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Notes: []NoteStats{}}
	var at map[int64]int
	st.Days, at = dayList(from, to)
	r := s.db.Reader(ctx)
	rows, err := r.Query(ctx, "SELECT day, "+sums+" FROM creator_note_days WHERE author_id = ? AND day BETWEEN ? AND ? GROUP BY day",
		creator, from, to)
	if err != nil {
		return Stats{}, err
	}
	for rows.Next() {
		var day int64
		c, err := scanCounts(rows, &day)
		if err != nil {
			rows.Close()
			return Stats{}, err
		}
		if i, ok := at[day]; ok {
			st.Days[i].Counts = c
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Stats{}, err
	}
	rows, err = r.Query(ctx, "SELECT day, followers FROM creator_days WHERE user_id = ? AND day BETWEEN ? AND ?", creator, from, to)
	if err != nil {
		return Stats{}, err
	}
	for rows.Next() {
		var day, n int64
		if err := rows.Scan(&day, &n); err != nil {
			rows.Close()
			return Stats{}, err
		}
		if i, ok := at[day]; ok {
			st.Days[i].Followers = n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Stats{}, err
	}
	for _, d := range st.Days {
		st.Totals.add(d.Counts)
	}
	rows, err = r.Query(ctx, `SELECT d.note_id, COALESCE(n.title, ''), `+sums+` FROM creator_note_days d
		LEFT JOIN notes n ON n.id = d.note_id WHERE d.author_id = ? AND d.day BETWEEN ? AND ?
		GROUP BY d.note_id, n.title ORDER BY SUM(views) DESC, SUM(likes) DESC, d.note_id DESC LIMIT ?`, creator, from, to, MaxNotes)
	if err != nil {
		return Stats{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var ns NoteStats
		if ns.Counts, err = scanCounts(rows, &ns.NoteID, &ns.Title); err != nil {
			return Stats{}, err
		}
		st.Notes = append(st.Notes, ns)
	}
	return st, rows.Err()
}

// NoteDays is one of creator's notes per day; another author's note is
// not found.
func (s *Service) NoteDays(ctx context.Context, creator, noteID id.ID, days int) (NoteStats, []Day, error) {
	var ns NoteStats
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT id, title FROM notes WHERE id = ? AND author_id = ?", noteID, creator).Scan(&ns.NoteID, &ns.Title)
	if errors.Is(err, sql.ErrNoRows) {
		return ns, nil, apperr.NotFound("note")
	}
	if err != nil {
		return ns, nil, err
	}
	from, to, err := s.period(ctx, creator, days)
	if err != nil {
		return ns, nil, err
	}
	out, at := dayList(from, to)
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT day, "+sums+" FROM creator_note_days WHERE note_id = ? AND day BETWEEN ? AND ? GROUP BY day",
		noteID, from, to)
	if err != nil {
		return ns, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var day int64
		c, err := scanCounts(rows, &day)
		if err != nil {
			return ns, nil, err
		}
		if i, ok := at[day]; ok {
			out[i].Counts = c
			ns.Counts.add(c)
		}
	}
	return ns, out, rows.Err()
}
