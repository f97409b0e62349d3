package promotions

import (
	"math/rand"
	"testing"
)

func TestAllocate(t *testing.T) {
	if got := Allocate(10, []int64{1, 1, 1}); got[0]+got[1]+got[2] != 10 || got[0] != 4 {
		t.Fatalf("Allocate(10, 1,1,1) = %v", got)
	}
	if got := Allocate(0, []int64{5, 5}); got[0] != 0 || got[1] != 0 {
		t.Fatalf("zero total: %v", got)
	}
	if got := Allocate(5, []int64{0, 0}); got[0] != 0 || got[1] != 0 {
		t.Fatalf("zero weights: %v", got)
	}
	// Large orders must not overflow.
	if got := Allocate(4_000_000_000_000, []int64{9_000_000_000_000, 1}); got[0]+got[1] != 4_000_000_000_000 {
		t.Fatalf("large: %v", got)
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		n := 1 + r.Intn(6)
		ws := make([]int64, n)
		var sum int64
		for k := range ws {
			ws[k] = r.Int63n(100000)
			sum += ws[k]
		}
		total := int64(0)
		if sum > 0 {
			total = r.Int63n(sum + 1)
		}
		got := Allocate(total, ws)
		var s int64
		for k, g := range got {
			if g < 0 || g > ws[k] {
				t.Fatalf("share %d of weight %d (total %d, weights %v)", g, ws[k], total, ws)
			}
			s += g
		}
		if sum > 0 && s != total {
			t.Fatalf("shares add to %d, want %d", s, total)
		}
	}
}
