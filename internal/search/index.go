package search

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

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

// Doc is what an Index stores about one row: three weighted texts (Title
// ×3, Tags ×2, Body ×1 in relevance, apart per kind), the strings offered
// as completions, and a popularity used to order completions. The index
// holds no display text: results are ids, hydrated and highlighted from
// the database, so a stale index can never show text that was edited away.
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

// Field names in the Bleve index.
const (
	fText = "text" // per kind: title, tags and body (textfield.go)
	fSugg = "sugg" // completion strings and popularity (suggest.go)
)

// field is the text field of one kind ("notes_text"). Each kind has its
// own field, so a query over notes reads only notes' postings and needs no
// kind filter (a filter on "kind" would walk a posting list as long as the
// whole index: half of the query time in the benchmark before this).
func field(k Kind, f string) string { return string(k) + "_" + f }

// Field weights in relevance; fuzzy (typo) matches count half.
const (
	boostTitle  = 3
	boostTags   = 2
	boostBody   = 1
	fuzzyWeight = 0.5
)

// newMapping has no fields: Apply builds documents itself (textField,
// suggestField), outside the mapping.
func newMapping() mapping.IndexMapping {
	dm := mapping.NewDocumentStaticMapping()
	// No composite "_all" field: nothing is searched through it, and
	// building it cost a tenth of the indexing time.
	dm.AddSubDocumentMapping("_all", mapping.NewDocumentDisabledMapping())
	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = IndexAnalyzer
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false
	return im
}

// Bleve is the embedded index: Shards scorch indexes under one directory,
// each document in the shard its id hashes to. A search runs on every shard
// at once (one goroutine each) and merges their best hits, so a query on a
// large community uses all cores; a batch also builds its shards' segments
// in parallel.
type Bleve struct {
	shards []bleve.Index
}

// Shards is the number of shards of a new index. Each one costs a few
// dictionary look-ups per query term and one goroutine per query, so there
// are as many as this machine class has cores (2), not more.
const Shards = 2

// layoutVersion names the index layout (mapping, analysis, sharding). An
// index under dir in another layout is deleted when opened, and the
// Service rebuilds it (its build marker records the version).
const layoutVersion = "redmark-search v3" // v3: accents and traditional characters folded

type layout struct {
	Version string `json:"version"`
	Shards  int    `json:"shards"`
}

func layoutFile(dir string) string { return filepath.Join(dir, "layout.json") }

// bleveConfig: don't wait forever on another process's lock. Batches are
// "unsafe" (they return once searchable, before the segment is on disk):
// Apply waits for durability itself through the batch's persisted
// callback, which lets a rebuild keep several batches in flight.
func bleveConfig() map[string]any { return map[string]any{"bolt_timeout": "3s", "unsafe_batch": true} }

// OpenBleve opens the index at dir, creating it when missing or when it has
// another layout (the caller then sees an empty index and rebuilds it).
func OpenBleve(dir string) (*Bleve, error) {
	zhWords() // load the dictionary before the first document
	var l layout
	b, err := os.ReadFile(layoutFile(dir))
	if err == nil {
		err = json.Unmarshal(b, &l)
	}
	if err != nil || l.Version != layoutVersion || l.Shards < 1 {
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		l = layout{Version: layoutVersion, Shards: Shards}
	}
	out := &Bleve{}
	fail := func(err error) (*Bleve, error) {
		for _, s := range out.shards {
			s.Close()
		}
		return nil, fmt.Errorf("open search index %s: %w (is another redmark process using it?)", dir, err)
	}
	for i := range l.Shards {
		path := filepath.Join(dir, "shard-"+strconv.Itoa(i))
		idx, err := bleve.OpenUsing(path, bleveConfig())
		if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
			idx, err = bleve.NewUsing(path, newMapping(), scorch.Name, scorch.Name, bleveConfig())
		}
		if err != nil {
			return fail(err)
		}
		out.shards = append(out.shards, idx)
	}
	if b, err := json.Marshal(l); err != nil {
		return fail(err)
	} else if err := os.WriteFile(layoutFile(dir), b, 0o644); err != nil {
		return fail(err)
	}
	return out, nil
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

func (b *Bleve) shardOf(docID string) int {
	h := fnv.New32a()
	h.Write([]byte(docID))
	return int(h.Sum32() % uint32(len(b.shards)))
}

// Apply returns once every shard has persisted its part of the change.
func (b *Bleve) Apply(ctx context.Context, docs []Doc, deletes []Ref) error {
	wait, err := b.applyAsync(ctx, docs, deletes)
	if err != nil {
		return err
	}
	return wait(ctx)
}

