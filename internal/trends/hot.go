package trends

import (
	"context"
	"sort"
	"time"

	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/search"
)

// The hot list scores every note of the last HotWindow at each refresh, but
// reads their counters from the database only where they move fast: the
// last HotFreshHours are re-read at every refresh, older hours are kept
// (note, publication time, engagement) and HotRotate of them re-read per
// refresh, so an older note's engagement is at most
// (HotWindow/1h)/HotRotate refreshes old (42 minutes at the 30 s job).
// Ages, and so scores, are always computed as of now.
const (
	HotFreshHours = 6
	HotRotate     = 2
)

type hotNote struct {
	id        id.ID
	published int64 // Unix ms
	e         float64
}

// loadHot reads the engaged notes published in hours [from, to), up to the
// millisecond until.
func (s *Service) loadHot(ctx context.Context, from, to, until int64) (map[int64][]hotNote, error) {
	// notes_published_at (status, published_at) makes the hours a range.
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT id, like_count, collect_count, comment_count, share_count, published_at
		FROM notes WHERE status = 'published' AND published_at >= ? AND published_at < ? AND published_at <= ?`,
		from*hourMs, to*hourMs, until)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64][]hotNote, to-from)
	for h := from; h < to; h++ {
		out[h] = nil
	}
	for rows.Next() {
		var n hotNote
		var likes, collects, comments, shares int64
		if err := rows.Scan(&n.id, &likes, &collects, &comments, &shares, &n.published); err != nil {
			return nil, err
		}
		if n.e = search.Engagement(likes, collects, comments, shares); n.e > 0 {
			out[n.published/hourMs] = append(out[n.published/hourMs], n)
		}
	}
	return out, rows.Err()
}

func (s *Service) computeHot(ctx context.Context, now time.Time) ([]HotEntry, error) {
	size := int64(HotWindow/time.Hour) + 1 // the oldest hour is partly outside the window
	hours, _, err := s.hotHours.update(now, size, HotFreshHours, HotRotate, func(from, to int64) (map[int64][]hotNote, error) {
		return s.loadHot(ctx, from, to, now.UnixMilli())
	})
	if err != nil {
		return nil, err
	}
	since := now.Add(-HotWindow).UnixMilli()
	var out []HotEntry
	for _, notes := range hours {
		for _, n := range notes {
			if n.published >= since {
				out = append(out, HotEntry{NoteID: n.id, Score: HotScore(n.e, now.Sub(time.UnixMilli(n.published)))})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].NoteID > out[j].NoteID
	})
	// Keep spares for entries operators hide.
	return out[:min(len(out), 2*HotSize)], nil
}
