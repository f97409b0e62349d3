package trends

import (
	"context"
	"sort"
	"time"

	"github.com/redmark/redmark/internal/id"
)

// Trending topics count distinct authors per 24-hour bucket over the last
// TrendBaselineDays+1 days. Buckets are whole UTC hours: "today" is the
// current hour and the 23 before it, past day k the 24 hours before day
// k−1. A finished hour never changes except when one of its notes is
// deleted or hidden, so each finished hour is read from the database once
// and kept (topic → distinct authors); a refresh reads only the current
// hour and re-reads one kept hour in rotation, so a deleted or hidden note
// stops counting within 24·(TrendBaselineDays+1) refreshes (96 minutes at
// the 30 s job interval) while a refresh costs two hours of notes, not
// eight days.

const hourMs = int64(time.Hour / time.Millisecond)

// hourUses is one hour's topic use: topic → its distinct authors.
type hourUses map[id.ID][]id.ID

// useCache holds the finished hours; Service.refresh guards it.
type useCache struct {
	hours  map[int64]hourUses // by hour number (Unix ms / 1 h)
	names  map[id.ID]string
	verify int64 // the next kept hour to re-read
}

// loadUses reads the topic use of the hours [from, to), up to the
// millisecond until (a clock set back does not see notes after it).
func (s *Service) loadUses(ctx context.Context, from, to, until int64) (map[int64]hourUses, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT nt.topic_id, t.name, n.author_id, n.published_at
		FROM notes n JOIN note_topics nt ON nt.note_id = n.id JOIN topics t ON t.id = nt.topic_id
		WHERE n.status = 'published' AND n.published_at >= ? AND n.published_at < ? AND n.published_at <= ?`, from*hourMs, to*hourMs, until)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type use struct {
		hour          int64
		topic, author id.ID
	}
	seen := map[use]bool{}
	out := make(map[int64]hourUses, to-from)
	for h := from; h < to; h++ {
		out[h] = hourUses{}
	}
	for rows.Next() {
		var u use
		var name string
		var published int64
		if err := rows.Scan(&u.topic, &name, &u.author, &published); err != nil {
			return nil, err
		}
		u.hour = published / hourMs
		s.uses.names[u.topic] = name
		if !seen[u] {
			seen[u] = true
			out[u.hour][u.topic] = append(out[u.hour][u.topic], u.author)
		}
	}
	return out, rows.Err()
}

// hourlyUses brings the cache up to now and returns the use of every hour
// of the window, the current (unfinished) one included.
func (s *Service) hourlyUses(ctx context.Context, now time.Time) (map[int64]hourUses, int64, error) {
	c := &s.uses
	if c.hours == nil {
		c.hours, c.names = map[int64]hourUses{}, map[id.ID]string{}
	}
	cur := now.UnixMilli() / hourMs
	first := cur - 24*(TrendBaselineDays+1) + 1
	for h := range c.hours {
		if h < first || h >= cur { // out of the window, or not finished as of now (a clock set back)
			delete(c.hours, h)
		}
	}
	// Hours not kept yet: everything at the first refresh, then the hour
	// that just finished. They are contiguous up to cur.
	missing := first
	for missing < cur && c.hours[missing] != nil {
		missing++
	}
	for h := missing; h < cur; h++ {
		if c.hours[h] == nil {
			continue
		}
		missing = first // a gap before kept hours (the clock moved): read the whole window
		break
	}
	if c.verify < first || c.verify >= missing {
		c.verify = first
	}
	reads := [][2]int64{{missing, cur + 1}}
	if c.verify < missing {
		reads = append(reads, [2]int64{c.verify, c.verify + 1})
		c.verify++
	}
	all := make(map[int64]hourUses, cur-first+1)
	for h, u := range c.hours {
		all[h] = u
	}
	for _, r := range reads {
		got, err := s.loadUses(ctx, r[0], r[1], now.UnixMilli())
		if err != nil {
			return nil, 0, err
		}
		for h, u := range got {
			all[h] = u
			if h < cur {
				c.hours[h] = u
			}
		}
	}
	return all, cur, nil
}

func (s *Service) computeTrending(ctx context.Context, now time.Time) ([]TopicTrend, error) {
	hours, cur, err := s.hourlyUses(ctx, now)
	if err != nil {
		return nil, err
	}
	type use struct{ topic, author id.ID }
	counts := map[id.ID]*[TrendBaselineDays + 1]int{}
	seen := map[use]bool{}
	for day := int64(0); day <= TrendBaselineDays; day++ {
		clear(seen)
		last := cur - 24*day
		for h := last - 23; h <= last; h++ {
			for t, authors := range hours[h] {
				for _, a := range authors {
					if seen[use{t, a}] {
						continue
					}
					seen[use{t, a}] = true
					c := counts[t]
					if c == nil {
						c = new([TrendBaselineDays + 1]int)
						counts[t] = c
					}
					c[day]++
				}
			}
		}
	}
	var out []TopicTrend
	for tid, c := range counts {
		past := 0
		for _, n := range c[1:] {
			past += n
		}
		expected := float64(past) / TrendBaselineDays
		if sc := TrendScore(c[0], expected); sc > 0 {
			out = append(out, TopicTrend{ID: tid, Name: s.uses.names[tid], UsesToday: c[0], Expected: expected, Score: sc})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Name < out[j].Name
	})
	return out[:min(len(out), 2*TrendingSize)], nil
}
