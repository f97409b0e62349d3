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
	n, err := scanNote(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+noteCols+" FROM notes n WHERE n.id = ?", noteID))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && n.Status != Published && n.AuthorID != viewer) {
		return Note{}, apperr.NotFound("note")
	}
	if err != nil {
		return Note{}, err
	}
	ns := []Note{n}
	if err := s.hydrate(ctx, ns); err != nil {
		return Note{}, err
	}
	return ns[0], nil
}

// GetMany returns the published notes among ids, keyed by id.
func (s *Service) GetMany(ctx context.Context, ids []id.ID) (map[id.ID]Note, error) {
	out := make(map[id.ID]Note, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, v := range ids {
		args[i] = v
	}
	ns, err := s.query(ctx, "SELECT "+noteCols+" FROM notes n WHERE n.id IN ("+db.Placeholders(len(args))+
		") AND n.status = 'published'", args...)
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		out[n.ID] = n
	}
	return out, nil
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
	return s.query(ctx, "SELECT "+noteCols+` FROM notes n WHERE n.author_id = ? AND n.status = 'published' AND n.id < ?
		ORDER BY n.id DESC LIMIT ?`, authorID, maxID(before), limit)
}

// Drafts returns an author's drafts, newest first.
func (s *Service) Drafts(ctx context.Context, authorID, before id.ID, limit int) ([]Note, error) {
	return s.query(ctx, "SELECT "+noteCols+` FROM notes n WHERE n.author_id = ? AND n.status = 'draft' AND n.id < ?
		ORDER BY n.id DESC LIMIT ?`, authorID, maxID(before), limit)
}

// Latest returns the newest published notes (the explore grid).
func (s *Service) Latest(ctx context.Context, before id.ID, limit int) ([]Note, error) {
	return s.query(ctx, "SELECT "+noteCols+` FROM notes n WHERE n.status = 'published' AND n.id < ?
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
	err = s.db.Reader(ctx).QueryRow(ctx, "SELECT id, name, note_count FROM topics WHERE name = ?", name).Scan(&tid, &t.Name, &t.NoteCount)
	if errors.Is(err, sql.ErrNoRows) {
		return Topic{}, nil, apperr.NotFound("topic")
	}
	if err != nil {
		return Topic{}, nil, err
	}
	ns, err := s.query(ctx, "SELECT "+noteCols+` FROM note_topics nt JOIN notes n ON n.id = nt.note_id
		WHERE nt.topic_id = ? AND nt.note_id < ? AND n.status = 'published' ORDER BY nt.note_id DESC LIMIT ?`,
		tid, maxID(before), limit)
	return t, ns, err
}

// query runs a notes query and loads the media, topics and mentions of the
// whole page.
func (s *Service) query(ctx context.Context, q string, args ...any) ([]Note, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	ns := []Note{}
	for rows.Next() {
		n, err := scanNote(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		ns = append(ns, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.hydrate(ctx, ns); err != nil {
		return nil, err
	}
	return ns, nil
}

// hydrate fills Media, Topics and Mentions with one query each for the
// whole page (never one per note).
func (s *Service) hydrate(ctx context.Context, ns []Note) error {
	if len(ns) == 0 {
		return nil
	}
	gen := s.hcache.gen.Load()
	idx := make(map[id.ID]int, len(ns))
	args := make([]any, 0, len(ns))
	for i := range ns {
		if h, ok := s.hcache.lru.Get(ns[i].ID); ok {
			ns[i].Media, ns[i].Topics, ns[i].Mentions = h.media, h.topics, h.mentions
			continue
		}
		idx[ns[i].ID] = i
		args = append(args, ns[i].ID)
		ns[i].Media, ns[i].Topics, ns[i].Mentions = []media.Media{}, []string{}, []string{}
	}
	if len(args) == 0 {
		return nil
	}
	if err := s.load(ctx, ns, idx, args); err != nil {
		return err
	}
	if s.hcache.gen.Load() == gen {
		for _, i := range idx {
			s.hcache.lru.Add(ns[i].ID, hydration{ns[i].Media, ns[i].Topics, ns[i].Mentions})
		}
	}
	return nil
}

// load reads media, topics and mentions of the notes in args.
func (s *Service) load(ctx context.Context, ns []Note, idx map[id.ID]int, args []any) error {
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
	if err := add(`SELECT nt.note_id, t.name FROM note_topics nt JOIN topics t ON t.id = nt.topic_id
		WHERE nt.note_id IN `+in+" ORDER BY t.name", func(n *Note) *[]string { return &n.Topics }); err != nil {
		return err
	}
	return add(`SELECT nm.note_id, u.username FROM note_mentions nm JOIN users u ON u.id = nm.user_id
		WHERE nm.note_id IN `+in+" ORDER BY u.username", func(n *Note) *[]string { return &n.Mentions })
}
