package recommend

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// catalog is the in-memory picture of the published notes the feed ranks:
// compact int32 indexes and parallel slices (no per-note pointers), so a
// million notes take about 40 MiB (docs/discovery.md has the sums).
// Notes get an index in id order at a build; notes published later are
// appended by sync (extra).
type catalog struct {
	ids    []id.ID // note index → id; ids[:nBase] ascending
	nBase  int
	extra  map[id.ID]int32
	author []int32   // note → author index
	at     []int64   // published, Unix ms
	eng    []float32 // engagement: likes + 2·collects + 2·comments + 2·shares at the build

	tOff, tIdx []int32 // note → topic indexes (compressed rows)

	authors   []id.ID
	authorIdx map[id.ID]int32
	topics    []string
	topicIdx  map[string]int32

	byAuthor map[int32][]int32 // an author's newest notes, newest first (≤ perAuthor)
	byTopic  [][]int32         // a topic's best notes by quality (≤ perTopic)
	newTopic [][]int32         // a topic's newest notes, newest first (≤ perTopicNew)
	popular  []int32           // best notes by quality with a short half-life
	fresh    []int32           // newest notes, newest first (≤ freshCap)

	built time.Time
}

const (
	perAuthor   = 30
	perTopic    = 200
	perTopicNew = 50
	popularCap  = 1000
	freshCap    = 1000
	// FreshAge is how young a note must be for the fresh source.
	FreshAge = 72 * time.Hour
	// Quality half-lives: topic lists favour good notes of the last
	// months, the popular list good notes of the last week.
	topicHalfLifeDays   = 30
	popularHalfLifeDays = 7
)

// index returns a note's index, or -1.
func (c *catalog) index(n id.ID) int32 {
	if i, ok := slices.BinarySearch(c.ids[:c.nBase], n); ok {
		return int32(i)
	}
	if i, ok := c.extra[n]; ok {
		return i
	}
	return -1
}

func (c *catalog) noteTopics(i int32) []int32 { return c.tIdx[c.tOff[i]:c.tOff[i+1]] }

// quality is a note's engagement decayed by age.
func quality(eng float32, at, now int64, halfLifeDays float64) float32 {
	age := math.Max(0, float64(now-at)/86_400_000)
	return float32((1 + math.Log1p(float64(eng))) * math.Pow(0.5, age/halfLifeDays))
}

func (c *catalog) authorOf(uid id.ID) int32 {
	if a, ok := c.authorIdx[uid]; ok {
		return a
	}
	a := int32(len(c.authors))
	c.authors = append(c.authors, uid)
	c.authorIdx[uid] = a
	return a
}

func (c *catalog) topicOf(name string) int32 {
	if t, ok := c.topicIdx[name]; ok {
		return t
	}
	t := int32(len(c.topics))
	c.topics = append(c.topics, name)
	c.topicIdx[name] = t
	c.byTopic = append(c.byTopic, nil)
	c.newTopic = append(c.newTopic, nil)
	return t
}

// noteRow is what loading reads about a note.
type noteRow struct {
	id, author id.ID
	at         int64
	eng        float32
}

const noteQuery = `SELECT id, author_id, published_at, like_count, collect_count, comment_count, share_count
	FROM notes WHERE status = 'published' AND id > ? ORDER BY id`

func scanNotes(ctx context.Context, d *db.DB, after id.ID, limit int, fn func(noteRow)) error {
	q := noteQuery
	args := []any{after}
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := d.Reader(ctx).Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r noteRow
		var likes, collects, comments, shares int64
		if err := rows.Scan(&r.id, &r.author, &r.at, &likes, &collects, &comments, &shares); err != nil {
			return err
		}
		if r.at == 0 {
			r.at = r.id.Time().UnixMilli()
		}
		r.eng = float32(likes + 2*collects + 2*comments + 2*shares)
		fn(r)
	}
	return rows.Err()
}

// topicsOf loads the topic names of notes with ids in (after, upTo].
func topicsOf(ctx context.Context, d *db.DB, after, upTo id.ID, fn func(note id.ID, topic string)) error {
	rows, err := d.Reader(ctx).Query(ctx, `SELECT nt.note_id, t.name FROM note_topics nt JOIN topics t ON t.id = nt.topic_id
		WHERE nt.note_id > ? AND nt.note_id <= ? ORDER BY nt.note_id`, after, upTo)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var n id.ID
		var name string
		if err := rows.Scan(&n, &name); err != nil {
			return err
		}
		fn(n, name)
	}
	return rows.Err()
}

