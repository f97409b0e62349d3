package recommend

import (
	"cmp"
	"context"
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
)

// Reason says why a note is in the feed, for "why am I seeing this".
type Reason struct {
	// Source is similar, model, topic, following, author, fresh or popular.
	Source        string `json:"source"`
	BecauseNoteID id.ID  `json:"because_note_id,omitempty"` // similar: the note you engaged with
	Topic         string `json:"topic,omitempty"`           // topic: the topic you like
	AuthorID      id.ID  `json:"author_id,omitempty"`       // following, author: the account
}

// Item is one note of a page with its reasons, strongest first.
type Item struct {
	NoteID  id.ID
	Reasons []Reason
}

// Page is a page of the feed; Next continues the session ("" at the end).
type Page struct {
	Items []Item
	Next  string
}

// Candidate is a note proposed by a Recommender with a score in (0, 1].
type Candidate struct {
	NoteID id.ID
	Score  float32
	// Weight is the source's weight in the blend; 0 takes the default of
	// Reason.Source (WeightSimilar, WeightModel, …).
	Weight float32
	Reason Reason
}

// Recommender is the pluggable, learned part of candidate generation.
// The embedded one answers from item-kNN and BPR in memory; an external
// engine (Gorse: GET /api/recommend/{user}, POST /api/feedback) can be a
// drop-in through Options.External. Rule-based sources (topics, authors,
// following, fresh, popular), negative feedback, diversity and sessions
// stay in the Service either way.
type Recommender interface {
	// Recommend proposes up to n notes per source for the user, given
	// their latest positive notes (oldest first) and weights. Scores are
	// normalised per source to (0, 1]; Reason.Source names the source.
	Recommend(ctx context.Context, user id.ID, history []id.ID, weights []float32, n int) ([]Candidate, error)
	// Feedback passes client events on as they arrive.
	Feedback(ctx context.Context, user id.ID, events []Event) error
}

var sourceWeight = map[string]float32{
	"similar": WeightSimilar, "model": WeightModel, "topic": WeightTopic, "following": WeightFollowing,
	"author": WeightAuthor, "fresh": WeightFresh, "popular": WeightPopular,
}

// embedded is the in-process Recommender over the service's models.
type embedded struct{ s *Service }

func (e embedded) Feedback(context.Context, id.ID, []Event) error { return nil }

func (e embedded) Recommend(_ context.Context, user id.ID, history []id.ID, weights []float32, n int) ([]Candidate, error) {
	s := e.s
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, m := s.cat, s.mod
	if c == nil || m == nil {
		return nil, nil
	}
	var hist []int32
	var hw []float32
	for x, nid := range history {
		if i := c.index(nid); i >= 0 && i < int32(m.builtFor) {
			hist = append(hist, i)
			hw = append(hw, weights[x])
		}
	}
	var out []Candidate
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	// Neighbour-list sources: similar notes, EASE (the head of the
	// catalogue) and what readers engaged with next after the latest
	// notes; their reasons name the note they come from.
	if len(hist) > 0 {
		out = sc.neighbours(out, c, m.knn, hist, hw, n, m.w.similar)
		out = sc.neighbours(out, c, m.ease, hist, hw, n, m.w.ease)
		sh, sw := seqHistory(hist, m.w.seqDecay)
		out = sc.neighbours(out, c, m.seq, sh, sw, n, m.w.sequence)
	}
	// The model: the trained user vector when there is one, moved toward
	// what the user engaged with lately (fold-in), so the model reacts
	// between trainings.
	if m.bpr != nil {
		var mh []int32
		var mw []float32
		for x, i := range hist {
			if mi := m.modelItem(i); mi >= 0 {
				mh = append(mh, mi)
				mw = append(mw, hw[x])
			}
		}
		u, trained := m.userIndex(user)
		if trained || len(mh) > 0 {
			vec := m.bpr.FoldIn(mh, mw)
			if trained {
				tv := m.bpr.UserVec(u)
				for f := range vec {
					if len(mh) > 0 {
						vec[f] = 0.5*tv[f] + 0.5*vec[f]
					} else {
						vec[f] = tv[f]
					}
				}
			}
			// Retrieval scans the ModelServeItems most engaged notes (the
			// model's items are ordered by engagement); the long tail is
			// reached through similar notes, topics and fresh notes.
			scores := slices.Grow(sc.scores[:0], ModelServeItems)[:min(len(m.noteOf), ModelServeItems)]
			sc.scores = scores
			m.bpr.Score(vec, scores)
			if m.w.model > 0 {
				for _, sc := range normalize(topN(scores, n, nil)) {
					out = append(out, Candidate{NoteID: c.ids[m.noteOf[sc.Item]], Score: sc.Score, Weight: m.w.model,
						Reason: Reason{Source: "model"}})
				}
			}
		}
	}
	// Trending: what readers engage with now (a new reader's learned
	// source too).
	if m.w.trending > 0 {
		l := m.trending[:min(n, len(m.trending))]
		for r, i := range l {
			out = append(out, Candidate{NoteID: c.ids[i], Score: 1 - 0.9*float32(r)/float32(max(len(l)-1, 1)),
				Weight: m.w.trending, Reason: Reason{Source: "popular"}})
		}
	}
	return out, nil
}

