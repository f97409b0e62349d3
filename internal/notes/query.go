package notes

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
)

const noteCols = `n.id, n.author_id, n.status, n.kind, n.title, n.body, n.location, n.like_count, n.collect_count,
	n.comment_count, n.share_count, n.view_count, n.created_at, n.updated_at, n.published_at`

func scanNote(r interface{ Scan(...any) error }) (Note, error) {
	var n Note
	var created, updated, published int64
	err := r.Scan(&n.ID, &n.AuthorID, &n.Status, &n.Kind, &n.Title, &n.Body, &n.Location, &n.LikeCount,
		&n.CollectCount, &n.CommentCount, &n.ShareCount, &n.ViewCount, &created, &updated, &published)
	n.CreatedAt = time.UnixMilli(created).UTC()
	n.UpdatedAt = time.UnixMilli(updated).UTC()
	if published > 0 {
		n.PublishedAt = time.UnixMilli(published).UTC()
	}
	return n, err
}

// Get returns a note; a draft is visible to its author only (404 to others).
func (s *Service) Get(ctx context.Context, viewer, noteID id.ID) (Note, error) {
	byID, err := s.load(ctx, []id.ID{noteID})
	if err != nil {
		return Note{}, err
	}
	n, ok := byID[noteID]
	if !ok || (n.Status != Published && n.AuthorID != viewer) {
		return Note{}, apperr.NotFound("note")
	}
	return n, nil
}

// GetMany returns the published notes among ids, keyed by id.
func (s *Service) GetMany(ctx context.Context, ids []id.ID) (map[id.ID]Note, error) {
	out, err := s.load(ctx, ids)
	for k, n := range out {
		if n.Status != Published {
			delete(out, k)
		}
	}
	return out, err
}

func maxID(before id.ID) id.ID {
	if before == 0 {
		return id.ID(1<<63 - 1)
	}
	return before
}

// ListByAuthor returns an author's published notes, newest first, older
// than before (0: from the newest).
func (s *Service) ListByAuthor(ctx context.Context, authorID, before id.ID, limit int) ([]Note, error) {
	return s.query(ctx, `SELECT n.id FROM notes n WHERE n.author_id = ? AND n.status = 'published' AND n.id < ?
		ORDER BY n.id DESC LIMIT ?`, authorID, maxID(before), limit)
}

// Drafts returns an author's drafts, newest first.
func (s *Service) Drafts(ctx context.Context, authorID, before id.ID, limit int) ([]Note, error) {
	return s.query(ctx, `SELECT n.id FROM notes n WHERE n.author_id = ? AND n.status = 'draft' AND n.id < ?
		ORDER BY n.id DESC LIMIT ?`, authorID, maxID(before), limit)
}

// Latest returns the newest published notes (the explore grid).
func (s *Service) Latest(ctx context.Context, before id.ID, limit int) ([]Note, error) {
	return s.query(ctx, `SELECT n.id FROM notes n WHERE n.status = 'published' AND n.id < ?
		ORDER BY n.id DESC LIMIT ?`, maxID(before), limit)
}

// ByTopic returns a topic and its published notes, newest first; an
// unknown topic is a 404.
func (s *Service) ByTopic(ctx context.Context, name string, before id.ID, limit int) (Topic, []Note, error) {
	name, err := NormalizeTopic(name)
	if err != nil {
		return Topic{}, nil, apperr.NotFound("topic")
	}
	var t Topic
	var tid id.ID
	err = s.db.Reader(ctx).QueryRow(ctx, "SELECT id, COALESCE(NULLIF(display, ''), name), note_count FROM topics WHERE name = ?", name).Scan(&tid, &t.Name, &t.NoteCount)
	if errors.Is(err, sql.ErrNoRows) {
		return Topic{}, nil, apperr.NotFound("topic")
	}
	if err != nil {
		return Topic{}, nil, err
	}
	ns, err := s.query(ctx, `SELECT n.id FROM note_topics nt JOIN notes n ON n.id = nt.note_id
		WHERE nt.topic_id = ? AND nt.note_id < ? AND n.status = 'published' ORDER BY nt.note_id DESC LIMIT ?`,
		tid, maxID(before), limit)
	return t, ns, err
}

