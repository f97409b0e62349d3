// Package search is full-text search over notes, products, users and topics
// (D2): Chinese segmented with gse's dictionary, English stemmed,
// typo-tolerant, ranked by relevance blended with engagement and
// freshness, with highlighted snippets and completions as the user types.
//
// Layers:
//   - Index (index.go) is the text engine: it stores Docs and answers
//     relevance queries with ids and scores. Bleve, embedded, under
//     DataDir/search, is the default: Bleve stores, analyses and merges the
//     index (two shards, textfield.go packs each word's title, tags and
//     body statistics into one posting list) and engine.go and suggest.go
//     evaluate queries and completions on its posting lists.
//   - Service (this file) keeps the index in step with the database through
//     the durable outbox (internal/outbox), rebuilds it, and turns hits into
//     results: it blends in engagement and freshness from the database's
//     live counters, drops anything no longer visible (drafts, deleted
//     notes, unlisted products), and computes highlights from the stored
//     text with the same analyzer the index used.
//
// Another engine (Meilisearch, OpenSearch) plugs in by implementing Index
// and passing it to NewWithIndex: Apply maps Docs to its documents (fields
// title, tags, body weighted boostTitle, boostTags, boostBody; suggest and
// pop for completions) and must return only once the engine has
// acknowledged the write (Meilisearch: wait for the task; OpenSearch:
// refresh=wait_for), so the outbox contract holds; Search returns the
// engine's relevance order and scores (any scale: the Service normalises
// them); Suggest is a prefix query on the suggest strings sorted by pop.
// Chinese segmentation then
// comes from the engine (e.g. an IK or jieba plugin); Analyze still drives
// the highlights here, so they may differ slightly from the engine's
// tokens. Ranking, hydration, highlighting and the outbox stay here.
//
// The embedded index is per server. On one server the indexer reads the
// outbox table and deletes the rows it applied; on several, each server's
// indexer reads the outbox through NATS JetStream with a durable consumer
// of its own (internal/changefeed, UseChanges), or they share one external
// engine.
package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/outbox"
)

// Service keeps the index in step with the database and answers searches.
type Service struct {
	db   *db.DB
	dir  string
	open func() (Index, error)

	mu  sync.Mutex
	idx Index

	run     sync.Mutex // one indexer pass at a time (background loop, CatchUp, Rebuild)
	stop    context.CancelFunc
	stopped chan struct{}

	rebuildBatch int // rows per rebuild batch; RebuildBatch when 0 (tests set it)

	changes     Changes // the outbox itself, or this server's stream consumer
	needRebuild bool    // the stream consumer is new: changes before it are unseen
}

// Changes is where the indexer reads what changed: Next returns pending
// events, Done is called once their effect is durable, Wait returns a
// channel closed when there may be more.
type Changes interface {
	Next(ctx context.Context, limit int) ([]outbox.Event, error)
	Done(ctx context.Context, evs []outbox.Event) error
	Wait() <-chan struct{}
}

// IndexedTopics are the outbox topics the index follows.
var IndexedTopics = []string{outbox.Note, outbox.User, outbox.Product}

// UseChanges makes the indexer read c instead of the outbox table; fresh
// means c starts now, so the index is rebuilt from the database first.
// Call it before Start.
func (s *Service) UseChanges(c Changes, fresh bool) {
	s.changes, s.needRebuild = c, fresh
}

// New is the embedded Bleve index under dir, opened on first use.
func New(d *db.DB, dir string) *Service {
	s := &Service{db: d, dir: dir, changes: outbox.NewDirect(d, IndexedTopics...)}
	s.open = func() (Index, error) { return OpenBleve(dir) }
	return s
}

// NewWithIndex uses another engine.
func NewWithIndex(d *db.DB, idx Index) *Service {
	return &Service{db: d, idx: idx, open: func() (Index, error) { return idx, nil }, changes: outbox.NewDirect(d, IndexedTopics...)}
}

// index opens the engine on first use.
func (s *Service) index() (Index, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idx == nil {
		idx, err := s.open()
		if err != nil {
			return nil, err
		}
		s.idx = idx
	}
	return s.idx, nil
}

// builtMarker exists once a full rebuild has completed and names the
// layout it was built in: an index without it (new, a rebuild that was
// interrupted, or an older layout) is rebuilt at start.
func (s *Service) builtMarker() string { return s.dir + ".built" }

// NeedsRebuild reports whether the embedded index is missing or incomplete.
func (s *Service) NeedsRebuild() bool {
	if s.dir == "" {
		return false
	}
	b, err := os.ReadFile(s.builtMarker())
	if err != nil {
		return true
	}
	v, _, _ := strings.Cut(string(b), "\n")
	return v != layoutVersion
}