// neighbours adds a neighbour-list source's best n for a history, scores
// normalised, with the source's weight (nothing when it is 0).
func (sc *scratch) neighbours(out []Candidate, c *catalog, k *KNN, hist []int32, hw []float32, n int, w float32) []Candidate {
	if w <= 0 || k == nil {
		return out
	}
	acc := &sc.sim
	acc.reset()
	k.Similar(hist, hw, acc)
	list := acc.s
	slices.SortFunc(list, func(a, b simScore) int { return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.item, b.item)) })
	list = list[:min(n, len(list))]
	best := sc.scored[:0]
	for _, x := range list {
		best = append(best, Scored{x.item, x.score})
	}
	for x, s := range normalize(best) {
		out = append(out, Candidate{NoteID: c.ids[s.Item], Score: s.Score, Weight: w,
			Reason: Reason{Source: "similar", BecauseNoteID: c.ids[list[x].because]}})
	}
	sc.scored = best
	return out
}

// recommender is the configured Recommender.
func (s *Service) recommender() Recommender {
	if s.opt.External != nil {
		return s.opt.External
	}
	return embedded{s}
}

// Booster lifts chosen authors' new notes in the feed (support programs,
// internal/support). Boosts answers, for a reader at now, each boosted
// author's factor and the oldest publication time (Unix s) it applies
// to; a reader held out of a program is not given its boost. It must not
// block: the ranking waits for it.
type Booster interface {
	Boosts(viewer id.ID, now time.Time) map[id.ID]Boost
}

// Boost is one author's lift: notes published at or after Since score
// Factor times more.
type Boost struct {
	Factor float32
	Since  int64
}

// cand is a note being ranked; its reasons are a list in the request's
// pool (first, last: indexes, −1 for none).
type cand struct {
	idx         int32
	score       float32
	fresh       bool
	taken       bool
	first, last int32
}

type reasonScore struct {
	r    Reason
	w    float32
	next int32
}

// scratch is a request's working memory, reused through scratchPool so
// a page allocates little beyond its result.
type scratch struct {
	sim    simAcc
	scored []Scored
	scores []float32

	cands    []cand
	pos      map[int32]int32 // note index → cands
	reasons  []reasonScore
	byAuthor map[int32]int
	byTopic  map[int32]int
	page     []int32 // cands of the page, in order
	keys     []sortKey
	sorted   []cand
	topicBuf []int32
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{pos: map[int32]int32{}, byAuthor: map[int32]int{}, byTopic: map[int32]int{}, topicBuf: make([]int32, 0, 16)}
}}

// add proposes note i from a source: score × the source's weight adds to
// its score, and the reason joins its list.
func (sc *scratch) add(i int32, score float32, r Reason) {
	sc.addWeighted(i, sourceWeight[r.Source]*score, r)
}

