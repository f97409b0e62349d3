package social

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notify"
	"github.com/redmark/redmark/internal/validate"
)

// Limits on boards.
const (
	BoardNameMax        = 40
	BoardDescriptionMax = 200
	BoardsPerUser       = 200
)

// Board is a named collection (收藏专辑). A collect without a board sits in
// the user's default collection, which has no row.
type Board struct {
	ID          id.ID     `json:"id"`
	UserID      id.ID     `json:"user_id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	NoteCount   int64     `json:"note_count"`
	CreatedAt   time.Time `json:"created_at"`
}

// nullBoard stores the default collection as NULL.
func nullBoard(b id.ID) any {
	if b == 0 {
		return nil
	}
	return b
}

// ownBoard checks that boardID exists and belongs to user.
func (s *Service) ownBoard(ctx context.Context, user, boardID id.ID) error {
	var owner id.ID
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT user_id FROM boards WHERE id = ?", boardID).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("board")
	}
	if err != nil {
		return err
	}
	if owner != user {
		return apperr.Forbidden("you can only collect into your own boards")
	}
	return nil
}

// addBoardCount moves a board's note count; the default collection (0) has none.
func (s *Service) addBoardCount(ctx context.Context, boardID id.ID, delta int64) error {
	if boardID == 0 {
		return nil
	}
	_, err := s.exec(ctx, "UPDATE boards SET note_count = note_count + ? WHERE id = ?", delta, boardID)
	return err
}

// Collect saves a published note into one of user's boards (0: the default
// collection) and returns the note's collect count. Collecting again is a
// no-op, or moves the note when boardID differs.
func (s *Service) Collect(ctx context.Context, user, noteID, boardID id.ID) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		author, err := s.lockNote(ctx, noteID)
		if err != nil {
			return err
		}
		if boardID != 0 {
			if err := s.ownBoard(ctx, user, boardID); err != nil {
				return err
			}
		}
		added, err := s.exec(ctx, `INSERT INTO collects (user_id, note_id, board_id, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, user, noteID, nullBoard(boardID), db.Now())
		if err != nil {
			return err
		}
		if added == 0 {
			if err := s.moveCollect(ctx, user, noteID, boardID); err != nil {
				return err
			}
			n, err = s.count(ctx, "SELECT collect_count FROM notes WHERE id = ?", noteID)
			return err
		}
		s.notes.Forget(ctx, noteID)
		if n, err = s.count(ctx, "UPDATE notes SET collect_count = collect_count + 1 WHERE id = ? RETURNING collect_count", noteID); err != nil {
			return err
		}
		if err := s.addBoardCount(ctx, boardID, 1); err != nil {
			return err
		}
		if err := s.accounts.AddCount(ctx, author, accounts.LikedCollected, 1); err != nil {
			return err
		}
		if author != user {
			if err := s.Activity.Record(ctx, activity.Event{Kind: activity.Collect, User: user, Ref: noteID}); err != nil {
				return err
			}
		}
		return s.notify.Add(ctx, notify.Notification{UserID: author, Kind: notify.Collect, ActorID: user, NoteID: noteID})
	})
	return n, err
}

// moveCollect puts an existing collect into boardID. The UPDATE only
// matches while the board is still the one read, so a concurrent move by
// the same user cannot make the board counts drift; it is retried instead.
func (s *Service) moveCollect(ctx context.Context, user, noteID, boardID id.ID) error {
	for range 5 {
		var cur id.ID
		err := s.db.Writer(ctx).QueryRow(ctx, "SELECT COALESCE(board_id, 0) FROM collects WHERE user_id = ? AND note_id = ?",
			user, noteID).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Conflict("the collect changed concurrently, retry")
		}
		if err != nil || cur == boardID {
			return err
		}
		moved, err := s.exec(ctx, `UPDATE collects SET board_id = ? WHERE user_id = ? AND note_id = ? AND COALESCE(board_id, 0) = ?`,
			nullBoard(boardID), user, noteID, cur)
		if err != nil {
			return err
		}
		if moved == 1 {
			if err := s.addBoardCount(ctx, cur, -1); err != nil {
				return err
			}
			return s.addBoardCount(ctx, boardID, 1)
		}
	}
	return apperr.Conflict("the collect changed concurrently, retry")
}

// Uncollect removes a note from user's collection (whatever board) and
// returns its collect count. Uncollecting twice is a no-op.
func (s *Service) Uncollect(ctx context.Context, user, noteID id.ID) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		author, err := s.lockNote(ctx, noteID)
		if err != nil {
			return err
		}
		var board sql.NullInt64
		err = s.db.Writer(ctx).QueryRow(ctx, "DELETE FROM collects WHERE user_id = ? AND note_id = ? RETURNING board_id",
			user, noteID).Scan(&board)
		if errors.Is(err, sql.ErrNoRows) {
			n, err = s.count(ctx, "SELECT collect_count FROM notes WHERE id = ?", noteID)
			return err
		}
		if err != nil {
			return err
		}
		s.notes.Forget(ctx, noteID)
		if n, err = s.count(ctx, "UPDATE notes SET collect_count = collect_count - 1 WHERE id = ? RETURNING collect_count", noteID); err != nil {
			return err
		}
		if err := s.addBoardCount(ctx, id.ID(board.Int64), -1); err != nil {
			return err
		}
		if err := s.accounts.AddCount(ctx, author, accounts.LikedCollected, -1); err != nil {
			return err
		}
		return s.notify.Retract(ctx, author, user, notify.Collect, noteID, 0)
	})
	return n, err
}

