package social

import (
	"context"
	"database/sql"
	"errors"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
)

// CommentGuard is what trust and safety (internal/moderation) asks of
// comment writes; app wires it in.
type CommentGuard interface {
	// MayPost refuses an author who is muted, suspended or banned (403).
	MayPost(ctx context.Context, author id.ID) error
	// ScreenComment runs in the comment's transaction before its row is
	// written: hold keeps it hidden for review (a case is open), an error
	// refuses it.
	ScreenComment(ctx context.Context, author, noteID, commentID id.ID, body string) (hold bool, err error)
}

// A hidden comment is stored with deleted = hiddenMark: every reader shows
// it as the deleted placeholder, its text kept for the moderator to
// restore. Deleted comments are 1.
const hiddenMark = 2

// visible keeps hidden comments out of lists, except a top-level one with
// replies, which stays as the placeholder that holds its thread together.
const visible = "(deleted <> 2 OR reply_count > 0)"

func heldFlag(held bool) int {
	if held {
		return hiddenMark
	}
	return 0
}

// CommentSnapshot is what moderation records of a comment.
type CommentSnapshot struct {
	ID       id.ID  `json:"id"`
	NoteID   id.ID  `json:"note_id"`
	AuthorID id.ID  `json:"author_id"`
	Body     string `json:"body"`
	Hidden   bool   `json:"hidden"`
}

// CommentOf reads a comment for moderation (hidden ones too).
func (s *Service) CommentOf(ctx context.Context, commentID id.ID) (CommentSnapshot, error) {
	var c CommentSnapshot
	var deleted int
	err := s.db.Writer(ctx).QueryRow(ctx, "SELECT id, note_id, author_id, body, deleted FROM comments WHERE id = ?", commentID).
		Scan(&c.ID, &c.NoteID, &c.AuthorID, &c.Body, &deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFound("comment")
	}
	c.Hidden = deleted == hiddenMark
	if deleted == 1 {
		return c, apperr.NotFound("comment")
	}
	return c, err
}

// SetCommentHidden hides a live comment or restores a hidden one, in the
// caller's transaction, moving the note's comment count with it.
// Authorization is the caller's (moderation). 409 when the comment is not
// in the state the change starts from.
func (s *Service) SetCommentHidden(ctx context.Context, commentID id.ID, hide bool) (CommentSnapshot, error) {
	c, err := s.CommentOf(ctx, commentID)
	if err != nil {
		return c, err
	}
	if _, err := s.lockNoteAny(ctx, c.NoteID); err != nil {
		return c, err
	}
	from, to, delta := 0, hiddenMark, -1
	if !hide {
		from, to, delta = hiddenMark, 0, 1
	}
	n, err := s.exec(ctx, "UPDATE comments SET deleted = ? WHERE id = ? AND deleted = ?", to, commentID, from)
	if err != nil {
		return c, err
	}
	if n == 0 {
		return c, apperr.Conflict("the comment is not in that state")
	}
	s.notes.Forget(ctx, c.NoteID)
	_, err = s.exec(ctx, "UPDATE notes SET comment_count = comment_count + ? WHERE id = ?", delta, c.NoteID)
	return c, err
}

// lockNoteAny locks a note row whatever its status (comment writes hold
// the note first, see Comment).
func (s *Service) lockNoteAny(ctx context.Context, noteID id.ID) (id.ID, error) {
	var author id.ID
	err := s.db.Writer(ctx).QueryRow(ctx, "SELECT author_id FROM notes WHERE id = ?"+s.forUpdate(), noteID).Scan(&author)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.NotFound("note")
	}
	return author, err
}
