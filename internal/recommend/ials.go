package recommend

import (
	"math/rand/v2"
	"runtime"
	"sync"
)

// Implicit ALS (Hu, Koren, Volinsky, "Collaborative Filtering for
// Implicit Feedback Datasets", 2008) is a reference row of `recs eval`:
// every (user, item) cell has preference p = 1 if seen else 0 and
// confidence c = 1 + α·seen, and alternating exact least squares minimise
// Σ c·(p − x_u·y_i)² + λ(Σ‖x_u‖² + Σ‖y_i‖²). Each user's solve uses
// YᵀY once for all unseen cells plus α·y_i·y_iᵀ per seen item (the
// paper's trick), then a Cholesky solve of a Dim×Dim system.

// IALSConfig sets the training constants (see DefaultIALS).
type IALSConfig struct {
	Dim    int
	Iters  int
	Alpha  float64 // confidence of a seen cell is 1 + Alpha
	Lambda float64
	Seed   uint64
}

// DefaultIALS is a reference setting.
var DefaultIALS = IALSConfig{Dim: 32, Iters: 10, Alpha: 10, Lambda: 1, Seed: 1}

// IALSGrid is what `recs eval` tries on its validation split.
var IALSGrid = func() []IALSConfig {
	var g []IALSConfig
	for _, a := range []float64{1, 5, 20} {
		for _, l := range []float64{1, 20} {
			g = append(g, IALSConfig{Dim: 32, Iters: 10, Alpha: a, Lambda: l, Seed: 1})
		}
	}
	return g
}()

// IALS holds the factors, row-major (NUsers × Dim, NItems × Dim).
type IALS struct {
	Dim          int
	Users, Items []float64
	m            *Matrix
	buf          []float32
}

// TrainIALS fits the factors to m.
func TrainIALS(m *Matrix, c IALSConfig) *IALS {
	r := rand.New(rand.NewPCG(c.Seed, 0x69616c73))
	a := &IALS{Dim: c.Dim, Users: make([]float64, m.NUsers*c.Dim), Items: make([]float64, m.NItems*c.Dim), m: m}
	for i := range a.Items {
		a.Items[i] = r.NormFloat64() * 0.01
	}
	t := m.transpose()
	for it := 0; it < c.Iters; it++ {
		alsHalf(m, a.Items, a.Users, c)
		alsHalf(t, a.Users, a.Items, c)
	}
	return a
}

// alsHalf solves every row's factors in dst given the other side's fixed
// factors in src, for the rows of m.
func alsHalf(m *Matrix, src, dst []float64, c IALSConfig) {
	d := c.Dim
	gram := make([]float64, d*d) // srcᵀ·src
	for x := 0; x+d <= len(src); x += d {
		v := src[x : x+d]
		for i, vi := range v {
			axpy(vi, v, gram[i*d:])
		}
	}
	// Rows are independent: split them between the cores.
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			alsRows(m, src, dst, gram, c, w*m.NUsers/workers, (w+1)*m.NUsers/workers)
		}()
	}
	wg.Wait()
}

// alsRows solves rows lo..hi-1 of alsHalf.
func alsRows(m *Matrix, src, dst, gram []float64, c IALSConfig, lo, hi int) {
	d := c.Dim
	a := make([]float64, d*d)
	for r := lo; r < hi; r++ {
		out := dst[r*d : r*d+d]
		clear(out)
		row := m.Row(r)
		if len(row) == 0 {
			continue
		}
		copy(a, gram)
		for i := 0; i < d; i++ {
			a[i*d+i] += c.Lambda
		}
		for _, it := range row {
			v := src[int(it)*d : int(it)*d+d]
			for i, vi := range v {
				axpy(c.Alpha*vi, v, a[i*d:])
			}
			axpy(1+c.Alpha, v, out)
		}
		if cholesky(a, d) {
			cholSolve(a, d, out)
		}
	}
}

func (a *IALS) Name() string { return "ials" }
func (a *IALS) Top(u, n int, exclude []int32) []Scored {
	d := a.Dim
	if a.buf == nil {
		a.buf = make([]float32, len(a.Items)/d)
	}
	x := a.Users[u*d : u*d+d]
	for i := range a.buf {
		s := 0.0
		for k, v := range a.Items[i*d : i*d+d] {
			s += v * x[k]
		}
		a.buf[i] = float32(s)
	}
	return topN(a.buf, n, exclude)
}
