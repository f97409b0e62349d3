package recommend

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// The blend's weights (and each source's one setting: the sequence decay,
// the trending half-life) are not constants: they are chosen on a
// validation split carved from the training data, by coordinate ascent
// on NDCG@k over BlendGrid. `recs eval` carves it from its training split
// and the server's build from its matrix (docs/discovery.md); the test
// items of an evaluation are never looked at.

// BlendGrid are the weights tried per source (0 drops it).
var BlendGrid = []float32{0, 0.1, 0.2, 0.35, 0.5, 0.7, 1, 1.4, 2}

// BlendPart is one source of the blend with the variants its setting can
// take (one scorer per setting, all trained on the same data).
type BlendPart struct {
	Name     string
	Variants []Scorer
}

// BlendChoice is what tuning picked: per part, a variant and a weight.
type BlendChoice struct {
	Variant []int
	Weight  []float32
	NDCG    float64 // on the validation split
}

// TuneBlend picks the variants and weights that maximise NDCG@k on val.
// Each part's lists are computed once per variant; only their fusion is
// recomputed per candidate setting.
func TuneBlend(parts []BlendPart, val Split, k int) BlendChoice {
	sorted := val.Train.sortedRows()
	var users []int
	for u, t := range val.Test {
		if len(t) > 0 {
			users = append(users, u)
		}
	}
	lists := make([][][][]Scored, len(parts)) // part, variant, user
	for p, part := range parts {
		lists[p] = make([][][]Scored, len(part.Variants))
		for v, s := range part.Variants {
			lists[p][v] = make([][]Scored, len(users))
			for x, u := range users {
				ex := sorted[val.Train.Off[u]:val.Train.Off[u+1]]
				lists[p][v][x] = normalize(s.Top(u, CandidatesPerSource, ex))
			}
		}
	}
	f := fuser{acc: map[int32]float32{}}
	score := func(c BlendChoice) float64 {
		sum := 0.0
		for x, u := range users {
			f.reset()
			for p := range parts {
				f.add(lists[p][c.Variant[p]][x], c.Weight[p])
			}
			sum += ndcg(f.top(k), val.Test[u], k)
		}
		return sum / float64(max(len(users), 1))
	}
	c := BlendChoice{Variant: make([]int, len(parts)), Weight: make([]float32, len(parts))}
	for p := range c.Weight {
		c.Weight[p] = 1
	}
	c.NDCG = score(c)
	for round := 0; round < 2; round++ {
		improved := false
		for p, part := range parts {
			for v := range part.Variants {
				for _, w := range BlendGrid {
					if v == c.Variant[p] && w == c.Weight[p] || (w == 0 && v > 0) {
						continue
					}
					try := BlendChoice{Variant: slices.Clone(c.Variant), Weight: slices.Clone(c.Weight)}
					try.Variant[p], try.Weight[p] = v, w
					if n := score(try); n > c.NDCG+1e-9 {
						try.NDCG = n
						c, improved = try, true
					}
				}
			}
		}
		if !improved {
			break
		}
	}
	return c
}

// fuser sums weighted, normalised lists: the blend's fusion, shared by
// tuning, evaluation and serving.
type fuser struct {
	acc map[int32]float32
	out []Scored
}

func (f *fuser) reset() { clear(f.acc) }

func (f *fuser) add(l []Scored, w float32) {
	if w == 0 {
		return
	}
	for _, s := range l {
		f.acc[s.Item] += w * s.Score
	}
}

// top returns the n best of the sum (ties by item).
func (f *fuser) top(n int) []Scored {
	out := f.out[:0]
	for i, s := range f.acc {
		out = append(out, Scored{i, s})
	}
	slices.SortFunc(out, func(a, b Scored) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Item, b.Item)) })
	f.out = out
	return out[:min(n, len(out))]
}

// ndcg is NDCG@k with binary gains of a ranked list against held-out
// items.
func ndcg(top []Scored, held []int32, k int) float64 {
	dcg := 0.0
	for rank, r := range top[:min(k, len(top))] {
		if slices.Contains(held, r.Item) {
			dcg += 1 / math.Log2(float64(rank)+2)
		}
	}
	idcg := 0.0
	for rank := 0; rank < min(len(held), k); rank++ {
		idcg += 1 / math.Log2(float64(rank)+2)
	}
	return dcg / idcg
}

// BlendParts trains the blend's learned sources on s.Train: EASE over
// the head, similar notes (item-kNN), the sequence source at each
// SeqDecays, the model (BPR) and trending at each TrendSpans (read at
// each reader's moment, TrendAt).
func BlendParts(s Split, bpr BPRConfig, progress func(int, int)) []BlendPart {
	m := s.Train
	knn := &ItemKNN{m: m, k: BuildKNN(m, progress)}
	next := BuildTransitions(m, progress)
	seq := BlendPart{Name: "sequence"}
	for _, d := range SeqDecays {
		seq.Variants = append(seq.Variants, &SeqScorer{m: m, k: next, decay: d})
	}
	trend := BlendPart{Name: "trending"}
	for _, f := range TrendSpans {
		trend.Variants = append(trend.Variants, NewTrendAt(s, f))
	}
	return []BlendPart{
		{Name: "ease", Variants: []Scorer{&ItemKNN{m: m, k: EASENeighbours(m, EASEServeItems, EASELambda, EASEKeep), name: "ease"}}},
		{Name: "similar", Variants: []Scorer{knn}},
		seq,
		{Name: "model", Variants: []Scorer{&BPRScorer{b: TrainBPR(m, bpr, nil).Quantize()}}},
		trend,
	}
}

// Blend is the chosen mix of parts (trained like the ones tuned on).
func (c BlendChoice) Blend(parts []BlendPart) *Blend {
	b := &Blend{}
	for p, part := range parts {
		b.parts = append(b.parts, part.Variants[c.Variant[p]])
		b.weights = append(b.weights, c.Weight[p])
	}
	return b
}

// Describe names the weights and settings, e.g. for `recs eval`.
func (c BlendChoice) Describe(parts []BlendPart) string {
	var b strings.Builder
	for p, part := range parts {
		if p > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %g", part.Name, c.Weight[p])
		switch part.Name {
		case "sequence":
			fmt.Fprintf(&b, " (decay %g)", SeqDecays[c.Variant[p]])
		case "trending":
			if f := TrendSpans[c.Variant[p]]; f > 0 {
				fmt.Fprintf(&b, " (half-life 1/%g of the window)", 1/f)
			} else {
				b.WriteString(" (no decay)")
			}
		}
	}
	return b.String()
}
