package recommend

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// MaxTrainSamples caps the SGD steps of a serving build's BPR training.
const MaxTrainSamples = 10_000_000

// ValidationUsers is how many readers' latest interaction a build holds
// out to choose the blend's weights on; trendingCap is how many trending
// notes it keeps.
const (
	ValidationUsers = 1000
	trendingCap     = 300
)

// models are the learned parts of a build: item-kNN over catalog indexes
// and BPR over the MaxModelItems most-engaged notes.
type models struct {
	knn, seq, ease *KNN // similar notes, what comes next, EASE over the head
	bpr            *Factors
	// trending are the notes with the most decayed interactions (the
	// half-life the validation chose), best first.
	trending []int32
	w        blendWeights
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
func loadMatrix(ctx context.Context, d *db.DB, c *catalog, since, now time.Time) (*Matrix, []id.ID, *trendAcc, error) {
	cutoff := since.UnixMilli()
	args := []any{cutoff, cutoff, id.At(since), id.At(since), KindOpen, KindShare, KindDwell, DwellMinMS}
	total, err := count(ctx, d, interactionCount, args...)
	if err != nil {
		return nil, nil, nil, err
	}
	trend := newTrendAcc(c.nBase, cutoff, now.UnixMilli())
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
				trend.add(e.item, e.at)
			}
		}
		users = append(users, u)
		m.Off = append(m.Off, int32(len(m.Items)))
		row = row[:0]
	}
	rows, err := d.Reader(ctx).Query(ctx, interactionQuery, args...)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	var cur id.ID
	for rows.Next() {
		var u, n id.ID
		var at int64
		if err := rows.Scan(&u, &n, &at); err != nil {
			return nil, nil, nil, err
		}
		if u != cur {
			if u < cur {
				return nil, nil, nil, fmt.Errorf("recommend: interactions not ordered by user (%v after %v)", u, cur)
			}
			flush(cur)
			cur = u
		}
		if i := c.index(n); i >= 0 && i < int32(c.nBase) {
			row = append(row, event{at, i})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, err
	}
	flush(cur)
	m.NUsers = len(users)
	return m, slices.Clip(users), trend, nil
}

// trainModels builds the learned sources — item-kNN, transitions and
// EASE over the head on all notes, BPR on the most engaged ones — and
// chooses the blend's weights on the latest interaction of up to
// ValidationUsers readers, held out of the matrix for it (they are
// missing from the models only: requests read histories from the
// profiles). progress gets the phase and its progress.
func trainModels(c *catalog, mat *Matrix, users []id.ID, trend *trendAcc, o Options, progress func(string, int, int)) *models {
	on := func(phase string) func(int, int) {
		if progress == nil {
			return nil
		}
		return func(d, t int) { progress(phase, d, t) }
	}
	m := &models{users: users, triples: mat.NNZ(), builtFor: c.nBase, w: defaultBlend}
	val := holdOutLatest(mat, ValidationUsers)
	m.knn = BuildKNN(mat, on("item-knn"))
	m.seq = BuildTransitions(mat, on("sequence"))
	if progress != nil {
		progress("ease", 0, 1)
	}
	m.ease = EASENeighbours(mat, EASEServeItems, EASELambda, EASEKeep)
	if progress != nil {
		progress("ease", 1, 1)
	}

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
	if len(m.noteOf) >= 2 {
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
		// The model's notes of each row, renumbered and sorted (BPR's
		// membership tests), in a copy: the tuning below still reads mat.
		bm := &Matrix{NUsers: mat.NUsers, NItems: len(m.noteOf), Off: make([]int32, mat.NUsers+1), Items: make([]int32, 0, mat.NNZ())}
		for u := 0; u < mat.NUsers; u++ {
			for _, n := range mat.Row(u) {
				if mi := modelOf[n]; mi > 0 {
					bm.Items = append(bm.Items, mi-1)
				}
			}
			slices.Sort(bm.Items[bm.Off[u]:])
			bm.Off[u+1] = int32(len(bm.Items))
		}
		modelOf = nil
		// Bound a background training's cost: at most MaxTrainSamples SGD
		// steps (about 20 s on one core), but at least 3 epochs.
		cfg := o.BPR
		cfg.Epochs = min(cfg.Epochs, max(3, MaxTrainSamples/max(1, bm.NNZ())))
		m.bpr = TrainBPR(bm, cfg, on("bpr")).Quantize()
	}

	trendVar := len(TrendSpans) - 1
	if val != nil {
		if progress != nil {
			progress("blend weights", 0, 1)
		}
		parts := m.blendParts(mat, trend)
		ch := TuneBlend(parts, Split{Train: mat, Test: val}, 10)
		m.w = servingBlend(ch)
		trendVar = ch.Variant[partTrending]
		if progress != nil {
			progress("blend weights", 1, 1)
		}
		slog.Info("recommender blend chosen", "weights", ch.Describe(parts), "validation_ndcg10", ch.NDCG, "readers", len(val))
	}
	h := &scoredHeap{}
	for i, s := range trend.score[trendVar] {
		if s <= 0 {
			continue
		}
		if len(*h) < trendingCap {
			h.push(Scored{int32(i), s})
		} else if s > (*h)[0].Score {
			(*h)[0] = Scored{int32(i), s}
			h.down(0)
		}
	}
	best := slices.Clone(*h)
	slices.SortFunc(best, func(a, b Scored) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Item, b.Item)) })
	for _, s := range best {
		m.trending = append(m.trending, s.Item)
	}
	return m
}

