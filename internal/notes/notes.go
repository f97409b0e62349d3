// Package notes owns notes (C2): image and video notes, drafts, #topics,
// @mentions, locations, shares and view counts.
//
// Rules a note follows (the API documents the same):
//   - title at most TitleMax runes, single line, required to publish; body at
//     most BodyMax runes; location at most LocationMax runes;
//   - 1–MaxImages images (the first is the cover, order kept) or exactly one
//     video, never mixed; a draft may have no media; only the author's own
//     uploads may be attached;
//   - topics are the explicit list plus #tags in the title and body (letters,
//     digits and '_' in any script, at most TopicMax runes), matched and
//     grouped case-folded (topics.name) and shown as the author wrote them
//     (display), text #tags first in their order; at most MaxTopics per
//     note; topics.note_count counts published notes;
//   - @username in the body mentions an existing user, who is notified once
//     when the note is published and not again on edits (only newly added
//     mentions are); removing a mention retracts its notification;
//   - users.note_count counts published notes; publishing and unpublishing
//     update the following feed in the same transaction.
//
// Notes are ordered by id, that is by creation: a draft published later
// keeps its place in time.
package notes

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/cache"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/feed"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/notify"
	"github.com/redmark/redmark/internal/outbox"
	"github.com/redmark/redmark/internal/validate"
)

// Statuses of a note.
const (
	Draft     = "draft"
	Published = "published"
	// Hidden is a note moderation took down or holds for review: out of
	// every list, feed and index like a draft, shown to its author with a
	// banner; only moderation brings it back (moderated.go).
	Hidden = "hidden"
)

// Limits on note content.
const (
	TitleMax    = 60
	BodyMax     = 5000
	LocationMax = 60
	MaxImages   = 9
	MaxTopics   = 10
	TopicMax    = 30
	MaxMentions = 20
	ChannelMax  = 20
)

