package places

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/validate"
)

// What a shopping-list item or a guide item refers to.
const (
	ItemNote    = "note"
	ItemProduct = "product"
)

// Limits on lists.
const (
	MaxLists     = 50
	MaxListItems = 200
)

// List is a per-trip shopping list (清单).
type List struct {
	ID         id.ID  `json:"id"`
	UserID     id.ID  `json:"user_id"`
	Title      string `json:"title"`
	PlaceID    id.ID  `json:"place_id,omitzero"`
	ShareToken string `json:"share_token,omitempty"` // shown to the owner only
	Items      []Item `json:"items"`
}

// Shared reports whether the list can be read through its share link.
func (l List) Shared() bool { return l.ShareToken != "" }

// Item is a product or note on a list.
type Item struct {
	ID     id.ID  `json:"id"`
	Kind   string `json:"kind"`
	RefID  id.ID  `json:"ref_id"`
	Bought bool   `json:"bought"`
}

// CreateList starts a list for user, optionally for a destination.
func (s *Service) CreateList(ctx context.Context, user id.ID, title string, place id.ID) (List, error) {
	title, err := validate.Text("title", title, 1, 60, false)
	if err != nil {
		return List{}, err
	}
	var pl any
	if place != 0 {
		if _, err := s.Get(ctx, place); err != nil {
			return List{}, apperr.Invalid("place_id: no such place")
		}
		pl = place
	}
	l := List{ID: id.New(), UserID: user, Title: title, PlaceID: place}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		var n int
		if err := s.db.Writer(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM trip_lists WHERE user_id = ?", user).Scan(&n); err != nil {
			return err
		}
		if n >= MaxLists {
			return apperr.Invalid("at most %d lists", MaxLists)
		}
		now := db.Now()
		_, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO trip_lists (id, user_id, title, place_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, l.ID, user, title, pl, now, now)
		return err
	})
	return l, err
}

// Lists returns user's own lists, newest first, without items.
func (s *Service) Lists(ctx context.Context, user id.ID) ([]List, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT id, user_id, title, COALESCE(place_id, 0), share_token
		FROM trip_lists WHERE user_id = ? ORDER BY id DESC`, user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []List
	for rows.Next() {
		var l List
		if err := rows.Scan(&l.ID, &l.UserID, &l.Title, &l.PlaceID, &l.ShareToken); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (s *Service) loadList(ctx context.Context, q db.Querier, cond string, arg any) (List, error) {
	var l List
	err := q.QueryRow(ctx, `SELECT id, user_id, title, COALESCE(place_id, 0), share_token FROM trip_lists WHERE `+cond, arg).
		Scan(&l.ID, &l.UserID, &l.Title, &l.PlaceID, &l.ShareToken)
	if errors.Is(err, sql.ErrNoRows) {
		return l, apperr.NotFound("list")
	}
	if err != nil {
		return l, err
	}
	rows, err := q.Query(ctx, "SELECT id, kind, ref_id, bought FROM trip_items WHERE list_id = ? ORDER BY id", l.ID)
	if err != nil {
		return l, err
	}
	defer rows.Close()
	for rows.Next() {
		var it Item
		var bought int
		if err := rows.Scan(&it.ID, &it.Kind, &it.RefID, &bought); err != nil {
			return l, err
		}
		it.Bought = bought == 1
		l.Items = append(l.Items, it)
	}
	return l, rows.Err()
}

// List returns a list its owner asks for; anyone else gets not-found, so
// a private list's existence does not leak.
func (s *Service) List(ctx context.Context, user, listID id.ID) (List, error) {
	l, err := s.loadList(ctx, s.db.Reader(ctx), "id = ?", listID)
	if err != nil {
		return l, err
	}
	if l.UserID != user {
		return List{}, apperr.NotFound("list")
	}
	return l, nil
}

// SharedList returns the list behind a share link, without the token.
func (s *Service) SharedList(ctx context.Context, token string) (List, error) {
	if len(token) < 16 {
		return List{}, apperr.NotFound("list")
	}
	l, err := s.loadList(ctx, s.db.Reader(ctx), "share_token = ?", token)
	l.ShareToken = ""
	return l, err
}

// own checks inside a write transaction that user owns listID.
func (s *Service) own(ctx context.Context, user, listID id.ID) error {
	var owner id.ID
	err := s.db.Writer(ctx).QueryRow(ctx, "SELECT user_id FROM trip_lists WHERE id = ?", listID).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != user) {
		return apperr.NotFound("list")
	}
	return err
}

// AddItem puts a note or product on user's list; adding it again is a
// no-op. The caller has checked that the thing exists and is visible.
func (s *Service) AddItem(ctx context.Context, user, listID id.ID, kind string, ref id.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.own(ctx, user, listID); err != nil {
			return err
		}
		if kind != ItemNote && kind != ItemProduct {
			return apperr.Invalid("kind must be note or product")
		}
		return s.addItem(ctx, listID, kind, ref)
	})
}

func (s *Service) addItem(ctx context.Context, listID id.ID, kind string, ref id.ID) error {
	w := s.db.Writer(ctx)
	var n, dup int
	err := w.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN kind = ? AND ref_id = ? THEN 1 ELSE 0 END), 0)
		FROM trip_items WHERE list_id = ?`, kind, ref, listID).Scan(&n, &dup)
	if err != nil || dup > 0 {
		return err
	}
	if n >= MaxListItems {
		return apperr.Invalid("a list holds at most %d items", MaxListItems)
	}
	_, err = w.Exec(ctx, "INSERT INTO trip_items (id, list_id, kind, ref_id, created_at) VALUES (?, ?, ?, ?, ?)",
		id.New(), listID, kind, ref, db.Now())
	if db.IsUniqueViolation(err) {
		return nil // a concurrent add of the same thing
	}
	if err == nil {
		_, err = w.Exec(ctx, "UPDATE trip_lists SET updated_at = ? WHERE id = ?", db.Now(), listID)
	}
	return err
}

