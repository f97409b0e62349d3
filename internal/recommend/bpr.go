package recommend

import (
	"math"
	"math/rand/v2"
	"slices"
)

// BPR is matrix factorisation trained with Bayesian Personalized Ranking
// (Rendle et al., 2009): for a user u, an item i they interacted with and
// an item j drawn at random, SGD pushes the score x_ui = p_u·q_i + b_i
// above x_uj by ascending ln σ(x_ui − x_uj) with L2 regularisation. The
// item bias b_i learns popularity, the factors learn taste.
type BPR struct {
	Dim   int
	Users []float32 // NUsers × Dim
	Items []float32 // NItems × Dim
	Bias  []float32 // NItems
}

// BPRConfig sets the training constants (see DefaultBPR).
type BPRConfig struct {
	Dim    int
	Epochs int
	Rate   float32 // learning rate
	Reg    float32 // L2 on factors and biases
	Seed   uint64
}

// DefaultBPR suits communities of thousands to millions of interactions:
// 16 factors keep 100k items in 6 MiB; 25 epochs converge on the
// generated data sets and MovieLens-100k.
var DefaultBPR = BPRConfig{Dim: 16, Epochs: 25, Rate: 0.05, Reg: 0.01, Seed: 1}

// TrainBPR fits a model to m; progress (may be nil) gets epochs done.
func TrainBPR(m *Matrix, c BPRConfig, progress func(done, total int)) *BPR {
	r := rand.New(rand.NewPCG(c.Seed, 0x6270720a))
	b := &BPR{Dim: c.Dim, Users: make([]float32, m.NUsers*c.Dim), Items: make([]float32, m.NItems*c.Dim),
		Bias: make([]float32, m.NItems)}
	for i := range b.Users {
		b.Users[i] = float32(r.NormFloat64() * 0.1)
	}
	for i := range b.Items {
		b.Items[i] = float32(r.NormFloat64() * 0.1)
	}
	if m.NNZ() == 0 || m.NItems < 2 {
		return b
	}
	// Membership tests need each row sorted: a serving build passes a
	// matrix that already is, so no copy is made.
	sorted := m.Items
	if !m.rowsSorted() {
		sorted = m.sortedRows()
	}
	owner := newOwners(m)
	d := c.Dim
	diff := make([]float32, d)
	for ep := 0; ep < c.Epochs; ep++ {
		if progress != nil {
			progress(ep, c.Epochs)
		}
		for s := 0; s < m.NNZ(); s++ {
			e := r.IntN(m.NNZ())
			u := owner.of(e)
			i := m.Items[e]
			row := sorted[m.Off[u]:m.Off[u+1]]
			if len(row) >= m.NItems {
				continue
			}
			j := int32(r.IntN(m.NItems))
			for tries := 0; has(row, j) && tries < 20; tries++ {
				j = int32(r.IntN(m.NItems))
			}
			if has(row, j) {
				continue
			}
			pu := b.Users[int(u)*d : int(u)*d+d]
			qi := b.Items[int(i)*d : int(i)*d+d]
			qj := b.Items[int(j)*d : int(j)*d+d]
			x := b.Bias[i] - b.Bias[j]
			for f := 0; f < d; f++ {
				diff[f] = qi[f] - qj[f]
				x += pu[f] * diff[f]
			}
			g := float32(1 / (1 + math.Exp(float64(x)))) // σ(−x): the gradient scale
			for f := 0; f < d; f++ {
				p := pu[f]
				pu[f] += c.Rate * (g*diff[f] - c.Reg*p)
				qi[f] += c.Rate * (g*p - c.Reg*qi[f])
				qj[f] += c.Rate * (-g*p - c.Reg*qj[f])
			}
			b.Bias[i] += c.Rate * (g - c.Reg*b.Bias[i])
			b.Bias[j] += c.Rate * (-g - c.Reg*b.Bias[j])
		}
	}
	if progress != nil {
		progress(c.Epochs, c.Epochs)
	}
	return b
}

// UserVec returns user u's factors.
func (b *BPR) UserVec(u int) []float32 { return b.Users[u*b.Dim : u*b.Dim+b.Dim] }

// Bytes is the memory the factors take.
func (b *BPR) Bytes() int64 { return int64(len(b.Users)+len(b.Items)+len(b.Bias)) * 4 }