// addWeighted proposes note i with an already weighted score w.
func (sc *scratch) addWeighted(i int32, w float32, r Reason) {
	x, ok := sc.pos[i]
	if !ok {
		x = int32(len(sc.cands))
		sc.pos[i] = x
		sc.cands = append(sc.cands, cand{idx: i, first: -1, last: -1})
	}
	c := &sc.cands[x]
	c.score += w
	ri := int32(len(sc.reasons))
	sc.reasons = append(sc.reasons, reasonScore{r: r, w: w, next: -1})
	if c.last >= 0 {
		sc.reasons[c.last].next = ri
	} else {
		c.first = ri
	}
	c.last = ri
	if r.Source == "fresh" {
		c.fresh = true
	}
}

// sortCands orders candidates best first (score, then the newer note).
// Scores are never negative, so their bits order like the numbers: a
// uint64 key (score, note index) per candidate compares several times
// faster than the fields.
func (sc *scratch) sortCands(list []cand) []cand {
	keys := sc.keys[:0]
	for x, c := range list {
		keys = append(keys, sortKey{uint64(math.Float32bits(max(c.score, 0)))<<32 | uint64(uint32(c.idx)), int32(x)})
	}
	slices.SortFunc(keys, func(a, b sortKey) int {
		if a.key > b.key {
			return -1
		}
		if a.key < b.key {
			return 1
		}
		return 0
	})
	sorted := sc.sorted[:0]
	for _, k := range keys {
		sorted = append(sorted, list[k.pos])
	}
	sc.keys, sc.sorted = keys, sorted
	return sorted
}

type sortKey struct {
	key uint64
	pos int32
}

// topReasons returns a candidate's strongest reason and the strongest of
// another source (the earlier on ties).
func (sc *scratch) topReasons(c *cand) []Reason {
	best := int32(-1)
	for r := c.first; r >= 0; r = sc.reasons[r].next {
		if best < 0 || sc.reasons[r].w > sc.reasons[best].w {
			best = r
		}
	}
	if best < 0 {
		return nil
	}
	second := int32(-1)
	for r := c.first; r >= 0; r = sc.reasons[r].next {
		if sc.reasons[r].r.Source != sc.reasons[best].r.Source && (second < 0 || sc.reasons[r].w > sc.reasons[second].w) {
			second = r
		}
	}
	if second < 0 {
		return []Reason{sc.reasons[best].r}
	}
	return []Reason{sc.reasons[best].r, sc.reasons[second].r}
}

// Discover returns a page of the feed for viewer (0: signed out). The
// cursor is "" for a new session or the Next of the previous page.
func (s *Service) Discover(ctx context.Context, viewer id.ID, cursor string, limit int) (Page, error) {
	if err := checkCursor(cursor); err != nil {
		return Page{}, err
	}
	if limit < 1 || limit > 50 {
		return Page{}, apperr.Invalid("limit must be 1–50")
	}
	if err := s.ready(ctx); err != nil {
		return Page{}, err
	}
	if err := s.syncNotes(ctx); err != nil {
		return Page{}, err
	}
	now := time.Now()
	token, sess, _ := s.sessions.get(cursor, viewer, now)
	seen := s.sessions.seenSet(sess)

	var p *profile
	if viewer != 0 {
		var err error
		if p, err = s.profile(ctx, viewer); err != nil {
			return Page{}, err
		}
		p.mu.Lock()
		defer p.mu.Unlock()
	} else {
		p = newProfile(0)
	}
	hist, hw := p.history()
	learned, err := s.recommender().Recommend(ctx, viewer, hist, hw, CandidatesPerSource)
	if err != nil {
		return Page{}, err
	}

	var boosts map[id.ID]Boost
	if s.Booster != nil {
		boosts = s.Booster.Boosts(viewer, now)
	}
	s.mu.RLock()
	sc := scratchPool.Get().(*scratch)
	page := s.rank(sc, p, learned, seen, sess.seed, limit, now, boosts)
	scratchPool.Put(sc)
	s.mu.RUnlock()

	ids := make([]id.ID, len(page))
	for i, it := range page {
		ids[i] = it.NoteID
	}
	s.sessions.markSeen(sess, ids)
	out := Page{Items: page}
	if len(page) == limit {
		out.Next = token
	}
	return out, nil
}

