// Package recommend is the discover feed (D1): it keeps an in-memory
// picture of the notes and of each active reader's taste, merges
// candidates from several sources (similar notes by co-visitation, a BPR
// model, topic and author affinity, following, fresh notes, popular
// notes), applies negative feedback, diversifies each page and remembers
// what a session has shown. Client events arrive through Record; actions
// taken on the server (likes, collects, comments, follows, purchases) are
// read from their own tables, incrementally, when a reader asks for a page,
// so new behaviour changes the next page without waiting for a retrain.
// docs/discovery.md describes the algorithms and constants.
package recommend

import (
	"context"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Options tune the service; zero values take the defaults.
type Options struct {
	// RebuildEvery is how often the catalog is reloaded and the models
	// retrained in the background (default 15 min).
	RebuildEvery time.Duration
	// TrainWindow is how far back interactions train the models (180 days).
	TrainWindow time.Duration
	// MaxModelItems caps the notes BPR learns (200,000).
	MaxModelItems int
	BPR           BPRConfig
	// MaxProfiles caps the readers whose profiles stay in memory (2048).
	MaxProfiles int
	// ProfileTTL is how long a profile lives before it is reloaded in
	// full, which is when un-likes and late-paid orders are noticed (10 min).
	ProfileTTL time.Duration
	// SessionTTL and MaxSessions bound the server-side session state
	// (30 min of inactivity, 20,000 sessions).
	SessionTTL  time.Duration
	MaxSessions int
	// External, when set, replaces the embedded similar/model sources
	// (e.g. a Gorse client).
	External Recommender
	// BuildGCPercent is the GOGC a build runs under (10; negative: leave
	// the collector alone). A build's SQL scans make garbage fast (boxed
	// column values, about 10 M rows at 1 M notes), and at the default
	// 100 the whole process's heap may grow to twice its live size before
	// a collection; collecting more often during the build keeps the peak
	// RSS down at the cost of more GC cycles (the build's own arrays hold
	// no pointers, so they cost a cycle nothing to mark). It is restored
	// afterwards, and never raised.
	BuildGCPercent int
}

func (o Options) withDefaults() Options {
	if o.RebuildEvery <= 0 {
		o.RebuildEvery = 15 * time.Minute
	}
	if o.TrainWindow <= 0 {
		o.TrainWindow = 180 * 24 * time.Hour
	}
	if o.MaxModelItems <= 0 {
		o.MaxModelItems = 200_000
	}
	if o.BPR.Dim <= 0 {
		o.BPR = DefaultBPR
	}
	if o.MaxProfiles <= 0 {
		o.MaxProfiles = 2048
	}
	if o.ProfileTTL <= 0 {
		o.ProfileTTL = 10 * time.Minute
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 30 * time.Minute
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = 20_000
	}
	if o.BuildGCPercent == 0 {
		o.BuildGCPercent = 10
	}
	return o
}

// Service is the discover feed.
type Service struct {
	db  *db.DB
	opt Options

	mu  sync.RWMutex // guards cat and mod (cat is appended to by sync)
	cat *catalog
	mod *models

	buildMu    sync.Mutex // one build at a time
	syncMu     sync.Mutex // one incremental sync at a time
	syncedNote id.ID      // newest note id the catalog has

	profiles *profileCache
	sessions *sessionStore

	// Booster, when set (before use), lifts support programs' notes.
	Booster Booster

	stop chan struct{}
	done chan struct{}
}

// New returns a service; the catalog is built on Start or on first use.
func New(d *db.DB, o Options) *Service {
	o = o.withDefaults()
	return &Service{db: d, opt: o, profiles: newProfileCache(o.MaxProfiles),
		sessions: newSessionStore(o.SessionTTL, o.MaxSessions)}
}

// Progress reports a build phase's progress (for the CLI's bars).
type Progress func(phase string, done, total int)

// Build reloads the catalog and retrains the models, then swaps them in.
// Serving continues on the old ones meanwhile.
func (s *Service) Build(ctx context.Context, progress Progress) error {
	s.buildMu.Lock()
	defer s.buildMu.Unlock()
	if s.opt.BuildGCPercent > 0 {
		defer lowerGC(s.opt.BuildGCPercent)()
	}
	start := time.Now()
	if progress != nil {
		progress("catalog", 0, 1)
	}
	c, err := loadCatalog(ctx, s.db, start)
	if err != nil {
		return err
	}
	if progress != nil {
		progress("catalog", 1, 1)
		progress("interactions", 0, 1)
	}
	mat, users, trend, err := loadMatrix(ctx, s.db, c, start.Add(-s.opt.TrainWindow), start)
	if err != nil {
		return err
	}
	if progress != nil {
		progress("interactions", 1, 1)
	}
	m := trainModels(c, mat, users, trend, s.opt, progress)
	mat, trend = nil, nil
	catBytes := c.Bytes() // before the swap: sync appends to c after it
	s.mu.Lock()
	s.cat, s.mod = c, m
	if c.nBase > 0 {
		s.syncedNote = c.ids[c.nBase-1]
	} else {
		s.syncedNote = 0
	}
	s.mu.Unlock()
	// Hand the build's transient memory (the matrix, the kNN's transposed
	// blocks, BPR's float32 factors) and the previous models back to the
	// OS now instead of holding it until the next build.
	nUsers := len(users)
	debug.FreeOSMemory()
	slog.Info("recommender built", "notes", c.nBase, "interactions", m.triples, "users", nUsers,
		"catalog_mib", catBytes>>20, "models_mib", m.Bytes()>>20, "duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// Builds lower GOGC while any runs (several services may share a process).
var gcBuilds struct {
	sync.Mutex
	n, prev int
}

// lowerGC sets GOGC to at most p until the returned function is called.
func lowerGC(p int) (restore func()) {
	gcBuilds.Lock()
	defer gcBuilds.Unlock()
	if gcBuilds.n == 0 {
		gcBuilds.prev = debug.SetGCPercent(p)
		if gcBuilds.prev < p {
			debug.SetGCPercent(gcBuilds.prev) // already lower, or off (−1): leave it
		}
	}
	gcBuilds.n++
	return func() {
		gcBuilds.Lock()
		defer gcBuilds.Unlock()
		if gcBuilds.n--; gcBuilds.n == 0 {
			debug.SetGCPercent(gcBuilds.prev)
		}
	}
}

// Stats describes the loaded state (for logs and the CLI).
type Stats struct {
	Notes, Interactions, Users, Profiles, Sessions int
	CatalogBytes, ModelBytes                       int64
}

func (s *Service) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Stats{Profiles: s.profiles.len(), Sessions: s.sessions.len()}
	if s.cat != nil {
		st.Notes, st.CatalogBytes = len(s.cat.ids), s.cat.Bytes()
	}
	if s.mod != nil {
		st.Interactions, st.Users, st.ModelBytes = s.mod.triples, len(s.mod.users), s.mod.Bytes()
	}
	return st
}

// ready builds once if nothing is loaded yet (first request, tests).
func (s *Service) ready(ctx context.Context) error {
	s.mu.RLock()
	ok := s.cat != nil
	s.mu.RUnlock()
	if ok {
		return nil
	}
	s.buildMu.Lock()
	s.mu.RLock()
	ok = s.cat != nil
	s.mu.RUnlock()
	s.buildMu.Unlock()
	if ok {
		return nil
	}
	return s.Build(ctx, nil)
}

// Start builds in the background now and every RebuildEvery.
func (s *Service) Start() {
	if s.stop != nil {
		return
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.done)
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-s.stop; cancel() }()
		t := time.NewTicker(s.opt.RebuildEvery)
		defer t.Stop()
		for {
			if err := s.Build(ctx, nil); err != nil && ctx.Err() == nil {
				slog.Error("recommender build failed", "err", err)
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// Close stops the background builds.
func (s *Service) Close() {
	if s.stop != nil {
		close(s.stop)
		<-s.done
		s.stop = nil
	}
}

// syncNotes appends notes published since the last build or sync. It
// runs when a reader asks for a page; when another request is already
// syncing it does not wait.
func (s *Service) syncNotes(ctx context.Context) error {
	if !s.syncMu.TryLock() {
		return nil
	}
	defer s.syncMu.Unlock()
	s.mu.RLock()
	after := s.syncedNote
	s.mu.RUnlock()
	var rows []noteRow
	if err := scanNotes(ctx, s.db, after, 500, func(r noteRow) { rows = append(rows, r) }); err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	topics := map[id.ID][]string{}
	err := topicsOf(ctx, s.db, after, rows[len(rows)-1].id, func(n id.ID, t string) { topics[n] = append(topics[n], t) })
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.syncedNote != after {
		return nil // a build swapped the catalog meanwhile
	}
	for _, r := range rows {
		s.cat.add(r, topics[r.id])
	}
	s.syncedNote = rows[len(rows)-1].id
	return nil
}
