package recommend

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
)

// nearBF16 compares a stored bfloat16 with the exact value (8 bits).
func nearBF16(h uint16, want float64) bool {
	return math.Abs(float64(simValue(h))-want) <= 0.004*math.Abs(want)+1e-9
}

func TestTransitionsHandComputed(t *testing.T) {
	// Rows a b c and a b (a=0, b=1, c=2): a→b twice at gap 1, a→c once at
	// gap 2 (1/2), b→c once; degrees a 2, b 2, c 1. Nothing goes backwards.
	m := NewMatrix(2, 3, []Triple{{0, 0, 1}, {0, 1, 2}, {0, 2, 3}, {1, 0, 1}, {1, 1, 2}})
	k := BuildTransitions(m, nil)
	want := map[int32][]struct {
		j int32
		s float64
	}{
		0: {{1, 2 / (2 + KNNShrink)}, {2, 0.5 / (math.Sqrt2 + KNNShrink)}},
		1: {{2, 1 / (math.Sqrt2 + KNNShrink)}},
		2: nil,
	}
	for i, w := range want {
		nbs, sims := k.Neighbours(i)
		if len(nbs) != len(w) {
			t.Fatalf("item %d: successors %v, want %v", i, nbs, w)
		}
		for x := range w {
			if nbs[x] != w[x].j || !nearBF16(sims[x], w[x].s) {
				t.Fatalf("item %d: successor %d = %d (%g), want %d (%g)", i, x, nbs[x], simValue(sims[x]), w[x].j, w[x].s)
			}
		}
	}
}

// The blocked build must equal the definition computed directly, in
// blocks of every size.
func TestTransitionsMatchDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var ts []Triple
	for u := 0; u < 50; u++ {
		for n := 0; n < 2+r.IntN(25); n++ {
			ts = append(ts, Triple{User: int32(u), Item: int32(float64(80) * r.Float64() * r.Float64()), At: int64(r.IntN(500))})
		}
	}
	m := NewMatrix(50, 90, ts)
	deg := m.Degrees()
	co := map[[2]int32]float64{}
	for u := 0; u < m.NUsers; u++ {
		row := m.Row(u)
		for p := range row {
			for g := 1; g <= SeqWindow && p+g < len(row); g++ {
				co[[2]int32{row[p], row[p+g]}] += 1 / float64(g)
			}
		}
	}
	want := make([][]nb, m.NItems)
	for pair, c := range co {
		i, j := pair[0], pair[1]
		want[i] = append(want[i], nb{j, float32(c / (math.Sqrt(float64(deg[i])*float64(deg[j])) + KNNShrink))})
	}
	defer func(b int) { knnBlock = b }(knnBlock)
	for _, block := range []int{1, 7, 64, 1 << 20} {
		knnBlock = block
		k := BuildTransitions(m, nil)
		for i := range want {
			w := slices.Clone(want[i])
			slices.SortFunc(w, func(a, b nb) int {
				if a.sim != b.sim {
					if a.sim > b.sim {
						return -1
					}
					return 1
				}
				return int(a.item - b.item)
			})
			w = w[:min(len(w), KNNNeighbours)]
			nbs, sims := k.Neighbours(int32(i))
			if len(nbs) != len(w) {
				t.Fatalf("block %d, item %d: %d successors, want %d", block, i, len(nbs), len(w))
			}
			for x := range w {
				if nbs[x] != w[x].item || !nearBF16(sims[x], float64(w[x].sim)) {
					t.Fatalf("block %d, item %d: successor %d = %d %g, want %d %g", block, i, x, nbs[x], simValue(sims[x]), w[x].item, w[x].sim)
				}
			}
		}
	}
}

func TestSeqHistory(t *testing.T) {
	h, w := seqHistory([]int32{1, 2, 3, 4, 5, 6, 7}, 0.5)
	if !slices.Equal(h, []int32{3, 4, 5, 6, 7}) || !slices.Equal(w, []float32{0.0625, 0.125, 0.25, 0.5, 1}) {
		t.Fatalf("history %v weights %v", h, w)
	}
}