// ImportBoard adds the notes of one of user's collect boards to the list
// and returns how many were new.
func (s *Service) ImportBoard(ctx context.Context, user, listID, boardID id.ID) (int, error) {
	added := 0
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.own(ctx, user, listID); err != nil {
			return err
		}
		w := s.db.Writer(ctx)
		var owner id.ID
		err := w.QueryRow(ctx, "SELECT user_id FROM boards WHERE id = ?", boardID).Scan(&owner)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != user) {
			return apperr.NotFound("board")
		}
		if err != nil {
			return err
		}
		ids, err := db.IDs(w.Query(ctx, `SELECT c.note_id FROM collects c JOIN notes n ON n.id = c.note_id
			WHERE c.user_id = ? AND c.board_id = ? AND n.status = 'published' ORDER BY c.created_at`, user, boardID))
		if err != nil {
			return err
		}
		before, err := s.itemCount(ctx, listID)
		if err != nil {
			return err
		}
		for _, n := range ids {
			if err := s.addItem(ctx, listID, ItemNote, n); err != nil {
				return err
			}
		}
		after, err := s.itemCount(ctx, listID)
		added = after - before
		return err
	})
	return added, err
}

func (s *Service) itemCount(ctx context.Context, listID id.ID) (int, error) {
	var n int
	err := s.db.Writer(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM trip_items WHERE list_id = ?", listID).Scan(&n)
	return n, err
}

// SetBought ticks or unticks an item on user's list.
func (s *Service) SetBought(ctx context.Context, user, listID, itemID id.ID, bought bool) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.own(ctx, user, listID); err != nil {
			return err
		}
		v := 0
		if bought {
			v = 1
		}
		res, err := s.db.Writer(ctx).Exec(ctx, "UPDATE trip_items SET bought = ? WHERE id = ? AND list_id = ?", v, itemID, listID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("item")
		}
		return nil
	})
}

// RemoveItem takes an item off user's list.
func (s *Service) RemoveItem(ctx context.Context, user, listID, itemID id.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.own(ctx, user, listID); err != nil {
			return err
		}
		_, err := s.db.Writer(ctx).Exec(ctx, "DELETE FROM trip_items WHERE id = ? AND list_id = ?", itemID, listID)
		return err
	})
}

// Share turns the list's share link on (returning the token; an existing
// link is kept) or off (a later share makes a new, different link).
func (s *Service) Share(ctx context.Context, user, listID id.ID, on bool) (string, error) {
	var token string
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.own(ctx, user, listID); err != nil {
			return err
		}
		w := s.db.Writer(ctx)
		if !on {
			_, err := w.Exec(ctx, "UPDATE trip_lists SET share_token = '' WHERE id = ?", listID)
			return err
		}
		if err := w.QueryRow(ctx, "SELECT share_token FROM trip_lists WHERE id = ?", listID).Scan(&token); err != nil || token != "" {
			return err
		}
		b := make([]byte, 18)
		_, _ = rand.Read(b)
		token = base64.RawURLEncoding.EncodeToString(b)
		_, err := w.Exec(ctx, "UPDATE trip_lists SET share_token = ? WHERE id = ?", token, listID)
		return err
	})
	return token, err
}

// DeleteList removes user's list.
func (s *Service) DeleteList(ctx context.Context, user, listID id.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.own(ctx, user, listID); err != nil {
			return err
		}
		_, err := s.db.Writer(ctx).Exec(ctx, "DELETE FROM trip_lists WHERE id = ?", listID)
		return err
	})
}