// Note is a post. The author's profile is added by app.NoteView.
type Note struct {
	ID           id.ID         `json:"id"`
	AuthorID     id.ID         `json:"author_id"`
	Status       string        `json:"status"`
	Kind         string        `json:"kind"`
	Title        string        `json:"title"`
	Body         string        `json:"body"`
	Location     string        `json:"location"`
	Topics       []string      `json:"topics"`
	Mentions     []string      `json:"mentions"`
	Media        []media.Media `json:"media"`
	LikeCount    int64         `json:"like_count"`
	CollectCount int64         `json:"collect_count"`
	CommentCount int64         `json:"comment_count"`
	ShareCount   int64         `json:"share_count"`
	ViewCount    int64         `json:"view_count"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
	PublishedAt  time.Time     `json:"published_at,omitzero"`
}

// Topic is a #topic page header. Name is the topic's spelling for display
// (its first author's); topics are looked up by it case-folded.
type Topic struct {
	Name      string `json:"name"`
	NoteCount int64  `json:"note_count"`
}

// Input creates a note.
type Input struct {
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	MediaIDs []id.ID  `json:"media_ids"`
	Topics   []string `json:"topics"`
	Location string   `json:"location"`
	Draft    bool     `json:"draft"`
	// ProductIDs links listed products to the note (E4), at most MaxProducts.
	ProductIDs []id.ID `json:"product_ids"`
}

// Patch edits a note; nil fields stay as they are. Publish true publishes a
// draft, false takes a published note back to drafts. When Topics is nil the
// explicit topics are kept and the #tags are re-read from the new text.
type Patch struct {
	Title    *string   `json:"title"`
	Body     *string   `json:"body"`
	MediaIDs *[]id.ID  `json:"media_ids"`
	Topics   *[]string `json:"topics"`
	Location *string   `json:"location"`
	Publish  *bool     `json:"publish"`
	// ProductIDs replaces the linked products; nil keeps them.
	ProductIDs *[]id.ID `json:"product_ids"`
}

// FlushInterval is how often buffered view counts are written; view counts
// lag by up to this much.
const FlushInterval = 2 * time.Second

// Service manages notes.
type Service struct {
	db       *db.DB
	accounts *accounts.Service
	notify   *notify.Service
	feed     *feed.Service
	media    *media.Service
	// Activity hears of publishes and shares (growth tasks), in their transaction.
	Activity activity.Hook
	// Located hears, in the transaction, of the location of a note that is
	// published with a changed location (an edit, or a draft going out), so
	// places can re-attach it.
	Located func(ctx context.Context, noteID id.ID, location string) error
	// Guard, when set, is trust and safety (moderated.go): it refuses
	// restricted authors and screens text going public.
	Guard Guard

	// cache holds whole notes, counters included (see Forget).
	cache *cache.Cache[id.ID, Note]

	viewsMu   sync.Mutex
	views     map[viewKey]int64
	stop      chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once
}

// Every note read (note page, API, feeds, lists) goes through a cache of
// whole notes. Every write that changes a note's row or its media, topics,
// mentions or counters calls Forget (the social service does for likes,
// collects and comments), so a read that starts after a write returns sees
// it on this server. Other servers sharing the database see it when their
// entry expires: cacheTTL bounds that lag.
const (
	cacheEntries = 20000
	cacheTTL     = 30 * time.Second
)

// Forget drops a note's cached copy once the transaction in ctx commits.
func (s *Service) Forget(ctx context.Context, noteID id.ID) {
	db.AfterCommit(ctx, func() { s.cache.Forget(noteID) })
}

// ShareCache links the note cache to the other servers (cache.Peers).
func (s *Service) ShareCache(p cache.Peers) { s.cache.Share(p, "notes", id.ID.String, id.ParseOK) }

// New builds the service and starts the view-count flusher; Close stops it.
func New(d *db.DB, acc *accounts.Service, n *notify.Service, f *feed.Service, m *media.Service) *Service {
	s := &Service{db: d, accounts: acc, notify: n, feed: f, media: m, cache: cache.New[id.ID, Note]("notes", cacheEntries, cacheTTL, func(i id.ID) uint64 { return uint64(i) }),
		views: map[viewKey]int64{}, stop: make(chan struct{}), stopped: make(chan struct{})}
	go s.flushLoop(FlushInterval)
	return s
}

// content is validated note text and references.
type content struct {
	title, body, location string
	mediaIDs              []id.ID
	explicit              []tag // normalised explicit topics
}

func checkText(c *content) error {
	var err error
	if c.title, err = validate.Text("title", c.title, 0, TitleMax, false); err != nil {
		return err
	}
	if c.body, err = validate.Text("body", c.body, 0, BodyMax, true); err != nil {
		return err
	}
	c.location, err = validate.Text("location", c.location, 0, LocationMax, false)
	return err
}

// checkMediaIDs refuses duplicates and too many ids before any query.
func checkMediaIDs(ids []id.ID) error {
	if len(ids) > MaxImages {
		return apperr.Invalid("a note has at most %d images", MaxImages)
	}
	seen := map[id.ID]bool{}
	for _, m := range ids {
		if seen[m] {
			return apperr.Invalid("media %s is listed twice", m)
		}
		seen[m] = true
	}
	return nil
}

// Create adds a note (published unless in.Draft).
func (s *Service) Create(ctx context.Context, author accounts.User, in Input) (Note, error) {
	c := content{title: in.Title, body: in.Body, location: in.Location, mediaIDs: in.MediaIDs}
	if err := checkText(&c); err != nil {
		return Note{}, err
	}
	if err := checkMediaIDs(c.mediaIDs); err != nil {
		return Note{}, err
	}
	if err := checkProductIDs(in.ProductIDs); err != nil {
		return Note{}, err
	}
	var err error
	if c.explicit, err = normalizeTopics(in.Topics); err != nil {
		return Note{}, err
	}
	status := Published
	if in.Draft {
		status = Draft
	}
	if err := s.mayPost(ctx, author.ID); err != nil {
		return Note{}, err
	}
	noteID := id.New()
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		kind, err := s.ownMedia(ctx, author.ID, c.mediaIDs)
		if err != nil {
			return err
		}
		if err := checkPublishable(status, c.title, len(c.mediaIDs)); err != nil {
			return err
		}
		if status, err = s.screen(ctx, author.ID, noteID, status, c.title, c.body); err != nil {
			return err
		}
		now := db.Now()
		var published int64
		if status == Published {
			published = now
		}
		_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO notes (id, author_id, status, kind, title, body, location,
			cover_media_id, created_at, updated_at, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			noteID, author.ID, status, kind, c.title, c.body, c.location, cover(c.mediaIDs), now, now, published)
		if err != nil {
			return err
		}
		if err := outbox.Add(ctx, s.db, outbox.Note, noteID); err != nil { // search index follows
			return err
		}
		if err := s.setMedia(ctx, noteID, c.mediaIDs); err != nil {
			return err
		}
		if err := s.setProducts(ctx, noteID, in.ProductIDs); err != nil {
			return err
		}
		topics, err := allTopics(c.explicit, c.title, c.body)
		if err != nil {
			return err
		}
		if err := s.setTopics(ctx, noteID, nil, topics, false, status == Published); err != nil {
			return err
		}
		if err := s.setMentions(ctx, author.ID, noteID, c.body, false, status == Published); err != nil {
			return err
		}
		if status == Published {
			return s.published(ctx, author.ID, noteID, 1)
		}
		return nil
	})
	if err != nil {
		return Note{}, err
	}
	return s.Get(ctx, author.ID, noteID)
}

func cover(ids []id.ID) any {
	if len(ids) == 0 {
		return nil
	}
	return ids[0]
}

func checkPublishable(status, title string, nMedia int) error {
	if status != Published {
		return nil
	}
	if title == "" {
		return apperr.Invalid("title is required to publish")
	}
	if nMedia == 0 {
		return apperr.Invalid("add at least one image or a video to publish")
	}
	return nil
}

// ownMedia checks that every id is an upload of owner and that they form a
// valid set (images only, or one video), and returns the note kind.
func (s *Service) ownMedia(ctx context.Context, owner id.ID, ids []id.ID) (string, error) {
	if len(ids) == 0 {
		return media.Image, nil
	}
	ms, err := s.media.GetMany(ctx, ids)
	if err != nil {
		return "", err
	}
	videos := 0
	for _, mid := range ids {
		m, ok := ms[mid]
		if !ok {
			return "", apperr.Invalid("media %s does not exist", mid)
		}
		if m.OwnerID != owner {
			return "", apperr.Forbidden("media %s is not yours: attach only your own uploads", mid)
		}
		if m.Kind == media.Video {
			videos++
		}
	}
	switch {
	case videos == 0:
		return media.Image, nil
	case len(ids) == 1:
		return media.Video, nil
	}
	return "", apperr.Invalid("a note has either images or exactly one video, not both")
}

func (s *Service) setMedia(ctx context.Context, noteID id.ID, ids []id.ID) error {
	s.Forget(ctx, noteID)
	w := s.db.Writer(ctx)
	if _, err := w.Exec(ctx, "DELETE FROM note_media WHERE note_id = ?", noteID); err != nil {
		return err
	}
	for i, mid := range ids {
		if _, err := w.Exec(ctx, "INSERT INTO note_media (note_id, position, media_id) VALUES (?, ?, ?)", noteID, i, mid); err != nil {
			return err
		}
	}
	return nil
}

// published moves the counters and the feed when a note enters (+1) or
// leaves (-1) the published state.
func (s *Service) published(ctx context.Context, authorID, noteID id.ID, delta int64) error {
	if err := s.accounts.AddCount(ctx, authorID, accounts.Notes, delta); err != nil {
		return err
	}
	if delta > 0 {
		if err := s.Activity.Record(ctx, activity.Event{Kind: activity.Publish, User: authorID, Ref: noteID}); err != nil {
			return err
		}
		return s.feed.NotePublished(ctx, authorID, noteID)
	}
	return s.feed.NoteRemoved(ctx, noteID)
}

// row is a note as stored, locked for a change.
type row struct {
	author              id.ID
	status, title, body string
	location            string
	likes, collects     int64
	publishedAt         int64
}

// lock reads a note for change. On PostgreSQL the row is locked FOR UPDATE
// so concurrent edits, deletes and likes of one note serialise (and likes
// cannot slip in between reading like_count and deleting); SQLite has a
// single writer anyway.
func (s *Service) lock(ctx context.Context, noteID id.ID) (row, error) {
	q := `SELECT author_id, status, title, body, location, like_count, collect_count, published_at FROM notes WHERE id = ?`
	if s.db.Dialect == db.Postgres {
		q += " FOR UPDATE"
	}
	var r row
	err := s.db.Writer(ctx).QueryRow(ctx, q, noteID).Scan(&r.author, &r.status, &r.title, &r.body, &r.location,
		&r.likes, &r.collects, &r.publishedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return row{}, apperr.NotFound("note")
	}
	return r, err
}

// authorize lets the author (and, for deletes, an operator) change a note.
// Someone else's draft does not exist as far as they can tell.
func authorize(r row, actor accounts.User, operatorOK bool) error {
	if r.author == actor.ID || (operatorOK && actor.Role == accounts.RoleOperator) {
		return nil
	}
	if r.status != Published {
		return apperr.NotFound("note")
	}
	return apperr.Forbidden("only the author can change this note")
}

// Update edits a note; only its author may.
func (s *Service) Update(ctx context.Context, actor accounts.User, noteID id.ID, p Patch) (Note, error) {
	var explicit []tag
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.lock(ctx, noteID)
		if err != nil {
			return err
		}
		if err := authorize(r, actor, false); err != nil {
			return err
		}
		if r.status == Hidden {
			return apperr.Forbidden("this note was hidden by moderation; appeal the decision instead of editing it")
		}
		if err := s.mayPost(ctx, actor.ID); err != nil {
			return err
		}
		// The patch is validated after the authorization, so someone
		// else's note answers 403/404 whatever the patch holds.
		if p.MediaIDs != nil {
			if err := checkMediaIDs(*p.MediaIDs); err != nil {
				return err
			}
		}
		if p.ProductIDs != nil {
			if err := checkProductIDs(*p.ProductIDs); err != nil {
				return err
			}
		}
		if p.Topics != nil {
			if explicit, err = normalizeTopics(*p.Topics); err != nil {
				return err
			}
		}
		c := content{title: r.title, body: r.body, location: r.location}
		if p.Title != nil {
			c.title = *p.Title
		}
		if p.Body != nil {
			c.body = *p.Body
		}
		if p.Location != nil {
			c.location = *p.Location
		}
		if err := checkText(&c); err != nil {
			return err
		}
		status := r.status
		if p.Publish != nil {
			status = Draft
			if *p.Publish {
				status = Published
			}
		}
		w := s.db.Writer(ctx)
		if p.MediaIDs != nil {
			c.mediaIDs = *p.MediaIDs
		} else if c.mediaIDs, err = db.IDs(w.Query(ctx, "SELECT media_id FROM note_media WHERE note_id = ? ORDER BY position", noteID)); err != nil {
			return err
		}
		kind, err := s.ownMedia(ctx, actor.ID, c.mediaIDs)
		if err != nil {
			return err
		}
		if err := checkPublishable(status, c.title, len(c.mediaIDs)); err != nil {
			return err
		}
		if status == Published && (r.status != Published || c.title != r.title || c.body != r.body) {
			if status, err = s.screen(ctx, actor.ID, noteID, status, c.title, c.body); err != nil {
				return err
			}
		}
		if p.MediaIDs != nil {
			if err := s.setMedia(ctx, noteID, c.mediaIDs); err != nil {
				return err
			}
		}
		if p.ProductIDs != nil {
			if err := s.setProducts(ctx, noteID, *p.ProductIDs); err != nil {
				return err
			}
		}
		oldTopics, err := s.topicNames(ctx, noteID)
		if err != nil {
			return err
		}
		if p.Topics == nil {
			// Keep the explicit topics: those not explained by the old text.
			fromOld := map[string]bool{}
			for _, t := range parseTags(r.title + "\n" + r.body) {
				fromOld[t.key] = true
			}
			for _, t := range oldTopics {
				if !fromOld[t.key] {
					explicit = append(explicit, t)
				}
			}
		}
		topics, err := allTopics(explicit, c.title, c.body)
		if err != nil {
			return err
		}
		wasPub, isPub := r.status == Published, status == Published
		if err := s.setTopics(ctx, noteID, oldTopics, topics, wasPub, isPub); err != nil {
			return err
		}
		if err := s.setMentions(ctx, actor.ID, noteID, c.body, wasPub, isPub); err != nil {
			return err
		}
		now := db.Now()
		publishedAt := r.publishedAt
		if isPub && publishedAt == 0 {
			publishedAt = now
		}
		_, err = w.Exec(ctx, `UPDATE notes SET status = ?, kind = ?, title = ?, body = ?, location = ?, cover_media_id = ?,
			updated_at = ?, published_at = ? WHERE id = ?`, status, kind, c.title, c.body, c.location, cover(c.mediaIDs),
			now, publishedAt, noteID)
		if err != nil {
			return err
		}
		s.Forget(ctx, noteID)
		if err := outbox.Add(ctx, s.db, outbox.Note, noteID); err != nil { // search index follows
			return err
		}
		if isPub && (!wasPub || c.location != r.location) && s.Located != nil {
			if err := s.Located(ctx, noteID, c.location); err != nil {
				return err
			}
		}
		switch {
		case isPub && !wasPub:
			return s.published(ctx, r.author, noteID, 1)
		case wasPub && !isPub:
			return s.published(ctx, r.author, noteID, -1)
		}
		return nil
	})
	if err != nil {
		return Note{}, err
	}
	return s.Get(ctx, actor.ID, noteID)
}

// Delete removes a note and everything hanging off it (likes, collects,
// comments, shares, timeline rows cascade). The author or an operator may.
func (s *Service) Delete(ctx context.Context, actor accounts.User, noteID id.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.lock(ctx, noteID)
		if err != nil {
			return err
		}
		if err := authorize(r, actor, true); err != nil {
			return err
		}
		return s.remove(ctx, r, noteID)
	})
}

// remove deletes a locked note in the caller's transaction.
func (s *Service) remove(ctx context.Context, r row, noteID id.ID) error {
	if r.status == Published {
		topics, err := s.topicNames(ctx, noteID)
		if err != nil {
			return err
		}
		if err := s.setTopics(ctx, noteID, topics, nil, true, false); err != nil {
			return err
		}
		if err := s.published(ctx, r.author, noteID, -1); err != nil {
			return err
		}
	}
	// The author loses the likes and collects the note had received.
	if r.likes+r.collects != 0 {
		if err := s.accounts.AddCount(ctx, r.author, accounts.LikedCollected, -(r.likes + r.collects)); err != nil {
			return err
		}
	}
	w := s.db.Writer(ctx)
	// Collects cascade away with the note; the boards they sat in must
	// stop counting them.
	if _, err := w.Exec(ctx, `UPDATE boards SET note_count = note_count - 1
		WHERE id IN (SELECT board_id FROM collects WHERE note_id = ? AND board_id IS NOT NULL)`, noteID); err != nil {
		return err
	}
	if err := outbox.Add(ctx, s.db, outbox.Note, noteID); err != nil { // search index follows
		return err
	}
	s.Forget(ctx, noteID)
	_, err := w.Exec(ctx, "DELETE FROM notes WHERE id = ?", noteID)
	return err
}

// Share records a share of a published note by userID (0: anonymous) and
// returns the new share count.
func (s *Service) Share(ctx context.Context, noteID, userID id.ID, channel string) (int64, error) {
	if len(channel) > ChannelMax {
		return 0, apperr.Invalid("channel must be at most %d characters", ChannelMax)
	}
	for _, r := range channel {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return 0, apperr.Invalid("channel may contain only lower-case letters, digits, '_' and '-'")
		}
	}
	var count int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		err := w.QueryRow(ctx, `UPDATE notes SET share_count = share_count + 1 WHERE id = ? AND status = 'published'
			RETURNING share_count`, noteID).Scan(&count)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("note")
		}
		if err != nil {
			return err
		}
		s.Forget(ctx, noteID)
		var user any
		if userID != 0 {
			user = userID
		}
		if _, err = w.Exec(ctx, "INSERT INTO shares (id, note_id, user_id, channel, created_at) VALUES (?, ?, ?, ?, ?)",
			id.New(), noteID, user, channel, db.Now()); err != nil || userID == 0 {
			return err
		}
		return s.Activity.Record(ctx, activity.Event{Kind: activity.Share, User: userID, Ref: noteID})
	})
	return count, err
}

// ---- topics and mentions ----

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// parseTags finds #tags: '#' at the start, after a non-word character or
// right after another tag ("#护肤#穿搭#"), followed by word characters.
// Longer-than-allowed runs are ordinary text.
func parseTags(text string) []tag {
	var out []tag
	seen := map[string]bool{}
	prev, tagEnd := ' ', -1
	for i, r := range text {
		if r == '#' && (!isWordRune(prev) || i == tagEnd) {
			j := i + 1
			for j < len(text) {
				c, n := utf8.DecodeRuneInString(text[j:])
				if !isWordRune(c) {
					break
				}
				j += n
			}
			t := tag{key: strings.ToLower(text[i+1 : j]), display: text[i+1 : j]}
			tagEnd = j
			if n := utf8.RuneCountInString(t.key); n >= 1 && n <= TopicMax && !seen[t.key] {
				seen[t.key] = true
				out = append(out, t)
			}
		}
		prev = r
	}
	return out
}

// tag is a topic of a note: key is the case-folded name topics are matched
// and grouped by (topics.name), display the spelling the author used.
type tag struct{ key, display string }

// NormalizeTopic case-folds a topic name (a leading '#' is allowed) and
// checks its alphabet and length.
func NormalizeTopic(name string) (string, error) {
	t, err := normalizeTag(name)
	return t.key, err
}

// normalizeTag is NormalizeTopic keeping the spelling for display.
func normalizeTag(name string) (tag, error) {
	d := strings.TrimPrefix(strings.TrimSpace(name), "#")
	t := strings.ToLower(d)
	if !utf8.ValidString(t) {
		return tag{}, apperr.Invalid("topic is not valid UTF-8")
	}
	n := utf8.RuneCountInString(t)
	if n == 0 || n > TopicMax {
		return tag{}, apperr.Invalid("a topic must be 1–%d characters", TopicMax)
	}
	for _, r := range t {
		if !isWordRune(r) {
			return tag{}, apperr.Invalid("topic %q may contain only letters, digits and '_'", t)
		}
	}
	return tag{key: t, display: d}, nil
}

func normalizeTopics(in []string) ([]tag, error) {
	if len(in) > MaxTopics {
		return nil, apperr.Invalid("a note has at most %d topics", MaxTopics)
	}
	out := make([]tag, 0, len(in))
	for _, t := range in {
		n, err := normalizeTag(t)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// allTopics merges the #tags of the text, in their order and spelling,
// with the explicit topics the text does not name: the order a note shows
// its topics in.
func allTopics(explicit []tag, title, body string) ([]tag, error) {
	seen := map[string]bool{}
	var out []tag
	for _, t := range append(parseTags(title+"\n"+body), explicit...) {
		if !seen[t.key] {
			seen[t.key] = true
			out = append(out, t)
		}
	}
	if len(out) > MaxTopics {
		return nil, apperr.Invalid("a note has at most %d topics (counting #tags in the text)", MaxTopics)
	}
	return out, nil
}

// DisplaySQL is the spelling a note's topic is shown in, for queries
// joining note_topics nt and topics t (rows older than the display columns
// have none of their own).
const DisplaySQL = "COALESCE(NULLIF(nt.display, ''), NULLIF(t.display, ''), t.name)"

func (s *Service) topicNames(ctx context.Context, noteID id.ID) ([]tag, error) {
	rows, err := s.db.Writer(ctx).Query(ctx, `SELECT t.name, `+DisplaySQL+` FROM note_topics nt JOIN topics t ON t.id = nt.topic_id
		WHERE nt.note_id = ? ORDER BY nt.position, t.name`, noteID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tag
	for rows.Next() {
		var t tag
		if err := rows.Scan(&t.key, &t.display); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// setTopics moves a note from topic set old to new. topics.note_count
// counts published notes, so it moves by what was counted before (old, if
// the note was published) versus what counts now (new, if it is). The
// note's rows keep new's order and spelling.
func (s *Service) setTopics(ctx context.Context, noteID id.ID, old, new []tag, wasPub, isPub bool) error {
	s.Forget(ctx, noteID)
	w := s.db.Writer(ctx)
	delta := map[string]int64{}
	inOld, inNew := map[string]bool{}, map[string]int{}
	for _, t := range old {
		inOld[t.key] = true
		if wasPub {
			delta[t.key]--
		}
	}
	display := map[string]string{}
	for i, t := range new {
		inNew[t.key] = i + 1
		display[t.key] = t.display
		if isPub {
			delta[t.key]++
		}
	}
	names := make([]string, 0, len(delta))
	for t := range delta {
		names = append(names, t)
	}
	sort.Strings(names) // a fixed lock order across concurrent notes
	for _, t := range names {
		pos, kept := inNew[t]
		if inOld[t] && kept && delta[t] == 0 {
			continue // the count does not change: only the row's order and spelling may (below)
		}
		var tid id.ID
		err := w.QueryRow(ctx, `INSERT INTO topics (id, name, display, note_count, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET note_count = topics.note_count + excluded.note_count RETURNING id`,
			id.New(), t, cmp.Or(display[t], t), delta[t], db.Now()).Scan(&tid)
		if err != nil {
			return err
		}
		if !kept {
			_, err = w.Exec(ctx, "DELETE FROM note_topics WHERE note_id = ? AND topic_id = ?", noteID, tid)
		} else if !inOld[t] {
			_, err = w.Exec(ctx, "INSERT INTO note_topics (note_id, topic_id, position, display) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
				noteID, tid, pos-1, display[t])
		}
		if err != nil {
			return err
		}
	}
	for _, t := range new {
		if inOld[t.key] {
			if _, err := w.Exec(ctx, `UPDATE note_topics SET position = ?, display = ? WHERE note_id = ?
				AND topic_id = (SELECT id FROM topics WHERE name = ?)`, inNew[t.key]-1, t.display, noteID, t.key); err != nil {
				return err
			}
		}
	}
	return nil
}

// parseMentions finds @username: '@' at the start or after a non-word
// character (so e-mail addresses are not mentions), then a username.
func parseMentions(text string) []string {
	var out []string
	seen := map[string]bool{}
	prev := ' '
	for i, r := range text {
		if r == '@' && !isWordRune(prev) && prev != '.' {
			j := i + 1
			for j < len(text) {
				c := text[j]
				if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
					break
				}
				j++
			}
			name := strings.TrimRight(text[i+1:j], ".") // "@alice." ends a sentence
			if n, err := accounts.NormalizeUsername(name); err == nil && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
		prev = r
	}
	return out
}

// setMentions makes note_mentions match the @usernames of body and sends
// mention notifications: to everyone when the note becomes published, to
// newly added users on later edits; removed mentions, or all of them when
// the note leaves the published state, are retracted.
func (s *Service) setMentions(ctx context.Context, authorID, noteID id.ID, body string, wasPub, isPub bool) error {
	s.Forget(ctx, noteID)
	names := parseMentions(body)
	if len(names) > MaxMentions {
		return apperr.Invalid("a note can mention at most %d people", MaxMentions)
	}
	found, err := s.accounts.IDsByUsernames(ctx, names)
	if err != nil {
		return err
	}
	w := s.db.Writer(ctx)
	old, err := db.IDs(w.Query(ctx, "SELECT user_id FROM note_mentions WHERE note_id = ?", noteID))
	if err != nil {
		return err
	}
	inOld, inNew := map[id.ID]bool{}, map[id.ID]bool{}
	for _, u := range old {
		inOld[u] = true
	}
	for _, uid := range found {
		inNew[uid] = true
	}
	for _, u := range old {
		if inNew[u] && isPub {
			continue
		}
		if !inNew[u] {
			if _, err := w.Exec(ctx, "DELETE FROM note_mentions WHERE note_id = ? AND user_id = ?", noteID, u); err != nil {
				return err
			}
		}
		if wasPub {
			if err := s.notify.Retract(ctx, u, authorID, notify.Mention, noteID, 0); err != nil {
				return err
			}
		}
	}
	for uid := range inNew {
		if !inOld[uid] {
			if _, err := w.Exec(ctx, "INSERT INTO note_mentions (note_id, user_id) VALUES (?, ?)", noteID, uid); err != nil {
				return err
			}
		}
		if isPub && (!wasPub || !inOld[uid]) {
			if err := s.notify.Add(ctx, notify.Notification{UserID: uid, Kind: notify.Mention, ActorID: authorID, NoteID: noteID}); err != nil {
				return err
			}
		}
	}
	return nil
}

// ---- views ----

type viewKey struct{ note, viewer id.ID }

// maxPendingViews bounds the buffer if the database stays unreachable.
const maxPendingViews = 1 << 20

// RecordView counts one open of a note by viewer (0: anonymous). It only
// bumps an in-memory counter: a database write per read would make every
// note page a write on SQLite's single writer. FlushViews writes the
// counts, skipping the author's own opens, so view_count lags by up to
// FlushInterval.
func (s *Service) RecordView(noteID, viewer id.ID) {
	s.viewsMu.Lock()
	if len(s.views) < maxPendingViews {
		s.views[viewKey{noteID, viewer}]++
	}
	s.viewsMu.Unlock()
}

// FlushViews writes the buffered view counts in one transaction.
func (s *Service) FlushViews(ctx context.Context) error {
	s.viewsMu.Lock()
	pending := s.views
	s.views = map[viewKey]int64{}
	s.viewsMu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	err := s.flush(ctx, pending)
	if err != nil {
		// Put the counts back for the next attempt.
		s.viewsMu.Lock()
		for k, n := range pending {
			if len(s.views) < maxPendingViews {
				s.views[k] += n
			}
		}
		s.viewsMu.Unlock()
	}
	return err
}

func (s *Service) flush(ctx context.Context, pending map[viewKey]int64) error {
	byNote := map[id.ID]bool{}
	for k := range pending {
		byNote[k.note] = true
	}
	noteIDs := make([]id.ID, 0, len(byNote))
	for n := range byNote {
		noteIDs = append(noteIDs, n)
	}
	sort.Slice(noteIDs, func(i, j int) bool { return noteIDs[i] < noteIDs[j] })
	authors := map[id.ID]id.ID{}
	for start := 0; start < len(noteIDs); start += 500 {
		chunk := noteIDs[start:min(start+500, len(noteIDs))]
		args := make([]any, len(chunk))
		for i, n := range chunk {
			args[i] = n
		}
		rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id, author_id FROM notes WHERE id IN ("+db.Placeholders(len(args))+")", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var n, a id.ID
			if err := rows.Scan(&n, &a); err != nil {
				rows.Close()
				return err
			}
			authors[n] = a
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	counts := map[id.ID]int64{}
	for k, n := range pending {
		if a, ok := authors[k.note]; ok && a != k.viewer {
			counts[k.note] += n
		}
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		for _, n := range noteIDs {
			if counts[n] == 0 {
				continue
			}
			if _, err := s.db.Writer(ctx).Exec(ctx, "UPDATE notes SET view_count = view_count + ? WHERE id = ?", counts[n], n); err != nil {
				return err
			}
			if err := s.Activity.Record(ctx, activity.Event{Kind: activity.Viewed, User: authors[n], Ref: n, Amount: counts[n]}); err != nil {
				return err
			}
			// Move the cached count rather than dropping the note: a flush
			// touches every note read in the last seconds.
			db.AfterCommit(ctx, func() {
				s.cache.Update(n, func(c Note) Note { c.ViewCount += counts[n]; return c })
			})
		}
		return nil
	})
}

func (s *Service) flushLoop(every time.Duration) {
	defer close(s.stopped)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if err := s.FlushViews(ctx); err != nil {
				slog.Warn("flush note views", "err", err)
			}
			cancel()
		}
	}
}

// Close stops the periodic flusher and writes the views still buffered.
func (s *Service) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.stopped
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = s.FlushViews(ctx)
	})
	return err
}
