package recommend

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
)

// world is a small random community written straight into the tables,
// with what the build should make of it computed from the definitions.
type world struct {
	now     time.Time
	since   time.Time
	users   []id.ID
	notes   []wnote // every note, drafts too, id order
	topics  []string
	triples []wtriple // positive interactions in the training window
}

type wnote struct {
	id, author id.ID
	published  bool
	atMS       int64 // published_at as stored (0: use the id's time)
	eng        float32
	topics     []string
}

type wtriple struct {
	user, note id.ID
	at         int64
}

func makeWorld(t *testing.T, d *db.DB, r *rand.Rand) *world {
	ctx := context.Background()
	w := &world{now: time.Now(), topics: []string{"护肤", "穿搭", "美食", "旅行", "rare"}}
	w.since = w.now.Add(-180 * 24 * time.Hour)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := d.Writer(ctx).Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	seq := int64(0)
	newID := func(at time.Time) id.ID { seq++; return id.At(at) + id.ID(seq) }
	ms := w.now.UnixMilli()
	// Users in random id order relative to their notes.
	for i := 0; i < 40; i++ {
		u := newID(w.now.Add(-time.Duration(r.IntN(400*24)) * time.Hour))
		w.users = append(w.users, u)
		exec("INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'x', ?, ?)",
			u, fmt.Sprintf("u%d", i), "U", ms, ms)
	}
	for x, name := range w.topics {
		exec("INSERT INTO topics (id, name, created_at) VALUES (?, ?, ?)", 1000+x, name, ms)
	}
	for i := 0; i < 300; i++ {
		// Note ids spread over 200 days; a few published days after their
		// id (drafts published later), a few with published_at 0.
		created := w.now.Add(-time.Duration(r.IntN(200*24*60)) * time.Minute)
		n := wnote{id: newID(created), author: w.users[r.IntN(len(w.users))], published: r.IntN(10) != 0}
		switch r.IntN(8) {
		case 0:
			n.atMS = 0
		case 1:
			n.atMS = min(ms, created.UnixMilli()+int64(r.IntN(5*86_400_000)))
		default:
			n.atMS = created.UnixMilli()
		}
		likes, collects, comments, shares := r.IntN(50), r.IntN(10), r.IntN(10), r.IntN(3)
		n.eng = float32(likes + 2*collects + 2*comments + 2*shares)
		for x, name := range w.topics {
			if (x == 4 && r.IntN(40) == 0) || (x < 4 && r.IntN(3) == 0) {
				n.topics = append(n.topics, name)
			}
		}
		status := "published"
		if !n.published {
			status = "draft"
		}
		w.notes = append(w.notes, n)
		exec(`INSERT INTO notes (id, author_id, status, kind, like_count, collect_count, comment_count, share_count,
			created_at, updated_at, published_at) VALUES (?, ?, ?, 'image', ?, ?, ?, ?, ?, ?, ?)`,
			n.id, n.author, status, likes, collects, comments, shares, ms, ms, n.atMS)
		for _, name := range n.topics {
			exec("INSERT INTO note_topics (note_id, topic_id) VALUES (?, ?)", n.id, 1000+slices.Index(w.topics, name))
		}
	}
	slices.SortFunc(w.notes, func(a, b wnote) int { return cmp.Compare(a.id, b.id) })
	// Interactions, some outside the window, some on drafts, some twice.
	type pair struct{ u, n id.ID }
	liked, collected := map[pair]bool{}, map[pair]bool{}
	for i := 0; i < 3000; i++ {
		u := w.users[r.IntN(len(w.users))]
		// A skew, so some notes have many readers.
		ni := int(float64(len(w.notes)) * r.Float64() * r.Float64())
		n := w.notes[ni]
		at := w.now.Add(-time.Duration(r.IntN(200*24*60)) * time.Minute)
		in := !at.Before(w.since) && n.published
		switch k := r.IntN(10); {
		case k < 5:
			if liked[pair{u, n.id}] {
				continue
			}
			liked[pair{u, n.id}] = true
			exec("INSERT INTO likes (user_id, note_id, created_at) VALUES (?, ?, ?)", u, n.id, at.UnixMilli())
		case k < 7:
			if collected[pair{u, n.id}] {
				continue
			}
			collected[pair{u, n.id}] = true
			exec("INSERT INTO collects (user_id, note_id, created_at) VALUES (?, ?, ?)", u, n.id, at.UnixMilli())
		case k < 8:
			del := r.IntN(5) == 0
			exec("INSERT INTO comments (id, note_id, author_id, body, deleted, created_at) VALUES (?, ?, ?, 'c', ?, ?)",
				newID(at), n.id, u, map[bool]int{false: 0, true: 1}[del], at.UnixMilli())
			in = in && !del
		default:
			kind := Kind(1 + r.IntN(int(KindNotInterested)))
			dwell := 0
			if kind == KindDwell {
				dwell = r.IntN(2 * DwellMinMS)
			}
			user := u
			if r.IntN(6) == 0 {
				user = 0
			}
			// An event's at may differ from its id's time by up to a day.
			evAt := at.Add(-time.Duration(r.IntN(24*60)) * time.Minute)
			eid := newID(at)
			exec("INSERT INTO rec_events (id, user_id, note_id, kind, dwell_ms, at) VALUES (?, ?, ?, ?, ?, ?)",
				eid, user, n.id, int(kind), dwell, evAt.UnixMilli())
			if user == 0 && (kind == KindOpen || kind == KindShare) && eid >= id.At(w.now.Add(-7*24*time.Hour)) {
				w.notes[ni].eng += 0.5 // signed-out popularity
			}
			in = in && user != 0 && (kind == KindOpen || kind == KindShare || (kind == KindDwell && dwell >= DwellMinMS))
			at = evAt
		}
		if in {
			w.triples = append(w.triples, wtriple{u, n.id, at.UnixMilli()})
		}
	}
	return w
}