func TestTrendDecay(t *testing.T) {
	// Window 0..64: the spans give half-lives 1, 4, 16 and none.
	tr := trendFromTriples(2, []Triple{{0, 0, 0}, {0, 1, 64}, {1, 1, 60}, {2, 0, 48}})
	for x, f := range TrendSpans {
		hl := f * 64
		w := func(age float64) float64 {
			if hl == 0 {
				return 1
			}
			return math.Pow(0.5, age/hl)
		}
		want := []float64{w(64) + w(16), w(0) + w(4)}
		for i, v := range want {
			if math.Abs(float64(tr.score[x][i])-v) > 1e-6 {
				t.Fatalf("span %g item %d: %g, want %g", f, i, tr.score[x][i], v)
			}
		}
	}
}

func TestHoldOutLatest(t *testing.T) {
	var ts []Triple
	for u := 0; u < 60; u++ {
		for i := 0; i < u%5; i++ { // rows of 0–4 items: 24 with three or more
			ts = append(ts, Triple{int32(u), int32(10*u + i), int64(i)})
		}
	}
	m := NewMatrix(60, 600, ts)
	orig := &Matrix{NUsers: m.NUsers, Off: slices.Clone(m.Off), Items: slices.Clone(m.Items)}
	test := holdOutLatest(m, 10)
	held := 0
	for u := 0; u < 60; u++ {
		o := orig.Row(u)
		switch {
		case test[u] != nil:
			held++
			if len(o) < 3 || test[u][0] != o[len(o)-1] || !slices.Equal(m.Row(u), o[:len(o)-1]) {
				t.Fatalf("row %d: kept %v, held %v, was %v", u, m.Row(u), test[u], o)
			}
		case !slices.Equal(m.Row(u), o):
			t.Fatalf("row %d changed: %v, was %v", u, m.Row(u), o)
		}
	}
	if held != 10 {
		t.Fatalf("held out %d rows, want 10", held)
	}
	if holdOutLatest(NewMatrix(2, 5, []Triple{{0, 0, 1}, {0, 1, 2}, {0, 2, 3}}), 10) != nil {
		t.Fatal("a validation from one row")
	}
}

// oracle knows the held-out items: tuning must give it the weight.
type oracle struct{ test [][]int32 }

func (o oracle) Name() string { return "oracle" }
func (o oracle) Top(u, n int, exclude []int32) []Scored {
	var out []Scored
	for _, i := range o.test[u] {
		out = append(out, Scored{i, 1})
	}
	return out
}

func TestTuneBlendPicksTheInformativePart(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var ts []Triple
	for u := 0; u < 40; u++ {
		for i := 0; i < 5; i++ {
			ts = append(ts, Triple{int32(u), int32(r.IntN(50)), int64(i)})
		}
	}
	val := splitLastOut(40, 50, ts)
	parts := []BlendPart{
		{Name: "popular", Variants: []Scorer{NewPopular(val.Train)}},
		{Name: "oracle", Variants: []Scorer{NewPopular(val.Train), oracle{val.Test}}},
	}
	c := TuneBlend(parts, val, 10)
	if c.Variant[1] != 1 || c.Weight[1] == 0 || c.NDCG < 0.999 {
		t.Fatalf("chose %+v", c)
	}
	if c.Weight[0] >= c.Weight[1] {
		t.Fatalf("popularity weighs %g against the oracle's %g", c.Weight[0], c.Weight[1])
	}
}

