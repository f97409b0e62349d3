package search

import (
	"context"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Query evaluation on one shard. Bleve's searchers (a term searcher per
// field, a disjunction per query word, a conjunction over the words, then
// a collector) spent most of a query's engine time on their own machinery
// rather than on reading postings, and cannot read the packed statistics
// of textField. This walks each segment's posting lists directly, scores
// them in one loop and keeps the best hits in a small heap; Bleve still
// does analysis, storage, segments, merges and completions.
//
// Scoring is Bleve's TF-IDF per field, without query-time normalisations
// (which cannot change the order): a word w in document d adds
//
//	idf(w)² · Σ over title, tags, body of boost(f) · √tf(w,f) / √len(f),   idf = 1 + ln(docs / (df + 1))
//
// with boosts 3, 2, 1, synonyms of w (synonyms.go) counting synonymWeight
// and typo variants fuzzyWeight as much;
// the words' contributions add up. With anyOf (the fallback when no
// document has every word), a document matching k of n words is scaled by
// k/n, so documents with more of the words come first.

// normBits is zapx's Posting: the raw packed length behind Norm().
type normBits interface{ NormUint64() uint64 }

// clause is one posting list in one segment (a word, or a typo variant of
// it) and the weight of its matches.
type clause struct {
	it       segment.PostingsIterator
	w        float64
	doc      uint64 // current document; valid while !done
	tf, norm uint64
	done     bool
}

func (c *clause) read(p segment.Posting, err error) error {
	if err != nil {
		return err
	}
	if p == nil {
		c.done = true
		return nil
	}
	nb, ok := p.(normBits)
	if !ok {
		return fmt.Errorf("search: segment posting %T has no raw norm", p)
	}
	c.doc, c.tf, c.norm = p.Number(), p.Frequency(), nb.NormUint64()
	return nil
}

func (c *clause) next() error { return c.read(c.it.Next()) }

// advance moves to the first document >= doc (never backwards: segment
// iterators do not allow it).
func (c *clause) advance(doc uint64) error {
	if c.done || c.doc >= doc {
		return nil
	}
	return c.read(c.it.Advance(doc))
}

// word is the clauses of one query word in one segment.
type word struct {
	cl []*clause
}

// min is the smallest current document among the word's clauses; ok is
// false once they are all exhausted.
func (w *word) min() (doc uint64, ok bool) {
	for _, c := range w.cl {
		if !c.done && (!ok || c.doc < doc) {
			doc, ok = c.doc, true
		}
	}
	return doc, ok
}

func (w *word) advance(doc uint64) error {
	for _, c := range w.cl {
		if err := c.advance(doc); err != nil {
			return err
		}
	}
	return nil
}

// at adds the scores of the clauses positioned on doc and moves them on.
func (w *word) at(doc uint64) (float64, bool, error) {
	var s float64
	matched := false
	for _, c := range w.cl {
		if !c.done && c.doc == doc {
			s += c.w * fieldScore(c.tf, c.norm)
			matched = true
			if err := c.next(); err != nil {
				return 0, false, err
			}
		}
	}
	return s, matched, nil
}

// shardHit is a hit inside one shard's snapshot: segment<<32 | document.
type shardHit struct {
	key   uint64
	score float64
}

// topN keeps the n best hits (a min-heap on score; ties keep the lower
// key, so results are deterministic).
type topN struct {
	n int
	h []shardHit
}

func worse(a, b shardHit) bool { return a.score < b.score || (a.score == b.score && a.key > b.key) }

func (t *topN) add(key uint64, score float64) {
	x := shardHit{key, score}
	if len(t.h) < t.n {
		t.h = append(t.h, x)
		for i := len(t.h) - 1; i > 0; {
			p := (i - 1) / 2
			if !worse(t.h[i], t.h[p]) {
				break
			}
			t.h[i], t.h[p] = t.h[p], t.h[i]
			i = p
		}
		return
	}
	if !worse(t.h[0], x) {
		return
	}
	t.h[0] = x
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < len(t.h) && worse(t.h[l], t.h[m]) {
			m = l
		}
		if r := l + 1; r < len(t.h) && worse(t.h[r], t.h[m]) {
			m = r
		}
		if m == i {
			break
		}
		t.h[i], t.h[m] = t.h[m], t.h[i]
		i = m
	}
}

