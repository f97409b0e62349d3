// Package social owns interactions between people and notes (C3, C4): likes,
// collects into boards, nested comments with likes, follows and blocks. It
// keeps the interaction counters on notes, comments, boards and users in the
// same transaction as the rows they count, and changes a counter only when a
// row was really inserted or deleted, so repeated requests are idempotent and
// the counts stay exact under concurrency.
//
// Lock order (matters on PostgreSQL, where row locks are real): a note row
// before its author's users row or its comment rows; two users rows in
// ascending id order. Following it everywhere keeps concurrent requests from
// deadlocking.
package social

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/feed"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notify"
)

// Service manages interactions.
type Service struct {
	db       *db.DB
	accounts *accounts.Service
	notify   *notify.Service
	feed     *feed.Service
	notes    NoteCache
	// Activity hears of likes, collects and comments on others' notes
	// (growth tasks), in their transaction.
	Activity activity.Hook
	// Guard, when set, is trust and safety (moderated.go): it refuses
	// restricted authors and screens comments.
	Guard CommentGuard
}

// NoteCache is told about every change to a note's counters: the notes
// service caches whole notes, counters included.
type NoteCache interface {
	Forget(ctx context.Context, noteID id.ID)
}

func New(d *db.DB, acc *accounts.Service, n *notify.Service, f *feed.Service, nc NoteCache) *Service {
	return &Service{db: d, accounts: acc, notify: n, feed: f, notes: nc}
}

// forUpdate locks the rows a SELECT reads until the transaction ends. On
// PostgreSQL that is FOR NO KEY UPDATE (it still lets other tables insert
// rows referencing them); SQLite has one writer at a time, so nothing is
// needed there.
func (s *Service) forUpdate() string {
	if s.db.Dialect == db.Postgres {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// lockNote locks a published note's row and returns its author, or 404:
// drafts and deleted notes cannot be interacted with. Taking the note row
// first gives every write about a note the same lock order as the notes
// service, so a like racing a delete of the note waits instead of
// deadlocking or failing a foreign key.
func (s *Service) lockNote(ctx context.Context, noteID id.ID) (id.ID, error) {
	var author id.ID
	err := s.db.Writer(ctx).QueryRow(ctx, "SELECT author_id FROM notes WHERE id = ? AND status = 'published'"+s.forUpdate(),
		noteID).Scan(&author)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.NotFound("note")
	}
	return author, err
}

// publishedAuthor returns the author of a published note, or 404, for reads.
func (s *Service) publishedAuthor(ctx context.Context, noteID id.ID) (id.ID, error) {
	var author id.ID
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT author_id FROM notes WHERE id = ? AND status = 'published'", noteID).Scan(&author)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.NotFound("note")
	}
	return author, err
}

// blockedEither reports whether a blocks b or b blocks a.
func (s *Service) blockedEither(ctx context.Context, a, b id.ID) (bool, error) {
	var n int64
	err := s.db.Reader(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM blocks
		WHERE (blocker_id = ? AND blocked_id = ?) OR (blocker_id = ? AND blocked_id = ?)`, a, b, b, a).Scan(&n)
	return n > 0, err
}

// exec runs a write and reports how many rows it changed.
func (s *Service) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.db.Writer(ctx).Exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// count reads one counter column inside the caller's transaction.
func (s *Service) count(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := s.db.Writer(ctx).QueryRow(ctx, query, args...).Scan(&n)
	return n, err
}

// Cursor is a position in a list ordered newest first by the time of an
// action (a like, a collect, a follow) and then by the id of its subject,
// which together are unique. The zero Cursor means "from the newest".
type Cursor struct {
	At int64 // db.Now() form
	ID id.ID
}

// String is the opaque form clients send back ("" for the zero cursor).
func (c Cursor) String() string {
	if c.At == 0 && c.ID == 0 {
		return ""
	}
	return strconv.FormatInt(c.At, 10) + "-" + c.ID.String()
}

// ParseCursor reads a cursor from String; "" is the zero cursor.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	at, rest, ok := strings.Cut(s, "-")
	t, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || t <= 0 {
		return Cursor{}, apperr.Invalid("invalid cursor")
	}
	i, err := id.Parse(rest)
	if err != nil {
		return Cursor{}, apperr.Invalid("invalid cursor")
	}
	return Cursor{At: t, ID: i}, nil
}

// bounds turns a cursor into the (time, id) upper bound of the next page.
func (c Cursor) bounds() (int64, id.ID) {
	if c.At == 0 && c.ID == 0 {
		return math.MaxInt64, id.ID(math.MaxInt64)
	}
	return c.At, c.ID
}

// timeList runs query, which must select (subject id, created_at) ordered
// newest first and end with "LIMIT ?", fetching one row more than limit to
// know whether another page exists. It returns the ids and the cursor of the
// next page (zero when this is the last).
func (s *Service) timeList(ctx context.Context, query string, limit int, args ...any) ([]id.ID, Cursor, error) {
	if limit < 1 {
		return nil, Cursor{}, fmt.Errorf("social: limit %d", limit)
	}
	rows, err := s.db.Reader(ctx).Query(ctx, query, append(args, limit+1)...)
	if err != nil {
		return nil, Cursor{}, err
	}
	defer rows.Close()
	var ids []id.ID
	var last, next Cursor
	for rows.Next() {
		var c Cursor
		if err := rows.Scan(&c.ID, &c.At); err != nil {
			return nil, Cursor{}, err
		}
		if len(ids) == limit {
			next = last
			break
		}
		ids = append(ids, c.ID)
		last = c
	}
	return ids, next, rows.Err()
}

func millis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// Blocked reports whether either user blocks the other.
func (s *Service) Blocked(ctx context.Context, a, b id.ID) (bool, error) {
	return s.blockedEither(ctx, a, b)
}