// TestBuildMatchesDefinition checks the streamed catalog and matrix
// against what the definitions say, computed the simple way.
func TestBuildMatchesDefinition(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := makeWorld(t, d, rand.New(rand.NewPCG(3, 4)))
		c, err := loadCatalog(ctx, d, w.now)
		if err != nil {
			t.Fatal(err)
		}
		var pub []wnote
		for _, n := range w.notes {
			if n.published {
				pub = append(pub, n)
			}
		}
		if c.nBase != len(pub) || len(c.ids) != len(pub) {
			t.Fatalf("catalog has %d notes, want %d", c.nBase, len(pub))
		}
		nowS := w.now.Unix()
		atOf := func(n wnote) int64 {
			if n.atMS == 0 {
				return n.id.Time().Unix()
			}
			return n.atMS / 1000
		}
		for i, n := range pub {
			if c.ids[i] != n.id || c.authors[c.author[i]] != n.author || int64(c.at[i]) != atOf(n) {
				t.Fatalf("note %d: got id %v author %v at %d, want %+v", i, c.ids[i], c.authors[c.author[i]], c.at[i], n)
			}
			var got []string
			for _, ti := range c.noteTopics(int32(i), nil) {
				got = append(got, c.topics[ti])
			}
			slices.Sort(got)
			want := slices.Clone(n.topics)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("note %d topics %v, want %v", i, got, want)
			}
			if a, ok := c.authorIndex(n.author); !ok || a != c.author[i] {
				t.Fatalf("authorIndex(%v) = %d, %v", n.author, a, ok)
			}
		}
		// Lists, from their definitions.
		best := func(q func(int) float32, idx []int, k int) []int32 {
			slices.SortFunc(idx, func(a, b int) int { return cmp.Or(cmp.Compare(q(b), q(a)), cmp.Compare(b, a)) })
			out := []int32{}
			for _, i := range idx[:min(k, len(idx))] {
				out = append(out, int32(i))
			}
			return out
		}
		qual := func(half float64) func(int) float32 {
			return func(i int) float32 { return quality(pub[i].eng, atOf(pub[i]), nowS, half) }
		}
		for ti, name := range c.topics {
			var with []int
			for i, n := range pub {
				if slices.Contains(n.topics, name) {
					with = append(with, i)
				}
			}
			newest := []int32{}
			for x := len(with) - 1; x >= 0 && len(newest) < perTopicNew; x-- {
				newest = append(newest, int32(with[x]))
			}
			if !slices.Equal(c.newTopic[ti], newest) {
				t.Errorf("topic %s newest %v, want %v", name, c.newTopic[ti], newest)
			}
			if want := best(qual(topicHalfLifeDays), with, perTopic); !slices.Equal(c.byTopic[ti], want) {
				t.Errorf("topic %s best %v, want %v", name, c.byTopic[ti], want)
			}
		}
		all := make([]int, len(pub))
		for i := range all {
			all[i] = i
		}
		if want := best(qual(popularHalfLifeDays), all, popularCap); !slices.Equal(c.popular, want) {
			t.Errorf("popular %v, want %v", c.popular, want)
		}
		fresh := []int32{}
		for i := len(pub) - 1; i >= 0; i-- {
			if nowS-atOf(pub[i]) < int64(FreshAge/time.Second) {
				fresh = append(fresh, int32(i))
			}
		}
		if !slices.Equal(c.fresh, fresh[:min(len(fresh), freshCap)]) || len(fresh) == 0 {
			t.Errorf("fresh %v, want %v", c.fresh, fresh)
		}
		for _, u := range w.users {
			want := []int32{}
			for i := len(pub) - 1; i >= 0 && len(want) < perAuthor; i-- {
				if pub[i].author == u {
					want = append(want, int32(i))
				}
			}
			a, ok := c.authorIndex(u)
			if ok != (len(want) > 0) || ok && !slices.Equal(c.authorNotes(a), want) {
				t.Errorf("author %v: %v, notes %v, want %v", u, ok, c.authorNotes(a), want)
			}
		}

		// The matrix: the reference is NewMatrix over the triples.
		mat, users, trend, err := loadMatrix(ctx, d, c, w.since, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		userIdx := map[id.ID]int32{}
		var ts []Triple
		var refUsers []id.ID
		for _, x := range w.triples {
			if _, ok := userIdx[x.user]; !ok {
				userIdx[x.user] = 0
				refUsers = append(refUsers, x.user)
			}
		}
		slices.Sort(refUsers)
		for x, u := range refUsers {
			userIdx[u] = int32(x)
		}
		for _, x := range w.triples {
			ts = append(ts, Triple{User: userIdx[x.user], Item: c.index(x.note), At: x.at})
		}
		ref := NewMatrix(len(refUsers), c.nBase, ts)
		if !slices.Equal(users, refUsers) || !slices.Equal(mat.Off, ref.Off) || !slices.Equal(mat.Items, ref.Items) ||
			mat.NUsers != ref.NUsers || mat.NItems != ref.NItems {
			t.Fatalf("matrix:\n got users %v off %v items %v\nwant users %v off %v items %v",
				users, mat.Off, mat.Items, refUsers, ref.Off, ref.Items)
		}
		if mat.NNZ() < 500 {
			t.Fatalf("only %d interactions: the world is too small to test much", mat.NNZ())
		}

		// The models: BPR learns the most engaged notes (counted without
		// the interactions held out to choose the blend's weights).
		m := trainModels(c, mat, users, trend, Options{MaxModelItems: 50}.withDefaults(), nil)
		deg := mat.Degrees()
		if len(m.noteOf) != 50 || m.bpr.NItems() != 50 {
			t.Fatalf("model has %d notes, %d items", len(m.noteOf), m.bpr.NItems())
		}
		for x, n := range m.noteOf {
			if x > 0 && deg[n] > deg[m.noteOf[x-1]] {
				t.Fatalf("model notes not by engagement: %v", m.noteOf)
			}
			if m.modelItem(n) != int32(x) {
				t.Fatalf("modelItem(%d) = %d, want %d", n, m.modelItem(n), x)
			}
		}
		for i := int32(0); i < int32(c.nBase); i++ {
			if mi := m.modelItem(i); mi >= 0 && m.noteOf[mi] != i || mi < 0 && slices.Contains(m.noteOf, i) {
				t.Fatalf("modelItem(%d) = %d", i, mi)
			}
		}
		for x, u := range users {
			if got, ok := m.userIndex(u); !ok || got != x {
				t.Fatalf("userIndex(%v) = %d, %v", u, got, ok)
			}
		}
	})
}

