package search

import (
	"context"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// Completions. Each document's completion strings are one term each in
// the "sugg" field (the whole string, folded: fold.go), and the document's
// popularity rides in the field's "norm" (as with textField, Bleve stores
// the length verbatim): a completion is a prefix scan of the term
// dictionary and a walk of the matching terms' postings, keeping the most
// popular. This replaced a Bleve prefix query sorted on a numeric "pop"
// field: sorting read a doc value for every match (p95 over 100 ms at a
// million notes), and the numeric field indexed 16 terms per document.

// popCode orders popularities on a log scale, finely enough that only
// near-equal values tie; it is never 0 (Bleve's one-hit encoding reserves
// 0) and fits in 31 bits.
func popCode(pop float64) int {
	return 1 + min(1<<30, int(math.Round(math.Log2(1+max(0, pop))*(1<<20))))
}

// suggSep joins a document's completion strings in the stored value.
const suggSep = "\x00"

// suggestField holds a document's completion strings (stored, to show
// them with their case) and its popularity.
type suggestField struct {
	values []string
	pop    float64
	freqs  index.TokenFrequencies
}

func (f *suggestField) Name() string                                     { return fSugg }
func (f *suggestField) ArrayPositions() []uint64                         { return nil }
func (f *suggestField) EncodedFieldType() byte                           { return 't' }
func (f *suggestField) AnalyzedLength() int                              { return popCode(f.pop) }
func (f *suggestField) Value() []byte                                    { return []byte(strings.Join(f.values, suggSep)) }
func (f *suggestField) NumPlainTextBytes() uint64                        { return uint64(len(f.Value())) }
func (f *suggestField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

func (f *suggestField) Options() index.FieldIndexingOptions {
	return index.IndexField | index.StoreField
}

func (f *suggestField) Size() int {
	n := 64
	for _, v := range f.values {
		n += 2*len(v) + 48
	}
	return n
}

func (f *suggestField) Analyze() {
	f.freqs = make(index.TokenFrequencies, len(f.values))
	for _, v := range f.values {
		term := Fold(v)
		if f.freqs[term] == nil {
			tf := &index.TokenFreq{Term: []byte(term)}
			tf.SetFrequency(1)
			f.freqs[term] = tf
		}
	}
}

// prefixEnd is the first byte string after every string starting with p
// (nil: none).
func prefixEnd(p string) []byte {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return b[:i+1]
		}
	}
	return nil
}

type suggestion struct {
	code  uint64
	docID string
	text  string
}

// suggestShard returns up to n documents of one shard with a completion
// starting with p (lower-cased), most popular first.
func suggestShard(ctx context.Context, shard bleve.Index, p string, n int) ([]suggestion, error) {
	adv, err := shard.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, errNotScorch(r)
	}
	segs := snap.Segments()
	// A document with two completions matching (a user's name and
	// display name) can come twice: keep twice as many, then drop repeats.
	top := &topN{n: 2 * n}
	end := prefixEnd(p)
	for s, ss := range segs {
		dict, err := ss.Segment().Dictionary(fSugg)
		if err != nil {
			return nil, err
		}
		it := dict.AutomatonIterator(nil, []byte(p), end)
		for {
			e, err := it.Next()
			if err != nil {
				return nil, err
			}
			if e == nil {
				break
			}
			pl, err := dict.PostingsList([]byte(e.Term), ss.Deleted(), nil)
			if err != nil {
				return nil, err
			}
			c := &clause{it: pl.Iterator(true, true, false, nil)}
			for err = c.next(); err == nil && !c.done; err = c.next() {
				top.add(uint64(s)<<32|c.doc, float64(c.norm))
			}
			if err != nil {
				return nil, err
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	var out []suggestion
	seen := map[uint64]bool{}
	for _, h := range top.sorted() {
		if seen[h.key] || len(out) == n {
			continue
		}
		seen[h.key] = true
		ss := segs[h.key>>32]
		num := h.key & math.MaxUint32
		did, err := ss.DocID(num)
		if err != nil {
			return nil, err
		}
		sg := suggestion{code: uint64(h.score), docID: string(did)}
		err = ss.VisitDocument(num, func(field string, _ byte, value []byte, _ []uint64) bool {
			if field != fSugg {
				return true
			}
			for v := range strings.SplitSeq(string(value), suggSep) {
				if strings.HasPrefix(Fold(v), p) {
					sg.text = v
					break
				}
			}
			return false
		})
		if err != nil {
			return nil, err
		}
		if sg.text != "" {
			out = append(out, sg)
		}
	}
	return out, nil
}

// Suggest returns documents with a completion string starting with prefix
// (case-insensitive), most popular first.
func (b *Bleve) Suggest(ctx context.Context, prefix string, limit int) ([]Completion, error) {
	p := Fold(strings.TrimSpace(prefix))
	if p == "" || limit <= 0 {
		return []Completion{}, nil
	}
	per := make([][]suggestion, len(b.shards))
	errs := make([]error, len(b.shards))
	var wg sync.WaitGroup
	for i, sh := range b.shards {
		wg.Go(func() { per[i], errs[i] = suggestShard(ctx, sh, p, limit) })
	}
	wg.Wait()
	var all []suggestion
	for i := range per {
		if errs[i] != nil {
			return nil, errs[i]
		}
		all = append(all, per[i]...)
	}
	slices.SortFunc(all, func(x, y suggestion) int {
		switch {
		case x.code > y.code:
			return -1
		case x.code < y.code:
			return 1
		}
		return strings.Compare(x.docID, y.docID)
	})
	out := make([]Completion, 0, min(limit, len(all)))
	for _, s := range all[:min(limit, len(all))] {
		if k, i, ok := parseDocID(s.docID); ok {
			out = append(out, Completion{Kind: k, ID: i, Text: s.text})
		}
	}
	return out, nil
}