// Factors are a trained BPR model as served: every user and item vector
// stored as int8 with a scale of its own (max |x| / 127), a quarter of
// the float32 memory. The rounding error, at most half a step of 1/127
// of the vector's largest factor, is far below what separates scores
// (`redmark recs eval` measures the quantised model).
type Factors struct {
	Dim          int
	users, items qvecs
	Bias         []float32
}

type qvecs struct {
	v     []int8
	scale []float32
}

func quantize(x []float32, dim int) qvecs {
	n := len(x) / dim
	q := qvecs{v: make([]int8, len(x)), scale: make([]float32, n)}
	for i := 0; i < n; i++ {
		row := x[i*dim : i*dim+dim]
		var m float32
		for _, f := range row {
			m = max(m, f, -f)
		}
		if m == 0 {
			continue
		}
		q.scale[i] = m / 127
		for f, v := range row {
			q.v[i*dim+f] = int8(math.Round(float64(v / q.scale[i])))
		}
	}
	return q
}

// Quantize returns the serving form of the model.
func (b *BPR) Quantize() *Factors {
	return &Factors{Dim: b.Dim, users: quantize(b.Users, b.Dim), items: quantize(b.Items, b.Dim), Bias: slices.Clone(b.Bias)}
}

// NItems is the number of items the model knows.
func (f *Factors) NItems() int { return len(f.Bias) }

// UserVec returns user u's factors.
func (f *Factors) UserVec(u int) []float32 {
	v := make([]float32, f.Dim)
	f.users.addTo(v, u, f.Dim, 1)
	return v
}

// addTo adds w times vector i to v.
func (q *qvecs) addTo(v []float32, i, dim int, w float32) {
	s := w * q.scale[i]
	for f, x := range q.v[i*dim : i*dim+dim] {
		v[f] += s * float32(x)
	}
}

// FoldIn is a user vector for someone the model has not seen (or whose
// latest actions it has not seen yet): the mean of the factors of the
// items they interacted with, weighted. It lets the model react to new
// behaviour at once, between trainings.
func (f *Factors) FoldIn(items []int32, weights []float32) []float32 {
	v := make([]float32, f.Dim)
	var sum float32
	for x, i := range items {
		if i < 0 || int(i) >= len(f.Bias) {
			continue
		}
		f.items.addTo(v, int(i), f.Dim, weights[x])
		sum += weights[x]
	}
	if sum > 0 {
		for d := range v {
			v[d] /= sum
		}
	}
	return v
}

// Score writes p·q_i + b_i into out for the first len(out) items.
func (f *Factors) Score(p []float32, out []float32) {
	d := f.Dim
	v, scale, bias := f.items.v, f.items.scale, f.Bias
	if d == 16 {
		// The default size, in integers: p scaled to ±32767 (products and
		// sums fit in int32), four independent sums (one long chain of
		// additions would wait on each other). The scan is most of a
		// request's model cost; this is about twice the float32 speed.
		var pm float32
		for _, x := range p[:16] {
			pm = max(pm, x, -x)
		}
		var pp [16]int32
		ps := pm / 32767
		if pm > 0 {
			for k, x := range p[:16] {
				pp[k] = int32(math.Round(float64(x / ps)))
			}
		}
		for i := range out {
			q := (*[16]int8)(v[i*16 : i*16+16])
			s0 := pp[0]*int32(q[0]) + pp[4]*int32(q[4]) + pp[8]*int32(q[8]) + pp[12]*int32(q[12])
			s1 := pp[1]*int32(q[1]) + pp[5]*int32(q[5]) + pp[9]*int32(q[9]) + pp[13]*int32(q[13])
			s2 := pp[2]*int32(q[2]) + pp[6]*int32(q[6]) + pp[10]*int32(q[10]) + pp[14]*int32(q[14])
			s3 := pp[3]*int32(q[3]) + pp[7]*int32(q[7]) + pp[11]*int32(q[11]) + pp[15]*int32(q[15])
			out[i] = bias[i] + scale[i]*ps*float32((s0+s1)+(s2+s3))
		}
		return
	}
	for i := range out {
		var s float32
		for k, x := range v[i*d : i*d+d] {
			s += p[k] * float32(x)
		}
		out[i] = bias[i] + scale[i]*s
	}
}

// Bytes is the memory the factors take.
func (f *Factors) Bytes() int64 {
	return int64(len(f.users.v)+len(f.items.v)) + int64(len(f.users.scale)+len(f.items.scale)+len(f.Bias))*4
}