// loadCatalog reads every published note and its topics.
func loadCatalog(ctx context.Context, d *db.DB, now time.Time) (*catalog, error) {
	c := &catalog{extra: map[id.ID]int32{}, authorIdx: map[id.ID]int32{}, topicIdx: map[string]int32{},
		byAuthor: map[int32][]int32{}, built: now}
	err := scanNotes(ctx, d, 0, 0, func(r noteRow) {
		c.ids = append(c.ids, r.id)
		c.author = append(c.author, c.authorOf(r.author))
		c.at = append(c.at, r.at)
		c.eng = append(c.eng, r.eng)
	})
	if err != nil {
		return nil, err
	}
	c.nBase = len(c.ids)
	// Topics arrive in note order, so the compressed rows fill in one pass.
	c.tOff = make([]int32, len(c.ids)+1)
	next := 0
	err = topicsOf(ctx, d, 0, id.ID(math.MaxInt64), func(n id.ID, name string) {
		i, ok := slices.BinarySearch(c.ids, n)
		if !ok {
			return // a draft's topics
		}
		for ; next <= i; next++ {
			c.tOff[next] = int32(len(c.tIdx))
		}
		c.tIdx = append(c.tIdx, c.topicOf(name))
	})
	if err != nil {
		return nil, err
	}
	for ; next <= len(c.ids); next++ {
		c.tOff[next] = int32(len(c.tIdx))
	}
	// Signed-out readers' opens and shares count toward popularity (their
	// likes cannot exist): half a point each, from the last week.
	rows, err := d.Reader(ctx).Query(ctx, `SELECT note_id, COUNT(*) FROM rec_events
		WHERE user_id = 0 AND (kind = ? OR kind = ?) AND id >= ? GROUP BY note_id`,
		KindOpen, KindShare, id.At(now.Add(-7*24*time.Hour)))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var n id.ID
		var k int64
		if err := rows.Scan(&n, &k); err != nil {
			rows.Close()
			return nil, err
		}
		if i := c.index(n); i >= 0 {
			c.eng[i] += 0.5 * float32(k)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c.buildLists(now.UnixMilli())
	return c, nil
}

// buildLists builds the per-author, per-topic, popular and fresh lists.
func (c *catalog) buildLists(now int64) {
	n := len(c.ids)
	topicQ := make([]float32, n)
	popQ := make([]float32, n)
	for i := 0; i < n; i++ {
		topicQ[i] = quality(c.eng[i], c.at[i], now, topicHalfLifeDays)
		popQ[i] = quality(c.eng[i], c.at[i], now, popularHalfLifeDays)
	}
	byQ := func(q []float32) func(a, b int32) int {
		return func(a, b int32) int {
			if q[a] != q[b] {
				if q[a] > q[b] {
					return -1
				}
				return 1
			}
			return int(b - a) // newer first
		}
	}
	// Newest first: walk notes from the newest.
	perTopicAll := make([][]int32, len(c.topics))
	for i := n - 1; i >= 0; i-- {
		a := c.author[i]
		if len(c.byAuthor[a]) < perAuthor {
			c.byAuthor[a] = append(c.byAuthor[a], int32(i))
		}
		for _, t := range c.noteTopics(int32(i)) {
			perTopicAll[t] = append(perTopicAll[t], int32(i))
			if len(c.newTopic[t]) < perTopicNew {
				c.newTopic[t] = append(c.newTopic[t], int32(i))
			}
		}
		if len(c.fresh) < freshCap && now-c.at[i] < FreshAge.Milliseconds() {
			c.fresh = append(c.fresh, int32(i))
		}
	}
	for t, l := range perTopicAll {
		slices.SortFunc(l, byQ(topicQ))
		c.byTopic[t] = slices.Clip(l[:min(len(l), perTopic)])
	}
	all := make([]int32, n)
	for i := range all {
		all[i] = int32(i)
	}
	slices.SortFunc(all, byQ(popQ))
	c.popular = slices.Clip(all[:min(n, popularCap)])
}

// add appends a note published after the build (sync holds the write lock).
func (c *catalog) add(r noteRow, topics []string) {
	if c.index(r.id) >= 0 {
		return
	}
	i := int32(len(c.ids))
	c.ids = append(c.ids, r.id)
	c.extra[r.id] = i
	a := c.authorOf(r.author)
	c.author = append(c.author, a)
	c.at = append(c.at, r.at)
	c.eng = append(c.eng, r.eng)
	for _, name := range topics {
		t := c.topicOf(name)
		c.tIdx = append(c.tIdx, t)
		c.newTopic[t] = prepend(c.newTopic[t], i, perTopicNew)
	}
	c.tOff = append(c.tOff, int32(len(c.tIdx)))
	c.byAuthor[a] = prepend(c.byAuthor[a], i, perAuthor)
	c.fresh = prepend(c.fresh, i, freshCap)
}

// prepend puts v first in a capped newest-first list, copying so readers
// holding the old slice never see it change.
func prepend(l []int32, v int32, cap_ int) []int32 {
	out := make([]int32, 0, min(len(l)+1, cap_))
	out = append(out, v)
	return append(out, l[:min(len(l), cap_-1)]...)
}
