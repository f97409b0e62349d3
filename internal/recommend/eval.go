package recommend

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Offline evaluation (`redmark recs eval`): read interactions, hold some
// out, train every algorithm on the rest and measure how many held-out
// items each one ranks in its top k.

// Dataset is a set of interactions with external user and item names.
type Dataset struct {
	Users, Items []string
	Triples      []Triple
}

// ReadCSV reads "user,item,value,timestamp" rows (a header row is
// skipped). Rows with value < minValue are dropped, so ratings can be
// turned into implicit feedback (e.g. MovieLens with minValue 4); the
// timestamp is any integer that orders events (Unix seconds, ms).
func ReadCSV(r io.Reader, minValue float64) (*Dataset, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 4
	cr.ReuseRecord = true
	d := &Dataset{}
	users, items := map[string]int32{}, map[string]int32{}
	intern := func(m map[string]int32, names *[]string, s string) int32 {
		if i, ok := m[s]; ok {
			return i
		}
		i := int32(len(*names))
		m[s] = i
		*names = append(*names, s)
		return i
	}
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		v, errV := strconv.ParseFloat(strings.TrimSpace(rec[2]), 64)
		ts, errT := strconv.ParseInt(strings.TrimSpace(rec[3]), 10, 64)
		if errV != nil || errT != nil {
			if line == 1 {
				continue // header
			}
			return nil, fmt.Errorf("line %d: value and timestamp must be numbers", line)
		}
		if v < minValue {
			continue
		}
		u := intern(users, &d.Users, strings.TrimSpace(rec[0]))
		i := intern(items, &d.Items, strings.TrimSpace(rec[1]))
		d.Triples = append(d.Triples, Triple{User: u, Item: i, At: ts})
	}
	if len(d.Triples) == 0 {
		return nil, errors.New("no interactions")
	}
	return d, nil
}

// Split is a training matrix and each user's held-out items.
type Split struct {
	Train *Matrix
	Test  [][]int32 // per user; nil when nothing is held out
	// Kind is how it was made ("leave-last-out" or "time"): a validation
	// split is carved from the training data the same way.
	Kind  string
	train []Triple // the training interactions with their times
}

// SplitLeaveLastOut holds out each user's latest interaction (users with
// at least two).
func SplitLeaveLastOut(d *Dataset) Split {
	return splitLastOut(len(d.Users), len(d.Items), dedupe(d))
}

func splitLastOut(nUsers, nItems int, ts []Triple) Split {
	last := make([]int, nUsers) // index into ts of the latest, per user
	count := make([]int, nUsers)
	for i := range last {
		last[i] = -1
	}
	for x, t := range ts {
		count[t.User]++
		if l := last[t.User]; l < 0 || t.At > ts[l].At || (t.At == ts[l].At && t.Item > ts[l].Item) {
			last[t.User] = x
		}
	}
	test := make([][]int32, nUsers)
	var train []Triple
	for x, t := range ts {
		if count[t.User] >= 2 && last[t.User] == x {
			test[t.User] = []int32{t.Item}
			continue
		}
		train = append(train, t)
	}
	return Split{Train: NewMatrix(nUsers, nItems, slices.Clone(train)), Test: test, Kind: "leave-last-out", train: train}
}

// SplitByTime holds out everything after the moment that splits the
// interactions frac/(1−frac), for users who also have training data: it
// measures predicting the future from the past, as the feed must.
func SplitByTime(d *Dataset, frac float64) Split {
	return splitTime(len(d.Users), len(d.Items), dedupe(d), frac)
}

func splitTime(nUsers, nItems int, ts []Triple, frac float64) Split {
	times := make([]int64, len(ts))
	for i, t := range ts {
		times[i] = t.At
	}
	slices.Sort(times)
	cut := times[min(len(times)-1, int(float64(len(times))*frac))]
	hasTrain := make([]bool, nUsers)
	var train []Triple
	for _, t := range ts {
		if t.At < cut {
			train = append(train, t)
			hasTrain[t.User] = true
		}
	}
	test := make([][]int32, nUsers)
	for _, t := range ts {
		if t.At >= cut && hasTrain[t.User] {
			test[t.User] = append(test[t.User], t.Item)
		}
	}
	return Split{Train: NewMatrix(nUsers, nItems, slices.Clone(train)), Test: test, Kind: "time", train: train}
}