// applyAsync makes the change searchable and returns a function that waits
// until it is durable.
func (b *Bleve) applyAsync(ctx context.Context, docs []Doc, deletes []Ref) (func(context.Context) error, error) {
	if len(docs)+len(deletes) == 0 {
		return func(context.Context) error { return nil }, nil
	}
	batches := make([]*bleve.Batch, len(b.shards))
	batch := func(docID string) *bleve.Batch {
		i := b.shardOf(docID)
		if batches[i] == nil {
			batches[i] = b.shards[i].NewBatch()
		}
		return batches[i]
	}
	for _, d := range docs {
		sugg := make([]string, 0, len(d.Suggest))
		for _, s := range d.Suggest {
			if s = strings.TrimSpace(s); s != "" {
				sugg = append(sugg, s)
			}
		}
		did := docID(d.Kind, d.ID)
		doc := document.NewDocument(did)
		doc.AddField(newTextField(field(d.Kind, fText), d.Title, d.Tags, d.Body))
		if len(sugg) > 0 {
			doc.AddField(&suggestField{values: sugg, pop: d.Pop})
		}
		doc.SetIndexed()
		if err := batch(did).IndexAdvanced(doc); err != nil {
			return nil, err
		}
	}
	for _, r := range deletes {
		did := docID(r.Kind, r.ID)
		batch(did).Delete(did)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	persisted := make(chan error, len(b.shards))
	errs := make(chan error, len(b.shards))
	n := 0
	for i, bt := range batches {
		if bt == nil {
			continue
		}
		n++
		bt.SetPersistedCallback(func(err error) { persisted <- err })
		go func() { errs <- b.shards[i].Batch(bt) }()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		// A shard that failed never calls back; the change is not durable
		// and the caller retries it (applying is idempotent).
		return nil, first
	}
	return func(ctx context.Context) error {
		for range n {
			select {
			case err := <-persisted:
				if err != nil {
					return err
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}, nil
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
// has several terms, it retries with any term, best-matching first. Every
// shard is searched at once; their best hits are merged.
func (b *Bleve) Search(ctx context.Context, q Query) (Results, error) {
	terms := QueryTerms(q.Text)
	if len(terms) == 0 || q.Size <= 0 {
		return Results{}, nil
	}
	res, err := b.search(ctx, q, terms, false)
	if err != nil || res.Total > 0 || len(terms) == 1 {
		return res, err
	}
	res, err = b.search(ctx, q, terms, true)
	res.AnyOf = true
	return res, err
}

func (b *Bleve) search(ctx context.Context, q Query, terms []Token, anyOf bool) (Results, error) {
	per := make([]*shardSearch, len(b.shards))
	errs := make([]error, len(b.shards))
	var wg sync.WaitGroup
	for i, sh := range b.shards {
		wg.Go(func() { per[i], errs[i] = searchShard(ctx, sh, q.Kind, terms, q.Size, anyOf) })
	}
	wg.Wait()
	defer func() {
		for _, s := range per {
			if s != nil {
				s.close()
			}
		}
	}()
	type merged struct {
		shard int
		hit   shardHit
	}
	var all []merged
	var out Results
	for i, s := range per {
		if errs[i] != nil {
			return Results{}, errs[i]
		}
		out.Total += s.total
		for _, h := range s.hits {
			all = append(all, merged{i, h})
		}
	}
	slices.SortFunc(all, func(x, y merged) int {
		switch {
		case x.hit.score > y.hit.score:
			return -1
		case x.hit.score < y.hit.score:
			return 1
		}
		return cmp.Compare(x.shard, y.shard)*2 + cmp.Compare(x.hit.key, y.hit.key)
	})
	all = all[:min(len(all), q.Size)]
	out.Hits = make([]Hit, 0, len(all))
	for _, m := range all {
		ext, err := per[m.shard].externalID(m.hit.key)
		if err != nil {
			return Results{}, err
		}
		if _, i, ok := parseDocID(ext); ok {
			out.Hits = append(out.Hits, Hit{ID: i, Score: m.hit.score})
		}
	}
	return out, nil
}

func (b *Bleve) Count() (uint64, error) {
	var n uint64
	for _, s := range b.shards {
		c, err := s.DocCount()
		if err != nil {
			return 0, err
		}
		n += c
	}
	return n, nil
}

func (b *Bleve) Close() error {
	var first error
	for _, s := range b.shards {
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

var _ Index = (*Bleve)(nil)
