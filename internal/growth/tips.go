package growth

import (
	"context"
	"database/sql"
	"errors"
	"github.com/redmark/redmark/internal/activity"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/points"
)

// Tip limits.
const (
	TipMax    = 10_000 // points in one tip
	TipKeyMax = 64
)

// Tip is points given by a reader to a note's author.
type Tip struct {
	ID        id.ID     `json:"id"`
	NoteID    id.ID     `json:"note_id"`
	FromID    id.ID     `json:"from_id"`
	ToID      id.ID     `json:"to_id"`
	Points    int64     `json:"points"`
	CreatedAt time.Time `json:"created_at"`
}

// Tip moves pts points from the tipper to the author of a note the tipper
// can see. key (from the client, e.g. one per tip form) makes retries and
// double clicks one tip; an empty key makes every call a new tip.
func (s *Service) Tip(ctx context.Context, from, noteID id.ID, pts int64, key string) (Tip, error) {
	if pts < 1 || pts > TipMax {
		return Tip{}, apperr.Invalid("points must be 1 to %d", TipMax)
	}
	if len(key) > TipKeyMax {
		return Tip{}, apperr.Invalid("key must be at most %d characters", TipKeyMax)
	}
	n, err := s.notes.Get(ctx, from, noteID)
	if err != nil {
		return Tip{}, err
	}
	if n.Status != notes.Published {
		return Tip{}, apperr.NotFound("note")
	}
	if n.AuthorID == from {
		return Tip{}, apperr.Forbidden("you cannot tip your own note")
	}
	if blocked, err := s.notes.Blocked(ctx, from, n.AuthorID); err != nil || blocked {
		if blocked {
			return Tip{}, apperr.NotFound("note")
		}
		return Tip{}, err
	}
	t := Tip{ID: id.New(), NoteID: noteID, FromID: from, ToID: n.AuthorID, Points: pts, CreatedAt: time.UnixMilli(db.Now()).UTC()}
	if key == "" {
		key = t.ID.String()
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		res, err := w.Exec(ctx, `INSERT INTO growth_tips (id, note_id, from_id, to_id, points, idem_key, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, t.ID, noteID, from, t.ToID, pts, key, db.Now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var created int64
			if err := w.QueryRow(ctx, "SELECT id, note_id, to_id, points, created_at FROM growth_tips WHERE from_id = ? AND idem_key = ?", from, key).
				Scan(&t.ID, &t.NoteID, &t.ToID, &t.Points, &created); err != nil {
				return err
			}
			t.CreatedAt = time.UnixMilli(created).UTC()
			if t.NoteID != noteID || t.Points != pts {
				return apperr.Conflict("this key was used for another tip")
			}
			return nil
		}
		if _, err := s.points.Add(ctx, from, -pts, points.TipSent, t.ID, "tip"); err != nil {
			return err
		}
		if _, err = s.points.Add(ctx, t.ToID, pts, points.TipReceived, t.ID, "tip received"); err != nil {
			return err
		}
		return s.Tipped.Record(ctx, activity.Event{Kind: activity.Tipped, User: t.ToID, Ref: noteID, Actor: from, Amount: pts})
	})
	if err != nil {
		return Tip{}, err
	}
	return t, nil
}

// NoteTips is what a note has received.
type NoteTips struct {
	NoteID id.ID `json:"note_id"`
	Count  int64 `json:"count"`
	Points int64 `json:"points"`
}

// TipsByNote returns the tips per note of a creator, most tipped first.
func (s *Service) TipsByNote(ctx context.Context, creator id.ID, limit int) ([]NoteTips, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT note_id, COUNT(*), SUM(points) FROM growth_tips WHERE to_id = ?
		GROUP BY note_id ORDER BY SUM(points) DESC, note_id DESC LIMIT ?`, creator, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []NoteTips{}
	for rows.Next() {
		var t NoteTips
		if err := rows.Scan(&t.NoteID, &t.Count, &t.Points); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// NoteTotal is a note's tips, shown to its author only.
func (s *Service) NoteTotal(ctx context.Context, viewer, noteID id.ID) (NoteTips, error) {
	t := NoteTips{NoteID: noteID}
	var sum sql.NullInt64
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*), SUM(points) FROM growth_tips WHERE note_id = ? AND to_id = ?", noteID, viewer).
		Scan(&t.Count, &sum)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	t.Points = sum.Int64
	return t, err
}