// EASENeighbours keeps the strongest positive weights of EASE trained on
// the head, in catalogue indexes; items outside the head have none.
func TestEASENeighbours(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var ts []Triple
	for u := 0; u < 40; u++ {
		for i := 0; i < 12; i++ {
			ts = append(ts, Triple{int32(u), int32(float64(30) * r.Float64() * r.Float64()), int64(i)})
		}
	}
	m := NewMatrix(40, 30, ts)
	full := TrainEASE(m, 10)
	k := EASENeighbours(m, 30, 10, 5)
	for i := int32(0); i < 30; i++ {
		var w []nb
		for j := 0; j < 30; j++ {
			if b := full.b[int(i)*30+j]; b > 0 {
				w = append(w, nb{int32(j), b})
			}
		}
		slices.SortFunc(w, func(a, b nb) int {
			if a.sim > b.sim {
				return -1
			}
			if a.sim < b.sim {
				return 1
			}
			return int(a.item - b.item)
		})
		w = w[:min(5, len(w))]
		nbs, sims := k.Neighbours(i)
		if len(nbs) != len(w) {
			t.Fatalf("item %d: %v, want %v", i, nbs, w)
		}
		for x := range w {
			if nbs[x] != w[x].item || !nearBF16(sims[x], float64(w[x].sim)) {
				t.Fatalf("item %d: neighbour %d = %d, want %d", i, x, nbs[x], w[x].item)
			}
		}
	}
	// The head of 8: only its items have lists, and only of each other.
	deg := m.Degrees()
	k = EASENeighbours(m, 8, 10, 5)
	order := make([]int32, 30)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return int(deg[b] - deg[a]) })
	head := order[:8]
	for i := int32(0); i < 30; i++ {
		nbs, _ := k.Neighbours(i)
		if !slices.Contains(head, i) && len(nbs) > 0 {
			t.Fatalf("item %d outside the head has neighbours %v", i, nbs)
		}
		for _, j := range nbs {
			if !slices.Contains(head, j) {
				t.Fatalf("item %d's neighbour %d is outside the head", i, j)
			}
		}
	}
}

// Cold start: after a build that tuned the blend, a reader with no
// history still gets a full page (trending, popular, fresh), and a note
// published after the build reaches readers through the fresh share.
func TestColdStart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := makeWorld(t, d, rand.New(rand.NewPCG(21, 22)))
		s := New(d, Options{})
		if err := s.Build(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if len(s.mod.trending) == 0 {
			t.Fatal("no trending notes")
		}
		ms := time.Now().UnixMilli()
		reader := id.New()
		if _, err := d.Writer(ctx).Exec(ctx, "INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at) VALUES (?, 'newbie', 'N', 'x', ?, ?)",
			reader, ms, ms); err != nil {
			t.Fatal(err)
		}
		fresh := id.New()
		if _, err := d.Writer(ctx).Exec(ctx, `INSERT INTO notes (id, author_id, status, kind, created_at, updated_at, published_at)
			VALUES (?, ?, 'published', 'image', ?, ?, ?)`, fresh, w.users[0], ms, ms, ms); err != nil {
			t.Fatal(err)
		}
		published := map[id.ID]bool{fresh: true}
		for _, n := range w.notes {
			published[n.id] = n.published
		}
		for _, viewer := range []id.ID{reader, 0} {
			cursor, found := "", false
			for page := 0; page < 3; page++ {
				p, err := s.Discover(ctx, viewer, cursor, 20)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Items) != 20 {
					t.Fatalf("viewer %v page %d has %d notes", viewer, page, len(p.Items))
				}
				for _, it := range p.Items {
					if !published[it.NoteID] {
						t.Fatalf("unpublished note %v shown", it.NoteID)
					}
					if len(it.Reasons) == 0 || !slices.Contains([]string{"popular", "fresh"}, it.Reasons[0].Source) {
						t.Fatalf("a reader without history gets %+v", it.Reasons)
					}
					found = found || it.NoteID == fresh
				}
				cursor = p.Next
			}
			if !found {
				t.Fatalf("viewer %v: the new note is not in the first three pages", viewer)
			}
		}
	})
}
