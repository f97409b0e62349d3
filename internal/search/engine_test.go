package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"github.com/redmark/redmark/internal/id"
)

// The engine's matching must be exactly "every word in some field" (or
// "any word"), whatever the shard, segment and deletion layout: compare it
// with a brute-force scan of the same documents.
func TestEngineMatchesBruteForce(t *testing.T) {
	ctx := context.Background()
	b, err := OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	vocab := strings.Fields("防晒 通勤 咖啡 露营 穿搭 面膜 火锅 旅行 coffee camping sunscreen hiking latte")
	r := rand.New(rand.NewPCG(3, 4))
	text := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = vocab[r.IntN(len(vocab))]
		}
		return strings.Join(ws, " ")
	}
	docs := map[id.ID]Doc{}
	// Several batches make several segments per shard; some documents are
	// replaced or deleted in later ones.
	for batch := range 6 {
		var put []Doc
		var del []Ref
		for i := range 150 {
			d := Doc{Kind: Notes, ID: id.ID(1 + batch*100 + i), Title: text(1 + r.IntN(2)), Tags: text(r.IntN(3)), Body: text(r.IntN(12))}
			put = append(put, d)
		}
		for range 20 {
			victim := id.ID(1 + r.IntN(batch*100+150))
			if _, ok := docs[victim]; ok {
				del = append(del, Ref{Notes, victim})
			}
		}
		// An upsert wins over a delete of the same id in one batch only if
		// it comes later; keep them apart.
		put = slices.DeleteFunc(put, func(d Doc) bool { return slices.Contains(del, Ref{Notes, d.ID}) })
		if err := b.Apply(ctx, put, del); err != nil {
			t.Fatal(err)
		}
		for _, d := range put {
			docs[d.ID] = d
		}
		for _, x := range del {
			delete(docs, x.ID)
		}
	}
	// Another kind with the same words must never match a notes query.
	if err := b.Apply(ctx, []Doc{{Kind: Products, ID: 9999, Title: strings.Join(vocab, " ")}}, nil); err != nil {
		t.Fatal(err)
	}
	has := func(d Doc, term string) bool {
		for _, f := range []string{d.Title, d.Tags, d.Body} {
			for _, tok := range Analyze(f) {
				if tok.Term == term || slices.Contains(synonyms(term), tok.Term) {
					return true
				}
			}
		}
		return false
	}
	for q := range 200 {
		query := text(1 + q%3)
		terms := QueryTerms(query)
		var all, anyOf []id.ID
		for _, d := range docs {
			n := 0
			for _, tm := range terms {
				if has(d, tm.Term) {
					n++
				}
			}
			if n == len(terms) {
				all = append(all, d.ID)
			}
			if n > 0 {
				anyOf = append(anyOf, d.ID)
			}
		}
		for _, mode := range []bool{false, true} {
			want := all
			if mode {
				want = anyOf
			}
			res, err := b.search(ctx, Query{Kind: Notes, Text: query, Size: len(docs) + 1}, terms, mode)
			if err != nil {
				t.Fatal(err)
			}
			var got []id.ID
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			slices.Sort(got)
			slices.Sort(want)
			if res.Total != uint64(len(want)) || !slices.Equal(got, want) {
				t.Fatalf("%q anyOf=%v: total %d, %d hits; want %d: %v vs %v", query, mode, res.Total, len(got), len(want), got, want)
			}
			// A smaller window returns the best of the same hits, in order.
			top, err := b.search(ctx, Query{Kind: Notes, Text: query, Size: 7}, terms, mode)
			if err != nil {
				t.Fatal(err)
			}
			if top.Total != res.Total || len(top.Hits) != min(7, len(res.Hits)) {
				t.Fatalf("%q: top 7 of %d: %d hits, total %d", query, len(res.Hits), len(top.Hits), top.Total)
			}
			for i, h := range top.Hits {
				if h.Score != res.Hits[i].Score || (i > 0 && h.Score > top.Hits[i-1].Score) {
					t.Fatalf("%q: top hits out of order: %v vs %v", query, top.Hits, res.Hits[:len(top.Hits)])
				}
			}
		}
	}
}

