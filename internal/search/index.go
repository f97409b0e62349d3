package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/redmark/redmark/internal/id"
)

// Kind is what a document is; a search looks at one kind.
type Kind string

const (
	Notes    Kind = "notes"
	Products Kind = "products"
	Users    Kind = "users"
	Topics   Kind = "topics"
)

// Kinds in the order the search page shows its tabs.
var Kinds = []Kind{Notes, Products, Users, Topics}

// ParseKind reads ?type=; "" means notes.
func ParseKind(s string) (Kind, bool) {
	if s == "" {
		return Notes, true
	}
	for _, k := range Kinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// Doc is what an Index stores about one row: three weighted text fields
// (Title ×3, Tags ×2, Body ×1 in relevance, kept apart per kind), the strings offered as
// completions, and a popularity used to order completions. The index holds
// no display text: results are ids, hydrated and highlighted from the
// database, so a stale index can never show text that was edited away.
type Doc struct {
	Kind              Kind
	ID                id.ID
	Title, Tags, Body string
	Suggest           []string
	Pop               float64
}

// Ref names a document to delete.
type Ref struct {
	Kind Kind
	ID   id.ID
}

// Query is a relevance query over one kind: Size best hits by text
// relevance alone (the Service blends in engagement and freshness).
type Query struct {
	Kind Kind
	Text string
	Size int
}

// Hit is a matching document and its text-relevance score.
type Hit struct {
	ID    id.ID
	Score float64
}

// Results are the best hits, how many documents matched, and whether the
// query had to fall back from all-terms to any-term matching.
type Results struct {
	Hits  []Hit
	Total uint64
	AnyOf bool
}

// Completion is a suggestion as the user types.
type Completion struct {
	Kind Kind   `json:"type"`
	ID   id.ID  `json:"id"`
	Text string `json:"text"`
}

// Index is a full-text engine. Bleve (below) is the embedded default; an
// external engine implements the same five methods (see the package doc).
type Index interface {
	// Apply upserts docs and deletes refs; when it returns nil the change
	// is durable (it survives a crash), because the caller then drops the
	// outbox rows that asked for it.
	Apply(ctx context.Context, docs []Doc, deletes []Ref) error
	Search(ctx context.Context, q Query) (Results, error)
	Suggest(ctx context.Context, prefix string, limit int) ([]Completion, error)
	// Count is the number of documents (0 on a new index: rebuild it).
	Count() (uint64, error)
	Close() error
}

// Field names in the Bleve mapping.
const (
	fKind  = "kind"
	fTitle = "title"
	fTags  = "tags"
	fBody  = "body"
	fSugg  = "sugg"
	fPop   = "pop"
)

// field is a text field of one kind ("notes_title"). Each kind has its own
// fields, so a query over notes reads only notes' postings and needs no
// kind filter (a filter on "kind" would walk a posting list as long as the
// whole index: half of the query time in the benchmark before this).
func field(k Kind, f string) string { return string(k) + "_" + f }

// Field weights in relevance; fuzzy (typo) matches count half.
var fieldBoost = map[string]float64{fTitle: 3, fTags: 2, fBody: 1}

const fuzzyWeight = 0.5

// lowerKeyword is the whole string, lower-cased: completions match a
// prefix of a title, a topic or a name regardless of case.
const lowerKeyword = "redmark_kw"

func init() {
	err := registry.RegisterAnalyzer(lowerKeyword, func(_ map[string]any, c *registry.Cache) (analysis.Analyzer, error) {
		tok, err := c.TokenizerNamed(single.Name)
		if err != nil {
			return nil, err
		}
		lc, err := c.TokenFilterNamed(lowercase.Name)
		if err != nil {
			return nil, err
		}
		return &analysis.DefaultAnalyzer{Tokenizer: tok, TokenFilters: []analysis.TokenFilter{lc}}, nil
	})
	if err != nil {
		panic(err)
	}
}

func newMapping() mapping.IndexMapping {
	text := func() *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer = IndexAnalyzer
		// Nothing is stored and no term vectors are kept: highlighting is
		// done from the database text, which keeps the index small.
		f.Store, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = false, false, false, false
		return f
	}
	kind := mapping.NewKeywordFieldMapping()
	kind.Store, kind.IncludeTermVectors, kind.IncludeInAll, kind.DocValues = false, false, false, false
	sugg := mapping.NewTextFieldMapping()
	sugg.Analyzer = lowerKeyword
	sugg.IncludeTermVectors, sugg.IncludeInAll, sugg.DocValues = false, false, false // stored: completions show it
	pop := mapping.NewNumericFieldMapping()
	pop.Store, pop.IncludeInAll = false, false // doc values only, for sorting

	dm := mapping.NewDocumentStaticMapping()
	dm.AddFieldMappingsAt(fKind, kind)
	for _, k := range Kinds {
		for _, f := range []string{fTitle, fTags, fBody} {
			dm.AddFieldMappingsAt(field(k, f), text())
		}
	}
	dm.AddFieldMappingsAt(fSugg, sugg)
	dm.AddFieldMappingsAt(fPop, pop)
	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = IndexAnalyzer
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false
	return im
}

