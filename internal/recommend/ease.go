package recommend

import (
	"cmp"
	"slices"
)

// EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data",
// 2019) is a reference row of `recs eval`: an item-item weight matrix B
// with a zero diagonal minimising ‖X − XB‖² + λ‖B‖², whose closed form is
// P = (XᵀX + λI)⁻¹, B_ij = −P_ij / P_jj. It is dense in items, so it is
// only built for catalogues up to EASEMaxItems.

// EASEMaxItems bounds the catalogue EASE inverts: 3,000 items are 72 MiB
// of float64 matrices and a few seconds of Cholesky.
const EASEMaxItems = 3000

// EASELambdas are the regularisation values tried on the validation split.
var EASELambdas = []float64{10, 30, 100, 300, 1000}

// EASE scores a user's items by summing B's rows over their history.
type EASE struct {
	m      *Matrix
	n      int
	b      []float32 // NItems × NItems, row i = weights from item i
	Lambda float64
	buf    []float32
}

// TrainEASE builds the model; nil when the Gram matrix is singular (λ ≤ 0
// with unseen items).
func TrainEASE(m *Matrix, lambda float64) *EASE {
	n := m.NItems
	g := make([]float64, n*n)
	for u := 0; u < m.NUsers; u++ {
		row := m.Row(u)
		for _, i := range row {
			gi := g[int(i)*n:]
			for _, j := range row {
				gi[j]++
			}
		}
	}
	for i := 0; i < n; i++ {
		g[i*n+i] += lambda
	}
	p := spdInverse(g, n)
	if p == nil {
		return nil
	}
	e := &EASE{m: m, n: n, b: make([]float32, n*n), Lambda: lambda}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				e.b[i*n+j] = float32(-p[i*n+j] / p[j*n+j])
			}
		}
	}
	return e
}

func (e *EASE) Name() string { return "ease" }
func (e *EASE) Top(u, n int, exclude []int32) []Scored {
	if e.buf == nil {
		e.buf = make([]float32, e.n)
	}
	clear(e.buf)
	for _, i := range e.m.Row(u) {
		for j, w := range e.b[int(i)*e.n : int(i+1)*e.n] {
			e.buf[j] += w
		}
	}
	return topN(e.buf, n, exclude)
}

// EASEServeItems is how many of the most engaged items the blend's EASE
// source covers: a dense inversion of n items costs n² memory and n³
// time (2,000: 32 MiB while it is built, ~10 s of one core), so a large
// catalogue gets EASE for its head and the other sources for the rest.
const EASEServeItems = 2000

// EASELambda is the regularisation of the blend's EASE source.
const EASELambda = 100

// EASEKeep is how many of an item's strongest positive EASE weights the
// blend keeps (as neighbour lists).
const EASEKeep = 100

// EASENeighbours trains EASE on the maxItems items of m with the most
// interactions and keeps, per item, its keep strongest positive weights
// in the neighbour-list form of the item-kNN (rows of other items are
// empty), so it is served like similar notes.
func EASENeighbours(m *Matrix, maxItems int, lambda float64, keep int) *KNN {
	deg := m.Degrees()
	order := make([]int32, 0, m.NItems)
	for i, d := range deg {
		if d > 0 {
			order = append(order, int32(i))
		}
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Or(cmp.Compare(deg[b], deg[a]), cmp.Compare(a, b)) })
	order = order[:min(len(order), maxItems)]
	local := make([]int32, m.NItems) // item → local index + 1
	for x, i := range order {
		local[i] = int32(x + 1)
	}
	// The head's matrix, in local indexes.
	var ts []Triple
	for u := 0; u < m.NUsers; u++ {
		for _, i := range m.Row(u) {
			if l := local[i]; l > 0 {
				ts = append(ts, Triple{User: int32(u), Item: l - 1})
			}
		}
	}
	k := &KNN{}
	k.off.base, k.off.n = make([]int32, 0, m.NItems/rowBlock+1), make([]uint8, 0, m.NItems)
	var e *EASE
	if len(order) > 1 {
		e = TrainEASE(NewMatrix(m.NUsers, len(order), ts), lambda)
	}
	h := make([]nb, 0, keep)
	for i := 0; i < m.NItems; i++ {
		l := local[i]
		if e == nil || l == 0 {
			k.off.push(0)
			continue
		}
		h = h[:0]
		for j, w := range e.b[int(l-1)*e.n : int(l)*e.n] {
			if w > 0 {
				h = offerNb(h, nb{order[j], w}, keep)
			}
		}
		slices.SortFunc(h, func(a, b nb) int { return cmp.Or(cmp.Compare(b.sim, a.sim), cmp.Compare(a.item, b.item)) })
		for _, x := range h {
			k.Nb = append(k.Nb, x.item)
			k.Sim = append(k.Sim, toBF16(x.sim))
		}
		k.off.push(len(h))
	}
	return k
}
