package places

import (
	"context"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// under is the condition "the note's place is p or lies under it", for a
// query that joins note_places np and places pl.
const under = "np.place_id = pl.id AND pl.path LIKE ?"

// TopNotes returns the ids of the most engaged published notes at or under
// p, best first.
func (s *Service) TopNotes(ctx context.Context, p Place, limit int) ([]id.ID, error) {
	return db.IDs(s.db.Reader(ctx).Query(ctx, `SELECT n.id FROM note_places np JOIN places pl ON `+under+`
		JOIN notes n ON n.id = np.note_id WHERE n.status = 'published'
		ORDER BY n.like_count + 2 * n.collect_count + 3 * n.comment_count DESC, n.id DESC LIMIT ?`, p.path+"%", limit))
}

// NotesIn returns published notes at or under p, newest first, older than
// before (0: from the newest): the discover feed's destination filter.
func (s *Service) NotesIn(ctx context.Context, p Place, before id.ID, limit int) ([]id.ID, error) {
	if before == 0 {
		before = id.ID(1<<63 - 1)
	}
	return db.IDs(s.db.Reader(ctx).Query(ctx, `SELECT n.id FROM note_places np JOIN places pl ON `+under+`
		JOIN notes n ON n.id = np.note_id WHERE n.status = 'published' AND n.id < ?
		ORDER BY n.id DESC LIMIT ?`, p.path+"%", before, limit))
}

// TopicCount is a topic and how many notes at a place carry it.
type TopicCount struct {
	Name  string
	Notes int64
}

// trendWindow is how far back "trending at a place" looks.
const trendWindow = 30 * 24 * 3600 * 1000

// Topics returns the topics most used by notes at or under p in the last
// 30 days.
func (s *Service) Topics(ctx context.Context, p Place, limit int) ([]TopicCount, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT COALESCE(NULLIF(t.display, ''), t.name), COUNT(*) FROM note_places np JOIN places pl ON `+under+`
		JOIN notes n ON n.id = np.note_id JOIN note_topics nt ON nt.note_id = n.id JOIN topics t ON t.id = nt.topic_id
		WHERE n.status = 'published' AND n.published_at > ?
		GROUP BY t.id, t.display, t.name ORDER BY COUNT(*) DESC, t.name LIMIT ?`, p.path+"%", db.Now()-trendWindow, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TopicCount
	for rows.Next() {
		var tc TopicCount
		if err := rows.Scan(&tc.Name, &tc.Notes); err != nil {
			return nil, err
		}
		out = append(out, tc)
	}
	return out, rows.Err()
}

// Products returns the listed products most popular with people who went
// to p: those who posted notes there and bought the product, or linked it
// from a note there. Each person counts once per product.
func (s *Service) Products(ctx context.Context, p Place, limit int) ([]id.ID, error) {
	like := p.path + "%"
	return db.IDs(s.db.Reader(ctx).Query(ctx, `SELECT x.product_id FROM (
			SELECT n.author_id AS user_id, oi.product_id FROM note_places np JOIN places pl ON `+under+`
			JOIN notes n ON n.id = np.note_id JOIN orders o ON o.user_id = n.author_id
			JOIN order_items oi ON oi.order_id = o.id WHERE o.status IN ('paid', 'shipped', 'delivered', 'completed')
			UNION
			SELECT n.author_id, npr.product_id FROM note_places np JOIN places pl ON `+under+`
			JOIN notes n ON n.id = np.note_id JOIN note_products npr ON npr.note_id = n.id WHERE n.status = 'published'
		) x JOIN products pr ON pr.id = x.product_id WHERE pr.listed = 1
		GROUP BY x.product_id ORDER BY COUNT(*) DESC, x.product_id DESC LIMIT ?`, like, like, limit))
}

// Pin is a place on the destination map with how many notes it holds.
type Pin struct {
	Place Place
	Notes int64
}

// Pins returns p and the places under it that have coordinates and notes,
// with the number of notes at or under each.
func (s *Service) Pins(ctx context.Context, p Place) ([]Pin, error) {
	subtree, err := s.list(ctx, "path LIKE ?", p.path+"%")
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT pl.path, COUNT(*) FROM note_places np JOIN places pl ON `+under+`
		GROUP BY pl.path`, p.path+"%")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]int64{}
	for rows.Next() {
		var path string
		var n int64
		if err := rows.Scan(&path, &n); err != nil {
			return nil, err
		}
		counts[path] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Pin
	for _, q := range subtree {
		if !q.HasCoords() {
			continue
		}
		var n int64
		for path, c := range counts {
			if len(path) >= len(q.path) && path[:len(q.path)] == q.path {
				n += c
			}
		}
		// The place itself is pinned even without notes: it centres the map.
		if n > 0 || q.ID == p.ID {
			out = append(out, Pin{Place: q, Notes: n})
		}
	}
	return out, nil
}

// NoteCount is how many notes are at or under p.
func (s *Service) NoteCount(ctx context.Context, p Place) (int64, error) {
	var n int64
	err := s.db.Reader(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM note_places np JOIN places pl ON `+under, p.path+"%").Scan(&n)
	return n, err
}

// OfNotes returns the place of each note that has one.
func (s *Service) OfNotes(ctx context.Context, noteIDs []id.ID) (map[id.ID]Place, error) {
	out := map[id.ID]Place{}
	if len(noteIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(noteIDs))
	for i, n := range noteIDs {
		args[i] = n
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT np.note_id, `+placeCols+` FROM note_places np
		JOIN places pl ON pl.id = np.place_id WHERE np.note_id IN (`+db.Placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var nid id.ID
		p, err := scanPlace(rows, &nid)
		if err != nil {
			return nil, err
		}
		out[nid] = p
	}
	return out, rows.Err()
}
