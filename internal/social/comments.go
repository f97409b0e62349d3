package social

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notify"
	"github.com/redmark/redmark/internal/validate"
)

// Limits on comments.
const (
	CommentMax         = 1000 // runes
	RepliesPreview     = 3    // replies shown under each top-level comment
	MentionsPerComment = 10   // @mentions that notify, per comment
	DeletedBody        = "[deleted]"
)

// Comment is a top-level comment or a reply. Threads have two levels like
// RED: a reply to a reply joins the same top-level thread (RootID) and names
// the person answered (ReplyTo).
type Comment struct {
	ID         id.ID          `json:"id"`
	NoteID     id.ID          `json:"note_id"`
	Author     *accounts.User `json:"author"` // nil once deleted
	Body       string         `json:"body"`
	LikeCount  int64          `json:"like_count"`
	ReplyCount int64          `json:"reply_count"`
	Liked      bool           `json:"liked"`
	Deleted    bool           `json:"deleted"`
	CreatedAt  time.Time      `json:"created_at"`
	RootID     id.ID          `json:"root_id,omitzero"`
	ParentID   id.ID          `json:"parent_id,omitzero"`
	ReplyTo    *accounts.User `json:"reply_to"`
	// Held is set on the answer to a comment trust and safety holds for
	// review: nobody else sees it until a moderator restores it.
	Held bool `json:"held,omitempty"`
	// Replies holds the first RepliesPreview replies of a top-level
	// comment listed by Comments; absent on replies.
	Replies []Comment `json:"replies,omitzero"`

	authorID, replyToID id.ID
}

const commentCols = `id, note_id, author_id, COALESCE(root_id, 0), COALESCE(parent_id, 0), COALESCE(reply_to_user_id, 0),
	body, like_count, reply_count, deleted, created_at`

func scanComment(row interface{ Scan(...any) error }) (Comment, error) {
	var c Comment
	var deleted int
	var created int64
	err := row.Scan(&c.ID, &c.NoteID, &c.authorID, &c.RootID, &c.ParentID, &c.replyToID, &c.Body, &c.LikeCount,
		&c.ReplyCount, &deleted, &created)
	c.Deleted = deleted != 0
	c.CreatedAt = millis(created)
	return c, err
}

func nullID(i id.ID) any {
	if i == 0 {
		return nil
	}
	return i
}

