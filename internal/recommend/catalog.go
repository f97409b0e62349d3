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
// int32 indexes and parallel slices, no per-note pointers or maps, so a
// million notes take about 25 MiB (docs/discovery.md has the sums).
// Notes get an index in id order at a build; notes published later are
// appended by sync (extra).
type catalog struct {
	ids   []id.ID // note index → id; ids[:nBase] ascending
	nBase int
	extra map[id.ID]int32
	// bucket[b] is the first note whose id − ids[0] ≥ b << shift: index
	// searches one bucket (~16 notes) instead of a million.
	bucket []int32
	shift  uint
	author []int32  // note → author index
	at     []uint32 // published, Unix seconds (half the size of milliseconds; fits until 2106)

	topicsOf *topicRows // note → topic indexes

	authors      []id.ID // author index → id; authors[:nBaseAuthors] ascending
	nBaseAuthors int
	extraAuthors map[id.ID]int32 // authors first seen by sync
	topics       []string
	topicIdx     map[string]int32

	// Each author's newest notes, newest first (≤ perAuthor): compressed
	// rows from the build, and the lists sync has changed since.
	aOff, aNotes []int32
	aSynced      map[int32][]int32

	byTopic  [][]int32 // a topic's best notes by quality (≤ perTopic)
	newTopic [][]int32 // a topic's newest notes, newest first (≤ perTopicNew)
	popular  []int32   // best notes by quality with a short half-life
	fresh    []int32   // newest notes, newest first (≤ freshCap)

	built time.Time
}

const (
	// perAuthor is what the author and following sources read of an
	// author's newest notes (5 and 4).
	perAuthor   = 5
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
	// catalogSlack is room kept at the end of the per-note slices so the
	// notes sync appends between builds do not reallocate them.
	catalogSlack = 4096
)

// index returns a note's index, or -1.
func (c *catalog) index(n id.ID) int32 {
	if c.nBase > 0 && n >= c.ids[0] && n <= c.ids[c.nBase-1] {
		b := uint64(n-c.ids[0]) >> c.shift
		lo, hi := c.bucket[b], c.bucket[b+1]
		if i, ok := slices.BinarySearch(c.ids[lo:hi], n); ok {
			return lo + int32(i)
		}
	}
	if i, ok := c.extra[n]; ok {
		return i
	}
	return -1
}

// buildBuckets makes the bucket table: about one bucket per 16 notes
// (ids are time-ordered, so buckets are as even as publishing is).
func (c *catalog) buildBuckets() {
	n := c.nBase
	if n == 0 {
		return
	}
	span := uint64(c.ids[n-1] - c.ids[0])
	c.shift = 0
	for span>>c.shift >= uint64(max(n/16, 1)) {
		c.shift++
	}
	nb := int(span>>c.shift) + 1
	c.bucket = make([]int32, nb+1)
	i := 0
	for b := 0; b <= nb; b++ {
		for i < n && uint64(c.ids[i]-c.ids[0])>>c.shift < uint64(b) {
			i++
		}
		c.bucket[b] = int32(i)
	}
}

// noteTopics returns note i's topic indexes in buf (grown if needed).
func (c *catalog) noteTopics(i int32, buf []int32) []int32 { return c.topicsOf.row(i, buf) }

// authorIndex returns an author's index.
func (c *catalog) authorIndex(uid id.ID) (int32, bool) {
	if a, ok := slices.BinarySearch(c.authors[:c.nBaseAuthors], uid); ok {
		return int32(a), true
	}
	a, ok := c.extraAuthors[uid]
	return a, ok
}

// authorNotes returns an author's newest notes, newest first.
func (c *catalog) authorNotes(a int32) []int32 {
	if l, ok := c.aSynced[a]; ok {
		return l
	}
	if int(a) >= c.nBaseAuthors {
		return nil
	}
	return c.aNotes[c.aOff[a]:c.aOff[a+1]]
}

// quality is a note's engagement decayed by age (seconds).
func quality(eng float32, at, now int64, halfLifeDays float64) float32 {
	age := math.Max(0, float64(now-at)/86_400)
	return float32((1 + math.Log1p(float64(eng))) * math.Pow(0.5, age/halfLifeDays))
}

func unixSeconds(ms int64) uint32 { return uint32(min(max(ms/1000, 0), math.MaxUint32)) }

