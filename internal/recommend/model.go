package recommend

import (
	"cmp"
	"context"
	"fmt"
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
	knn *KNN
	bpr *Factors
	// noteOf maps a BPR item to its catalog index (most engaged first);
	// byNote lists the model's catalog indexes ascending with itemOf
	// their BPR items, for the few lookups a request makes.
	noteOf, byNote, itemOf []int32
	users                  []id.ID // BPR user → id, ascending
	triples                int     // distinct (reader, note) pairs trained on
	builtFor               int     // catalog size the models were built for
}

// modelItem is n's BPR item, or −1.
func (m *models) modelItem(n int32) int32 {
	if m == nil || m.bpr == nil {
		return -1
	}
	if x, ok := slices.BinarySearch(m.byNote, n); ok {
		return m.itemOf[x]
	}
	return -1
}

// userIndex is a reader's BPR user, if the model was trained on them.
func (m *models) userIndex(u id.ID) (int, bool) {
	return slices.BinarySearch(m.users, u)
}

// interactionQuery reads the positive interactions of the training window
// (likes, collects, comments, and the opens, long dwells and shares
// clients reported) ordered by reader. On SQLite, likes and collects come
// in order from their (user, time, note) indexes; comments and events are
// read in id order and sorted ("+" keeps the planner off their user
// indexes, which would cost a random table read per row); the four are
// merged. On PostgreSQL, a merge append or a sort.
const interactionQuery = `SELECT user_id, note_id, created_at FROM likes WHERE created_at >= ?
	UNION ALL SELECT user_id, note_id, created_at FROM collects WHERE created_at >= ?
	UNION ALL SELECT +author_id, note_id, created_at FROM comments WHERE id >= ? AND deleted = 0
	UNION ALL SELECT +user_id, note_id, at FROM rec_events WHERE id >= ? AND user_id > 0
		AND (kind = ? OR kind = ? OR (kind = ? AND dwell_ms >= ?))
	ORDER BY 1`

const interactionCount = `SELECT (SELECT COUNT(*) FROM likes WHERE created_at >= ?)
	+ (SELECT COUNT(*) FROM collects WHERE created_at >= ?)
	+ (SELECT COUNT(*) FROM comments WHERE id >= ? AND deleted = 0)
	+ (SELECT COUNT(*) FROM rec_events WHERE id >= ? AND user_id > 0
		AND (kind = ? OR kind = ? OR (kind = ? AND dwell_ms >= ?)))`

// loadMatrix streams the training window's interactions into a reader ×
// note matrix, one reader at a time: the matrix (4 bytes an interaction,
// allocated once from a count) is all that grows. A reader's row is in
// time order and counts each note once, at its first interaction. users
// are the readers with at least one row, ascending (the row order).
func loadMatrix(ctx context.Context, d *db.DB, c *catalog, since time.Time) (*Matrix, []id.ID, error) {
	cutoff := since.UnixMilli()
	args := []any{cutoff, cutoff, id.At(since), id.At(since), KindOpen, KindShare, KindDwell, DwellMinMS}
	total, err := count(ctx, d, interactionCount, args...)
	if err != nil {
		return nil, nil, err
	}
	m := &Matrix{NItems: c.nBase, Off: []int32{0}, Items: make([]int32, 0, total)}
	var users []id.ID
	type event struct {
		at   int64
		item int32
	}
	var row []event
	stamp := make([]int32, c.nBase) // user index + 1 of the row that last took the note
	flush := func(u id.ID) {
		if len(row) == 0 {
			return
		}
		slices.SortFunc(row, func(a, b event) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.item, b.item)) })
		mark := int32(len(users) + 1)
		for _, e := range row {
			if stamp[e.item] != mark {
				stamp[e.item] = mark
				m.Items = append(m.Items, e.item)
			}
		}
		users = append(users, u)
		m.Off = append(m.Off, int32(len(m.Items)))
		row = row[:0]
	}
	rows, err := d.Reader(ctx).Query(ctx, interactionQuery, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var cur id.ID
	for rows.Next() {
		var u, n id.ID
		var at int64
		if err := rows.Scan(&u, &n, &at); err != nil {
			return nil, nil, err
		}
		if u != cur {
			if u < cur {
				return nil, nil, fmt.Errorf("recommend: interactions not ordered by user (%v after %v)", u, cur)
			}
			flush(cur)
			cur = u
		}
		if i := c.index(n); i >= 0 && i < int32(c.nBase) {
			row = append(row, event{at, i})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	flush(cur)
	m.NUsers = len(users)
	return m, slices.Clip(users), nil
}

// trainModels builds item-kNN on all notes and BPR on the most engaged
// ones; progress gets the phase and its progress. It consumes mat: once
// the kNN is built, the matrix is cut down to the model's notes in place
// for BPR.
func trainModels(c *catalog, mat *Matrix, users []id.ID, o Options, progress func(string, int, int)) *models {
	on := func(phase string) func(int, int) {
		if progress == nil {
			return nil
		}
		return func(d, t int) { progress(phase, d, t) }
	}
	m := &models{users: users, triples: mat.NNZ(), builtFor: c.nBase}
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
	m.noteOf = slices.Clone(order[:min(len(order), o.MaxModelItems)])
	order, deg = nil, nil
	if len(m.noteOf) < 2 {
		return m
	}
	modelOf := make([]int32, c.nBase) // catalog index → BPR item + 1
	for x, n := range m.noteOf {
		modelOf[n] = int32(x + 1)
	}
	m.byNote = slices.Clone(m.noteOf)
	slices.Sort(m.byNote)
	m.itemOf = make([]int32, len(m.byNote))
	for x, n := range m.byNote {
		m.itemOf[x] = modelOf[n] - 1
	}
	// Keep the model's notes of each row, renumbered and sorted (BPR's
	// membership tests), writing over the rows as they are read.
	w, start := int32(0), int32(0)
	for u := 0; u < mat.NUsers; u++ {
		end := mat.Off[u+1]
		for _, n := range mat.Items[start:end] {
			if mi := modelOf[n]; mi > 0 {
				mat.Items[w] = mi - 1
				w++
			}
		}
		start = end
		slices.Sort(mat.Items[mat.Off[u]:w])
		mat.Off[u+1] = w
	}
	modelOf = nil
	mat.Items, mat.NItems = mat.Items[:w], len(m.noteOf)
	if int(w) < cap(mat.Items)*3/4 {
		mat.Items = slices.Clone(mat.Items)
	}
	// Bound a background training's cost: at most MaxTrainSamples SGD
	// steps (about 20 s on one core), but at least 3 epochs.
	cfg := o.BPR
	cfg.Epochs = min(cfg.Epochs, max(3, MaxTrainSamples/max(1, int(w))))
	m.bpr = TrainBPR(mat, cfg, on("bpr")).Quantize()
	return m
}

// Bytes estimates the models' memory.
func (m *models) Bytes() int64 {
	if m == nil {
		return 0
	}
	n := int64(len(m.noteOf)+len(m.byNote)+len(m.itemOf))*4 + int64(len(m.users))*8
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
	n := int64(cap(c.ids))*8 + int64(cap(c.author)+cap(c.at)+len(c.bucket))*4 + c.topicsOf.bytes() +
		int64(len(c.extra)+len(c.extraAuthors))*24 + int64(cap(c.authors))*8 + int64(len(c.aOff)+len(c.aNotes))*4
	for _, l := range c.aSynced {
		n += int64(len(l))*4 + 40
	}
	for t := range c.byTopic {
		n += int64(len(c.byTopic[t])+len(c.newTopic[t]))*4 + 48 + int64(len(c.topics[t])) + 40
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