// rank merges the sources, applies feedback and diversifies (s.mu and
// p.mu held).
func (s *Service) rank(sc *scratch, p *profile, learned []Candidate, seen seenSet, seed uint64, limit int, now time.Time,
	boosts map[id.ID]Boost) []Item {
	c := s.cat
	sc.cands, sc.reasons = sc.cands[:0], sc.reasons[:0]
	clear(sc.pos)
	add := sc.add
	for _, l := range learned {
		if i := c.index(l.NoteID); i >= 0 {
			if l.Weight > 0 {
				sc.addWeighted(i, l.Weight*l.Score, l.Reason)
			} else {
				add(i, l.Score, l.Reason)
			}
		}
	}
	nowS := now.Unix()
	recency := func(i int32, halfLifeDays float64) float32 {
		return float32(math.Pow(0.5, math.Max(0, float64(nowS-int64(c.at[i])))/86_400/halfLifeDays))
	}

	// Topics: behaviour plus onboarding interests, minus hides.
	aff := map[string]float32{}
	for t, w := range p.topics {
		aff[t] += w
	}
	for _, t := range p.interest {
		aff[t] += InterestWeight
	}
	type tw struct {
		t string
		w float32
	}
	var tops []tw
	for t, w := range aff {
		w *= float32(math.Pow(HideTopicFactor, float64(p.hiddenTopics[t])))
		if _, ok := c.topicIdx[t]; ok && w > 0 {
			tops = append(tops, tw{t, w})
		}
	}
	slices.SortFunc(tops, func(a, b tw) int { return cmp.Or(cmp.Compare(b.w, a.w), cmp.Compare(a.t, b.t)) })
	tops = tops[:min(len(tops), 6)]
	for _, t := range tops {
		ti := c.topicIdx[t.t]
		best, newest := c.byTopic[ti], c.newTopic[ti]
		per := CandidatesPerSource / len(tops)
		done := map[int32]bool{}
		// Two of the topic's best notes, then one of its newest, and so on.
		for r, bi, ni := 0, 0, 0; r < per; r++ {
			var i int32
			switch {
			case r%3 == 2 && ni < len(newest):
				i, ni = newest[ni], ni+1
			case bi < len(best):
				i, bi = best[bi], bi+1
			case ni < len(newest):
				i, ni = newest[ni], ni+1
			default:
				r = per
				continue
			}
			if !done[i] {
				done[i] = true
				add(i, min(1, t.w/TopicSaturation)*(1-0.5*float32(r)/float32(per)), Reason{Source: "topic", Topic: t.t})
			}
		}
	}

	// Following, then other authors the reader engages with.
	type aw struct {
		a id.ID
		w float32
	}
	var authors []aw
	for a, w := range p.authors {
		if !p.follows[a] && p.hiddenAuthors[a] == 0 && w > 0 {
			authors = append(authors, aw{a, w})
		}
	}
	slices.SortFunc(authors, func(x, y aw) int { return cmp.Or(cmp.Compare(y.w, x.w), cmp.Compare(x.a, y.a)) })
	authors = authors[:min(len(authors), 10)]
	for _, a := range authors {
		if ai, ok := c.authorIndex(a.a); ok {
			l := c.authorNotes(ai)
			for _, i := range l[:min(5, len(l))] {
				add(i, min(1, a.w/AuthorSaturation)*recency(i, 14), Reason{Source: "author", AuthorID: a.a})
			}
		}
	}
	nf := 0
	for a := range p.follows {
		if nf >= 2*CandidatesPerSource {
			break
		}
		if ai, ok := c.authorIndex(a); ok {
			l := c.authorNotes(ai)
			for _, i := range l[:min(4, len(l))] {
				add(i, recency(i, 3), Reason{Source: "following", AuthorID: a})
				nf++
			}
		}
	}

	// Exploration: fresh notes with a per-session jitter, so different
	// sessions give exposure to different new notes; and popular notes.
	jitter := func(i int32) float32 {
		return float32(maphash.Comparable(jitterSeed, uint64(c.ids[i])^seed)%1000) / 1000
	}
	for _, i := range c.fresh[:min(len(c.fresh), 3*CandidatesPerSource)] {
		add(i, 0.3+0.7*jitter(i), Reason{Source: "fresh"})
	}
	for r, i := range c.popular[:min(len(c.popular), 3*CandidatesPerSource)] {
		add(i, 1-0.6*float32(r)/float32(3*CandidatesPerSource)+0.2*jitter(i), Reason{Source: "popular"})
	}

	// Filter and apply negative feedback.
	list := sc.cands[:0]
	for _, x := range sc.cands {
		i := x.idx
		nid := c.ids[i]
		author := c.authors[c.author[i]]
		if seen.has(nid) || p.hidden[nid] || author == p.user {
			continue
		}
		if _, ok := p.pos[nid]; ok {
			continue
		}
		if n := p.hiddenAuthors[author]; n > 0 {
			x.score *= float32(math.Pow(HideAuthorFactor, float64(n)))
		}
		ht := 0
		for _, t := range c.noteTopics(i, sc.topicBuf) {
			ht += p.hiddenTopics[c.topics[t]]
		}
		if ht > 0 {
			x.score *= float32(math.Max(HideTopicFloor, math.Pow(HideTopicFactor, float64(ht))))
		}
		if p.impressions[nid] >= ImpressionsBeforeDemote {
			x.score *= IgnoredFactor
		}
		if b, ok := boosts[author]; ok && int64(c.at[i]) >= b.Since {
			x.score *= b.Factor
		}
		list = append(list, x)
	}
	return s.diversify(sc, sc.sortCands(list), limit)
}