// TestKNNMatchesDefinition checks item-kNN against the similarity
// formula on a matrix small enough that no cap binds, in blocks of every
// size.
func TestKNNMatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var ts []Triple
	for u := 0; u < 60; u++ {
		for n := 0; n < 3+r.IntN(30); n++ {
			ts = append(ts, Triple{User: int32(u), Item: int32(float64(150) * r.Float64() * r.Float64()), At: int64(r.IntN(1000))})
		}
	}
	m := NewMatrix(60, 160, ts) // the last items have no readers
	deg := m.Degrees()
	active := 0
	for _, d := range deg {
		if d > 0 {
			active++
		}
	}
	kMax := min(KNNNeighbours, max(5, KNNBudget/active))
	sets := make([]map[int32]bool, m.NUsers)
	for u := range sets {
		sets[u] = map[int32]bool{}
		for _, i := range m.Row(u) {
			sets[u][i] = true
		}
	}
	want := make([][]nb, m.NItems)
	for i := 0; i < m.NItems; i++ {
		for j := 0; j < m.NItems; j++ {
			co := 0
			for u := range sets {
				if i != j && sets[u][int32(i)] && sets[u][int32(j)] {
					co++
				}
			}
			if co > 0 {
				s := float32(co) / float32(math.Sqrt(float64(deg[i])*float64(deg[j]))+KNNShrink)
				want[i] = append(want[i], nb{int32(j), s})
			}
		}
		slices.SortFunc(want[i], func(a, b nb) int { return cmp.Or(cmp.Compare(b.sim, a.sim), cmp.Compare(a.item, b.item)) })
		want[i] = want[i][:min(kMax, len(want[i]))]
	}
	defer func(b int) { knnBlock = b }(knnBlock)
	for _, block := range []int{1, 7, 100, 1 << 20} {
		knnBlock = block
		k := BuildKNN(m, nil)
		for i := range want {
			nbs, sims := k.Neighbours(int32(i))
			if len(nbs) != len(want[i]) {
				t.Fatalf("block %d: item %d has %d neighbours, want %d", block, i, len(nbs), len(want[i]))
			}
			for x := range nbs {
				if nbs[x] != want[i][x].item || math.Abs(float64(simValue(sims[x])/want[i][x].sim-1)) > 1.0/256 {
					t.Fatalf("block %d: item %d neighbour %d is %d (%.5f), want %+v", block, i, x, nbs[x], simValue(sims[x]), want[i][x])
				}
			}
		}
	}
}

