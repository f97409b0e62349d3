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
// k−1. A finished hour's use (topic → distinct authors) is kept in an
// hourCache: a refresh reads the current hour and re-reads one kept hour,
// so a deleted or hidden note stops counting within 24·(TrendBaselineDays+1)
// refreshes (96 minutes at the 30 s job interval).

// hourUses is one hour's topic use: topic → its distinct authors.
type hourUses map[id.ID][]id.ID

// loadUses reads the topic use of the hours [from, to), up to the
// millisecond until (a clock set back does not see notes after it).
func (s *Service) loadUses(ctx context.Context, from, to, until int64) (map[int64]hourUses, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT nt.topic_id, COALESCE(NULLIF(t.display, ''), t.name), n.author_id, n.published_at
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
		s.topicNames[u.topic] = name
		if !seen[u] {
			seen[u] = true
			out[u.hour][u.topic] = append(out[u.hour][u.topic], u.author)
		}
	}
	return out, rows.Err()
}

func (s *Service) computeTrending(ctx context.Context, now time.Time) ([]TopicTrend, error) {
	if s.topicNames == nil {
		s.topicNames = map[id.ID]string{}
	}
	hours, cur, err := s.uses.update(now, 24*(TrendBaselineDays+1), 1, 1, func(from, to int64) (map[int64]hourUses, error) {
		return s.loadUses(ctx, from, to, now.UnixMilli())
	})
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
			out = append(out, TopicTrend{ID: tid, Name: s.topicNames[tid], UsesToday: c[0], Expected: expected, Score: sc})
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