// Bleve is the embedded index (scorch segments under one directory).
type Bleve struct {
	idx bleve.Index
}

// runtime config: don't wait forever on another process's lock.
var bleveConfig = map[string]any{"bolt_timeout": "3s"}

// OpenBleve opens the index at dir, creating it when missing. Bleve's
// default (safe) batches return only after the segment is persisted, which
// is what Apply promises.
func OpenBleve(dir string) (*Bleve, error) {
	segmenter() // load the dictionary before the first document
	idx, err := bleve.OpenUsing(dir, bleveConfig)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		idx, err = bleve.NewUsing(dir, newMapping(), scorch.Name, scorch.Name, bleveConfig)
	}
	if err != nil {
		return nil, fmt.Errorf("open search index %s: %w (is another redmark process using it?)", dir, err)
	}
	return &Bleve{idx: idx}, nil
}

// RemoveBleve deletes the index directory (reindex starts from nothing).
func RemoveBleve(dir string) error { return os.RemoveAll(dir) }

func docID(k Kind, i id.ID) string { return string(k) + ":" + i.String() }

func parseDocID(s string) (Kind, id.ID, bool) {
	k, v, ok := strings.Cut(s, ":")
	if !ok {
		return "", 0, false
	}
	i, err := id.Parse(v)
	return Kind(k), i, err == nil
}