func TestBF16(t *testing.T) {
	for _, x := range []float32{1, 0.5, 1e-6, 0.3333333, 0.999999, 0.0123456} {
		if got := simValue(toBF16(x)); math.Abs(float64(got/x-1)) > 1.0/256 {
			t.Errorf("bf16(%g) = %g", x, got)
		}
	}
}

// TestQuantizedScores checks the served (int8) model against the float32
// one it came from.
func TestQuantizedScores(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, dim := range []int{16, 5} {
		b := &BPR{Dim: dim, Users: make([]float32, 30*dim), Items: make([]float32, 500*dim), Bias: make([]float32, 500)}
		for _, v := range [][]float32{b.Users, b.Items, b.Bias} {
			for i := range v {
				v[i] = float32(r.NormFloat64() * 0.3)
			}
		}
		copy(b.Items[7*dim:8*dim], make([]float32, dim)) // an all-zero vector
		f := b.Quantize()
		got, want := make([]float32, 500), make([]float32, 500)
		for u := 0; u < 30; u++ {
			p := f.UserVec(u)
			pf := b.UserVec(u)
			var norm float64
			for d := range p {
				if math.Abs(float64(p[d]-pf[d])) > 0.3*4/127 {
					t.Fatalf("dim %d user %d factor %d: %g, want %g", dim, u, d, p[d], pf[d])
				}
				norm += float64(pf[d] * pf[d])
			}
			f.Score(p, got)
			for i := range want {
				want[i] = b.Bias[i]
				for d := 0; d < dim; d++ {
					want[i] += pf[d] * b.Items[i*dim+d]
				}
			}
			for i := range got {
				// Each factor is off by at most half a step of its vector's
				// largest factor; a sum of dim of them, bounded loosely.
				if math.Abs(float64(got[i]-want[i])) > 0.05*math.Sqrt(norm)*float64(dim)/16+1e-6 {
					t.Fatalf("dim %d user %d item %d: score %g, want %g", dim, u, i, got[i], want[i])
				}
			}
		}
		fi := f.FoldIn([]int32{1, 2, 999}, []float32{1, 3, 5})
		for d := range fi {
			w := (b.Items[dim+d] + 3*b.Items[2*dim+d]) / 4
			if math.Abs(float64(fi[d]-w)) > 0.02 {
				t.Fatalf("fold-in factor %d: %g, want %g", d, fi[d], w)
			}
		}
	}
}

