package seed

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
)

// plan is what to generate. Demo and Large are two plans for one engine.
type plan struct {
	users, notes                       int
	follows, likes, collects, comments int
	covers, avatars                    int
	// mediaPerNote gives every note image its own media row owned by the
	// author (the demo, where people may edit their notes); otherwise notes
	// share one row per cover (the benchmark set).
	mediaPerNote bool
	// events adds comment likes, shares and notifications (the demo).
	events bool
	known  []KnownUser
	// password is every generated account's password (hashed once).
	password string
	seed     uint64
	span     time.Duration // how far back the community's history goes
	out      *progress
}

// KnownUser is an account with a password people are told about.
type KnownUser struct {
	Username, Password, DisplayName, Role string
	// Active users post, follow and interact like everyone else; an
	// operator account stays quiet.
	Active bool
	// Notes is how many notes the user authors at least.
	Notes int
	// Boards are the user's named collections, when chosen by hand.
	Boards []string
}

type userInfo struct {
	id       id.ID
	created  int64
	lang     lang
	cat      category
	inactive bool
	name     string
}

type noteInfo struct {
	id      id.ID
	created int64
	author  int32
	lang    lang
	cat     category
}

type cover struct {
	key, thumb    string
	width, height int
	size          int64
	mediaID       id.ID // shared row, when not mediaPerNote
}

// event is something that notifies someone (demo only).
type event struct {
	at          int64
	user, actor int32
	kind        string
	note        int32 // -1 when none
	comment     id.ID
}

type engine struct {
	a      *app.App
	d      *db.DB
	p      plan
	r      *rand.Rand
	w      writer
	start  int64 // ms
	end    int64 // ms; every seeded row is older than this
	users  []userInfo
	rank   []int32 // users by popularity, most popular first
	rankOf []int32
	// prolific orders users by how much they write, most first.
	prolific []int32
	notes    []noteInfo
	nrank    []int32 // notes by popularity
	topics   map[string]id.ID
	covers   [numCategories][]cover
	avatar   []string

	userIDs, noteIDs, mediaIDs, topicIDs, boardIDs, commentIDs, notifIDs, shareIDs minter

	events []event
	report Report
	t0     time.Time
}

func newEngine(a *app.App, p plan) *engine {
	now := time.Now().UnixMilli() - time.Minute.Milliseconds()
	r := rand.New(rand.NewPCG(p.seed, 0x5eed))
	return &engine{
		a: a, d: a.DB, p: p, r: r, w: writer{r: r, memo: map[string]string{}},
		start: now - p.span.Milliseconds(), end: now, t0: time.Now(),
	}
}

func (e *engine) validate() error {
	switch {
	case e.p.users < len(e.p.known)+2:
		return fmt.Errorf("need at least %d users", len(e.p.known)+2)
	case e.p.users > 1_000_000 || e.p.notes > maxRowsPerTable || e.p.comments > maxRowsPerTable:
		return fmt.Errorf("at most 1,000,000 users and %d notes and comments", maxRowsPerTable)
	case len(e.p.password) < accounts.PasswordMin:
		return fmt.Errorf("the password must have at least %d characters", accounts.PasswordMin)
	case e.p.notes < 1 || e.p.follows < 0 || e.p.likes < 0 || e.p.collects < 0 || e.p.comments < 0:
		return fmt.Errorf("sizes must not be negative, and there must be notes")
	case e.p.covers < int(numCategories) || e.p.avatars < 0:
		return fmt.Errorf("need at least %d covers (one per category)", numCategories)
	case e.p.mediaPerNote && e.p.notes*6 > maxRowsPerTable:
		return fmt.Errorf("too many notes for one media row per image")
	}
	return nil
}

// phase times fn and records its row count for the summary.
func (e *engine) phase(name string, total int64, fn func(add func(int)) error) error {
	t0 := time.Now()
	bar := e.p.out.start(name, total)
	var rows int64
	err := fn(func(n int) { rows += int64(n); bar.add(n) })
	bar.finish()
	if err != nil {
		return fmt.Errorf("seed %s: %w", name, err)
	}
	e.report.Phases = append(e.report.Phases, Phase{Name: name, Rows: rows, Elapsed: time.Since(t0)})
	e.report.Total = time.Since(e.t0)
	return nil
}

// run draws the pictures and loads the rows.
func (e *engine) run(ctx context.Context) error {
	if err := e.images(ctx); err != nil {
		return err
	}
	return e.load(ctx)
}

