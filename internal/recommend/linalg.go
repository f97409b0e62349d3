package recommend

import "math"

// Dense symmetric positive-definite algebra for the reference models
// (EASE, implicit ALS): a Cholesky factorisation in place, row-major n×n,
// in float64 because EASE inverts Gram matrices with entries in the
// thousands.

// cholesky overwrites the lower triangle of a with L (a = L·Lᵀ); it
// reports false when a is not positive definite.
func cholesky(a []float64, n int) bool {
	for j := 0; j < n; j++ {
		rj := a[j*n : j*n+j]
		d := a[j*n+j]
		for _, v := range rj {
			d -= v * v
		}
		if d <= 0 {
			return false
		}
		d = math.Sqrt(d)
		a[j*n+j] = d
		for i := j + 1; i < n; i++ {
			ri := a[i*n : i*n+j]
			s := a[i*n+j]
			for k, v := range ri {
				s -= v * rj[k]
			}
			a[i*n+j] = s / d
		}
	}
	return true
}

// cholSolve solves L·Lᵀ·x = b in place (b becomes x), L from cholesky.
func cholSolve(l []float64, n int, b []float64) {
	for i := 0; i < n; i++ {
		s := b[i]
		for k, v := range l[i*n : i*n+i] {
			s -= v * b[k]
		}
		b[i] = s / l[i*n+i]
	}
	for i := n - 1; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < n; k++ {
			s -= l[k*n+i] * b[k]
		}
		b[i] = s / l[i*n+i]
	}
}

// spdInverse returns a⁻¹ for a symmetric positive-definite a (consumed),
// or nil when a is not positive definite.
func spdInverse(a []float64, n int) []float64 {
	if !cholesky(a, n) {
		return nil
	}
	// L⁻¹ row by row (row i = (e_i − Σ_k<i L_ik·row k) / L_ii), then
	// a⁻¹ = L⁻ᵀ·L⁻¹ as a sum of outer products of L⁻¹'s rows: every loop
	// runs along a row, which matters at a few thousand items.
	li := make([]float64, n*n)
	for i := 0; i < n; i++ {
		ri := li[i*n : i*n+i+1]
		for k, v := range a[i*n : i*n+i] {
			if v != 0 {
				axpy(-v, li[k*n:k*n+k+1], ri)
			}
		}
		ri[i] = 1
		for k := range ri {
			ri[k] /= a[i*n+i]
		}
	}
	inv := make([]float64, n*n)
	for k := 0; k < n; k++ {
		rk := li[k*n : k*n+k+1]
		for i, v := range rk {
			if v != 0 {
				axpy(v, rk[:i+1], inv[i*n:i*n+i+1])
			}
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			inv[j*n+i] = inv[i*n+j]
		}
	}
	return inv
}

// axpy adds a·x to y (len(y) ≥ len(x)).
func axpy(a float64, x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}