// Validation carves a split of the same kind from s's training data, for
// choosing settings without looking at s.Test.
func (s Split) Validation() Split {
	if s.Kind == "time" {
		return splitTime(s.Train.NUsers, s.Train.NItems, s.train, 0.8)
	}
	return splitLastOut(s.Train.NUsers, s.Train.NItems, s.train)
}

// dedupe keeps the first interaction of each (user, item).
func dedupe(d *Dataset) []Triple {
	ts := slices.Clone(d.Triples)
	slices.SortFunc(ts, func(a, b Triple) int {
		return cmp.Or(cmp.Compare(a.User, b.User), cmp.Compare(a.Item, b.Item), cmp.Compare(a.At, b.At))
	})
	return slices.CompactFunc(ts, func(a, b Triple) bool { return a.User == b.User && a.Item == b.Item })
}

// Scorer ranks items for a user of the training matrix.
type Scorer interface {
	Name() string
	// Top returns the user's best n items, never one in exclude (sorted).
	Top(u int, n int, exclude []int32) []Scored
}

// Scored is an item with a score (higher is better).
type Scored struct {
	Item  int32
	Score float32
}

// topN picks the n best-scored items (score > -inf) not in exclude.
func topN(scores []float32, n int, exclude []int32) []Scored {
	h := &scoredHeap{}
	for i, s := range scores {
		if math.IsInf(float64(s), -1) || has(exclude, int32(i)) {
			continue
		}
		if len(*h) < n {
			h.push(Scored{int32(i), s})
		} else if s > (*h)[0].Score {
			(*h)[0] = Scored{int32(i), s}
			h.down(0)
		}
	}
	out := slices.Clone(*h)
	slices.SortFunc(out, func(a, b Scored) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Item, b.Item)) })
	return out
}

// scoredHeap is a min-heap on Score (the weakest of the best on top).
type scoredHeap []Scored

func (h *scoredHeap) push(s Scored) {
	*h = append(*h, s)
	for i := len(*h) - 1; i > 0; {
		p := (i - 1) / 2
		if (*h)[p].Score <= (*h)[i].Score {
			break
		}
		(*h)[p], (*h)[i] = (*h)[i], (*h)[p]
		i = p
	}
}

func (h scoredHeap) down(i int) {
	for {
		l, s := 2*i+1, i
		if l < len(h) && h[l].Score < h[s].Score {
			s = l
		}
		if r := l + 1; r < len(h) && h[r].Score < h[s].Score {
			s = r
		}
		if s == i {
			return
		}
		h[i], h[s] = h[s], h[i]
		i = s
	}
}

// Popular ranks by the number of interactions: the baseline. The
// trending source is a Popular over decayed counts.
type Popular struct {
	name string
	deg  []float32
}

func NewPopular(m *Matrix) *Popular {
	p := &Popular{name: "popular", deg: make([]float32, m.NItems)}
	for i, d := range m.Degrees() {
		p.deg[i] = float32(d)
	}
	return p
}
func (p *Popular) Name() string { return p.name }
func (p *Popular) Top(u, n int, exclude []int32) []Scored {
	return topN(p.deg, n, exclude)
}

// ItemKNN scores items by similarity to the user's recent history.
type ItemKNN struct {
	m    *Matrix
	k    *KNN
	name string // "item-knn" when empty
}

func (k *ItemKNN) Name() string { return cmp.Or(k.name, "item-knn") }
func (k *ItemKNN) Top(u, n int, exclude []int32) []Scored {
	hist := recentOf(k.m.Row(u))
	return knnTop(k.k, hist, recencyWeights(len(hist)), n, exclude)
}

// knnTop is the best n of a neighbour-list source for a weighted history.
func knnTop(k *KNN, hist []int32, w []float32, n int, exclude []int32) []Scored {
	var acc simAcc
	k.Similar(hist, w, &acc)
	scores := make([]Scored, 0, len(acc.s))
	for _, s := range acc.s {
		if !has(exclude, s.item) {
			scores = append(scores, Scored{s.item, s.score})
		}
	}
	slices.SortFunc(scores, func(a, b Scored) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Item, b.Item)) })
	return scores[:min(n, len(scores))]
}

// SeqScorer is the sequence source: successors of the user's latest items.
type SeqScorer struct {
	m     *Matrix
	k     *KNN
	decay float32
}

func (s *SeqScorer) Name() string { return "sequence" }
func (s *SeqScorer) Top(u, n int, exclude []int32) []Scored {
	hist, w := seqHistory(s.m.Row(u), s.decay)
	return knnTop(s.k, hist, w, n, exclude)
}