// load writes every row and then the counters; images must be drawn first.
func (e *engine) load(ctx context.Context) error {
	steps := []func(context.Context) error{
		e.insertUsers, e.insertTopics, e.insertNotes, e.insertFollows, e.insertLikesAndCollects, e.insertComments,
	}
	if e.p.events {
		steps = append(steps, e.insertShares, e.insertNotifications)
	}
	steps = append(steps, e.recount, e.levels)
	for _, s := range steps {
		if err := s(ctx); err != nil {
			return err
		}
	}
	return nil
}

// skew picks an index in [0, n) with a power law: small indices (the top
// of a popularity ranking) come up far more often than large ones.
func (e *engine) skew(n int, alpha float64) int {
	return min(n-1, int(float64(n)*math.Pow(e.r.Float64(), alpha)))
}

func (e *engine) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + e.r.Int64N(hi-lo)
}

// weights are activity levels: log-normal, with a few very heavy users.
func (e *engine) weights(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = math.Exp(e.r.NormFloat64())
		if e.r.IntN(200) == 0 {
			w[i] *= 30
		}
	}
	return w
}

// quotas splits total among items in proportion to weights, none above
// limit; the rounding remainder goes to random items with room left.
func (e *engine) quotas(weights []float64, total, limit int) []int32 {
	q := make([]int32, len(weights))
	if len(weights) == 0 || limit <= 0 {
		return q
	}
	var sum float64
	for _, w := range weights {
		sum += w
	}
	given := 0
	for i, w := range weights {
		k := min(limit, int(float64(total)*w/sum))
		q[i] = int32(k)
		given += k
	}
	for given < total {
		before := given
		for _, i := range e.r.Perm(len(q)) {
			if given == total {
				break
			}
			if int(q[i]) < limit {
				q[i]++
				given++
			}
		}
		if given == before {
			break // everyone is full
		}
	}
	return q
}

// images draws the cover pool and the avatars and writes them to the media
// store, on all cores. Each picture has its own random source, so the
// result does not depend on scheduling.
func (e *engine) images(ctx context.Context) error {
	if err := e.validate(); err != nil {
		return err
	}
	store := e.a.Media.Store()
	type job struct {
		cat  category
		n    int
		avat bool
	}
	var jobs []job
	for i := range e.p.covers {
		jobs = append(jobs, job{cat: category(i % int(numCategories)), n: i})
	}
	for i := range e.p.avatars {
		jobs = append(jobs, job{cat: category(i % int(numCategories)), n: i, avat: true})
	}
	results := make([]cover, len(jobs))
	return e.phase("images", int64(len(jobs)), func(add func(int)) error {
		var mu sync.Mutex
		var firstErr error
		var wg sync.WaitGroup
		next := make(chan int)
		// A worker or two beyond the cores keeps them busy while others
		// wait for the store to sync a file.
		for range runtime.GOMAXPROCS(0) + 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					j := jobs[i]
					r := rand.New(rand.NewPCG(e.p.seed, uint64(i)+1))
					c, err := drawCover(ctx, store, r, j.cat, j.n, j.avat)
					mu.Lock()
					if err != nil && firstErr == nil {
						firstErr = err
					}
					results[i] = c
					add(1)
					mu.Unlock()
				}
			}()
		}
		for i := range jobs {
			if ctx.Err() != nil {
				break
			}
			next <- i
		}
		close(next)
		wg.Wait()
		if firstErr != nil {
			return firstErr
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		for i, j := range jobs {
			if j.avat {
				e.avatar = append(e.avatar, "/media/"+results[i].key)
			} else {
				e.covers[j.cat] = append(e.covers[j.cat], results[i])
			}
		}
		return nil
	})
}

// drawCover renders one picture and its thumbnail and stores both. Covers
// are 720 wide (3:4 mostly) with a 480-wide thumbnail; avatars are square.
func drawCover(ctx context.Context, store media.Store, r *rand.Rand, c category, n int, avatar bool) (cover, error) {
	s := newScene(r, c)
	w, h, tw := 720, 960, 480
	name := "c" + strconv.Itoa(int(c)) + "-" + strconv.Itoa(n)
	if avatar {
		w, h, tw = 320, 320, 160
		name = "avatar-" + strconv.Itoa(n)
	} else {
		a := aspects[r.IntN(len(aspects))]
		h = w * a.h / a.w
	}
	cv := cover{key: "seed/" + name + ".jpg", thumb: "seed/" + name + "_t.jpg", width: w, height: h}
	full, err := encodeJPEG(s.render(w, h))
	if err != nil {
		return cv, err
	}
	thumb, err := encodeJPEG(s.render(tw, h*tw/w))
	if err != nil {
		return cv, err
	}
	cv.size = int64(len(full))
	if err := store.Put(ctx, cv.key, bytes.NewReader(full), "image/jpeg"); err != nil {
		return cv, err
	}
	return cv, store.Put(ctx, cv.thumb, bytes.NewReader(thumb), "image/jpeg")
}