// Start opens the index and runs the indexer in the background until
// Close: first a rebuild if the index is missing or incomplete, then the
// outbox, applied as it fills. Searches work (on what is indexed so far)
// while a rebuild runs.
func (s *Service) Start() error {
	if _, err := s.index(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stop, s.stopped = cancel, make(chan struct{})
	go s.loop(ctx)
	return nil
}

// PollInterval bounds how long an outbox row written by another process
// (or missed wake-up) waits; rows written here wake the indexer at once.
const PollInterval = time.Second

func (s *Service) loop(ctx context.Context) {
	defer close(s.stopped)
	if s.NeedsRebuild() || s.needRebuild {
		start := time.Now()
		if err := s.Rebuild(ctx, nil); err != nil {
			if ctx.Err() == nil {
				slog.Error("search: rebuild failed", "err", err)
			}
		} else {
			slog.Info("search: index rebuilt", "took", time.Since(start).Round(time.Millisecond))
		}
	}
	t := time.NewTicker(PollInterval)
	defer t.Stop()
	for {
		wake := s.changes.Wait() // before reading, so a commit during CatchUp is not missed
		if _, err := s.CatchUp(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("search: indexing from the outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
	}
}

// Close stops the indexer (after its current batch) and closes the index.
func (s *Service) Close() error {
	s.mu.Lock()
	stop, stopped := s.stop, s.stopped
	s.stop = nil
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-stopped
	}
	s.run.Lock()
	defer s.run.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idx == nil {
		return nil
	}
	err := s.idx.Close()
	s.idx = nil
	return err
}

// BatchSize is how many outbox rows go into one index batch (each waits
// until it is persisted); a rebuild uses RebuildBatch rows per batch.
const (
	BatchSize    = 500
	RebuildBatch = 5000
)

// CatchUp applies every pending outbox event and returns how many it
// applied. Events are deleted only after the index has durably taken the
// batch, so a crash replays them instead of losing them.
func (s *Service) CatchUp(ctx context.Context) (int, error) {
	idx, err := s.index()
	if err != nil {
		return 0, err
	}
	s.run.Lock()
	defer s.run.Unlock()
	total := 0
	for {
		evs, err := s.changes.Next(ctx, BatchSize)
		if err != nil || len(evs) == 0 {
			return total, err
		}
		if err := s.apply(ctx, idx, evs); err != nil {
			return total, err
		}
		if err := s.changes.Done(ctx, evs); err != nil {
			return total, err
		}
		total += len(evs)
	}
}

func (s *Service) apply(ctx context.Context, idx Index, evs []outbox.Event) error {
	byTopic := map[string][]id.ID{}
	seen := map[outbox.Event]bool{}
	for _, e := range evs {
		k := outbox.Event{Topic: e.Topic, Ref: e.Ref}
		if !seen[k] {
			seen[k] = true
			byTopic[e.Topic] = append(byTopic[e.Topic], e.Ref)
		}
	}
	docs, gone, topicIDs, err := s.noteDocs(ctx, byTopic[outbox.Note])
	if err != nil {
		return err
	}
	for _, load := range []func() ([]Doc, []Ref, error){
		func() ([]Doc, []Ref, error) { return s.topicDocs(ctx, topicIDs) },
		func() ([]Doc, []Ref, error) { return s.userDocs(ctx, byTopic[outbox.User]) },
		func() ([]Doc, []Ref, error) { return s.productDocs(ctx, byTopic[outbox.Product]) },
	} {
		d, g, err := load()
		if err != nil {
			return err
		}
		docs, gone = append(docs, d...), append(gone, g...)
	}
	return idx.Apply(ctx, docs, gone)
}

// Rebuild indexes every visible row from the database, table by table in
// id order, RebuildBatch rows per batch. progress (may be nil) is told how many
// rows are done out of the total. The outbox keeps filling meanwhile and is
// applied afterwards, so changes made during the rebuild are not lost.
//
// The next batch is read from the database while the current one is
// indexed, and with the embedded index up to rebuildInFlight batches wait
// to be persisted at once (a rebuild needs durability only at the end, when
// the marker is written, not per batch).
func (s *Service) Rebuild(ctx context.Context, progress func(done, total int)) error {
	idx, err := s.index()
	if err != nil {
		return err
	}
	s.run.Lock()
	defer s.run.Unlock()
	if s.dir != "" {
		if err := os.Remove(s.builtMarker()); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	// Each table is read in pages of RebuildBatch rows in id order: page
	// returns the documents after the id after, the number of rows read
	// and the last id (none when the table is done).
	type page func(ctx context.Context, after id.ID) (docs []Doc, gone []Ref, rows int, last id.ID, err error)
	byIDs := func(q string, load func(ctx context.Context, ids []id.ID) ([]Doc, []Ref, error)) page {
		return func(ctx context.Context, after id.ID) ([]Doc, []Ref, int, id.ID, error) {
			ids, err := s.ids(ctx, q, after)
			if err != nil || len(ids) == 0 {
				return nil, nil, 0, 0, err
			}
			docs, gone, err := load(ctx, ids)
			return docs, gone, len(ids), ids[len(ids)-1], err
		}
	}
	tables := []struct {
		count string
		page  page
	}{
		{"SELECT COUNT(*) FROM notes WHERE status = 'published'",
			func(ctx context.Context, after id.ID) ([]Doc, []Ref, int, id.ID, error) {
				docs, err := s.notesAfter(ctx, after, s.batchRows())
				if err != nil || len(docs) == 0 {
					return nil, nil, 0, 0, err
				}
				return docs, nil, len(docs), docs[len(docs)-1].ID, nil
			}},
		{"SELECT COUNT(*) FROM topics WHERE note_count > 0",
			byIDs("SELECT id FROM topics WHERE note_count > 0 AND id > ? ORDER BY id LIMIT ?", s.topicDocs)},
		{"SELECT COUNT(*) FROM users", byIDs("SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ?", s.userDocs)},
		{"SELECT COUNT(*) FROM products WHERE listed = 1",
			byIDs("SELECT id FROM products WHERE listed = 1 AND id > ? ORDER BY id LIMIT ?", s.productDocs)},
	}
	total, done := 0, 0
	for _, t := range tables {
		var n int
		if err := s.db.Reader(ctx).QueryRow(ctx, t.count).Scan(&n); err != nil {
			return err
		}
		total += n
	}
	if progress != nil {
		progress(0, total)
	}

	type chunk struct {
		rows int
		docs []Doc
		gone []Ref
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan chunk, 1)
	loadErr := make(chan error, 1)
	go func() {
		defer close(chunks)
		loadErr <- func() error {
			for _, t := range tables {
				var after id.ID
				for {
					docs, gone, n, last, err := t.page(ctx, after)
					if err != nil {
						return err
					}
					if n == 0 {
						break
					}
					select {
					case chunks <- chunk{n, docs, gone}:
					case <-ctx.Done():
						return ctx.Err()
					}
					after = last
				}
			}
			return nil
		}()
	}()

	apply := func(docs []Doc, gone []Ref) (func(context.Context) error, error) {
		if b, ok := idx.(*Bleve); ok {
			return b.applyAsync(ctx, docs, gone)
		}
		return func(context.Context) error { return nil }, idx.Apply(ctx, docs, gone)
	}
	var inFlight []func(context.Context) error
	for c := range chunks {
		wait, err := apply(c.docs, c.gone)
		if err != nil {
			return err
		}
		inFlight = append(inFlight, wait)
		if len(inFlight) > rebuildInFlight {
			if err := inFlight[0](ctx); err != nil {
				return err
			}
			inFlight = inFlight[1:]
		}
		done += c.rows
		if progress != nil {
			progress(min(done, total), total)
		}
	}
	if err := <-loadErr; err != nil {
		return err
	}
	for _, wait := range inFlight {
		if err := wait(ctx); err != nil {
			return err
		}
	}
	if s.dir != "" {
		if err := os.WriteFile(s.builtMarker(), []byte(layoutVersion+"\n"+time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
			return fmt.Errorf("mark search index built: %w", err)
		}
	}
	return nil
}

// rebuildInFlight bounds the batches a rebuild has indexed but not yet
// persisted (memory: each is an in-memory segment until then).
const rebuildInFlight = 4

func (s *Service) batchRows() int {
	if s.rebuildBatch > 0 {
		return s.rebuildBatch
	}
	return RebuildBatch
}

func (s *Service) ids(ctx context.Context, q string, after id.ID) ([]id.ID, error) {
	return db.IDs(s.db.Reader(ctx).Query(ctx, q, after, s.batchRows()))
}

// Reset deletes the embedded index so the next open starts empty (the
// reindex command; the server must not be running).
func (s *Service) Reset() error {
	if err := s.Close(); err != nil {
		return err
	}
	if s.dir == "" {
		return nil
	}
	if err := os.Remove(s.builtMarker()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return RemoveBleve(s.dir)
}