// recentOf is the history the similar-notes source reads: the latest
// HistoryLen items.
func recentOf(row []int32) []int32 {
	if len(row) > HistoryLen {
		return row[len(row)-HistoryLen:]
	}
	return row
}

// recencyWeights weighs a history oldest first: the latest item 1, each
// older one a little less, down to 0.5.
func recencyWeights(n int) []float32 {
	w := make([]float32, n)
	for i := range w {
		w[i] = 1 - 0.5*float32(n-1-i)/float32(max(n, 1))
	}
	return w
}

// BPRScorer ranks by the trained factors, quantised as the server keeps
// them.
type BPRScorer struct {
	b   *Factors
	buf []float32
}

func (s *BPRScorer) Name() string { return "bpr" }
func (s *BPRScorer) Top(u, n int, exclude []int32) []Scored {
	if s.buf == nil {
		s.buf = make([]float32, s.b.NItems())
	}
	s.b.Score(s.b.UserVec(u), s.buf)
	return topN(s.buf, n, exclude)
}

// Blend is the feed's mix of the learned sources: each source's top
// CandidatesPerSource normalised to (0, 1] and summed with its weight.
type Blend struct {
	parts   []Scorer
	weights []float32
	f       fuser
}

func (b *Blend) Name() string { return "blend" }
func (b *Blend) Top(u, n int, exclude []int32) []Scored {
	if b.f.acc == nil {
		b.f.acc = map[int32]float32{}
	}
	b.f.reset()
	for x, p := range b.parts {
		if b.weights[x] > 0 {
			b.f.add(normalize(p.Top(u, CandidatesPerSource, exclude)), b.weights[x])
		}
	}
	return slices.Clone(b.f.top(n))
}

// normalize maps a best-first list's scores onto (0, 1]: half the score
// scaled between the list's last (0.1) and best (1), half the rank
// (1 / (1 + rank/10)), so a source whose scores are bunched still orders
// the blend and one with a single outlier does not flatten the rest; the
// best is 1 and being in a list always counts for something. (Rank alone
// or scores alone did worse on the generated set: 0.2007 and 0.1971
// NDCG@10 leave-last-out, against 0.2011.)
func normalize(s []Scored) []Scored {
	if len(s) == 0 {
		return s
	}
	hi, lo := s[0].Score, s[len(s)-1].Score
	for i := range s {
		if hi > lo {
			s[i].Score = 0.5*(0.1+0.9*(s[i].Score-lo)/(hi-lo)) + 0.5/(1+float32(i)/10)
		} else {
			s[i].Score = 1
		}
	}
	return s
}

// Metrics are one algorithm's results at k.
type Metrics struct {
	Name                                  string
	Precision, Recall, HR, NDCG, Coverage float64
	Users                                 int
	Train                                 time.Duration // training the measured model (not the tuning)
	Setting                               string        // what the validation split chose
}

// EvalConfig sets what Evaluate trains.
type EvalConfig struct {
	K   int
	BPR BPRConfig
	// EASEMaxItems skips EASE above this many items (it inverts a dense
	// items × items matrix: memory n², time n³).
	EASEMaxItems int
	IALS         []IALSConfig // the grid tried on the validation split
}

// DefaultEval is `recs eval`'s setting.
var DefaultEval = EvalConfig{K: 10, BPR: DefaultBPR, EASEMaxItems: EASEMaxItems, IALS: IALSGrid}

