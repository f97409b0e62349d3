package recommend

import (
	"cmp"
	"container/list"
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/id"
)

// A profile is what the feed knows about one reader's taste: recent
// positive notes, affinities to topics and authors, follows, onboarding
// interests and negative feedback. Topic and author affinities are keyed
// by name and user id, not catalog index, so they survive rebuilds.
// Older actions count less: a weight halves every ProfileHalfLife.
type profile struct {
	mu     sync.Mutex
	user   id.ID
	loaded time.Time

	// Watermarks of the incremental reads (refresh).
	likeAt, collectAt, followAt int64
	commentID, orderID, eventID id.ID

	pos      map[id.ID]posEntry // notes engaged with
	recent   []id.ID            // latest positive notes, oldest first (≤ 2·HistoryLen)
	topics   map[string]float32
	authors  map[id.ID]float32
	follows  map[id.ID]bool
	interest []string

	hidden        map[id.ID]bool
	hiddenAuthors map[id.ID]int
	hiddenTopics  map[string]int
	impressions   map[id.ID]uint8
}

const (
	// ProfileHalfLife is how fast old actions fade from a profile.
	ProfileHalfLife = 30 * 24 * time.Hour
	// profileRows caps each table's rows read when a profile loads: the
	// latest actions are the ones that matter, and it bounds the memory a
	// heavy user's profile takes.
	profileRows = 300
	// maxImpressions and maxPositives bound the maps of a profile: a
	// heavy user's profile stays under about 40 KiB.
	maxImpressions = 500
	maxPositives   = 400
	// maxNoteWeight caps what one note adds to a profile.
	maxNoteWeight = 10
	// InterestWeight is an onboarding interest's topic affinity: about as
	// much as liking a few notes of the topic.
	InterestWeight = 4
)

// posEntry is a note's accumulated weight and the kinds of action already
// counted: a like (or collect, comment, share) counts once per note even
// when both the client's event and the table row report it, or when an
// overlapping refresh reads the row again. Opens and dwells add up.
type posEntry struct {
	w     float32
	kinds uint16
}

func newProfile(user id.ID) *profile {
	return &profile{user: user, pos: map[id.ID]posEntry{}, topics: map[string]float32{}, authors: map[id.ID]float32{},
		follows: map[id.ID]bool{}, hidden: map[id.ID]bool{}, hiddenAuthors: map[id.ID]int{}, hiddenTopics: map[string]int{},
		impressions: map[id.ID]uint8{}}
}

// empty reports whether the profile has no signal at all (cold start).
func (p *profile) empty() bool {
	return len(p.pos) == 0 && len(p.follows) == 0 && len(p.interest) == 0 && len(p.authors) == 0
}

func decay(at int64, now time.Time) float32 {
	age := now.Sub(time.UnixMilli(at))
	if age <= 0 {
		return 1
	}
	return float32(math.Pow(0.5, age.Hours()/ProfileHalfLife.Hours()))
}

// noteInfo is what applying an action needs about its note.
type noteInfo struct {
	author id.ID
	topics []string
}

// apply folds one action into the profile (p.mu held). info is nil for
// a note the catalog does not know (deleted): only the note itself is
// remembered then.
func (p *profile) apply(k Kind, note id.ID, dwellMS int, at int64, info *noteInfo, now time.Time) {
	switch {
	case k == KindImpression:
		if len(p.impressions) >= maxImpressions {
			clear(p.impressions)
		}
		if p.impressions[note] < 255 {
			p.impressions[note]++
		}
		return
	case k.negative():
		p.hidden[note] = true
		if info != nil {
			p.hiddenAuthors[info.author]++
			for _, t := range info.topics {
				p.hiddenTopics[t]++
			}
		}
		return
	case k == KindFollow:
		// note is the followed account here.
		p.follows[note] = true
		p.authors[note] += actionWeight[KindFollow] * decay(at, now)
		return
	case k == KindBuy:
		// note is the store owner here: buying says something about them.
		p.authors[note] += actionWeight[KindBuy] * decay(at, now)
		return
	}
	w := actionWeight[k]
	if k == KindDwell {
		if dwellMS < DwellMinMS {
			return
		}
		w *= min(1.5, float32(dwellMS)/DwellFullMS+0.5)
	}
	w *= decay(at, now)
	e, ok := p.pos[note]
	bit := uint16(1) << k
	if e.kinds&bit != 0 && k != KindOpen && k != KindDwell {
		return
	}
	if !ok {
		if len(p.pos) >= maxPositives {
			p.forgetOldPositives()
		}
		p.recent = append(p.recent, note)
		if len(p.recent) > 2*HistoryLen {
			p.recent = append(p.recent[:0], p.recent[len(p.recent)-HistoryLen:]...)
		}
	}
	if e.w >= maxNoteWeight {
		return // repeated opens of one note stop adding up
	}
	e.w += w
	e.kinds |= bit
	p.pos[note] = e
	if info != nil {
		p.authors[info.author] += w / 2
		for _, t := range info.topics {
			p.topics[t] += w / 2
		}
	}
}