// sorted returns the hits best first.
func (t *topN) sorted() []shardHit {
	out := slices.Clone(t.h)
	slices.SortFunc(out, func(a, b shardHit) int {
		switch {
		case worse(b, a):
			return -1
		case worse(a, b):
			return 1
		}
		return 0
	})
	return out
}

// shardSearch is a query's evaluation on one shard; the snapshot stays
// open until the winning hits' ids are read.
type shardSearch struct {
	snap  *scorch.IndexSnapshot
	hits  []shardHit
	total uint64
}

func (s *shardSearch) close() {
	if s.snap != nil {
		s.snap.Close()
	}
}

// externalID is the document id of a hit.
func (s *shardSearch) externalID(key uint64) (string, error) {
	segs := s.snap.Segments()
	i := int(key >> 32)
	if i >= len(segs) {
		return "", fmt.Errorf("search: hit in segment %d of %d", i, len(segs))
	}
	b, err := segs[i].DocID(key & math.MaxUint32)
	return string(b), err
}

func errNotScorch(r any) error {
	return fmt.Errorf("search: index reader is a %T, not a scorch snapshot", r)
}

// ctxCheckEvery is how many matches pass between looks at the context.
const ctxCheckEvery = 1 << 14

// variant is a term a query word matches and the weight of its matches.
type variant struct {
	term string
	w    float64
}

// searchShard finds the size best documents of kind k matching terms (all
// of them, or with anyOf any of them).
func searchShard(ctx context.Context, shard bleve.Index, k Kind, terms []Token, size int, anyOf bool) (*shardSearch, error) {
	adv, err := shard.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		r.Close()
		return nil, errNotScorch(r)
	}
	out := &shardSearch{snap: snap}
	docs, err := snap.DocCount()
	if err != nil {
		return out, err
	}
	fld := field(k, fText)
	segs := snap.Segments()

	// Each word's terms (itself and, for long Latin words, its typo
	// variants) and their posting lists in every segment.
	type list struct {
		pl segment.PostingsList
		w  int // index in weights
	}
	lists := make([][][]list, len(segs)) // [segment][word][]
	for s := range segs {
		lists[s] = make([][]list, len(terms))
	}
	dicts := make([]segment.TermDictionary, len(segs))
	for s, ss := range segs {
		if dicts[s], err = ss.Segment().Dictionary(fld); err != nil {
			return out, err
		}
	}
	weights := make([]float64, 0, 16)
	for i, t := range terms {
		vs := []variant{{t.Term, 1}}
		for _, s := range synonyms(t.Term) {
			vs = append(vs, variant{s, synonymWeight})
		}
		if fz := fuzziness(t); fz > 0 {
			// The first letter is rarely the typo; fixing it saves walking
			// the whole term dictionary.
			_, n := utf8.DecodeRuneInString(t.Term)
			dict, err := snap.FieldDictFuzzy(fld, t.Term, fz, t.Term[:n])
			if err != nil {
				return out, err
			}
			for {
				e, err := dict.Next()
				if err != nil {
					dict.Close()
					return out, err
				}
				if e == nil {
					break
				}
				if e.Term != t.Term {
					vs = append(vs, variant{e.Term, fuzzyWeight})
				}
			}
			dict.Close()
		}
		for _, v := range vs {
			var df uint64
			first := len(weights)
			weights = append(weights, 0)
			for s, ss := range segs {
				pl, err := dicts[s].PostingsList([]byte(v.term), ss.Deleted(), nil)
				if err != nil {
					return out, err
				}
				if n := pl.Count(); n > 0 {
					df += n
					lists[s][i] = append(lists[s][i], list{pl, first})
				}
			}
			idf := 1 + math.Log(float64(docs)/float64(df+1))
			weights[first] = v.w * idf * idf
		}
	}

	top := &topN{n: size}
	for s := range segs {
		words := make([]*word, 0, len(terms))
		missing := false
		for _, ls := range lists[s] {
			w := &word{}
			for _, l := range ls {
				c := &clause{it: l.pl.Iterator(true, true, false, nil), w: weights[l.w]}
				if err := c.next(); err != nil {
					return out, err
				}
				w.cl = append(w.cl, c)
			}
			if len(w.cl) == 0 {
				missing = true
			}
			words = append(words, w)
		}
		if missing && !anyOf {
			continue // a word this segment lacks: no document here has them all
		}
		var err error
		if anyOf {
			err = out.union(ctx, uint64(s)<<32, words, top)
		} else {
			err = out.intersect(ctx, uint64(s)<<32, words, top)
		}
		if err != nil {
			return out, err
		}
	}
	out.hits = top.sorted()
	return out, nil
}

