package recommend

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// MaxTrainSamples caps the SGD steps of a serving build's BPR training.
const MaxTrainSamples = 10_000_000

// models are the learned parts of a build: item-kNN over catalog indexes
// and BPR over the MaxModelItems most-engaged notes.
type models struct {
	knn      *KNN
	bpr      *BPR
	modelOf  []int32 // catalog index → BPR item (−1: not in the model)
	noteOf   []int32 // BPR item → catalog index
	users    map[id.ID]int32
	triples  int
	builtFor int // catalog size the models were built for
}

// modelItem is n's BPR item, or −1.
func (m *models) modelItem(n int32) int32 {
	if m == nil || m.bpr == nil || int(n) >= len(m.modelOf) {
		return -1
	}
	return m.modelOf[n]
}

// loadInteractions reads the positive interactions of the training
// window: likes, collects, comments, and the opens, long dwells and
// shares clients reported. Each (user, note) pair counts once.
func loadInteractions(ctx context.Context, d *db.DB, c *catalog, since time.Time) ([]Triple, map[id.ID]int32, error) {
	users := map[id.ID]int32{}
	var ts []Triple
	cutoff := since.UnixMilli()
	add := func(u, n id.ID, at int64) {
		i := c.index(n)
		if i < 0 || i >= int32(c.nBase) {
			return
		}
		x, ok := users[u]
		if !ok {
			x = int32(len(users))
			users[u] = x
		}
		ts = append(ts, Triple{User: x, Item: i, At: at})
	}
	queries := []struct {
		q    string
		args []any
	}{
		{"SELECT user_id, note_id, created_at FROM likes WHERE created_at >= ?", []any{cutoff}},
		{"SELECT user_id, note_id, created_at FROM collects WHERE created_at >= ?", []any{cutoff}},
		{"SELECT author_id, note_id, created_at FROM comments WHERE id >= ? AND deleted = 0", []any{id.At(since)}},
		{`SELECT user_id, note_id, at FROM rec_events WHERE id >= ? AND user_id > 0
			AND (kind = ? OR kind = ? OR (kind = ? AND dwell_ms >= ?))`,
			[]any{id.At(since), KindOpen, KindShare, KindDwell, DwellMinMS}},
	}
	for _, q := range queries {
		rows, err := d.Reader(ctx).Query(ctx, q.q, q.args...)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var u, n id.ID
			var at int64
			if err := rows.Scan(&u, &n, &at); err != nil {
				rows.Close()
				return nil, nil, err
			}
			add(u, n, at)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return ts, users, nil
}

// trainModels builds item-kNN on all notes and BPR on the most engaged
// ones; progress gets the phase and its progress.
func trainModels(c *catalog, ts []Triple, users map[id.ID]int32, o Options, progress func(string, int, int)) *models {
	on := func(phase string) func(int, int) {
		if progress == nil {
			return nil
		}
		return func(d, t int) { progress(phase, d, t) }
	}
	m := &models{users: users, triples: len(ts), builtFor: c.nBase}
	mat := NewMatrix(len(users), c.nBase, slices.Clone(ts))
	m.knn = BuildKNN(mat, on("item-knn"))

	// BPR on the MaxModelItems notes with the most interactions: their
	// factors are what serving scans, so the cap bounds both memory and
	// the per-request cost.
	deg := mat.Degrees()
	order := make([]int32, 0, c.nBase)
	for i, d := range deg {
		if d > 0 {
			order = append(order, int32(i))
		}
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Or(cmp.Compare(deg[b], deg[a]), cmp.Compare(a, b)) })
	order = order[:min(len(order), o.MaxModelItems)]
	m.modelOf = make([]int32, c.nBase)
	for i := range m.modelOf {
		m.modelOf[i] = -1
	}
	m.noteOf = order
	for x, n := range order {
		m.modelOf[n] = int32(x)
	}
	kept := ts[:0]
	for _, t := range ts {
		if mi := m.modelOf[t.Item]; mi >= 0 {
			kept = append(kept, Triple{User: t.User, Item: mi, At: t.At})
		}
	}
	if len(order) >= 2 {
		// Bound a background training's cost: at most MaxTrainSamples SGD
		// steps (about 20 s on one core), but at least 3 epochs.
		cfg := o.BPR
		cfg.Epochs = min(cfg.Epochs, max(3, MaxTrainSamples/max(1, len(kept))))
		m.bpr = TrainBPR(NewMatrix(len(users), len(order), kept), cfg, on("bpr"))
	}
	return m
}

// Bytes estimates the models' memory.
func (m *models) Bytes() int64 {
	if m == nil {
		return 0
	}
	n := int64(len(m.modelOf)+len(m.noteOf))*4 + int64(len(m.users))*24
	if m.knn != nil {
		n += m.knn.Bytes()
	}
	if m.bpr != nil {
		n += m.bpr.Bytes()
	}
	return n
}

// Bytes estimates the catalog's memory.
func (c *catalog) Bytes() int64 {
	n := int64(len(c.ids))*(8+4+8+4+4) + int64(len(c.tIdx))*4 + int64(len(c.extra))*24 + int64(len(c.authors))*32
	for _, l := range c.byAuthor {
		n += int64(len(l))*4 + 40
	}
	for t := range c.byTopic {
		n += int64(len(c.byTopic[t])+len(c.newTopic[t]))*4 + 48
	}
	return n + int64(len(c.popular)+len(c.fresh))*4
}

// Export streams the community's interactions for `redmark recs eval`:
// likes, collects, comments and the opens, long dwells and shares
// clients reported, each with its action weight as the value.
func (s *Service) Export(ctx context.Context, fn func(user, item string, value float32, at int64) error) (int, error) {
	n := 0
	for _, q := range []struct {
		kind Kind
		q    string
		args []any
	}{
		{KindLike, "SELECT user_id, note_id, created_at FROM likes", nil},
		{KindCollect, "SELECT user_id, note_id, created_at FROM collects", nil},
		{KindComment, "SELECT author_id, note_id, created_at FROM comments WHERE deleted = 0", nil},
		{KindOpen, "SELECT user_id, note_id, at FROM rec_events WHERE user_id > 0 AND kind = ?", []any{KindOpen}},
		{KindDwell, "SELECT user_id, note_id, at FROM rec_events WHERE user_id > 0 AND kind = ? AND dwell_ms >= ?", []any{KindDwell, DwellMinMS}},
		{KindShare, "SELECT user_id, note_id, at FROM rec_events WHERE user_id > 0 AND kind = ?", []any{KindShare}},
	} {
		rows, err := s.db.Reader(ctx).Query(ctx, q.q, q.args...)
		if err != nil {
			return n, err
		}
		for rows.Next() {
			var u, i id.ID
			var at int64
			if err := rows.Scan(&u, &i, &at); err != nil {
				rows.Close()
				return n, err
			}
			if err := fn(u.String(), i.String(), actionWeight[q.kind], at); err != nil {
				rows.Close()
				return n, err
			}
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, err
		}
	}
	return n, nil
}