// authorOf returns an author's index, adding one first seen by sync.
func (c *catalog) authorOf(uid id.ID) int32 {
	if a, ok := c.authorIndex(uid); ok {
		return a
	}
	a := int32(len(c.authors))
	c.authors = append(c.authors, uid)
	c.extraAuthors[uid] = a
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
	at         int64 // ms
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

// topicsOf loads the topic names of notes with ids in (after, upTo] (sync).
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

func count(ctx context.Context, d *db.DB, q string, args ...any) (int, error) {
	var n int64
	err := d.Reader(ctx).QueryRow(ctx, q, args...).Scan(&n)
	return int(n), err
}

// loadCatalog reads every published note and its topics. The per-note
// slices are sized from a count first, so they are allocated once.
func loadCatalog(ctx context.Context, d *db.DB, now time.Time) (*catalog, error) {
	n, err := count(ctx, d, "SELECT COUNT(*) FROM notes WHERE status = 'published'")
	if err != nil {
		return nil, err
	}
	c := &catalog{extra: map[id.ID]int32{}, extraAuthors: map[id.ID]int32{}, topicIdx: map[string]int32{},
		aSynced: map[int32][]int32{}, built: now}
	n += catalogSlack
	c.ids, c.author, c.at = make([]id.ID, 0, n), make([]int32, 0, n), make([]uint32, 0, n)
	eng := make([]float32, 0, n) // only the lists need it
	// Authors get indexes in order of appearance, then are renumbered in
	// id order so lookups are binary searches, not a map.
	byFirst := map[id.ID]int32{}
	err = scanNotes(ctx, d, 0, 0, func(r noteRow) {
		a, ok := byFirst[r.author]
		if !ok {
			a = int32(len(c.authors))
			byFirst[r.author] = a
			c.authors = append(c.authors, r.author)
		}
		c.ids = append(c.ids, r.id)
		c.author = append(c.author, a)
		c.at = append(c.at, unixSeconds(r.at))
		eng = append(eng, r.eng)
	})
	if err != nil {
		return nil, err
	}
	byFirst = nil
	c.nBase = len(c.ids)
	c.buildBuckets()
	c.sortAuthors()

	if err := c.loadTopics(ctx, d); err != nil {
		return nil, err
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
			eng[i] += 0.5 * float32(k)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c.buildLists(eng, now.Unix())
	return c, nil
}

// sortAuthors renumbers the authors in id order.
func (c *catalog) sortAuthors() {
	order := make([]int32, len(c.authors))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c.authors[a] < c.authors[b] {
			return -1
		}
		return 1
	})
	renum := make([]int32, len(order))
	sorted := make([]id.ID, len(order), len(order)+catalogSlack/4)
	for x, old := range order {
		renum[old] = int32(x)
		sorted[x] = c.authors[old]
	}
	for i, a := range c.author {
		c.author[i] = renum[a]
	}
	c.authors, c.nBaseAuthors = sorted, len(sorted)
}