func (b *Bleve) Apply(ctx context.Context, docs []Doc, deletes []Ref) error {
	if len(docs)+len(deletes) == 0 {
		return nil
	}
	batch := b.idx.NewBatch()
	for _, d := range docs {
		sugg := make([]string, 0, len(d.Suggest))
		for _, s := range d.Suggest {
			if s = strings.TrimSpace(s); s != "" {
				sugg = append(sugg, s)
			}
		}
		if err := batch.Index(docID(d.Kind, d.ID), map[string]any{fKind: string(d.Kind), field(d.Kind, fTitle): d.Title,
			field(d.Kind, fTags): d.Tags, field(d.Kind, fBody): d.Body, fSugg: sugg, fPop: d.Pop}); err != nil {
			return err
		}
	}
	for _, r := range deletes {
		batch.Delete(docID(r.Kind, r.ID))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.idx.Batch(batch)
}

// fuzziness allows typos in longer Latin words only: one edit from 5
// letters, two from 9. Short words and Chinese must match exactly, or
// "cat" would find "car" and 防晒 would find 防水.
func fuzziness(t Token) int {
	if !t.Latin {
		return 0
	}
	switch n := utf8.RuneCountInString(t.Term); {
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

// termQuery matches one query term in any text field, exactly or (for long
// Latin words) within the edit distance.
func termQuery(k Kind, t Token) query.Query {
	var qs []query.Query
	for _, f := range []string{fTitle, fTags, fBody} {
		tq := query.NewTermQuery(t.Term)
		tq.SetField(field(k, f))
		tq.SetBoost(fieldBoost[f])
		qs = append(qs, tq)
		if fz := fuzziness(t); fz > 0 {
			fq := query.NewFuzzyQuery(t.Term)
			fq.SetField(field(k, f))
			fq.SetFuzziness(fz)
			fq.SetPrefix(1) // the first letter is rarely the typo; saves scanning the whole term dictionary
			fq.SetBoost(fieldBoost[f] * fuzzyWeight)
			qs = append(qs, fq)
		}
	}
	return query.NewDisjunctionQuery(qs)
}

// QueryTerms are the distinct analysed terms of a query.
func QueryTerms(text string) []Token {
	seen := map[string]bool{}
	var out []Token
	for _, t := range AnalyzeQuery(text) {
		if !seen[t.Term] {
			seen[t.Term] = true
			out = append(out, t)
		}
	}
	return out
}

// Search requires every term (AND); when that finds nothing and the query
// has several terms, it retries with any term, best-matching first.
func (b *Bleve) Search(ctx context.Context, q Query) (Results, error) {
	terms := QueryTerms(q.Text)
	if len(terms) == 0 {
		return Results{}, nil
	}
	per := make([]query.Query, len(terms))
	for i, t := range terms {
		per[i] = termQuery(q.Kind, t)
	}
	run := func(text query.Query) (Results, error) {
		req := bleve.NewSearchRequestOptions(text, q.Size, 0, false)
		res, err := b.idx.SearchInContext(ctx, req)
		if err != nil {
			return Results{}, err
		}
		out := Results{Total: res.Total, Hits: make([]Hit, 0, len(res.Hits))}
		for _, h := range res.Hits {
			if _, i, ok := parseDocID(h.ID); ok {
				out.Hits = append(out.Hits, Hit{ID: i, Score: h.Score})
			}
		}
		return out, nil
	}
	res, err := run(query.NewConjunctionQuery(per))
	if err != nil || res.Total > 0 || len(terms) == 1 {
		return res, err
	}
	anyOf := query.NewDisjunctionQuery(per)
	anyOf.SetMin(1)
	res, err = run(anyOf)
	res.AnyOf = true
	return res, err
}

// Suggest returns documents with a completion string starting with prefix
// (case-insensitive), most popular first.
func (b *Bleve) Suggest(ctx context.Context, prefix string, limit int) ([]Completion, error) {
	p := strings.ToLower(strings.TrimSpace(prefix))
	if p == "" {
		return []Completion{}, nil
	}
	pq := query.NewPrefixQuery(p)
	pq.SetField(fSugg)
	req := bleve.NewSearchRequestOptions(pq, limit, 0, false)
	req.Fields = []string{fSugg}
	req.SortBy([]string{"-" + fPop, "_id"})
	res, err := b.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	out := make([]Completion, 0, len(res.Hits))
	for _, h := range res.Hits {
		k, i, ok := parseDocID(h.ID)
		if !ok {
			continue
		}
		var vals []string
		switch v := h.Fields[fSugg].(type) {
		case string:
			vals = []string{v}
		case []any:
			for _, x := range v {
				if s, ok := x.(string); ok {
					vals = append(vals, s)
				}
			}
		}
		for _, v := range vals {
			if strings.HasPrefix(strings.ToLower(v), p) {
				out = append(out, Completion{Kind: k, ID: i, Text: v})
				break
			}
		}
	}
	return out, nil
}

func (b *Bleve) Count() (uint64, error) { return b.idx.DocCount() }

func (b *Bleve) Close() error { return b.idx.Close() }

var _ Index = (*Bleve)(nil)
