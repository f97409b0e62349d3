package recommend

import (
	"cmp"
	"math"
	"slices"
)

// The sequence source: what readers engaged with next. Rows are in time
// order, so every item j that follows i within SeqWindow positions of a
// reader's row counts toward i → j, the nearer the more (1/gap):
//
//	next(i, j) = Σ 1/gap / (sqrt(n_i · n_j) + KNNShrink)
//
// It is directional (a series is read forward), and at request time it
// is read from the reader's last SeqHistory items with weights falling
// geometrically (SeqDecay): it answers "what comes after what you just
// did", where item-kNN answers "what goes with your taste".
const (
	SeqWindow  = 3
	SeqHistory = 5
)

// SeqDecays are the per-step weight decays tried on the validation split
// (the latest item 1, the one before it d, then d², …).
var SeqDecays = []float32{0.3, 0.6, 0.9}

// BuildTransitions computes each item's strongest successors in the same
// form as the item-kNN's neighbour lists (bfloat16 scores, KNNNeighbours
// per item at most, KNNBudget in all). Like BuildKNN it works in blocks
// of items whose occurrences fit in knnBlock entries, so the working
// memory does not grow with the interactions.
func BuildTransitions(m *Matrix, progress func(done, total int)) *KNN {
	deg := m.Degrees()
	active := 0
	for _, d := range deg {
		if d > 0 {
			active++
		}
	}
	kMax := min(KNNNeighbours, max(5, KNNBudget/max(active, 1)))
	k := &KNN{Nb: make([]int32, 0, active*kMax/2), Sim: make([]uint16, 0, active*kMax/2)}
	k.off.base, k.off.n = make([]int32, 0, m.NItems/rowBlock+1), make([]uint8, 0, m.NItems)
	owner := newOwners(m)
	co := make([]float32, m.NItems)
	var touched, tOff, occ, fill []int32
	h := make([]nb, 0, kMax)
	for lo := 0; lo < m.NItems; {
		hi, size := lo, 0
		for hi < m.NItems && (hi == lo || size+int(deg[hi]) <= knnBlock) {
			size += int(deg[hi])
			hi++
		}
		// Where each item of the block occurs (entry indexes).
		tOff = zeroed(tOff, hi-lo+1)
		for i := lo; i < hi; i++ {
			tOff[i-lo+1] = tOff[i-lo] + deg[i]
		}
		occ, fill = zeroed(occ, size), zeroed(fill, hi-lo)
		for e, i := range m.Items {
			if int(i) >= lo && int(i) < hi {
				x := int(i) - lo
				occ[tOff[x]+fill[x]] = int32(e)
				fill[x]++
			}
		}
		for i := lo; i < hi; i++ {
			if progress != nil && i%4096 == 0 {
				progress(i, m.NItems)
			}
			touched = touched[:0]
			for _, e := range occ[tOff[i-lo]:tOff[i-lo+1]] {
				end := int(m.Off[owner.of(int(e))+1])
				for g := 1; g <= SeqWindow && int(e)+g < end; g++ {
					j := m.Items[int(e)+g]
					if co[j] == 0 {
						touched = append(touched, j)
					}
					co[j] += 1 / float32(g)
				}
			}
			h = h[:0]
			for _, j := range touched {
				h = offerNb(h, nb{j, co[j] / float32(math.Sqrt(float64(deg[i])*float64(deg[j]))+KNNShrink)}, kMax)
				co[j] = 0
			}
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
	if len(k.Nb) < cap(k.Nb)*3/4 {
		k.Nb, k.Sim = slices.Clone(k.Nb), slices.Clone(k.Sim)
	}
	return k
}

// seqHistory is the part of a history (oldest first) the sequence source
// reads, with its weights: the latest 1, each earlier one decay times the
// next.
func seqHistory(hist []int32, decay float32) ([]int32, []float32) {
	if len(hist) > SeqHistory {
		hist = hist[len(hist)-SeqHistory:]
	}
	w := make([]float32, len(hist))
	f := float32(1)
	for x := len(hist) - 1; x >= 0; x-- {
		w[x] = f
		f *= decay
	}
	return hist, w
}