// forgetOldPositives keeps only the notes of the recent list (p.mu held):
// an old liked note may then be proposed again, which its "liked" state
// on the card makes harmless.
func (p *profile) forgetOldPositives() {
	keep := make(map[id.ID]posEntry, len(p.recent))
	for _, n := range p.recent {
		keep[n] = p.pos[n]
	}
	p.pos = keep
}

// history returns the latest positive notes, oldest first, with weights
// that combine the action strength and recency.
func (p *profile) history() ([]id.ID, []float32) {
	r := p.recent
	if len(r) > HistoryLen {
		r = r[len(r)-HistoryLen:]
	}
	ids := append([]id.ID(nil), r...)
	w := recencyWeights(len(ids))
	for i, n := range ids {
		w[i] *= float32(math.Min(2, 0.5+float64(p.pos[n].w)/2))
	}
	return ids, w
}

// profileCache keeps the most recently used profiles.
type profileCache struct {
	mu  sync.Mutex
	max int
	ll  *list.List // front: most recent
	m   map[id.ID]*list.Element
}

func newProfileCache(max int) *profileCache {
	return &profileCache{max: max, ll: list.New(), m: map[id.ID]*list.Element{}}
}

func (c *profileCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

// get returns the cached profile of user, creating an unloaded one.
func (c *profileCache) get(user id.ID) *profile {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[user]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*profile)
	}
	p := newProfile(user)
	c.m[user] = c.ll.PushFront(p)
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.m, old.Value.(*profile).user)
	}
	return p
}

// peek returns the cached profile of user, or nil.
func (c *profileCache) peek(user id.ID) *profile {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[user]; ok {
		return e.Value.(*profile)
	}
	return nil
}

// info looks a note up in the catalog (s.mu not held).
func (s *Service) info(n id.ID) *noteInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.cat == nil {
		return nil
	}
	i := s.cat.index(n)
	if i < 0 {
		return nil
	}
	ni := &noteInfo{author: s.cat.authors[s.cat.author[i]]}
	for _, t := range s.cat.noteTopics(i, nil) {
		ni.topics = append(ni.topics, s.cat.topics[t])
	}
	return ni
}

// profile returns user's profile, loaded in full when new or older than
// ProfileTTL, and otherwise brought up to date with what the user did
// since the last request (one query).
func (s *Service) profile(ctx context.Context, user id.ID) (*profile, error) {
	p := s.profiles.get(user)
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.loaded.IsZero() || now.Sub(p.loaded) > s.opt.ProfileTTL {
		fresh := newProfile(user)
		if err := s.load(ctx, fresh, now); err != nil {
			return nil, err
		}
		fresh.loaded = now
		p.adopt(fresh)
		return p, nil
	}
	return p, s.refresh(ctx, p, now)
}

// adopt replaces p's contents with q's (p.mu held).
func (p *profile) adopt(q *profile) {
	p.loaded, p.likeAt, p.collectAt, p.followAt = q.loaded, q.likeAt, q.collectAt, q.followAt
	p.commentID, p.orderID, p.eventID = q.commentID, q.orderID, q.eventID
	p.pos, p.recent, p.topics, p.authors, p.follows, p.interest = q.pos, q.recent, q.topics, q.authors, q.follows, q.interest
	p.hidden, p.hiddenAuthors, p.hiddenTopics, p.impressions = q.hidden, q.hiddenAuthors, q.hiddenTopics, q.impressions
}

// action is one row of the profile queries: kind, the note (or account),
// dwell, when, and the row's id or time for the watermark.
type action struct {
	kind  Kind
	ref   id.ID
	dwell int
	at    int64
	mark  int64
	event bool // from rec_events (mark is the event id)
}

func (s *Service) queryActions(ctx context.Context, event bool, q string, args ...any) ([]action, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []action
	for rows.Next() {
		var a action
		if err := rows.Scan(&a.kind, &a.ref, &a.dwell, &a.at, &a.mark); err != nil {
			return nil, err
		}
		a.event = event
		out = append(out, a)
	}
	return out, rows.Err()
}

