package seed

import (
	"context"
	"math"
	"sort"

	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notify"
)

// imageCounts is how many images a note has: one to four, mostly one to three.
var imageCounts = []int{1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4}

// demoImageCounts is the demo's (each image its own media row): mostly
// two to six, so note pages show their carousel.
var demoImageCounts = []int{1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6}

// insertNotes publishes the notes (with their media, topics and mentions),
// spread over the time after everyone joined, by authors chosen by
// popularity: a few creators write a lot.
func (e *engine) insertNotes(ctx context.Context) error {
	n := e.p.notes
	joined := e.start + e.p.span.Milliseconds()/6
	times := make([]int64, n)
	for i := range times {
		times[i] = e.between(joined, e.end)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	authors := make([]int32, n)
	for i := range authors {
		authors[i] = e.author()
	}
	for k, u := range e.p.known {
		for j := range min(u.Notes, n) {
			authors[(j*n/u.Notes+k)%n] = int32(k)
		}
	}

	mediaCols := []string{"id", "owner_id", "kind", "storage_key", "thumb_key", "content_type", "width", "height", "size_bytes", "created_at"}
	media := newInserter(e.d, "media", mediaCols, "")
	if !e.p.mediaPerNote {
		if err := e.insertCoverPool(ctx, media); err != nil {
			return err
		}
	}
	notes := newInserter(e.d, "notes", []string{"id", "author_id", "status", "kind", "title", "body", "location",
		"cover_media_id", "created_at", "updated_at", "published_at"}, "").after(media)
	noteMedia := newInserter(e.d, "note_media", []string{"note_id", "position", "media_id"}, "").after(notes, media)
	noteTopics := newInserter(e.d, "note_topics", []string{"note_id", "topic_id", "position", "display"}, "").after(notes)
	mentions := newInserter(e.d, "note_mentions", []string{"note_id", "user_id"}, "").after(notes)
	all := []*inserter{media, notes, noteMedia, noteTopics, mentions}

	e.notes = make([]noteInfo, n)
	err := e.phase("notes", int64(n), func(add func(int)) error {
		notes.onRows = add
		return chunked(ctx, e.d, n, 5000, all, func(ctx context.Context, lo, hi int) error {
			for i := lo; i < hi; i++ {
				if err := e.note(ctx, i, times[i], authors[i], media, notes, noteMedia, noteTopics, mentions); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	// Popular authors tend to write popular notes, with plenty of luck.
	score := make([]float64, n)
	for i, nt := range e.notes {
		score[i] = float64(e.rankOf[nt.author]+1) * math.Exp(e.r.NormFloat64())
	}
	e.nrank = make([]int32, n)
	for i := range e.nrank {
		e.nrank[i] = int32(i)
	}
	sort.Slice(e.nrank, func(i, j int) bool { return score[e.nrank[i]] < score[e.nrank[j]] })
	return nil
}

// insertCoverPool gives each cover one shared media row, owned by one of
// the most popular creators.
func (e *engine) insertCoverPool(ctx context.Context, media *inserter) error {
	return chunked(ctx, e.d, 1, 1, []*inserter{media}, func(ctx context.Context, _, _ int) error {
		k := 0
		for c := range numCategories {
			for j := range e.covers[c] {
				cv := &e.covers[c][j]
				owner := e.users[e.rank[k%len(e.rank)]]
				k++
				cv.mediaID = e.mediaIDs.at(e.start)
				if err := media.add(ctx, cv.mediaID, owner.id, "image", cv.key, cv.thumb, "image/jpeg",
					cv.width, cv.height, cv.size, e.start); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (e *engine) note(ctx context.Context, i int, t int64, a int32, media, notes, noteMedia, noteTopics, mentions *inserter) error {
	author := e.users[a]
	l, c := author.lang, author.cat
	if e.r.IntN(100) < 8 {
		l = 1 - l
	}
	if e.r.IntN(100) < 30 {
		c = category(e.r.IntN(int(numCategories)))
	}
	nid := e.noteIDs.at(t)
	e.notes[i] = noteInfo{id: nid, created: t, author: a, lang: l, cat: c}

	var mentioned []int32
	if m := e.r.IntN(100); m < 15 {
		for range 1 + m/12 {
			u := e.activeUser(2.0)
			if u != a && (len(mentioned) == 0 || mentioned[0] != u) {
				mentioned = append(mentioned, u)
			}
		}
	}
	names := make([]string, len(mentioned))
	for k, u := range mentioned {
		names[k] = e.users[u].name
	}
	e.w.begin()
	topics := e.w.topics(l, c)
	title := e.w.title(l, c)
	body := e.w.body(l, c, topics, names)
	loc := e.w.location(l, c)

	// Parents before children: media, then the note, then its rows.
	pool := e.covers[c]
	counts := imageCounts
	if e.p.mediaPerNote {
		counts = demoImageCounts
	}
	k := min(len(pool), pick(e.r, counts))
	first := e.r.IntN(len(pool))
	mids := make([]id.ID, k)
	for pos := range k {
		cv := pool[(first+pos)%len(pool)]
		mids[pos] = cv.mediaID
		if e.p.mediaPerNote {
			mids[pos] = e.mediaIDs.at(t - minute)
			if err := media.add(ctx, mids[pos], author.id, "image", cv.key, cv.thumb, "image/jpeg", cv.width, cv.height,
				cv.size, t-minute); err != nil {
				return err
			}
		}
	}
	if err := notes.add(ctx, nid, author.id, "published", "image", title, body, loc, mids[0], t, t, t); err != nil {
		return err
	}
	for pos, mid := range mids {
		if err := noteMedia.add(ctx, nid, pos, mid); err != nil {
			return err
		}
	}
	seen := map[id.ID]bool{}
	for _, tp := range topics { // in the body's order (writer.body)
		tid := e.topics[topicKey(tp)]
		if seen[tid] {
			continue
		}
		seen[tid] = true
		if err := noteTopics.add(ctx, nid, tid, len(seen)-1, tp); err != nil {
			return err
		}
	}
	for _, u := range mentioned {
		if err := mentions.add(ctx, nid, e.users[u].id); err != nil {
			return err
		}
		e.record(event{at: t, user: u, actor: a, kind: notify.Mention, note: int32(i)})
	}
	return nil
}