// Evaluate trains every algorithm on split.Train and measures them on
// the held-out items (progress gets the phase name and its progress).
// Settings — EASE's λ, iALS's constants, the blend's weights and source
// settings — are chosen on a validation split carved from split.Train
// the same way, then the chosen models are trained on all of split.Train.
// notes says what was chosen or skipped.
func Evaluate(split Split, c EvalConfig, progress func(phase string, done, total int)) (out []Metrics, notes []string) {
	on := func(phase string) func(int, int) {
		if progress == nil {
			return nil
		}
		return func(d, t int) { progress(phase, d, t) }
	}
	tr, k := split.Train, c.K
	val := split.Validation()
	sorted := tr.sortedRows()
	row := func(s Scorer, train time.Duration, setting string) {
		m := measure(s, split, sorted, k, on("score "+s.Name()))
		m.Train, m.Setting = train, setting
		out = append(out, m)
	}
	timed := func(f func() Scorer) (Scorer, time.Duration) {
		t := time.Now()
		s := f()
		return s, time.Since(t)
	}

	s, d := timed(func() Scorer { return NewPopular(tr) })
	row(s, d, "")
	s, d = timed(func() Scorer { return &ItemKNN{m: tr, k: BuildKNN(tr, on("item-knn"))} })
	row(s, d, "")
	s, d = timed(func() Scorer { return &BPRScorer{b: TrainBPR(tr, c.BPR, on("bpr")).Quantize()} })
	row(s, d, fmt.Sprintf("%d factors, %d epochs", c.BPR.Dim, c.BPR.Epochs))

	if tr.NItems > c.EASEMaxItems {
		notes = append(notes, fmt.Sprintf("ease: skipped, %d items > %d (it inverts a dense items × items matrix: %d MiB, n³ time)",
			tr.NItems, c.EASEMaxItems, int64(tr.NItems)*int64(tr.NItems)*8*3>>20))
	} else {
		best, bestN := 0.0, -1.0
		for x, l := range EASELambdas {
			if e := TrainEASE(val.Train, l); e != nil {
				if n := validationNDCG(e, val, k); n > bestN {
					best, bestN = l, n
				}
			}
			if progress != nil {
				progress("tune ease", x+1, len(EASELambdas))
			}
		}
		s, d = timed(func() Scorer { return TrainEASE(tr, best) })
		row(s, d, fmt.Sprintf("λ=%g", best))
	}

	if len(c.IALS) > 0 {
		best, bestN := c.IALS[0], -1.0
		for x, cfg := range c.IALS {
			if n := validationNDCG(TrainIALS(val.Train, cfg), val, k); n > bestN {
				best, bestN = cfg, n
			}
			if progress != nil {
				progress("tune ials", x+1, len(c.IALS))
			}
		}
		s, d = timed(func() Scorer { return TrainIALS(tr, best) })
		row(s, d, fmt.Sprintf("%d factors, α=%g, λ=%g, %d iterations", best.Dim, best.Alpha, best.Lambda, best.Iters))
	}

	choice := TuneBlend(BlendParts(val, c.BPR, on("tune blend")), val, k)
	var parts []BlendPart
	s, d = timed(func() Scorer {
		parts = BlendParts(split, c.BPR, on("blend"))
		return choice.Blend(parts)
	})
	row(s, d, choice.Describe(parts))
	return out, notes
}

// validationNDCG is a scorer's NDCG@k on a validation split.
func validationNDCG(s Scorer, val Split, k int) float64 {
	return measure(s, val, val.Train.sortedRows(), k, nil).NDCG
}

func measure(s Scorer, split Split, sorted []int32, k int, progress func(int, int)) Metrics {
	m := Metrics{Name: s.Name()}
	shown := map[int32]bool{}
	tr := split.Train
	for u, test := range split.Test {
		if progress != nil && u%256 == 0 {
			progress(u, len(split.Test))
		}
		if len(test) == 0 {
			continue
		}
		top := s.Top(u, k, sorted[tr.Off[u]:tr.Off[u+1]])
		hits := 0
		for _, r := range top {
			shown[r.Item] = true
			if slices.Contains(test, r.Item) {
				hits++
			}
		}
		m.Users++
		m.Precision += float64(hits) / float64(k)
		m.Recall += float64(hits) / float64(len(test))
		if hits > 0 {
			m.HR++
		}
		m.NDCG += ndcg(top, test, k)
	}
	if progress != nil {
		progress(len(split.Test), len(split.Test))
	}
	if m.Users > 0 {
		m.Precision /= float64(m.Users)
		m.Recall /= float64(m.Users)
		m.HR /= float64(m.Users)
		m.NDCG /= float64(m.Users)
	}
	m.Coverage = float64(len(shown)) / float64(max(tr.NItems, 1))
	return m
}

// PrintMetrics writes the results as a table.
func PrintMetrics(w io.Writer, k int, ms []Metrics) {
	fmt.Fprintf(w, "%-10s %7s %12s %10s %7s %8s %9s %9s  %s\n", "algorithm", "users", fmt.Sprintf("precision@%d", k),
		fmt.Sprintf("recall@%d", k), fmt.Sprintf("hr@%d", k), fmt.Sprintf("ndcg@%d", k), "coverage", "train", "setting (validation)")
	for _, m := range ms {
		fmt.Fprintf(w, "%-10s %7d %12.4f %10.4f %7.4f %8.4f %9.4f %9s  %s\n", m.Name, m.Users, m.Precision, m.Recall, m.HR, m.NDCG,
			m.Coverage, m.Train.Round(time.Millisecond), m.Setting)
	}
}