// CollectedNotes lists the published notes userID has collected (any
// board), most recently collected first.
func (s *Service) CollectedNotes(ctx context.Context, userID id.ID, before Cursor, limit int) ([]id.ID, Cursor, error) {
	at, nid := before.bounds()
	return s.timeList(ctx, `SELECT c.note_id, c.created_at FROM collects c JOIN notes n ON n.id = c.note_id
		WHERE c.user_id = ? AND (c.created_at, c.note_id) < (?, ?) AND n.status = 'published'
		ORDER BY c.created_at DESC, c.note_id DESC LIMIT ?`, limit, userID, at, nid)
}

func checkBoard(name, description string) (string, string, error) {
	name, err := validate.Text("name", name, 1, BoardNameMax, false)
	if err != nil {
		return "", "", err
	}
	description, err = validate.Text("description", description, 0, BoardDescriptionMax, true)
	return name, description, err
}

// CreateBoard adds a named board; names are unique per user (409).
func (s *Service) CreateBoard(ctx context.Context, user id.ID, name, description string) (Board, error) {
	name, description, err := checkBoard(name, description)
	if err != nil {
		return Board{}, err
	}
	now := db.Now()
	b := Board{ID: id.New(), UserID: user, Name: name, Description: description, CreatedAt: millis(now)}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		var have int64
		if err := s.db.Writer(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM boards WHERE user_id = ?", user).Scan(&have); err != nil {
			return err
		}
		if have >= BoardsPerUser {
			return apperr.Invalid("you can have at most %d boards", BoardsPerUser)
		}
		_, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO boards (id, user_id, name, description, created_at) VALUES (?, ?, ?, ?, ?)`,
			b.ID, b.UserID, b.Name, b.Description, now)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("you already have a board named %q", name)
		}
		return err
	})
	return b, err
}

const boardCols = "id, user_id, name, description, note_count, created_at"

func scanBoard(row interface{ Scan(...any) error }) (Board, error) {
	var b Board
	var created int64
	err := row.Scan(&b.ID, &b.UserID, &b.Name, &b.Description, &b.NoteCount, &created)
	b.CreatedAt = millis(created)
	return b, err
}

// Board returns one board.
func (s *Service) Board(ctx context.Context, boardID id.ID) (Board, error) {
	b, err := scanBoard(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+boardCols+" FROM boards WHERE id = ?", boardID))
	if errors.Is(err, sql.ErrNoRows) {
		return Board{}, apperr.NotFound("board")
	}
	return b, err
}

// Boards lists a user's boards, oldest first (the order they were made).
func (s *Service) Boards(ctx context.Context, userID id.ID) ([]Board, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+boardCols+" FROM boards WHERE user_id = ? ORDER BY id", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Board{}
	for rows.Next() {
		b, err := scanBoard(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// BoardNotes returns a board and a page of its published notes, most
// recently collected first.
func (s *Service) BoardNotes(ctx context.Context, boardID id.ID, before Cursor, limit int) (Board, []id.ID, Cursor, error) {
	b, err := s.Board(ctx, boardID)
	if err != nil {
		return Board{}, nil, Cursor{}, err
	}
	at, nid := before.bounds()
	ids, next, err := s.timeList(ctx, `SELECT c.note_id, c.created_at FROM collects c JOIN notes n ON n.id = c.note_id
		WHERE c.board_id = ? AND (c.created_at, c.note_id) < (?, ?) AND n.status = 'published'
		ORDER BY c.created_at DESC, c.note_id DESC LIMIT ?`, limit, boardID, at, nid)
	return b, ids, next, err
}

// UpdateBoard renames a board or changes its description (nil: unchanged);
// only its owner may.
func (s *Service) UpdateBoard(ctx context.Context, user, boardID id.ID, name, description *string) (Board, error) {
	var b Board
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if b, err = s.Board(ctx, boardID); err != nil {
			return err
		}
		if b.UserID != user {
			return apperr.Forbidden("this is not your board")
		}
		n, d := b.Name, b.Description
		if name != nil {
			n = *name
		}
		if description != nil {
			d = *description
		}
		if b.Name, b.Description, err = checkBoard(n, d); err != nil {
			return err
		}
		_, err = s.db.Writer(ctx).Exec(ctx, "UPDATE boards SET name = ?, description = ? WHERE id = ?", b.Name, b.Description, boardID)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("you already have a board named %q", b.Name)
		}
		return err
	})
	return b, err
}

// DeleteBoard removes a board; only its owner may. Its notes stay collected
// and fall back to the default collection (the schema sets board_id NULL).
func (s *Service) DeleteBoard(ctx context.Context, user, boardID id.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		b, err := s.Board(ctx, boardID)
		if err != nil {
			return err
		}
		if b.UserID != user {
			return apperr.Forbidden("this is not your board")
		}
		_, err = s.db.Writer(ctx).Exec(ctx, "DELETE FROM boards WHERE id = ?", boardID)
		return err
	})
}