// loadTopics fills the notes' topic rows: topic ids from note_topics in
// note order (no name per row), names from topics.
func (c *catalog) loadTopics(ctx context.Context, d *db.DB) error {
	names := map[int64]string{}
	rows, err := d.Reader(ctx).Query(ctx, "SELECT id, name FROM topics")
	if err != nil {
		return err
	}
	for rows.Next() {
		var tid int64
		var name string
		if err := rows.Scan(&tid, &name); err != nil {
			rows.Close()
			return err
		}
		names[tid] = name
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	pairs, err := count(ctx, d, "SELECT COUNT(*) FROM note_topics")
	if err != nil {
		return err
	}
	c.topicsOf = newTopicRows(c.nBase+catalogSlack, pairs+catalogSlack, len(names))
	byID := map[int64]int32{}
	rows, err = d.Reader(ctx).Query(ctx, "SELECT note_id, topic_id FROM note_topics ORDER BY note_id")
	if err != nil {
		return err
	}
	defer rows.Close()
	// Rows arrive in note order, so the rows fill in one pass: close the
	// rows before a note when its first topic arrives.
	done, cur, n := 0, -1, 0
	closeTo := func(i int) {
		for ; done < i; done++ {
			c.topicsOf.endRow()
		}
	}
	for rows.Next() {
		var nid id.ID
		var tid int64
		if err := rows.Scan(&nid, &tid); err != nil {
			return err
		}
		x := c.index(nid)
		if x < 0 {
			continue // a draft's topics
		}
		i := int(x)
		if i != cur {
			closeTo(i)
			cur, n = i, 0
		}
		t, ok := byID[tid]
		if !ok {
			name, known := names[tid]
			if !known {
				continue // a topic created after the names were read
			}
			t = c.topicOf(name)
			byID[tid] = t
		}
		if n < 255 {
			c.topicsOf.add(t)
			n++
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	closeTo(c.nBase)
	return nil
}

// buildLists builds the per-author, per-topic, popular and fresh lists
// (now in Unix seconds), with transient memory of a few bytes per note.
func (c *catalog) buildLists(eng []float32, now int64) {
	n := c.nBase
	// Authors' newest notes: count, cap, then fill walking from the newest.
	nA := len(c.authors)
	c.aOff = make([]int32, nA+1)
	for _, a := range c.author[:n] {
		c.aOff[a+1]++
	}
	for a := 0; a < nA; a++ {
		c.aOff[a+1] = c.aOff[a] + min(c.aOff[a+1], perAuthor)
	}
	c.aNotes = make([]int32, c.aOff[nA])
	fill := make([]int32, nA)
	for i := n - 1; i >= 0; i-- {
		a := c.author[i]
		if f := fill[a]; c.aOff[a]+f < c.aOff[a+1] {
			c.aNotes[c.aOff[a]+f] = int32(i)
			fill[a]++
		}
	}
	fill = nil

	// Topics: every topic's notes in note order (a counting sort), then
	// the newest and the best of each.
	nT := len(c.topics)
	start := make([]int32, nT+1)
	var buf []int32
	for i := 0; i < n; i++ {
		buf = c.noteTopics(int32(i), buf)
		for _, t := range buf {
			start[t+1]++
		}
	}
	for t := 0; t < nT; t++ {
		start[t+1] += start[t]
	}
	flat := make([]int32, start[nT])
	pos := slices.Clone(start[:nT])
	for i := 0; i < n; i++ {
		buf = c.noteTopics(int32(i), buf)
		for _, t := range buf {
			flat[pos[t]] = int32(i)
			pos[t]++
		}
	}
	q := make([]float32, n)
	for i := range q {
		q[i] = quality(eng[i], int64(c.at[i]), now, topicHalfLifeDays)
	}
	for t := 0; t < nT; t++ {
		seg := flat[start[t]:start[t+1]]
		k := min(len(seg), perTopicNew)
		newest := make([]int32, k)
		for x := range newest {
			newest[x] = seg[len(seg)-1-x]
		}
		c.newTopic[t] = newest
		c.byTopic[t] = topByQuality(q, seg, perTopic)
	}
	flat, pos, start = nil, nil, nil

	// Popular: the same with a short half-life over all notes.
	// (q[j] for j < i is already the popular quality when i is offered.)
	h := qualityHeap{q: q, l: make([]int32, 0, min(n, popularCap))}
	for i := 0; i < n; i++ {
		q[i] = quality(eng[i], int64(c.at[i]), now, popularHalfLifeDays)
		h.offer(int32(i), popularCap)
	}
	slices.SortFunc(h.l, h.better)
	c.popular = h.l

	c.fresh = make([]int32, 0, freshCap)
	for i := n - 1; i >= 0 && len(c.fresh) < freshCap; i-- {
		if now-int64(c.at[i]) < int64(FreshAge/time.Second) {
			c.fresh = append(c.fresh, int32(i))
		}
	}
}

// topByQuality returns the k notes of l with the best q, best first
// (ties: the newer first).
func topByQuality(q []float32, l []int32, k int) []int32 {
	h := qualityHeap{q: q, l: make([]int32, 0, min(k, len(l)))}
	for _, i := range l {
		h.offer(i, k)
	}
	slices.SortFunc(h.l, h.better)
	return h.l
}

// qualityHeap keeps the best k notes by q: a min-heap whose root is the
// weakest kept.
type qualityHeap struct {
	q []float32
	l []int32
}

// better orders best first: higher quality, then the newer (higher index).
func (h qualityHeap) better(a, b int32) int {
	switch {
	case h.q[a] > h.q[b]:
		return -1
	case h.q[a] < h.q[b]:
		return 1
	}
	return int(b - a)
}

func (h *qualityHeap) offer(i int32, k int) {
	if len(h.l) < k {
		h.l = append(h.l, i)
		for x := len(h.l) - 1; x > 0; {
			p := (x - 1) / 2
			if h.better(h.l[p], h.l[x]) > 0 {
				break // the parent is worse: heap order holds
			}
			h.l[p], h.l[x] = h.l[x], h.l[p]
			x = p
		}
		return
	}
	if k == 0 || h.better(i, h.l[0]) >= 0 {
		return
	}
	h.l[0] = i
	for x := 0; ; {
		l, w := 2*x+1, x
		if l < len(h.l) && h.better(h.l[l], h.l[w]) > 0 {
			w = l
		}
		if r := l + 1; r < len(h.l) && h.better(h.l[r], h.l[w]) > 0 {
			w = r
		}
		if w == x {
			return
		}
		h.l[x], h.l[w] = h.l[w], h.l[x]
		x = w
	}
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
	c.at = append(c.at, unixSeconds(r.at))
	for _, name := range topics[:min(len(topics), 255)] {
		t := c.topicOf(name)
		c.topicsOf.add(t)
		c.newTopic[t] = prepend(c.newTopic[t], i, perTopicNew)
	}
	c.topicsOf.endRow()
	c.aSynced[a] = prepend(c.authorNotes(a), i, perAuthor)
	c.fresh = prepend(c.fresh, i, freshCap)
}

// prepend puts v first in a capped newest-first list, copying so readers
// holding the old slice never see it change.
func prepend(l []int32, v int32, cap_ int) []int32 {
	out := make([]int32, 0, min(len(l)+1, cap_))
	out = append(out, v)
	return append(out, l[:min(len(l), cap_-1)]...)
}
