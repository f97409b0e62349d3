package recommend

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9*(1+math.Abs(b)) }

// near32 compares a float32 result (EASE keeps B in float32).
func near32(a float32, b float64) bool { return math.Abs(float64(a)-b) < 1e-6 }

func TestSPDInverse(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 7
	// a = MᵀM + I is positive definite.
	m := make([]float64, n*n)
	for i := range m {
		m[i] = r.NormFloat64()
	}
	a := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			for k := 0; k < n; k++ {
				a[i*n+j] += m[k*n+i] * m[k*n+j]
			}
		}
		a[i*n+i]++
	}
	orig := append([]float64(nil), a...)
	inv := spdInverse(a, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for k := 0; k < n; k++ {
				s += orig[i*n+k] * inv[k*n+j]
			}
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(s-want) > 1e-9 {
				t.Fatalf("(a·a⁻¹)[%d][%d] = %g, want %g", i, j, s, want)
			}
		}
	}
	if spdInverse([]float64{1, 2, 2, 1}, 2) != nil {
		t.Fatal("an indefinite matrix was inverted")
	}
}

func TestEASEHandComputed(t *testing.T) {
	// Users {0,1} and {0}; λ = 1: G = [[3,1],[1,2]], P = [[2,−1],[−1,3]]/5,
	// B01 = −P01/P11 = 1/3 and B10 = −P10/P00 = 1/2 — the same as the
	// one-weight ridge regressions min (1−b)²+b²+b² and (1−b)²+1+b².
	m := NewMatrix(2, 2, []Triple{{0, 0, 1}, {0, 1, 2}, {1, 0, 3}})
	e := TrainEASE(m, 1)
	if !near32(e.b[1], 1.0/3) || !near32(e.b[2], 0.5) || e.b[0] != 0 || e.b[3] != 0 {
		t.Fatalf("B = %v, want [0 1/3 1/2 0]", e.b)
	}
	// User 1 has item 0: item 1 scores B01.
	top := e.Top(1, 5, []int32{0})
	if len(top) != 1 || top[0].Item != 1 || !near32(top[0].Score, 1.0/3) {
		t.Fatalf("top = %v", top)
	}
}

// The EASE optimum is characterised by diag(B) = 0 and G·B − G diagonal
// (the Lagrange multipliers of the zero-diagonal constraint): checked on a
// random matrix, independently of the closed form.
func TestEASEOptimality(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const users, items, lambda = 30, 8, 2.5
	var ts []Triple
	for u := 0; u < users; u++ {
		for i := 0; i < items; i++ {
			if r.IntN(3) == 0 {
				ts = append(ts, Triple{int32(u), int32(i), int64(i)})
			}
		}
	}
	m := NewMatrix(users, items, ts)
	e := TrainEASE(m, lambda)
	g := make([]float64, items*items)
	for u := 0; u < users; u++ {
		for _, i := range m.Row(u) {
			for _, j := range m.Row(u) {
				g[int(i)*items+int(j)]++
			}
		}
	}
	for i := 0; i < items; i++ {
		g[i*items+i] += lambda
	}
	for i := 0; i < items; i++ {
		if e.b[i*items+i] != 0 {
			t.Fatalf("B[%d][%d] = %g", i, i, e.b[i*items+i])
		}
		for j := 0; j < items; j++ {
			if i == j {
				continue
			}
			gb := 0.0
			for k := 0; k < items; k++ {
				gb += g[i*items+k] * float64(e.b[k*items+j])
			}
			if math.Abs(gb-g[i*items+j]) > 1e-4 {
				t.Fatalf("(G·B)[%d][%d] = %g, G = %g", i, j, gb, g[i*items+j])
			}
		}
	}
}

func TestIALSHandComputed(t *testing.T) {
	// One factor, item factors y = (1, 2), the user saw item 0, α = λ = 1:
	// x = c₀y₀ / (c₀y₀² + c₁y₁² + λ) = 2 / (2 + 4 + 1).
	m := NewMatrix(1, 2, []Triple{{0, 0, 1}})
	x := make([]float64, 1)
	alsHalf(m, []float64{1, 2}, x, IALSConfig{Dim: 1, Alpha: 1, Lambda: 1})
	if !near(x[0], 2.0/7) {
		t.Fatalf("x = %g, want 2/7", x[0])
	}
}

// Each half step must equal a direct solve of the full weighted normal
// equations (every cell, no YᵀY trick), and the objective must never rise.
func TestIALSAgainstDirectSolve(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const users, items = 12, 9
	c := IALSConfig{Dim: 3, Iters: 1, Alpha: 4, Lambda: 0.5, Seed: 2}
	var ts []Triple
	for u := 0; u < users; u++ {
		for i := 0; i < items; i++ {
			if r.IntN(3) == 0 || i == u%items {
				ts = append(ts, Triple{int32(u), int32(i), int64(i)})
			}
		}
	}
	m := NewMatrix(users, items, ts)
	seen := func(u, i int) bool {
		for _, j := range m.Row(u) {
			if int(j) == i {
				return true
			}
		}
		return false
	}
	y := make([]float64, items*c.Dim)
	for i := range y {
		y[i] = r.NormFloat64()
	}
	x := make([]float64, users*c.Dim)
	alsHalf(m, y, x, c)
	d := c.Dim
	for u := 0; u < users; u++ {
		a := make([][]float64, d)
		for k := range a {
			a[k] = make([]float64, d+1)
			a[k][k] = c.Lambda
		}
		for i := 0; i < items; i++ {
			conf, pref := 1.0, 0.0
			if seen(u, i) {
				conf, pref = 1+c.Alpha, 1
			}
			for p := 0; p < d; p++ {
				for q := 0; q < d; q++ {
					a[p][q] += conf * y[i*d+p] * y[i*d+q]
				}
				a[p][d] += conf * pref * y[i*d+p]
			}
		}
		want := gauss(a)
		for k := 0; k < d; k++ {
			if !near(x[u*d+k], want[k]) {
				t.Fatalf("user %d factor %d = %g, direct solve %g", u, k, x[u*d+k], want[k])
			}
		}
	}
	loss := func(a *IALS) float64 {
		s := 0.0
		for u := 0; u < users; u++ {
			for i := 0; i < items; i++ {
				dot := 0.0
				for k := 0; k < d; k++ {
					dot += a.Users[u*d+k] * a.Items[i*d+k]
				}
				conf, pref := 1.0, 0.0
				if seen(u, i) {
					conf, pref = 1+c.Alpha, 1
				}
				s += conf * (pref - dot) * (pref - dot)
			}
		}
		for _, v := range a.Users {
			s += c.Lambda * v * v
		}
		for _, v := range a.Items {
			s += c.Lambda * v * v
		}
		return s
	}
	prev := math.Inf(1)
	for it := 1; it <= 6; it++ {
		c.Iters = it
		l := loss(TrainIALS(m, c))
		if l > prev+1e-9 {
			t.Fatalf("objective rose from %g to %g at iteration %d", prev, l, it)
		}
		prev = l
	}
}

// gauss solves an augmented system [A | b] by elimination with partial
// pivoting: the independent check for the Cholesky path.
func gauss(a [][]float64) []float64 {
	n := len(a)
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		for r := 0; r < n; r++ {
			if r != c {
				f := a[r][c] / a[c][c]
				for k := c; k <= n; k++ {
					a[r][k] -= f * a[c][k]
				}
			}
		}
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = a[i][n] / a[i][i]
	}
	return x
}
