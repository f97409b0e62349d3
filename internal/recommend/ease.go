package recommend

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
