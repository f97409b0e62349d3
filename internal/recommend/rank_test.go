package recommend

import (
	"slices"
	"testing"

	"github.com/redmark/redmark/internal/id"
)

// TestDiversifyAndReasons checks a page against the rules: best first,
// at most MaxPerAuthor per author and limit/3 per topic while the pool
// allows, FreshShare of the page for fresh notes, and each note's
// strongest reason then the strongest of another source.
func TestDiversifyAndReasons(t *testing.T) {
	c := &catalog{topicsOf: newTopicRows(60, 80, 5)}
	for i := 0; i < 60; i++ {
		c.ids = append(c.ids, id.ID(1000+i))
		c.author = append(c.author, int32(i%7))
		c.topicsOf.add(int32(i % 4))
		if i%5 == 0 {
			c.topicsOf.add(4)
		}
		c.topicsOf.endRow()
	}
	c.nBase = len(c.ids)
	c.buildBuckets()
	s := &Service{cat: c}
	sc := scratchPool.Get().(*scratch)
	sc.cands, sc.reasons = sc.cands[:0], sc.reasons[:0]
	clear(sc.pos)
	// Scores fall with the index; every ninth note is fresh.
	for i := int32(0); i < 60; i++ {
		sc.add(i, 1-float32(i)/100, Reason{Source: "popular"})
		if i%9 == 4 {
			sc.add(i, 0.01, Reason{Source: "fresh"})
		}
		if i%3 == 0 {
			sc.add(i, 0.5, Reason{Source: "topic", Topic: "a"})
			sc.add(i, 0.5, Reason{Source: "topic", Topic: "b"}) // a tie: the earlier wins
		}
	}
	list := slices.Clone(sc.cands)
	slices.SortFunc(list, func(a, b cand) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return int(b.idx - a.idx)
	})
	const limit = 12
	page := s.diversify(sc, list, limit)
	if len(page) != limit {
		t.Fatalf("page of %d", len(page))
	}
	authors, topics, fresh := map[int32]int{}, map[int32]int{}, 0
	var restOrder []int32
	for pos, it := range page {
		i := c.index(it.NoteID)
		authors[c.author[i]]++
		for _, tp := range c.noteTopics(i, nil) {
			topics[tp]++
		}
		isFresh := i%9 == 4
		if isFresh {
			fresh++
			if pos == 0 {
				t.Errorf("a fresh note leads the page")
			}
		} else {
			restOrder = append(restOrder, i)
		}
		// Reasons: popular (0.3 × score) vs topic (0.7 × 0.5): topic "a"
		// first when present, then popular; never two topics.
		want := []string{"popular"}
		switch {
		case i%3 == 0 && isFresh:
			want = []string{"topic", "popular"}
		case i%3 == 0:
			want = []string{"topic", "popular"}
		case isFresh:
			want = []string{"popular", "fresh"}
		}
		var got []string
		for _, r := range it.Reasons {
			got = append(got, r.Source)
		}
		if !slices.Equal(got, want) || i%3 == 0 && it.Reasons[0].Topic != "a" {
			t.Errorf("note %d reasons %+v, want sources %v (topic a)", i, it.Reasons, want)
		}
	}
	for a, n := range authors {
		if n > MaxPerAuthor {
			t.Errorf("author %d has %d notes", a, n)
		}
	}
	for tp, n := range topics {
		if n > limit/3 {
			t.Errorf("topic %d has %d notes", tp, n)
		}
	}
	if fresh != 2 { // ⌈12 × 0.1⌉
		t.Errorf("%d fresh notes, want 2", fresh)
	}
	if !slices.IsSorted(restOrder) {
		t.Errorf("not best first: %v", restOrder)
	}
	// A pool that cannot meet the caps still fills the page.
	for x := range list {
		list[x].taken = false
	}
	if got := s.diversify(sc, list[:8], 8); len(got) != 8 {
		t.Errorf("small pool: page of %d", len(got))
	}
	scratchPool.Put(sc)
}

func TestSortCands(t *testing.T) {
	sc := &scratch{}
	var list []cand
	for i := int32(0); i < 500; i++ {
		// Many ties, and scores near zero.
		list = append(list, cand{idx: (i * 7919) % 1000, score: float32((i*31)%17) / 16 * 1e-3})
	}
	want := slices.Clone(list)
	slices.SortFunc(want, func(a, b cand) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return int(b.idx - a.idx)
	})
	if got := sc.sortCands(list); !slices.Equal(got, want) {
		t.Fatalf("sortCands differs from the definition")
	}
}