// A word in the title or the tags outweighs the same word in the body;
// every word must match unless none does.
func TestEngineRanking(t *testing.T) {
	ctx := context.Background()
	b, err := OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	body := strings.Repeat("今天 天气 很好 我们 出去 走走 ", 3)
	docs := []Doc{
		{Kind: Notes, ID: 1, Title: "周末 生活", Body: body + "露营"},
		{Kind: Notes, ID: 2, Title: "露营 装备 清单", Body: body},
		{Kind: Notes, ID: 3, Title: "咖啡 推荐", Tags: "露营", Body: body},
		{Kind: Notes, ID: 4, Title: "露营 咖啡", Body: body},
	}
	for i := range 40 { // common words keep the idf of 露营 and 咖啡 meaningful
		docs = append(docs, Doc{Kind: Notes, ID: id.ID(100 + i), Title: "日常 分享", Body: body})
	}
	if err := b.Apply(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	ids := func(q string) []id.ID {
		res, err := b.Search(ctx, Query{Kind: Notes, Text: q, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		var out []id.ID
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		return out
	}
	got := ids("露营")
	if len(got) != 4 || got[len(got)-1] != 1 {
		t.Fatalf("露营: %v (the body-only match must come last)", got)
	}
	if got := ids("露营 咖啡"); len(got) != 2 || !slices.Contains(got, 3) || !slices.Contains(got, 4) {
		t.Fatalf("露营 咖啡: %v", got)
	}
	if got := ids("露营 火锅"); len(got) != 4 { // nothing has both: any of them
		t.Fatalf("露营 火锅 fallback: %v", got)
	}
}

// postingsOf reads a term's raw postings in every shard and segment:
// document id → packed frequency and length.
func postingsOf(t *testing.T, b *Bleve, fld, term string) map[string][2]uint64 {
	t.Helper()
	out := map[string][2]uint64{}
	for _, sh := range b.shards {
		adv, err := sh.Advanced()
		if err != nil {
			t.Fatal(err)
		}
		r, err := adv.Reader()
		if err != nil {
			t.Fatal(err)
		}
		for _, ss := range r.(*scorch.IndexSnapshot).Segments() {
			dict, err := ss.Segment().Dictionary(fld)
			if err != nil {
				t.Fatal(err)
			}
			pl, err := dict.PostingsList([]byte(term), ss.Deleted(), nil)
			if err != nil {
				t.Fatal(err)
			}
			it := pl.Iterator(true, true, false, nil)
			for {
				p, err := it.Next()
				if err != nil {
					t.Fatal(err)
				}
				if p == nil {
					break
				}
				did, err := ss.DocID(p.Number())
				if err != nil {
					t.Fatal(err)
				}
				out[string(did)] = [2]uint64{p.Frequency(), p.(normBits).NormUint64()}
			}
		}
		r.Close()
	}
	return out
}

// The per-field counts and lengths packed into one posting must come back
// exactly from new segments, persisted ones, merged ones, and Bleve's
// one-hit encoding (a word in one document, once).
func TestPackedFieldSurvivesIndexing(t *testing.T) {
	ctx := context.Background()
	b, err := OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	many := func(w string, n int) string { return strings.TrimSpace(strings.Repeat(w+" ", n)) }
	var long strings.Builder
	for i := range 33000 {
		fmt.Fprintf(&long, "w%d ", i)
	}
	docs := []Doc{
		{Kind: Notes, ID: 1, Title: "露营 咖啡", Tags: "露营", Body: "今天 去 露营 了 露营 真好"},
		{Kind: Notes, ID: 2, Title: many("camping", 300), Tags: many("露营", 300), Body: many("露营", 1100) + " unique"},
		{Kind: Notes, ID: 3, Title: "coffee", Body: long.String() + " 露营"},
		{Kind: Notes, ID: 4, Title: many("title", 200), Tags: many("tag", 200), Body: "lonely"},
	}
	want := map[string]map[string][3][2]int{} // term → doc → per field {count, length}
	for _, d := range docs {
		texts := [3]string{d.Title, d.Tags, d.Body}
		var lens [3]int
		counts := map[string][3]int{}
		for i, tx := range texts {
			toks := Analyze(tx)
			lens[i] = len(toks)
			for _, tk := range toks {
				c := counts[tk.Term]
				c[i]++
				counts[tk.Term] = c
			}
		}
		for term, c := range counts {
			if want[term] == nil {
				want[term] = map[string][3][2]int{}
			}
			want[term][docID(d.Kind, d.ID)] = [3][2]int{{c[0], lens[0]}, {c[1], lens[1]}, {c[2], lens[2]}}
		}
	}
	// One document per batch: several segments, then a forced merge.
	for _, d := range docs {
		if err := b.Apply(ctx, []Doc{d}, nil); err != nil {
			t.Fatal(err)
		}
	}
	check := func(stage string) {
		for _, term := range []string{"露营", "camp", "coffe", "uniqu", "lone", "titl", "w32999"} {
			got := postingsOf(t, b, field(Notes, fText), term)
			if len(got) != len(want[term]) {
				t.Fatalf("%s: %q in %d documents, want %d", stage, term, len(got), len(want[term]))
			}
			for did, w := range want[term] {
				g := got[did]
				tt, tg, tb := unpackTF(g[0])
				lt, lg, lb := unpackLen(g[1])
				exp := [6]uint64{}
				for i, max := range [3]int{otherTFMax, otherTFMax, bodyTFMax} {
					exp[i] = uint64(min(w[i][0], max))
					exp[3+i] = uint64(lenCode(w[i][1]))
				}
				if [6]uint64{tt, tg, tb, lt, lg, lb} != exp {
					t.Fatalf("%s: %q in %s: counts %d %d %d lengths %d %d %d, want %v", stage, term, did, tt, tg, tb, lt, lg, lb, exp)
				}
			}
		}
	}
	check("segments")
	for _, sh := range b.shards {
		adv, err := sh.Advanced()
		if err != nil {
			t.Fatal(err)
		}
		if err := adv.(*scorch.Scorch).ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions); err != nil {
			t.Fatal(err)
		}
	}
	check("merged")
}

// Completions come most popular first, once per document, with the
// matching string in its own case.
func TestSuggestOrder(t *testing.T) {
	ctx := context.Background()
	b, err := OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var docs []Doc
	for i := range 30 {
		docs = append(docs, Doc{Kind: Notes, ID: id.ID(i + 1), Title: fmt.Sprintf("Camping day %d", i), Suggest: []string{fmt.Sprintf("Camping day %d", i)}, Pop: float64(i * 10)})
	}
	docs = append(docs, Doc{Kind: Users, ID: 100, Suggest: []string{"camper_joe", "Camper Joe"}, Pop: 1e6},
		Doc{Kind: Notes, ID: 200, Suggest: []string{"hiking"}, Pop: 1e9})
	if err := b.Apply(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	got, err := b.Suggest(ctx, "CAMP", 5)
	if err != nil {
		t.Fatal(err)
	}
	want := "[{users 100 camper_joe} {notes 30 Camping day 29} {notes 29 Camping day 28} {notes 28 Camping day 27} {notes 27 Camping day 26}]"
	if fmt.Sprint(got) != want {
		t.Fatalf("suggest CAMP: %v, want %v", got, want)
	}
	// Deleted documents leave the completions.
	if err := b.Apply(ctx, nil, []Ref{{Users, 100}, {Notes, 30}}); err != nil {
		t.Fatal(err)
	}
	got, _ = b.Suggest(ctx, "camping day 2", 2)
	if fmt.Sprint(got) != "[{notes 29 Camping day 28} {notes 28 Camping day 27}]" {
		t.Fatalf("after deletes: %v", got)
	}
}

// An index built in an earlier layout (one Bleve index, three fields per
// kind) is deleted when opened, and its build marker asks for a rebuild.
func TestOldLayoutIsReplaced(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "search")
	old, err := bleve.New(dir, bleve.NewIndexMapping())
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Index("notes:1", map[string]any{"notes_title": "露营"}); err != nil {
		t.Fatal(err)
	}
	old.Close()
	if err := os.WriteFile(dir+".built", []byte("2026-01-01T00:00:00Z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &Service{dir: dir}
	if !s.NeedsRebuild() {
		t.Fatal("an index built in the old layout does not need a rebuild")
	}
	b, err := OpenBleve(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := b.Count(); err != nil || n != 0 {
		t.Fatalf("the old index is still there: %d documents (%v)", n, err)
	}
	b.Close()
	if err := os.WriteFile(dir+".built", []byte(layoutVersion+"\n2026-01-01T00:00:00Z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s.NeedsRebuild() {
		t.Fatal("an index built in this layout needs a rebuild")
	}
}