// query runs a query for note ids (column n.id) and returns those notes in
// its order, through the cache.
func (s *Service) query(ctx context.Context, q string, args ...any) ([]Note, error) {
	ids, err := db.IDs(s.db.Reader(ctx).Query(ctx, q, args...))
	if err != nil {
		return nil, err
	}
	byID, err := s.load(ctx, ids)
	if err != nil {
		return nil, err
	}
	ns := make([]Note, 0, len(ids))
	for _, i := range ids {
		if n, ok := byID[i]; ok {
			ns = append(ns, n)
		}
	}
	return ns, nil
}

// load returns the notes among ids that exist, in any state: from the
// cache, and the rest with one query for the rows and one each for their
// media, topics and mentions (never one per note).
func (s *Service) load(ctx context.Context, ids []id.ID) (map[id.ID]Note, error) {
	out := make(map[id.ID]Note, len(ids))
	var miss []any
	tok := map[id.ID]uint64{}
	for _, i := range ids {
		if n, ok := s.cache.Get(i); ok {
			out[i] = n
		} else if _, dup := tok[i]; !dup {
			miss = append(miss, i)
			tok[i] = s.cache.Token(i)
		}
	}
	if len(miss) == 0 {
		return out, nil
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+noteCols+" FROM notes n WHERE n.id IN ("+db.Placeholders(len(miss))+")", miss...)
	if err != nil {
		return nil, err
	}
	var ns []Note
	for rows.Next() {
		n, err := scanNote(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		n.Media, n.Topics, n.Mentions = []media.Media{}, []string{}, []string{}
		ns = append(ns, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.hydrate(ctx, ns); err != nil {
		return nil, err
	}
	for _, n := range ns {
		out[n.ID] = n
		s.cache.Put(n.ID, n, tok[n.ID])
	}
	return out, nil
}

// hydrate reads the media, topics and mentions of ns.
func (s *Service) hydrate(ctx context.Context, ns []Note) error {
	if len(ns) == 0 {
		return nil
	}
	idx := make(map[id.ID]int, len(ns))
	args := make([]any, len(ns))
	for i, n := range ns {
		idx[n.ID] = i
		args[i] = n.ID
	}
	in := "(" + db.Placeholders(len(args)) + ")"
	r := s.db.Reader(ctx)

	rows, err := r.Query(ctx, "SELECT nm.note_id, "+media.Columns+` FROM note_media nm JOIN media m ON m.id = nm.media_id
		WHERE nm.note_id IN `+in+" ORDER BY nm.note_id, nm.position", args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var nid id.ID
		m, err := media.Scan(rows, &nid)
		if err != nil {
			rows.Close()
			return err
		}
		ns[idx[nid]].Media = append(ns[idx[nid]].Media, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	add := func(q string, field func(*Note) *[]string) error {
		rows, err := r.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var nid id.ID
			var v string
			if err := rows.Scan(&nid, &v); err != nil {
				return err
			}
			f := field(&ns[idx[nid]])
			*f = append(*f, v)
		}
		return rows.Err()
	}
	if err := add(`SELECT nt.note_id, `+DisplaySQL+` FROM note_topics nt JOIN topics t ON t.id = nt.topic_id
		WHERE nt.note_id IN `+in+" ORDER BY nt.note_id, nt.position, t.name", func(n *Note) *[]string { return &n.Topics }); err != nil {
		return err
	}
	return add(`SELECT nm.note_id, u.username FROM note_mentions nm JOIN users u ON u.id = nm.user_id
		WHERE nm.note_id IN `+in+" ORDER BY u.username", func(n *Note) *[]string { return &n.Mentions })
}

// TopTopics returns the display names of the limit most-used topics (the
// discover page's channels when few topics trend).
func (s *Service) TopTopics(ctx context.Context, limit int) ([]string, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT COALESCE(NULLIF(display, ''), name) FROM topics WHERE note_count > 0
		ORDER BY note_count DESC, id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