// mentionRE finds @username (the username alphabet of accounts).
// An '@' inside a word (an e-mail address) is not a mention.
var mentionRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9_.])@([A-Za-z0-9][A-Za-z0-9_.]{2,29})`)

// mentions returns the distinct usernames @mentioned in body, lower-cased.
func mentions(body string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range mentionRE.FindAllStringSubmatch(body, -1) {
		name := strings.ToLower(strings.TrimRight(m[1], "."))
		if len(name) < accounts.UsernameMin || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, name)
		if len(out) == MentionsPerComment {
			break
		}
	}
	return out
}

// Comment adds a comment to a published note, or a reply when parentID is
// set. The note author is notified ("comment"), the author of the comment
// replied to gets "reply", and @mentioned users get "mention".
func (s *Service) Comment(ctx context.Context, user accounts.User, noteID id.ID, body string, parentID id.ID) (Comment, error) {
	if s.Guard != nil {
		if err := s.Guard.MayPost(ctx, user.ID); err != nil {
			return Comment{}, err
		}
	}
	c := Comment{ID: id.New(), NoteID: noteID, ParentID: parentID}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		noteAuthor, err := s.lockNote(ctx, noteID)
		if err != nil {
			return err
		}
		if blocked, err := s.blockedEither(ctx, user.ID, noteAuthor); err != nil || blocked {
			if blocked {
				return apperr.Forbidden("you cannot comment on this note")
			}
			return err
		}
		// The body is checked once the note is known to be there for the
		// commenter: a missing note is 404, a blocked one 403, whatever
		// the body.
		if c.Body, err = validate.Text("body", body, 1, CommentMax, true); err != nil {
			return err
		}
		// Every comment write on a note holds the note row first, so the
		// parent read below cannot be deleted under us.
		if parentID != 0 {
			parent, err := s.comment(ctx, parentID)
			if err != nil {
				return err
			}
			if parent.NoteID != noteID {
				return apperr.Invalid("parent_id is a comment on another note")
			}
			if parent.Deleted {
				return apperr.NotFound("comment")
			}
			c.RootID, c.replyToID = parent.RootID, parent.authorID
			if c.RootID == 0 {
				c.RootID = parent.ID
			}
			if blocked, err := s.blockedEither(ctx, user.ID, parent.authorID); err != nil || blocked {
				if blocked {
					return apperr.Forbidden("you cannot reply to this comment")
				}
				return err
			}
		}
		if s.Guard != nil {
			if c.Held, err = s.Guard.ScreenComment(ctx, user.ID, noteID, c.ID, c.Body); err != nil {
				return err
			}
		}
		now := db.Now()
		c.CreatedAt = millis(now)
		if _, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO comments (id, note_id, author_id, root_id, parent_id, reply_to_user_id, body, deleted, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, noteID, user.ID, nullID(c.RootID), nullID(parentID), nullID(c.replyToID), c.Body, heldFlag(c.Held), now); err != nil {
			return err
		}
		if c.Held {
			return nil // counted and announced if a moderator restores it
		}
		s.notes.Forget(ctx, noteID)
		if _, err := s.exec(ctx, "UPDATE notes SET comment_count = comment_count + 1 WHERE id = ?", noteID); err != nil {
			return err
		}
		if c.RootID != 0 {
			if _, err := s.exec(ctx, "UPDATE comments SET reply_count = reply_count + 1 WHERE id = ?", c.RootID); err != nil {
				return err
			}
		}
		if noteAuthor != user.ID {
			if err := s.Activity.Record(ctx, activity.Event{Kind: activity.Comment, User: user.ID, Ref: noteID}); err != nil {
				return err
			}
		}
		return s.notifyComment(ctx, user.ID, noteAuthor, c)
	})
	if err != nil {
		return Comment{}, err
	}
	u := user.Public()
	c.Author = &u
	if c.RootID == 0 {
		c.Replies = []Comment{}
	}
	if c.replyToID != 0 {
		r, err := s.accounts.Get(ctx, c.replyToID)
		if err != nil {
			return Comment{}, err
		}
		r = r.Public()
		c.ReplyTo = &r
	}
	return c, nil
}

// notifyComment tells each person once, with the most specific kind: the
// author replied to gets "reply", the note author "comment", the rest of
// the @mentioned "mention" unless they block the commenter.
func (s *Service) notifyComment(ctx context.Context, actor, noteAuthor id.ID, c Comment) error {
	told := map[id.ID]bool{actor: true}
	if c.replyToID != 0 {
		told[c.replyToID] = true
		if err := s.notify.Add(ctx, notify.Notification{UserID: c.replyToID, Kind: notify.Reply, ActorID: actor, NoteID: c.NoteID, CommentID: c.ID}); err != nil {
			return err
		}
	}
	if !told[noteAuthor] {
		told[noteAuthor] = true
		if err := s.notify.Add(ctx, notify.Notification{UserID: noteAuthor, Kind: notify.Comment, ActorID: actor, NoteID: c.NoteID, CommentID: c.ID}); err != nil {
			return err
		}
	}
	names := mentions(c.Body)
	if len(names) == 0 {
		return nil
	}
	ids, err := s.accounts.IDsByUsernames(ctx, names)
	if err != nil {
		return err
	}
	for _, name := range names {
		uid, ok := ids[name]
		if !ok || told[uid] {
			continue
		}
		told[uid] = true
		blocked, err := s.blockedEither(ctx, actor, uid)
		if err != nil {
			return err
		}
		if blocked {
			continue
		}
		if err := s.notify.Add(ctx, notify.Notification{UserID: uid, Kind: notify.Mention, ActorID: actor, NoteID: c.NoteID, CommentID: c.ID}); err != nil {
			return err
		}
	}
	return nil
}

// comment reads one comment row (404 when missing).
func (s *Service) comment(ctx context.Context, commentID id.ID) (Comment, error) {
	c, err := scanComment(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+commentCols+" FROM comments WHERE id = ?", commentID))
	if errors.Is(err, sql.ErrNoRows) {
		return Comment{}, apperr.NotFound("comment")
	}
	return c, err
}

// Comments lists a published note's top-level comments newest first, older
// than before (0: from the newest), each with its first RepliesPreview
// replies (oldest first) and its reply count.
func (s *Service) Comments(ctx context.Context, viewer, noteID, before id.ID, limit int) ([]Comment, error) {
	if _, err := s.publishedAuthor(ctx, noteID); err != nil {
		return nil, err
	}
	if before == 0 {
		before = id.ID(1<<63 - 1)
	}
	top, err := s.queryComments(ctx, "SELECT "+commentCols+` FROM comments
		WHERE note_id = ? AND root_id IS NULL AND id < ? AND `+visible+` ORDER BY id DESC LIMIT ?`, noteID, before, limit)
	if err != nil || len(top) == 0 {
		return top, err
	}
	var roots []any
	for _, c := range top {
		if c.ReplyCount > 0 {
			roots = append(roots, c.ID)
		}
	}
	var replies []Comment
	if len(roots) > 0 {
		// One query for every thread's preview: number each thread's replies
		// and keep the first few.
		args := append([]any{noteID}, roots...)
		args = append(args, RepliesPreview)
		replies, err = s.queryComments(ctx, "SELECT "+commentCols+` FROM (
			SELECT c.*, ROW_NUMBER() OVER (PARTITION BY root_id ORDER BY id) AS rn FROM comments c
			WHERE note_id = ? AND deleted <> 2 AND root_id IN (`+db.Placeholders(len(roots))+`)) r
			WHERE rn <= ? ORDER BY id`, args...)
		if err != nil {
			return nil, err
		}
	}
	all := append(append([]Comment{}, top...), replies...)
	if err := s.decorate(ctx, viewer, all); err != nil {
		return nil, err
	}
	byRoot := map[id.ID][]Comment{}
	for _, r := range all[len(top):] {
		byRoot[r.RootID] = append(byRoot[r.RootID], r)
	}
	for i := range all[:len(top)] {
		c := all[i]
		c.Replies = byRoot[c.ID]
		if c.Replies == nil {
			c.Replies = []Comment{}
		}
		top[i] = c
	}
	return top, nil
}

// Replies lists the replies in rootID's thread oldest first, newer than
// after (0: from the first).
func (s *Service) Replies(ctx context.Context, viewer, rootID, after id.ID, limit int) ([]Comment, error) {
	root, err := s.comment(ctx, rootID)
	if err != nil {
		return nil, err
	}
	if root.RootID != 0 {
		return nil, apperr.Invalid("comment %s is a reply, not a thread", rootID)
	}
	if _, err := s.publishedAuthor(ctx, root.NoteID); err != nil {
		return nil, err
	}
	out, err := s.queryComments(ctx, "SELECT "+commentCols+` FROM comments
		WHERE note_id = ? AND root_id = ? AND id > ? AND deleted <> 2 ORDER BY id LIMIT ?`, root.NoteID, rootID, after, limit)
	if err != nil {
		return nil, err
	}
	return out, s.decorate(ctx, viewer, out)
}

func (s *Service) queryComments(ctx context.Context, query string, args ...any) ([]Comment, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Comment{}
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// decorate fills authors, reply-to users and the viewer's likes, with one
// query for users and one for likes.
func (s *Service) decorate(ctx context.Context, viewer id.ID, cs []Comment) error {
	if len(cs) == 0 {
		return nil
	}
	uids := make([]id.ID, 0, 2*len(cs))
	cids := make([]any, 0, len(cs)+1)
	cids = append(cids, viewer)
	for _, c := range cs {
		uids = append(uids, c.authorID)
		if c.replyToID != 0 {
			uids = append(uids, c.replyToID)
		}
		cids = append(cids, c.ID)
	}
	users, err := s.accounts.GetMany(ctx, uids)
	if err != nil {
		return err
	}
	liked := map[id.ID]bool{}
	if viewer != 0 {
		rows, err := s.db.Reader(ctx).Query(ctx, "SELECT comment_id FROM comment_likes WHERE user_id = ? AND comment_id IN ("+
			db.Placeholders(len(cs))+")", cids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c id.ID
			if err := rows.Scan(&c); err != nil {
				return err
			}
			liked[c] = true
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for i := range cs {
		c := &cs[i]
		c.Liked = liked[c.ID]
		if c.Deleted {
			c.Body, c.LikeCount, c.Liked = DeletedBody, 0, false
		} else if u, ok := users[c.authorID]; ok {
			c.Author = &u
		}
		if u, ok := users[c.replyToID]; ok {
			c.ReplyTo = &u
		}
	}
	return nil
}

// DeleteComment removes a comment; its author, the note's author and
// operators may. A top-level comment that still has replies becomes a
// "[deleted]" placeholder so the thread stays readable; otherwise the row
// goes, and a placeholder whose last reply goes is removed too.
func (s *Service) DeleteComment(ctx context.Context, actor accounts.User, commentID id.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		c, err := s.comment(ctx, commentID)
		if err != nil {
			return err
		}
		// Lock the note row (as Comment does first), then read the comment
		// again: under that lock it and its reply count cannot change, so
		// two concurrent deletes cannot both count.
		var noteAuthor id.ID
		if err := s.db.Writer(ctx).QueryRow(ctx, "SELECT author_id FROM notes WHERE id = ?"+s.forUpdate(), c.NoteID).Scan(&noteAuthor); err != nil {
			return err
		}
		if c, err = s.comment(ctx, commentID); err != nil {
			return err
		}
		if c.Deleted {
			return apperr.NotFound("comment")
		}
		if actor.ID != c.authorID && actor.ID != noteAuthor && actor.Role != accounts.RoleOperator {
			return apperr.Forbidden("only the comment's author or the note's author can delete this comment")
		}
		s.notes.Forget(ctx, c.NoteID)
		if _, err := s.exec(ctx, "UPDATE notes SET comment_count = comment_count - 1 WHERE id = ?", c.NoteID); err != nil {
			return err
		}
		if c.RootID == 0 {
			if c.ReplyCount > 0 {
				// Keep the row as a placeholder but erase what was said, and the
				// notifications and likes about it, as a hard delete would.
				if _, err := s.exec(ctx, "UPDATE comments SET deleted = 1, body = '', like_count = 0 WHERE id = ?", c.ID); err != nil {
					return err
				}
				if _, err := s.exec(ctx, "DELETE FROM comment_likes WHERE comment_id = ?", c.ID); err != nil {
					return err
				}
				_, err := s.exec(ctx, "DELETE FROM notifications WHERE comment_id = ?", c.ID)
				return err
			}
			_, err := s.exec(ctx, "DELETE FROM comments WHERE id = ?", c.ID)
			return err
		}
		if _, err := s.exec(ctx, "DELETE FROM comments WHERE id = ?", c.ID); err != nil {
			return err
		}
		if _, err := s.exec(ctx, "UPDATE comments SET reply_count = reply_count - 1 WHERE id = ?", c.RootID); err != nil {
			return err
		}
		_, err = s.exec(ctx, "DELETE FROM comments WHERE id = ? AND deleted = 1 AND reply_count = 0", c.RootID)
		return err
	})
}

// lockComment locks a live comment's row (before comment_likes references
// it, so a concurrent delete of the comment waits instead of deadlocking)
// and checks its note is published.
func (s *Service) lockComment(ctx context.Context, commentID id.ID) (Comment, error) {
	var c Comment
	err := s.db.Writer(ctx).QueryRow(ctx, "SELECT id, note_id, author_id FROM comments WHERE id = ? AND deleted = 0"+s.forUpdate(),
		commentID).Scan(&c.ID, &c.NoteID, &c.authorID)
	if errors.Is(err, sql.ErrNoRows) {
		return Comment{}, apperr.NotFound("comment")
	}
	if err != nil {
		return Comment{}, err
	}
	if _, err := s.publishedAuthor(ctx, c.NoteID); err != nil {
		return Comment{}, err
	}
	return c, nil
}

// LikeComment likes a comment and returns its like count; idempotent.
func (s *Service) LikeComment(ctx context.Context, user, commentID id.ID) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		c, err := s.lockComment(ctx, commentID)
		if err != nil {
			return err
		}
		added, err := s.exec(ctx, "INSERT INTO comment_likes (user_id, comment_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			user, commentID, db.Now())
		if err != nil {
			return err
		}
		if added == 0 {
			n, err = s.count(ctx, "SELECT like_count FROM comments WHERE id = ?", commentID)
			return err
		}
		if n, err = s.count(ctx, "UPDATE comments SET like_count = like_count + 1 WHERE id = ? RETURNING like_count", commentID); err != nil {
			return err
		}
		return s.notify.Add(ctx, notify.Notification{UserID: c.authorID, Kind: notify.CommentLike, ActorID: user, NoteID: c.NoteID, CommentID: c.ID})
	})
	return n, err
}

// UnlikeComment removes a like from a comment and returns its like count;
// idempotent.
func (s *Service) UnlikeComment(ctx context.Context, user, commentID id.ID) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		c, err := s.lockComment(ctx, commentID)
		if err != nil {
			return err
		}
		removed, err := s.exec(ctx, "DELETE FROM comment_likes WHERE user_id = ? AND comment_id = ?", user, commentID)
		if err != nil {
			return err
		}
		if removed == 0 {
			n, err = s.count(ctx, "SELECT like_count FROM comments WHERE id = ?", commentID)
			return err
		}
		if n, err = s.count(ctx, "UPDATE comments SET like_count = like_count - 1 WHERE id = ? RETURNING like_count", commentID); err != nil {
			return err
		}
		return s.notify.Retract(ctx, c.authorID, user, notify.CommentLike, c.NoteID, c.ID)
	})
	return n, err
}