// paidOrders are the reader's paid orders with the store owner.
const paidOrders = `SELECT 11, s.owner_id, 0, o.paid_at, o.id FROM orders o JOIN stores s ON s.id = o.store_id
	WHERE o.user_id = ? AND o.paid_at > 0 AND o.id > ?`

// load reads a profile from the tables: the latest profileRows of each
// kind of action, the interests and the client events.
func (s *Service) load(ctx context.Context, p *profile, now time.Time) error {
	var all []action
	for x, q := range []struct {
		q    string
		args []any
	}{
		{"SELECT 4, note_id, 0, created_at, created_at FROM likes WHERE user_id = ? ORDER BY created_at DESC LIMIT ?", []any{p.user, profileRows}},
		{"SELECT 5, note_id, 0, created_at, created_at FROM collects WHERE user_id = ? ORDER BY created_at DESC LIMIT ?", []any{p.user, profileRows}},
		{"SELECT 6, note_id, 0, created_at, id FROM comments WHERE author_id = ? AND deleted = 0 ORDER BY id DESC LIMIT ?", []any{p.user, profileRows}},
		{"SELECT 10, followee_id, 0, created_at, created_at FROM follows WHERE follower_id = ? ORDER BY created_at DESC LIMIT ?", []any{p.user, 1000}},
		{paidOrders + " ORDER BY o.id DESC LIMIT ?", []any{p.user, 0, profileRows}},
		{"SELECT kind, note_id, dwell_ms, at, id FROM rec_events WHERE user_id = ? ORDER BY id DESC LIMIT ?", []any{p.user, 4 * profileRows}},
	} {
		acts, err := s.queryActions(ctx, x == 5, q.q, q.args...)
		if err != nil {
			return err
		}
		all = append(all, acts...)
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT topic FROM user_interests WHERE user_id = ? ORDER BY topic", p.user)
	if err != nil {
		return err
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		p.interest = append(p.interest, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	s.applyAll(p, all, now)
	return nil
}

// refresh applies what the user did since the watermarks, in one query.
// Rows written up to refreshOverlap before a watermark are read again (a
// transaction may commit after a later one); the per-note kinds in pos
// and the follow set keep re-read rows from counting twice.
func (s *Service) refresh(ctx context.Context, p *profile, now time.Time) error {
	const overlap = 10_000 // ms
	acts, err := s.queryActions(ctx, false, `
		SELECT 4, note_id, 0, created_at, created_at FROM likes WHERE user_id = ? AND created_at > ?
		UNION ALL SELECT 5, note_id, 0, created_at, created_at FROM collects WHERE user_id = ? AND created_at > ?
		UNION ALL SELECT 6, note_id, 0, created_at, id FROM comments WHERE author_id = ? AND id > ? AND deleted = 0
		UNION ALL SELECT 10, followee_id, 0, created_at, created_at FROM follows WHERE follower_id = ? AND created_at > ?
		UNION ALL `+paidOrders,
		p.user, p.likeAt-overlap, p.user, p.collectAt-overlap, p.user, p.commentID-id.ID(overlap<<22),
		p.user, p.followAt-overlap, p.user, p.orderID)
	if err != nil {
		return err
	}
	s.applyAll(p, acts, now)
	return nil
}

// applyAll applies actions oldest first and moves the watermarks.
func (s *Service) applyAll(p *profile, acts []action, now time.Time) {
	// Oldest first, so the recent list ends with the latest.
	slices.SortStableFunc(acts, func(a, b action) int { return cmp.Compare(a.at, b.at) })
	for _, a := range acts {
		if a.kind == KindFollow && p.follows[a.ref] {
			p.followAt = max(p.followAt, a.mark)
			continue
		}
		var info *noteInfo
		if a.kind != KindFollow && a.kind != KindBuy {
			info = s.info(a.ref)
		}
		p.apply(a.kind, a.ref, a.dwell, a.at, info, now)
		if a.event {
			p.eventID = max(p.eventID, id.ID(a.mark))
			continue
		}
		switch a.kind {
		case KindLike:
			p.likeAt = max(p.likeAt, a.mark)
		case KindCollect:
			p.collectAt = max(p.collectAt, a.mark)
		case KindComment:
			p.commentID = max(p.commentID, id.ID(a.mark))
		case KindFollow:
			p.followAt = max(p.followAt, a.mark)
		case KindBuy:
			p.orderID = max(p.orderID, id.ID(a.mark))
		}
	}
}
