package recommend

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
)

// Synthetic writes a generated interaction log with the structures a
// real community has, for `recs eval` where no public data set can be
// had (`redmark recs synth`): items appear over 200 days and are read
// mostly while new; each has a taste cluster and a lognormal appeal;
// some come in series read in order; readers arrive over time, have one
// or two clusters and a lognormal activity, and each next read is the
// next of a series (20%), a pick from their clusters (55%) or from
// everything (25%), by appeal × freshness. Rows are
// user,item,1,unix-seconds.
func Synthetic(w io.Writer, users, items int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 0x73796e74))
	const (
		clusters = 20
		days     = 200
		day      = 86_400
		start    = 1_700_000_000
	)
	type item struct {
		release int64
		cluster int
		appeal  float64
		next    int // next of its series, −1
	}
	its := make([]item, items)
	for i := range its {
		its[i] = item{release: start + int64(r.Float64()*days*day), cluster: r.IntN(clusters),
			appeal: math.Exp(r.NormFloat64()), next: -1}
	}
	// Series: runs of 2–5 items of one cluster, released in order.
	for i := 0; i+5 < items; i++ {
		if r.IntN(8) == 0 {
			n := 2 + r.IntN(4)
			for x := i; x < i+n-1; x++ {
				its[x+1].cluster, its[x+1].release = its[i].cluster, its[x].release+int64(1+r.IntN(7))*day
				its[x].next = x + 1
			}
			i += n
		}
	}
	byCluster := make([][]int, clusters)
	for i, it := range its {
		byCluster[it.cluster] = append(byCluster[it.cluster], i)
	}
	// pick draws from list by appeal × freshness at t among released
	// items not yet seen (a few tries: the lists are long).
	pick := func(list []int, t int64, seen map[int]bool) int {
		best, bestW := -1, 0.0
		for try := 0; try < 40; try++ {
			i := list[r.IntN(len(list))]
			it := its[i]
			if it.release > t || seen[i] {
				continue
			}
			age := float64(t-it.release) / day
			w := it.appeal * math.Exp(-age/20) * r.ExpFloat64()
			if w > bestW {
				best, bestW = i, w
			}
		}
		return best
	}
	all := make([]int, items)
	for i := range all {
		all[i] = i
	}
	if _, err := fmt.Fprintln(w, "user,item,value,timestamp"); err != nil {
		return err
	}
	for u := 0; u < users; u++ {
		home := []int{r.IntN(clusters)}
		if r.IntN(2) == 0 {
			home = append(home, r.IntN(clusters))
		}
		n := min(400, 5+int(math.Exp(2.5+r.NormFloat64())))
		t := start + int64(r.Float64()*days*0.8*day)
		seen := map[int]bool{}
		last := -1
		for k := 0; k < n; k++ {
			t += int64(r.ExpFloat64() * 0.5 * day)
			if t > start+days*day {
				break
			}
			i := -1
			switch x := r.Float64(); {
			case x < 0.2 && last >= 0 && its[last].next >= 0 && its[its[last].next].release <= t && !seen[its[last].next]:
				i = its[last].next
			case x < 0.75:
				i = pick(byCluster[home[r.IntN(len(home))]], t, seen)
			default:
				i = pick(all, t, seen)
			}
			if i < 0 {
				continue
			}
			seen[i], last = true, i
			if _, err := fmt.Fprintf(w, "u%d,i%d,1,%d\n", u, i, t); err != nil {
				return err
			}
		}
	}
	return nil
}
