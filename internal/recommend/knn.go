package recommend

import (
	"container/heap"
	"math"
)

// Item-kNN from co-visitation: two notes are similar when the same readers
// liked, collected or opened both. Similarity is cosine on the binary
// user×item matrix with a shrinkage term, so a pair seen together by two
// people does not outrank one seen together by two hundred:
//
//	sim(i, j) = co(i, j) / (sqrt(n_i · n_j) + KNNShrink)
//
// Only each reader's KNNRecentPerUser most recent items and each item's
// KNNUsersPerItem most recent readers are paired: heavy users would
// otherwise dominate the cost (quadratic in history length) and the
// counts, and recent taste is what matters.
const (
	KNNNeighbours    = 20        // neighbours kept per item, at most
	KNNBudget        = 4_000_000 // neighbour entries in all (32 MiB): fewer per item in big catalogues
	KNNShrink        = 5.0       // shrinkage on the cosine denominator
	KNNRecentPerUser = 50
	KNNUsersPerItem  = 300
)

// KNN holds each item's nearest neighbours in compressed rows.
type KNN struct {
	Off []int32 // len NItems+1
	Nb  []int32
	Sim []float32
}

// Neighbours returns item i's neighbours, most similar first.
func (k *KNN) Neighbours(i int32) ([]int32, []float32) {
	if k == nil || int(i)+1 >= len(k.Off) {
		return nil, nil
	}
	a, b := k.Off[i], k.Off[i+1]
	return k.Nb[a:b], k.Sim[a:b]
}

// BuildKNN computes the neighbour lists; progress (may be nil) is called
// with items done.
func BuildKNN(m *Matrix, progress func(done, total int)) *KNN {
	deg := m.Degrees()
	// Transpose, keeping each item's most recent readers: walking users in
	// order and overwriting a ring per item would need more memory than
	// this two-pass count-then-fill.
	tOff := make([]int32, m.NItems+1)
	for i, d := range deg {
		tOff[i+1] = tOff[i] + min(d, KNNUsersPerItem)
	}
	tUsers := make([]int32, tOff[m.NItems])
	fill := make([]int32, m.NItems) // readers seen so far per item
	for u := 0; u < m.NUsers; u++ {
		for _, i := range m.Row(u) {
			// Keep the last KNNUsersPerItem readers in arrival order (rows
			// are oldest first, users arrive in id order: close enough to
			// recency for a cap that rarely binds).
			c := fill[i]
			fill[i]++
			n := tOff[i+1] - tOff[i]
			tUsers[tOff[i]+c%max(n, 1)] = int32(u)
		}
	}
	recent := func(u int32) []int32 {
		r := m.Row(int(u))
		if len(r) > KNNRecentPerUser {
			r = r[len(r)-KNNRecentPerUser:]
		}
		return r
	}
	active := 0
	for _, d := range deg {
		if d > 0 {
			active++
		}
	}
	kMax := min(KNNNeighbours, max(5, KNNBudget/max(active, 1)))
	k := &KNN{Off: make([]int32, m.NItems+1)}
	co := make([]float32, m.NItems)
	var touched []int32
	h := &simHeap{}
	for i := 0; i < m.NItems; i++ {
		if progress != nil && i%4096 == 0 {
			progress(i, m.NItems)
		}
		touched = touched[:0]
		for _, u := range tUsers[tOff[i]:tOff[i+1]] {
			for _, j := range recent(u) {
				if j == int32(i) {
					continue
				}
				if co[j] == 0 {
					touched = append(touched, j)
				}
				co[j]++
			}
		}
		*h = (*h)[:0]
		for _, j := range touched {
			s := co[j] / float32(math.Sqrt(float64(deg[i])*float64(deg[j]))+KNNShrink)
			co[j] = 0
			if h.Len() < kMax {
				heap.Push(h, nb{j, s})
			} else if s > (*h)[0].sim {
				(*h)[0] = nb{j, s}
				heap.Fix(h, 0)
			}
		}
		start := len(k.Nb)
		for h.Len() > 0 {
			x := heap.Pop(h).(nb)
			k.Nb = append(k.Nb, x.item)
			k.Sim = append(k.Sim, x.sim)
		}
		// The heap pops the weakest first: reverse to most similar first.
		for a, b := start, len(k.Nb)-1; a < b; a, b = a+1, b-1 {
			k.Nb[a], k.Nb[b] = k.Nb[b], k.Nb[a]
			k.Sim[a], k.Sim[b] = k.Sim[b], k.Sim[a]
		}
		k.Off[i+1] = int32(len(k.Nb))
	}
	if progress != nil {
		progress(m.NItems, m.NItems)
	}
	return k
}

// Bytes is the memory the lists take.
func (k *KNN) Bytes() int64 { return int64(len(k.Off)*4 + len(k.Nb)*4 + len(k.Sim)*4) }

type nb struct {
	item int32
	sim  float32
}

type simHeap []nb

func (h simHeap) Len() int           { return len(h) }
func (h simHeap) Less(a, b int) bool { return h[a].sim < h[b].sim }
func (h simHeap) Swap(a, b int)      { h[a], h[b] = h[b], h[a] }
func (h *simHeap) Push(x any)        { *h = append(*h, x.(nb)) }
func (h *simHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Similar scores items by their similarity to the given history (item →
// weight): the sum of weighted similarities, and for each item the
// history item that contributed most (the "because" of the reason).
func (k *KNN) Similar(history []int32, weights []float32, out map[int32]*simScore) {
	for x, i := range history {
		nbs, sims := k.Neighbours(i)
		for y, j := range nbs {
			c := weights[x] * sims[y]
			s := out[j]
			if s == nil {
				s = &simScore{}
				out[j] = s
			}
			s.score += c
			if c > s.best {
				s.best, s.because = c, i
			}
		}
	}
}

type simScore struct {
	score, best float32
	because     int32
}