// TestIndexAndOwners checks the two lookup shortcuts against plain
// searches.
func TestIndexAndOwners(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{1, 2, 17, 5000} {
		c := &catalog{extra: map[id.ID]int32{}}
		// Bursty ids: most in a few clusters, some far apart.
		next := id.ID(1 << 40)
		for len(c.ids) < n {
			if r.IntN(50) == 0 {
				next += id.ID(r.Int64N(1 << 36))
			}
			next += id.ID(1 + r.IntN(1<<12))
			c.ids = append(c.ids, next)
		}
		c.nBase = n
		c.buildBuckets()
		c.extra[next+100] = int32(n) // a note sync appended
		for i, x := range c.ids {
			if got := c.index(x); got != int32(i) {
				t.Fatalf("n=%d: index(ids[%d]) = %d", n, i, got)
			}
			if got := c.index(x + 1); got != -1 && !(i+1 < n && c.ids[i+1] == x+1) {
				t.Fatalf("n=%d: index(ids[%d]+1) = %d", n, i, got)
			}
		}
		if c.index(c.ids[0]-1) != -1 || c.index(0) != -1 || c.index(next+100) != int32(n) || c.index(next+99) != -1 {
			t.Fatalf("n=%d: outside ids", n)
		}
	}
	for _, users := range []int{1, 3, 2000} {
		off := []int32{0}
		for u := 0; u < users; u++ {
			l := 0
			if r.IntN(4) != 0 {
				l = r.IntN(3000)
			}
			off = append(off, off[u]+int32(l))
		}
		m := &Matrix{NUsers: users, Off: off, Items: make([]int32, off[users])}
		o := newOwners(m)
		for e := 0; e < m.NNZ(); e++ {
			u := o.of(e)
			if off[u] > int32(e) || off[u+1] <= int32(e) {
				t.Fatalf("users=%d: entry %d owner %d (row %d–%d)", users, e, u, off[u], off[u+1])
			}
		}
	}
}

// TestTopicRows checks the compact rows, across blocks and when a
// catalogue outgrows 16-bit topic indexes.
func TestTopicRows(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	rows := newTopicRows(0, 0, 10)
	var want [][]int32
	for i := 0; i < 500; i++ {
		var row []int32
		for n := r.IntN(12); len(row) < n; {
			tp := int32(r.IntN(1000))
			if i > 300 && r.IntN(20) == 0 {
				tp = 70_000 + int32(i) // past 16 bits: the rows widen
			}
			row = append(row, tp)
			rows.add(tp)
		}
		if i == 77 {
			row = row[:0]
			for n := 0; n < 255; n++ {
				row = append(row, int32(n))
				rows.add(int32(n))
			}
		}
		rows.endRow()
		want = append(want, row)
		for j := range want {
			if got := rows.row(int32(j), nil); !slices.Equal(got, want[j]) && !(len(got) == 0 && len(want[j]) == 0) {
				t.Fatalf("after row %d: row %d = %v, want %v", i, j, got, want[j])
			}
		}
	}
	if rows.t32 == nil {
		t.Fatalf("rows did not widen")
	}
}