// holdOutLatest removes the latest entry of up to n rows with at least
// three (spread evenly over the rows) from mat in place and returns them
// per row (nil when too few rows qualify to choose anything by).
func holdOutLatest(mat *Matrix, n int) [][]int32 {
	var rows []int
	for u := 0; u < mat.NUsers; u++ {
		if mat.Off[u+1]-mat.Off[u] >= 3 {
			rows = append(rows, u)
		}
	}
	if len(rows) < 20 {
		return nil
	}
	pick := make([]bool, mat.NUsers)
	for x := 0; x < min(n, len(rows)); x++ {
		pick[rows[x*len(rows)/min(n, len(rows))]] = true
	}
	test := make([][]int32, mat.NUsers)
	w, start := int32(0), int32(0)
	for u := 0; u < mat.NUsers; u++ {
		end := mat.Off[u+1]
		if pick[u] {
			test[u] = []int32{mat.Items[end-1]}
			end--
		}
		w += int32(copy(mat.Items[w:], mat.Items[start:end]))
		start = mat.Off[u+1]
		mat.Off[u+1] = w
	}
	mat.Items = mat.Items[:w]
	return test
}

// The blend's parts in the order BlendParts (recs eval) has them.
const (
	partEASE = iota
	partSimilar
	partSequence
	partModel
	partTrending
)

// blendWeights are the learned sources' weights as served: the tuned
// ones scaled so that the strongest is 1, the scale the rule-based
// sources' weights are on (WeightTopic, WeightPopular, …).
type blendWeights struct {
	ease, similar, sequence, model, trending float32
	seqDecay                                 float32
}

// defaultBlend serves when too few readers qualify for a validation.
var defaultBlend = blendWeights{ease: 0.7, similar: WeightSimilar, sequence: 0.7, model: WeightModel, trending: 0.35, seqDecay: 0.6}

func servingBlend(c BlendChoice) blendWeights {
	top := slices.Max(c.Weight)
	if top <= 0 {
		return defaultBlend
	}
	w := func(p int) float32 { return c.Weight[p] / top }
	return blendWeights{ease: w(partEASE), similar: w(partSimilar), sequence: w(partSequence), model: w(partModel),
		trending: w(partTrending), seqDecay: SeqDecays[c.Variant[partSequence]]}
}

// blendParts are the sources as served, over the build's matrix, for
// TuneBlend.
func (m *models) blendParts(mat *Matrix, trend *trendAcc) []BlendPart {
	parts := make([]BlendPart, partTrending+1)
	parts[partEASE] = BlendPart{Name: "ease", Variants: []Scorer{&ItemKNN{m: mat, k: m.ease, name: "ease"}}}
	parts[partSimilar] = BlendPart{Name: "similar", Variants: []Scorer{&ItemKNN{m: mat, k: m.knn}}}
	parts[partSequence] = BlendPart{Name: "sequence"}
	for _, d := range SeqDecays {
		parts[partSequence].Variants = append(parts[partSequence].Variants, &SeqScorer{m: mat, k: m.seq, decay: d})
	}
	parts[partModel] = BlendPart{Name: "model", Variants: []Scorer{&servedModel{m: m}}}
	parts[partTrending] = BlendPart{Name: "trending"}
	for _, s := range trend.score {
		parts[partTrending].Variants = append(parts[partTrending].Variants, &Popular{name: "trending", deg: s})
	}
	return parts
}

// servedModel scores the build's readers with BPR as served (the first
// ModelServeItems notes), in catalog indexes.
type servedModel struct {
	m   *models
	buf []float32
}

func (s *servedModel) Name() string { return "model" }
func (s *servedModel) Top(u, n int, exclude []int32) []Scored {
	if s.m.bpr == nil {
		return nil
	}
	s.buf = slices.Grow(s.buf[:0], ModelServeItems)[:min(len(s.m.noteOf), ModelServeItems)]
	s.m.bpr.Score(s.m.bpr.UserVec(u), s.buf)
	var out []Scored
	for _, x := range topN(s.buf, n+len(exclude), nil) {
		if i := s.m.noteOf[x.Item]; !has(exclude, i) && len(out) < n {
			out = append(out, Scored{i, x.Score})
		}
	}
	return out
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
	if m.seq != nil {
		n += m.seq.Bytes()
	}
	if m.ease != nil {
		n += m.ease.Bytes()
	}
	return n + int64(len(m.trending))*4
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
