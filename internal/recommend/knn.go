package recommend

import (
	"cmp"
	"math"
	"slices"
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
	KNNNeighbours    = 100       // neighbours kept per item, at most
	KNNBudget        = 4_000_000 // neighbour entries in all (24 MiB): fewer per item in big catalogues
	KNNShrink        = 5.0       // shrinkage on the cosine denominator
	KNNRecentPerUser = 50
	KNNUsersPerItem  = 300
)

// knnBlock bounds the transposed matrix a build holds at once (entries,
// 4 bytes each): items are processed in blocks whose readers fit, each
// block reading the matrix once more, so memory does not grow with the
// number of interactions.
var knnBlock = 1 << 20

// KNN holds each item's nearest neighbours in compressed rows. The
// similarities are bfloat16 (the top half of a float32: 8 significant
// bits, 0.4% at worst), which halves their memory.
type KNN struct {
	off rowIndex // a row per item
	Nb  []int32
	Sim []uint16
}

// Neighbours returns item i's neighbours, most similar first, and their
// similarities (decode with simValue).
func (k *KNN) Neighbours(i int32) ([]int32, []uint16) {
	if k == nil || i < 0 || int(i) >= k.off.rows() {
		return nil, nil
	}
	a, b := k.off.bounds(i)
	return k.Nb[a:b], k.Sim[a:b]
}

// toBF16 rounds a positive float32 to bfloat16 (to nearest, ties to even).
func toBF16(x float32) uint16 {
	b := math.Float32bits(x)
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}

func simValue(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// BuildKNN computes the neighbour lists; progress (may be nil) is called
// with items done.
func BuildKNN(m *Matrix, progress func(done, total int)) *KNN {
	deg := m.Degrees()
	active := 0
	for _, d := range deg {
		if d > 0 {
			active++
		}
	}
	kMax := min(KNNNeighbours, max(5, KNNBudget/max(active, 1)))
	k := &KNN{Nb: make([]int32, 0, active*kMax), Sim: make([]uint16, 0, active*kMax)}
	k.off.base, k.off.n = make([]int32, 0, m.NItems/rowBlock+1), make([]uint8, 0, m.NItems)
	recent := func(u int32) []int32 {
		r := m.Row(int(u))
		if len(r) > KNNRecentPerUser {
			r = r[len(r)-KNNRecentPerUser:]
		}
		return r
	}
	co := make([]float32, m.NItems)
	var touched []int32
	h := make([]nb, 0, kMax)
	var tOff, tUsers, fill []int32
	for lo := 0; lo < m.NItems; {
		// Items lo..hi-1 whose kept readers fit in a block.
		hi, size := lo, 0
		for hi < m.NItems && hi-lo < knnBlock {
			r := int(min(deg[hi], KNNUsersPerItem))
			if hi > lo && size+r > knnBlock {
				break
			}
			size += r
			hi++
		}
		// Transpose the block, keeping each item's last KNNUsersPerItem
		// readers in arrival order (rows are oldest first, users arrive in
		// id order: close enough to recency for a cap that rarely binds).
		tOff = zeroed(tOff, hi-lo+1)
		for i := lo; i < hi; i++ {
			tOff[i-lo+1] = tOff[i-lo] + min(deg[i], KNNUsersPerItem)
		}
		tUsers = zeroed(tUsers, size)
		fill = zeroed(fill, hi-lo)
		for u := 0; u < m.NUsers; u++ {
			for _, i := range m.Row(u) {
				if int(i) < lo || int(i) >= hi {
					continue
				}
				x := int(i) - lo
				c := fill[x]
				fill[x]++
				n := tOff[x+1] - tOff[x]
				tUsers[tOff[x]+c%max(n, 1)] = int32(u)
			}
		}
		for i := lo; i < hi; i++ {
			if progress != nil && i%4096 == 0 {
				progress(i, m.NItems)
			}
			touched = touched[:0]
			for _, u := range tUsers[tOff[i-lo]:tOff[i-lo+1]] {
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
			h = h[:0]
			for _, j := range touched {
				s := co[j] / float32(math.Sqrt(float64(deg[i])*float64(deg[j]))+KNNShrink)
				co[j] = 0
				h = offerNb(h, nb{j, s}, kMax)
			}
			// Most similar first; ties by item, so builds are reproducible.
			slices.SortFunc(h, func(a, b nb) int { return cmp.Or(cmp.Compare(b.sim, a.sim), cmp.Compare(a.item, b.item)) })
			for _, x := range h {
				k.Nb = append(k.Nb, x.item)
				k.Sim = append(k.Sim, toBF16(x.sim))
			}
			k.off.push(len(h))
		}
		lo = hi
	}
	if progress != nil {
		progress(m.NItems, m.NItems)
	}
	// The lists were sized for kMax neighbours per item; most items of a
	// small catalogue have fewer, so keep only what was used.
	if len(k.Nb) < cap(k.Nb)*3/4 {
		k.Nb, k.Sim = slices.Clone(k.Nb), slices.Clone(k.Sim)
	}
	return k
}

// zeroed returns s resized to n zeros, reusing its array when it can.
func zeroed(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// Bytes is the memory the lists take.
func (k *KNN) Bytes() int64 { return k.off.bytes() + int64(cap(k.Nb))*4 + int64(cap(k.Sim))*2 }

type nb struct {
	item int32
	sim  float32
}

// nbWorse orders the min-heap of offerNb: lower similarity, then the
// higher item, is worse.
func nbWorse(a, b nb) bool { return a.sim < b.sim || (a.sim == b.sim && a.item > b.item) }

// offerNb keeps the k most similar in h, a min-heap whose root is the
// weakest kept.
func offerNb(h []nb, x nb, k int) []nb {
	if len(h) < k {
		h = append(h, x)
		for c := len(h) - 1; c > 0; {
			p := (c - 1) / 2
			if !nbWorse(h[c], h[p]) {
				break
			}
			h[p], h[c] = h[c], h[p]
			c = p
		}
		return h
	}
	if k == 0 || !nbWorse(h[0], x) {
		return h
	}
	h[0] = x
	for p := 0; ; {
		l, w := 2*p+1, p
		if l < len(h) && nbWorse(h[l], h[w]) {
			w = l
		}
		if r := l + 1; r < len(h) && nbWorse(h[r], h[w]) {
			w = r
		}
		if w == p {
			return h
		}
		h[p], h[w] = h[w], h[p]
		p = w
	}
}

// Similar scores items by their similarity to the given history (item →
// weight): the sum of weighted similarities, and for each item the
// history item that contributed most (the "because" of the reason). acc
// collects them (reset it to reuse it).
func (k *KNN) Similar(history []int32, weights []float32, acc *simAcc) {
	if acc.pos == nil {
		acc.pos = map[int32]int32{}
	}
	for x, i := range history {
		nbs, sims := k.Neighbours(i)
		for y, j := range nbs {
			c := weights[x] * simValue(sims[y])
			p, ok := acc.pos[j]
			if !ok {
				p = int32(len(acc.s))
				acc.pos[j] = p
				acc.s = append(acc.s, simScore{item: j})
			}
			s := &acc.s[p]
			s.score += c
			if c > s.best {
				s.best, s.because = c, i
			}
		}
	}
}

// simAcc accumulates Similar's scores: a slice and an index into it, no
// allocation per item, reusable across requests.
type simAcc struct {
	pos map[int32]int32
	s   []simScore
}

func (a *simAcc) reset() {
	clear(a.pos)
	a.s = a.s[:0]
}

type simScore struct {
	item, because int32
	score, best   float32
}
