package recommend

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// plantedCSV generates interactions with a known structure: users fall in
// clusters that mostly read their own cluster's items, plus some globally
// popular items. A recommender that learns taste must beat popularity.
func plantedCSV(users, items, clusters, perUser int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 7))
	var b strings.Builder
	b.WriteString("user,item,value,timestamp\n")
	per := items / clusters
	for u := 0; u < users; u++ {
		c := u % clusters
		seen := map[int]bool{}
		for n := 0; n < perUser; n++ {
			var it int
			if r.IntN(10) < 8 {
				// Within the cluster, a skewed choice (some items are hits).
				it = c*per + int(float64(per)*r.Float64()*r.Float64())
			} else {
				it = int(float64(items) * r.Float64() * r.Float64() * r.Float64())
			}
			if seen[it] {
				continue
			}
			seen[it] = true
			fmt.Fprintf(&b, "u%d,i%d,1,%d\n", u, it, 1_700_000_000+r.IntN(1_000_000))
		}
	}
	return b.String()
}

func TestLearnedModelsBeatPopularity(t *testing.T) {
	d, err := ReadCSV(strings.NewReader(plantedCSV(400, 600, 6, 30, 1)), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, split := range []struct {
		name string
		s    Split
	}{{"leave-last-out", SplitLeaveLastOut(d)}, {"time", SplitByTime(d, 0.8)}} {
		ms, _ := Evaluate(split.s, EvalConfig{K: 10, BPR: DefaultBPR, EASEMaxItems: 0}, nil)
		var buf bytes.Buffer
		PrintMetrics(&buf, 10, ms)
		t.Logf("%s split:\n%s", split.name, buf.String())
		by := map[string]Metrics{}
		for _, m := range ms {
			by[m.Name] = m
		}
		pop := by["popular"].Recall
		for _, name := range []string{"item-knn", "bpr", "blend"} {
			if by[name].Recall < 1.5*pop {
				t.Errorf("%s split: %s recall@10 %.3f is not clearly above popularity %.3f", split.name, name, by[name].Recall, pop)
			}
			if by[name].Users != by["popular"].Users || by[name].Users < 300 {
				t.Errorf("%s: evaluated %d users", name, by[name].Users)
			}
		}
	}
}

func TestReadCSV(t *testing.T) {
	d, err := ReadCSV(strings.NewReader("user,item,value,timestamp\na,x,5,1\na,y,2,2\nb,x,4,3\n"), 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Triples) != 2 || len(d.Users) != 2 || len(d.Items) != 1 {
		t.Fatalf("got %+v", d)
	}
	for _, bad := range []string{"", "a,b,c\n", "u,i,1,1\nu,i,x,2\n"} {
		if _, err := ReadCSV(strings.NewReader(bad), 0); err == nil {
			t.Errorf("ReadCSV(%q) accepted", bad)
		}
	}
}

func TestSplits(t *testing.T) {
	d := &Dataset{Users: []string{"a", "b"}, Items: []string{"1", "2", "3"}, Triples: []Triple{
		{0, 0, 1}, {0, 1, 5}, {0, 2, 3}, {1, 0, 9},
	}}
	s := SplitLeaveLastOut(d)
	if len(s.Test[0]) != 1 || s.Test[0][0] != 1 || s.Test[1] != nil || len(s.Train.Row(0)) != 2 || len(s.Train.Row(1)) != 1 {
		t.Fatalf("leave-last-out: %+v %+v", s.Test, s.Train)
	}
	s = SplitByTime(d, 0.5)
	if s.Train.NNZ()+len(s.Test[0])+len(s.Test[1]) > 4 || len(s.Test[1]) != 0 {
		t.Fatalf("time split: %+v", s)
	}
}
