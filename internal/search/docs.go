package search

import (
	"context"
	"strings"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Loading documents from the database: the indexer (for the rows an outbox
// batch names) and the rebuild (for every row, in id order) share these.

// noteDocs loads published notes among ids (with their topics and author)
// and returns their documents, the ids that must leave the index (drafts,
// deleted), and the topics of the loaded notes (their counts moved).
func (s *Service) noteDocs(ctx context.Context, ids []id.ID) (docs []Doc, gone []Ref, topicIDs []id.ID, err error) {
	if len(ids) == 0 {
		return nil, nil, nil, nil
	}
	in := "(" + db.Placeholders(len(ids)) + ")"
	docs, topicIDs, err = s.loadNotes(ctx, "n.id IN "+in, db.Args(ids), func(col string, live []id.ID) (string, []any) {
		return col + " IN (" + db.Placeholders(len(live)) + ")", db.Args(live)
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return docs, missing(Notes, ids, docs), topicIDs, nil
}

// notesAfter loads the next published notes after the id after, at most
// limit, for a rebuild. Reading a range of ids rather than a list of them
// costs the database a quarter less.
func (s *Service) notesAfter(ctx context.Context, after id.ID, limit int) ([]Doc, error) {
	docs, _, err := s.loadNotes(ctx, "n.id > ? ORDER BY n.id LIMIT ?", []any{after, limit}, func(col string, live []id.ID) (string, []any) {
		return col + " > ? AND " + col + " <= ?", []any{after, live[len(live)-1]}
	})
	return docs, err
}

// loadNotes reads the published notes matching cond (on notes n) and then
// their topics and destinations with the condition byNote gives for their
// ids on a note-id column (it may match other notes' rows, which are
// skipped).
func (s *Service) loadNotes(ctx context.Context, cond string, args []any, byNote func(col string, live []id.ID) (string, []any)) (docs []Doc, topicIDs []id.ID, err error) {
	r := s.db.Reader(ctx)
	rows, err := r.Query(ctx, `SELECT n.id, n.title, n.body, n.location, n.like_count, n.collect_count, n.comment_count,
		n.share_count, u.username, u.display_name FROM notes n JOIN users u ON u.id = n.author_id
		WHERE n.status = 'published' AND `+cond, args...)
	if err != nil {
		return nil, nil, err
	}
	byID := map[id.ID]int{}
	for rows.Next() {
		var d Doc
		var location, username, display string
		var likes, collects, comments, shares int64
		if err := rows.Scan(&d.ID, &d.Title, &d.Body, &location, &likes, &collects, &comments, &shares, &username, &display); err != nil {
			rows.Close()
			return nil, nil, err
		}
		d.Kind = Notes
		// Tags: location and author now, topics below.
		d.Tags = location + " " + display + " " + username
		d.Suggest = []string{d.Title}
		d.Pop = Engagement(likes, collects, comments, shares)
		byID[d.ID] = len(docs)
		docs = append(docs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(docs) == 0 {
		return nil, nil, nil
	}
	live := make([]id.ID, len(docs))
	for i, d := range docs {
		live[i] = d.ID
	}
	tcond, targs := byNote("nt.note_id", live)
	rows, err = r.Query(ctx, `SELECT nt.note_id, t.id, COALESCE(NULLIF(t.display, ''), t.name) FROM note_topics nt JOIN topics t ON t.id = nt.topic_id
		WHERE `+tcond, targs...)
	if err != nil {
		return nil, nil, err
	}
	seen := map[id.ID]bool{}
	for rows.Next() {
		var nid, tid id.ID
		var name string
		if err := rows.Scan(&nid, &tid, &name); err != nil {
			rows.Close()
			return nil, nil, err
		}
		i, ok := byID[nid]
		if !ok {
			continue // an unpublished note's topics, in a range
		}
		d := &docs[i]
		d.Tags = name + " " + d.Tags
		if !seen[tid] {
			seen[tid] = true
			topicIDs = append(topicIDs, tid)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	// The names of the note's place and the places above it (internal/places),
	// so "东京 药妆" finds a drugstore note located "Shibuya, Tokyo".
	pcond, pargs := byNote("np.note_id", live)
	rows, err = r.Query(ctx, `SELECT np.note_id, a.name_zh, a.name_en FROM note_places np JOIN places pl ON pl.id = np.place_id
		JOIN places a ON pl.path LIKE a.path || '%' WHERE `+pcond, pargs...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var nid id.ID
		var zh, en string
		if err := rows.Scan(&nid, &zh, &en); err != nil {
			return nil, nil, err
		}
		if i, ok := byID[nid]; ok {
			docs[i].Tags += " " + zh + " " + en
		}
	}
	return docs, topicIDs, rows.Err()
}

// topicDocs indexes topics that have published notes; empty ones leave.
func (s *Service) topicDocs(ctx context.Context, ids []id.ID) ([]Doc, []Ref, error) {
	if len(ids) == 0 {
		return nil, nil, nil
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id, COALESCE(NULLIF(display, ''), name), note_count FROM topics WHERE id IN ("+
		db.Placeholders(len(ids))+")", db.Args(ids)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var docs []Doc
	var gone []Ref
	for rows.Next() {
		var d Doc
		var n int64
		if err := rows.Scan(&d.ID, &d.Title, &n); err != nil {
			return nil, nil, err
		}
		if n <= 0 {
			gone = append(gone, Ref{Topics, d.ID})
			continue
		}
		d.Kind, d.Suggest, d.Pop = Topics, []string{d.Title}, float64(n)
		// Topic names join words ("夏日穿搭"): the tags field gets them
		// with '_' as a space so English topics split into words too.
		d.Tags = strings.ReplaceAll(d.Title, "_", " ")
		docs = append(docs, d)
	}
	return docs, gone, rows.Err()
}

func (s *Service) userDocs(ctx context.Context, ids []id.ID) ([]Doc, []Ref, error) {
	if len(ids) == 0 {
		return nil, nil, nil
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id, username, display_name, bio, follower_count FROM users WHERE id IN ("+
		db.Placeholders(len(ids))+")", db.Args(ids)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var docs []Doc
	for rows.Next() {
		var d Doc
		var username string
		var followers int64
		if err := rows.Scan(&d.ID, &username, &d.Title, &d.Body, &followers); err != nil {
			return nil, nil, err
		}
		d.Kind, d.Tags, d.Suggest, d.Pop = Users, strings.NewReplacer("_", " ", ".", " ").Replace(username)+" "+username,
			[]string{username, d.Title}, float64(followers)
		docs = append(docs, d)
	}
	return docs, missing(Users, ids, docs), rows.Err()
}

func (s *Service) productDocs(ctx context.Context, ids []id.ID) ([]Doc, []Ref, error) {
	if len(ids) == 0 {
		return nil, nil, nil
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id, title, brand, description FROM products WHERE listed = 1 AND id IN ("+
		db.Placeholders(len(ids))+")", db.Args(ids)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var docs []Doc
	for rows.Next() {
		var d Doc
		if err := rows.Scan(&d.ID, &d.Title, &d.Tags, &d.Body); err != nil {
			return nil, nil, err
		}
		d.Kind, d.Suggest = Products, []string{d.Title}
		docs = append(docs, d)
	}
	return docs, missing(Products, ids, docs), rows.Err()
}

// missing lists the ids that found no document: they are deleted (or no
// longer searchable) and leave the index.
func missing(kind Kind, ids []id.ID, docs []Doc) []Ref {
	found := make(map[id.ID]bool, len(docs))
	for _, d := range docs {
		found[d.ID] = true
	}
	var gone []Ref
	for _, i := range ids {
		if !found[i] {
			gone = append(gone, Ref{kind, i})
		}
	}
	return gone
}
