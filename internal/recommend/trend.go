package recommend

import (
	"cmp"
	"math"
	"slices"
)

// Trending is popularity that forgets: every interaction counts
// 0.5^(age / half-life) at the end of the training window. It is the
// blend's recency-aware prior (what is being read now), where plain
// popularity would keep proposing last season's hits. The half-life is
// chosen on the validation split among TrendSpans, fractions of the
// training window (the server's 180 days: 3, 11, 45 days and no decay).
var TrendSpans = []float64{1.0 / 64, 1.0 / 16, 1.0 / 4, 0}

// trendAcc accumulates the decayed counts for every half-life at once,
// so a build streams its interactions once and the validation picks.
type trendAcc struct {
	now    int64
	lambda []float64 // ln 2 / half-life per span, 0 for no decay
	score  [][]float32
}

func newTrendAcc(nItems int, from, now int64) *trendAcc {
	t := &trendAcc{now: now}
	span := float64(max(now-from, 1))
	for _, f := range TrendSpans {
		l := 0.0
		if f > 0 {
			l = math.Ln2 / (f * span)
		}
		t.lambda = append(t.lambda, l)
		t.score = append(t.score, make([]float32, nItems))
	}
	return t
}

func (t *trendAcc) add(item int32, at int64) {
	age := float64(max(t.now-at, 0))
	for x, l := range t.lambda {
		t.score[x][item] += float32(math.Exp(-l * age))
	}
}

// trendFromTriples computes the decayed counts of a training set.
func trendFromTriples(nItems int, ts []Triple) *trendAcc {
	from, now := int64(math.MaxInt64), int64(math.MinInt64)
	for _, t := range ts {
		from, now = min(from, t.At), max(now, t.At)
	}
	t := newTrendAcc(nItems, from, now)
	for _, x := range ts {
		t.add(x.Item, x.At)
	}
	return t
}

// TrendAt is the trending source of an evaluation, read at the moment
// each reader is served: in a leave-last-out split their own latest
// training interaction (each reader's next action happens then), in a
// time split the end of training (everyone is served after it). Only
// interactions before that moment count, so nothing from the future
// leaks in. It is what the server's trending is for a reader served at
// the build. Ranks at a moment t only need Σ e^(λ·(at − from)) over the
// interactions before t (the factor e^(−λ·(t − from)) is common), so one
// sweep in time order serves every reader.
type TrendAt struct {
	lists [][]Scored // per user, best first, their training items left out
}

// NewTrendAt computes every user's CandidatesPerSource best for one span
// of TrendSpans.
func NewTrendAt(s Split, span float64) *TrendAt {
	ts := slices.Clone(s.train)
	slices.SortFunc(ts, func(a, b Triple) int { return cmp.Compare(a.At, b.At) })
	t := &TrendAt{lists: make([][]Scored, s.Train.NUsers)}
	if len(ts) == 0 {
		return t
	}
	from, end := ts[0].At, ts[len(ts)-1].At
	at := make([]int64, s.Train.NUsers)
	for u := range at {
		at[u] = end
	}
	if s.Kind == "leave-last-out" {
		for u := range at {
			at[u] = math.MinInt64
		}
		for _, x := range ts {
			at[x.User] = max(at[x.User], x.At)
		}
	}
	users := make([]int32, 0, s.Train.NUsers)
	for u := range at {
		if s.Train.Off[u+1] > s.Train.Off[u] {
			users = append(users, int32(u))
		}
	}
	slices.SortFunc(users, func(a, b int32) int { return cmp.Compare(at[a], at[b]) })
	lambda := 0.0
	if span > 0 {
		lambda = math.Ln2 / (span * float64(max(end-from, 1)))
	}
	score := make([]float32, s.Train.NItems)
	sum := make([]float64, s.Train.NItems)
	sorted := s.Train.sortedRows()
	next := 0
	for _, u := range users {
		for ; next < len(ts) && ts[next].At <= at[u]; next++ {
			i := ts[next].Item
			sum[i] += math.Exp(lambda * float64(ts[next].At-from))
			score[i] = float32(sum[i])
		}
		t.lists[u] = topN(score, CandidatesPerSource, sorted[s.Train.Off[u]:s.Train.Off[u+1]])
	}
	return t
}

func (t *TrendAt) Name() string { return "trending" }
func (t *TrendAt) Top(u, n int, exclude []int32) []Scored {
	var out []Scored
	for _, s := range t.lists[u] {
		if !has(exclude, s.Item) && len(out) < n {
			out = append(out, s)
		}
	}
	return out
}