var jitterSeed = maphash.MakeSeed()

// diversify picks a page from best-first candidates: at most MaxPerAuthor
// notes per author and a third of the page per topic, with FreshShare of
// the page for fresh notes spread through it. When the pool cannot fill
// a page under the caps, the rest is filled best-first regardless.
func (s *Service) diversify(sc *scratch, list []cand, limit int) []Item {
	c := s.cat
	maxTopic := max(1, limit/3)
	byAuthor, byTopic := sc.byAuthor, sc.byTopic
	clear(byAuthor)
	clear(byTopic)
	ok := func(x *cand) bool {
		if byAuthor[c.author[x.idx]] >= MaxPerAuthor {
			return false
		}
		for _, t := range c.noteTopics(x.idx, sc.topicBuf) {
			if byTopic[t] >= maxTopic {
				return false
			}
		}
		return true
	}
	take := func(x *cand) {
		x.taken = true
		byAuthor[c.author[x.idx]]++
		for _, t := range c.noteTopics(x.idx, sc.topicBuf) {
			byTopic[t]++
		}
	}
	quota := int(math.Ceil(float64(limit) * FreshShare))
	// fresh and rest are positions in list.
	var fresh, rest []int32
	for x := range list {
		if len(fresh) < quota && list[x].fresh && ok(&list[x]) {
			take(&list[x])
			fresh = append(fresh, int32(x))
		}
	}
	for x := range list {
		if len(rest)+len(fresh) >= limit {
			break
		}
		if !list[x].taken && ok(&list[x]) {
			take(&list[x])
			rest = append(rest, int32(x))
		}
	}
	for x := range list {
		if len(rest)+len(fresh) >= limit {
			break
		}
		if !list[x].taken {
			take(&list[x])
			rest = append(rest, int32(x))
		}
	}
	// Spread the fresh picks evenly through the page.
	page := sc.page[:0]
	step := (len(rest) + len(fresh)) / max(1, len(fresh)+1)
	for len(rest) > 0 || len(fresh) > 0 {
		if len(fresh) > 0 && (len(rest) == 0 || (len(page)+1)%max(step, 1) == 0) {
			page, fresh = append(page, fresh[0]), fresh[1:]
			continue
		}
		page, rest = append(page, rest[0]), rest[1:]
	}
	sc.page = page
	out := make([]Item, len(page))
	for i, x := range page {
		out[i] = Item{NoteID: c.ids[list[x].idx], Reasons: sc.topReasons(&list[x])}
	}
	return out
}
