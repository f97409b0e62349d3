package recommend

import (
	"cmp"
	"context"
	"hash/maphash"
	"math"
	"slices"
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
	// Similar notes.
	if len(hist) > 0 {
		acc := map[int32]*simScore{}
		m.knn.Similar(hist, hw, acc)
		list := make([]Scored, 0, len(acc))
		for i, sc := range acc {
			list = append(list, Scored{i, sc.score})
		}
		slices.SortFunc(list, func(a, b Scored) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Item, b.Item)) })
		for _, sc := range normalize(list[:min(n, len(list))]) {
			out = append(out, Candidate{NoteID: c.ids[sc.Item], Score: sc.Score,
				Reason: Reason{Source: "similar", BecauseNoteID: c.ids[acc[sc.Item].because]}})
		}
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
		u, trained := m.users[user]
		if trained || len(mh) > 0 {
			vec := m.bpr.FoldIn(mh, mw)
			if trained {
				tv := m.bpr.UserVec(int(u))
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
			scores := make([]float32, min(len(m.noteOf), ModelServeItems))
			m.bpr.Score(vec, scores)
			for _, sc := range normalize(topN(scores, n, nil)) {
				out = append(out, Candidate{NoteID: c.ids[m.noteOf[sc.Item]], Score: sc.Score, Reason: Reason{Source: "model"}})
			}
		}
	}
	return out, nil
}

// recommender is the configured Recommender.
func (s *Service) recommender() Recommender {
	if s.opt.External != nil {
		return s.opt.External
	}
	return embedded{s}
}

// cand is a note being ranked.
type cand struct {
	idx     int32
	score   float32
	fresh   bool
	reasons []reasonScore
}

type reasonScore struct {
	r Reason
	w float32
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

	s.mu.RLock()
	page := s.rank(p, learned, seen, sess.seed, limit, now)
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
func (s *Service) rank(p *profile, learned []Candidate, seen seenSet, seed uint64, limit int, now time.Time) []Item {
	c := s.cat
	cands := map[int32]*cand{}
	add := func(i int32, score float32, r Reason) {
		w := sourceWeight[r.Source] * score
		x := cands[i]
		if x == nil {
			x = &cand{idx: i}
			cands[i] = x
		}
		x.score += w
		x.reasons = append(x.reasons, reasonScore{r, w})
		if r.Source == "fresh" {
			x.fresh = true
		}
	}
	for _, l := range learned {
		if i := c.index(l.NoteID); i >= 0 {
			add(i, l.Score, l.Reason)
		}
	}
	nowMS := now.UnixMilli()
	recency := func(i int32, halfLifeDays float64) float32 {
		return float32(math.Pow(0.5, math.Max(0, float64(nowMS-c.at[i]))/86_400_000/halfLifeDays))
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
		if ai, ok := c.authorIdx[a.a]; ok {
			for _, i := range c.byAuthor[ai][:min(5, len(c.byAuthor[ai]))] {
				add(i, min(1, a.w/AuthorSaturation)*recency(i, 14), Reason{Source: "author", AuthorID: a.a})
			}
		}
	}
	nf := 0
	for a := range p.follows {
		if nf >= 2*CandidatesPerSource {
			break
		}
		if ai, ok := c.authorIdx[a]; ok {
			for _, i := range c.byAuthor[ai][:min(4, len(c.byAuthor[ai]))] {
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
	list := make([]*cand, 0, len(cands))
	for i, x := range cands {
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
		for _, t := range c.noteTopics(i) {
			ht += p.hiddenTopics[c.topics[t]]
		}
		if ht > 0 {
			x.score *= float32(math.Max(HideTopicFloor, math.Pow(HideTopicFactor, float64(ht))))
		}
		if p.impressions[nid] >= ImpressionsBeforeDemote {
			x.score *= IgnoredFactor
		}
		list = append(list, x)
	}
	slices.SortFunc(list, func(a, b *cand) int { return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.idx, a.idx)) })
	return s.diversify(list, limit)
}

var jitterSeed = maphash.MakeSeed()

// diversify picks a page from best-first candidates: at most MaxPerAuthor
// notes per author and a third of the page per topic, with FreshShare of
// the page for fresh notes spread through it. When the pool cannot fill
// a page under the caps, the rest is filled best-first regardless.
func (s *Service) diversify(list []*cand, limit int) []Item {
	c := s.cat
	maxTopic := max(1, limit/3)
	byAuthor := map[int32]int{}
	byTopic := map[int32]int{}
	taken := map[int32]bool{}
	ok := func(x *cand) bool {
		if byAuthor[c.author[x.idx]] >= MaxPerAuthor {
			return false
		}
		for _, t := range c.noteTopics(x.idx) {
			if byTopic[t] >= maxTopic {
				return false
			}
		}
		return true
	}
	take := func(x *cand) {
		taken[x.idx] = true
		byAuthor[c.author[x.idx]]++
		for _, t := range c.noteTopics(x.idx) {
			byTopic[t]++
		}
	}
	quota := int(math.Ceil(float64(limit) * FreshShare))
	var fresh, rest []*cand
	for _, x := range list {
		if len(fresh) < quota && x.fresh && ok(x) {
			take(x)
			fresh = append(fresh, x)
		}
	}
	for _, x := range list {
		if len(rest)+len(fresh) >= limit {
			break
		}
		if !taken[x.idx] && ok(x) {
			take(x)
			rest = append(rest, x)
		}
	}
	for _, x := range list {
		if len(rest)+len(fresh) >= limit {
			break
		}
		if !taken[x.idx] {
			take(x)
			rest = append(rest, x)
		}
	}
	// Spread the fresh picks evenly through the page.
	page := make([]*cand, 0, len(rest)+len(fresh))
	step := (len(rest) + len(fresh)) / max(1, len(fresh)+1)
	for len(rest) > 0 || len(fresh) > 0 {
		if len(fresh) > 0 && (len(rest) == 0 || (len(page)+1)%max(step, 1) == 0) {
			page, fresh = append(page, fresh[0]), fresh[1:]
			continue
		}
		page, rest = append(page, rest[0]), rest[1:]
	}
	out := make([]Item, len(page))
	for i, x := range page {
		slices.SortStableFunc(x.reasons, func(a, b reasonScore) int { return cmp.Compare(b.w, a.w) })
		var rs []Reason
		for _, r := range x.reasons {
			if len(rs) == 2 {
				break
			}
			if len(rs) == 1 && rs[0].Source == r.r.Source {
				continue
			}
			rs = append(rs, r.r)
		}
		out[i] = Item{NoteID: c.ids[x.idx], Reasons: rs}
	}
	return out
}
