package recommend

import (
	"cmp"
	"slices"
)

// Matrix is implicit feedback in compressed rows: row u lists the items
// user u interacted with, oldest first. Indexes are int32 so a million
// interactions cost 4 MiB.
type Matrix struct {
	NUsers, NItems int
	Off            []int32 // len NUsers+1: row u is Items[Off[u]:Off[u+1]]
	Items          []int32
}

// Row returns user u's items, oldest first.
func (m *Matrix) Row(u int) []int32 { return m.Items[m.Off[u]:m.Off[u+1]] }

// NNZ is the number of interactions.
func (m *Matrix) NNZ() int { return len(m.Items) }

// Triple is one interaction: who, what, when (any monotonic time unit).
type Triple struct {
	User, Item int32
	At         int64
}

// NewMatrix builds a matrix from triples (reordered in place). Repeated
// (user, item) pairs keep the earliest.
func NewMatrix(nUsers, nItems int, ts []Triple) *Matrix {
	slices.SortFunc(ts, func(a, b Triple) int {
		if c := cmp.Compare(a.User, b.User); c != 0 {
			return c
		}
		if c := cmp.Compare(a.At, b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Item, b.Item)
	})
	m := &Matrix{NUsers: nUsers, NItems: nItems, Off: make([]int32, nUsers+1), Items: make([]int32, 0, len(ts))}
	seen := map[int32]bool{}
	u := int32(-1)
	for _, t := range ts {
		if t.User != u {
			for v := u + 1; v <= t.User; v++ {
				m.Off[v] = int32(len(m.Items))
			}
			u = t.User
			clear(seen)
		}
		if seen[t.Item] {
			continue
		}
		seen[t.Item] = true
		m.Items = append(m.Items, t.Item)
	}
	for v := u + 1; v <= int32(nUsers); v++ {
		m.Off[v] = int32(len(m.Items))
	}
	return m
}

// Degrees counts each item's interactions.
func (m *Matrix) Degrees() []int32 {
	d := make([]int32, m.NItems)
	for _, i := range m.Items {
		d[i]++
	}
	return d
}

// sortedRows returns each row's items in ascending order, for membership
// tests by binary search.
func (m *Matrix) sortedRows() []int32 {
	s := slices.Clone(m.Items)
	for u := 0; u < m.NUsers; u++ {
		slices.Sort(s[m.Off[u]:m.Off[u+1]])
	}
	return s
}

// rowsSorted reports whether every row is in ascending order.
func (m *Matrix) rowsSorted() bool {
	for u := 0; u < m.NUsers; u++ {
		if !slices.IsSorted(m.Row(u)) {
			return false
		}
	}
	return true
}

// owners finds the user whose row holds an entry: the user of every
// ownerStep-th entry from a small table, then a binary search between two
// of them (a few steps, where one over all rows would miss the cache at
// every step of a BPR epoch).
type owners struct {
	off    []int32
	coarse []int32 // user of entry x·ownerStep
}

const ownerStep = 1024

func newOwners(m *Matrix) owners {
	o := owners{off: m.Off, coarse: make([]int32, m.NNZ()/ownerStep+1)}
	u := 0
	for x := range o.coarse {
		for u < m.NUsers-1 && int(m.Off[u+1]) <= x*ownerStep {
			u++
		}
		o.coarse[x] = int32(u)
	}
	return o
}

// of returns the user of entry e (0 ≤ e < NNZ).
func (o owners) of(e int) int32 {
	x := e / ownerStep
	lo, hi := o.coarse[x], int32(len(o.off)-2)
	if x+1 < len(o.coarse) {
		hi = o.coarse[x+1]
	}
	// The first row in lo..hi that ends after e.
	i, _ := slices.BinarySearch(o.off[lo+1:hi+2], int32(e+1))
	return lo + int32(i)
}

func has(sortedRow []int32, item int32) bool {
	_, ok := slices.BinarySearch(sortedRow, item)
	return ok
}

// transpose returns the item × user matrix (each item's users, in user
// order).
func (m *Matrix) transpose() *Matrix {
	t := &Matrix{NUsers: m.NItems, NItems: m.NUsers, Off: make([]int32, m.NItems+1), Items: make([]int32, m.NNZ())}
	for _, i := range m.Items {
		t.Off[i+1]++
	}
	for i := 0; i < m.NItems; i++ {
		t.Off[i+1] += t.Off[i]
	}
	next := append([]int32(nil), t.Off[:m.NItems]...)
	for u := 0; u < m.NUsers; u++ {
		for _, i := range m.Row(u) {
			t.Items[next[i]] = int32(u)
			next[i]++
		}
	}
	return t
}