// bitmap is the set of documents the clause's list holds (deleted ones
// excluded).
func (c *clause) bitmap() (*roaring.Bitmap, error) {
	o, ok := c.it.(segment.OptimizablePostingsIterator)
	if !ok {
		return nil, fmt.Errorf("search: postings iterator %T exposes no bitmap", c.it)
	}
	if doc, ok := o.DocNum1Hit(); ok {
		return roaring.BitmapOf(uint32(doc)), nil
	}
	if bm := o.ActualBitmap(); bm != nil {
		return bm, nil
	}
	// A "1-hit" list (a word in one document of the segment) has no bitmap,
	// and once next() has read its hit DocNum1Hit no longer reports it: the
	// document is the clause's current one.
	if !c.done {
		return roaring.BitmapOf(uint32(c.doc)), nil
	}
	return roaring.New(), nil
}

// intersect scores the documents every word matches. Their set is
// computed first from the posting lists' bitmaps (cheap, and exact for
// the total); only its members are then read from each list, skipping
// the rest: for two common words that rarely meet, most postings.
func (s *shardSearch) intersect(ctx context.Context, seg uint64, words []*word, top *topN) error {
	if len(words) == 1 {
		return s.union(ctx, seg, words, top) // one word: all of its documents
	}
	sets := make([]*roaring.Bitmap, len(words))
	for i, w := range words {
		bms := make([]*roaring.Bitmap, 0, len(w.cl))
		for _, c := range w.cl {
			bm, err := c.bitmap()
			if err != nil {
				return err
			}
			bms = append(bms, bm)
		}
		if len(bms) == 1 {
			sets[i] = bms[0]
		} else {
			sets[i] = roaring.FastOr(bms...)
		}
	}
	all := roaring.FastAnd(sets...)
	it := all.Iterator()
	for it.HasNext() {
		doc := uint64(it.Next())
		var score float64
		for _, w := range words {
			if err := w.advance(doc); err != nil {
				return err
			}
			sc, _, err := w.at(doc)
			if err != nil {
				return err
			}
			score += sc
		}
		s.total++
		top.add(seg|doc, score)
		if s.total%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

// union walks the documents any word matches.
func (s *shardSearch) union(ctx context.Context, seg uint64, words []*word, top *topN) error {
	n := float64(len(words))
	for {
		var doc uint64
		found := false
		for _, w := range words {
			if d, ok := w.min(); ok && (!found || d < doc) {
				doc, found = d, true
			}
		}
		if !found {
			return nil
		}
		var score float64
		matched := 0
		for _, w := range words {
			sc, ok, err := w.at(doc)
			if err != nil {
				return err
			}
			if ok {
				score += sc
				matched++
			}
		}
		s.total++
		top.add(seg|doc, score*float64(matched)/n)
		if s.total%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
}