// TestConcurrentServingSyncAndRebuild pages through the feed from several
// goroutines while notes are published (appended by sync) and the
// models are rebuilt and swapped (run with -race).
func TestConcurrentServingSyncAndRebuild(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := makeWorld(t, d, rand.New(rand.NewPCG(13, 14)))
		s := New(d, Options{})
		if err := s.Build(ctx, nil); err != nil {
			t.Fatal(err)
		}
		published := map[id.ID]bool{}
		for _, n := range w.notes {
			published[n.id] = n.published
		}
		var newNotes []id.ID
		for i := 0; i < 40; i++ {
			newNotes = append(newNotes, id.New())
		}
		errs := make(chan error, 16)
		done := make(chan struct{})
		go func() { // publish new notes, by new and old authors
			defer func() { done <- struct{}{} }()
			ms := time.Now().UnixMilli()
			for i, n := range newNotes {
				author := w.users[i%len(w.users)]
				if _, err := d.Writer(ctx).Exec(ctx, `INSERT INTO notes (id, author_id, status, kind, created_at, updated_at, published_at)
					VALUES (?, ?, 'published', 'image', ?, ?, ?)`, n, author, ms, ms, ms); err != nil {
					errs <- err
					return
				}
				if _, err := d.Writer(ctx).Exec(ctx, "INSERT INTO note_topics (note_id, topic_id) VALUES (?, 1000)", n); err != nil {
					errs <- err
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
		go func() { // rebuild twice
			defer func() { done <- struct{}{} }()
			for i := 0; i < 2; i++ {
				if err := s.Build(ctx, nil); err != nil {
					errs <- err
					return
				}
			}
		}()
		for g := 0; g < 4; g++ {
			go func() {
				defer func() { done <- struct{}{} }()
				for r := 0; r < 15; r++ {
					user := w.users[(g*15+r)%len(w.users)]
					if r%4 == 0 {
						user = 0
					}
					seen := map[id.ID]bool{}
					cursor := ""
					for page := 0; page < 3; page++ {
						p, err := s.Discover(ctx, user, cursor, 10)
						if err != nil {
							errs <- err
							return
						}
						for _, it := range p.Items {
							if seen[it.NoteID] {
								errs <- fmt.Errorf("note %v shown twice in a session", it.NoteID)
								return
							}
							seen[it.NoteID] = true
							if !published[it.NoteID] && !slices.Contains(newNotes, it.NoteID) {
								errs <- fmt.Errorf("note %v is not a published note", it.NoteID)
								return
							}
							if len(it.Reasons) == 0 {
								errs <- fmt.Errorf("note %v has no reason", it.NoteID)
								return
							}
						}
						if p.Next == "" {
							break
						}
						cursor = p.Next
					}
				}
			}()
		}
		for i := 0; i < 6; i++ {
			<-done
		}
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		// The new notes all reached the catalog (by sync or the rebuild).
		if _, err := s.Discover(ctx, 0, "", 1); err != nil {
			t.Fatal(err)
		}
		s.mu.RLock()
		defer s.mu.RUnlock()
		for _, n := range newNotes {
			if s.cat.index(n) < 0 {
				t.Errorf("note %v missing from the catalog", n)
			}
		}
	})
}

func TestLowerGC(t *testing.T) {
	gogc := func() int { p := debug.SetGCPercent(-1); debug.SetGCPercent(p); return p }
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	r1 := lowerGC(10)
	r2 := lowerGC(10) // overlapping builds
	r1()
	if g := gogc(); g != 10 {
		t.Fatalf("GOGC %d while a build runs", g)
	}
	r2()
	if g := gogc(); g != 100 {
		t.Fatalf("GOGC %d after the builds", g)
	}
	debug.SetGCPercent(5)
	lowerGC(10)()
	if g := gogc(); g != 5 {
		t.Fatalf("a lower GOGC was changed to %d", g)
	}
}
