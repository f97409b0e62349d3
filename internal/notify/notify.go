// Package notify stores the notifications users receive (C6) and groups
// them the way the app shows them: likes & collects, new followers,
// comments & @mentions, and system notices (level-ups).
package notify

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Kinds of notification.
const (
	Like        = "like"
	Collect     = "collect"
	CommentLike = "comment_like"
	Follow      = "follow"
	Comment     = "comment"
	Reply       = "reply"
	Mention     = "mention"
	// LevelUp is a system notification: Ref is the growth level reached.
	LevelUp = "level_up"
	// ReportResolved tells a reporter their report was handled: Ref is the
	// moderation case; the outcome is on their reports page.
	ReportResolved = "report_resolved"
	// ModerationAction tells a user moderation acted on them or their
	// content: Ref is the action; the reason and the appeal are on their
	// moderation page.
	ModerationAction = "moderation_action"
	// AppealDecided tells a user their appeal was decided: Ref is the action.
	AppealDecided = "appeal_decided"
)

// Categories group kinds into the three tabs of the notification page.
var Categories = map[string][]string{
	"likes":    {Like, Collect, CommentLike},
	"follows":  {Follow},
	"comments": {Comment, Reply, Mention},
	"system":   {LevelUp, ReportResolved, ModerationAction, AppealDecided},
}

// CategoryNames are the keys of Categories in display order.
var CategoryNames = []string{"likes", "follows", "comments", "system"}

// Notification is one event addressed to UserID, caused by ActorID.
type Notification struct {
	ID        id.ID     `json:"id"`
	UserID    id.ID     `json:"-"`
	Kind      string    `json:"kind"`
	ActorID   id.ID     `json:"actor_id"`
	NoteID    id.ID     `json:"note_id,omitempty"`
	CommentID id.ID     `json:"comment_id,omitempty"`
	Ref       int64     `json:"ref,omitempty"` // system kinds: what it is about (level_up: the level)
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

type Service struct{ db *db.DB }

func New(d *db.DB) *Service { return &Service{db: d} }

func nullID(i id.ID) any {
	if i == 0 {
		return nil
	}
	return i
}

// Add records n in the caller's transaction, if any. Acting on your own
// things notifies nobody.
func (s *Service) Add(ctx context.Context, n Notification) error {
	if n.UserID == n.ActorID {
		return nil
	}
	_, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO notifications (id, user_id, kind, actor_id, note_id, comment_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id.New(), n.UserID, n.Kind, n.ActorID, nullID(n.NoteID), nullID(n.CommentID), db.Now())
	return err
}

// AddSystem records a system notification about the user's own progress
// (actor: the user), in the caller's transaction.
func (s *Service) AddSystem(ctx context.Context, userID id.ID, kind string, ref int64) error {
	_, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO notifications (id, user_id, kind, actor_id, ref, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, id.New(), userID, kind, userID, ref, db.Now())
	return err
}

// Retract removes notifications of kind from actor about a subject, when the
// action is undone (unlike, unfollow), so the tab never shows stale events.
func (s *Service) Retract(ctx context.Context, userID, actorID id.ID, kind string, noteID, commentID id.ID) error {
	_, err := s.db.Writer(ctx).Exec(ctx, `DELETE FROM notifications WHERE user_id = ? AND actor_id = ? AND kind = ?
		AND COALESCE(note_id, 0) = ? AND COALESCE(comment_id, 0) = ?`, userID, actorID, kind, noteID, commentID)
	return err
}

// kindsOf lists the kinds of a category; "" means every category.
func kindsOf(category string) ([]any, error) {
	var kinds []string
	if category == "" {
		for _, c := range CategoryNames {
			kinds = append(kinds, Categories[c]...)
		}
	} else if kinds = Categories[category]; kinds == nil {
		return nil, apperr.Invalid("category must be likes, follows, comments or system")
	}
	out := make([]any, len(kinds))
	for i, k := range kinds {
		out[i] = k
	}
	return out, nil
}

// notBlocked hides events from actors the recipient has blocked, without
// deleting them (unblocking brings them back).
const notBlocked = ` AND actor_id NOT IN (SELECT blocked_id FROM blocks WHERE blocker_id = ?)`

// List returns one category's notifications ("" for all of them), newest
// first, older than before (0 for the newest page).
func (s *Service) List(ctx context.Context, userID id.ID, category string, before id.ID, limit int) ([]Notification, error) {
	kinds, err := kindsOf(category)
	if err != nil {
		return nil, err
	}
	if before == 0 {
		before = id.ID(1<<63 - 1)
	}
	// One branch per kind, each a short range scan of (user_id, kind, id),
	// merged: a single "kind IN (…)" would read and sort every matching row
	// of a popular account before taking a page.
	branches := make([]string, len(kinds))
	var args []any
	for i, k := range kinds {
		branches[i] = `SELECT * FROM (SELECT id, kind, actor_id, note_id, comment_id, ref, created_at, read_at FROM notifications
			WHERE user_id = ? AND kind = ? AND id < ?` + notBlocked + ` ORDER BY id DESC LIMIT ?) k` + strconv.Itoa(i)
		args = append(args, userID, k, before, userID, limit)
	}
	args = append(args, limit)
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT id, kind, actor_id, COALESCE(note_id, 0), COALESCE(comment_id, 0), ref, created_at, read_at
		FROM (`+strings.Join(branches, " UNION ALL ")+`) n ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		n := Notification{UserID: userID}
		var created, read int64
		if err := rows.Scan(&n.ID, &n.Kind, &n.ActorID, &n.NoteID, &n.CommentID, &n.Ref, &created, &read); err != nil {
			return nil, err
		}
		n.CreatedAt = time.UnixMilli(created).UTC()
		n.Read = read > 0
		out = append(out, n)
	}
	return out, rows.Err()
}

// Unread counts unread notifications per category.
func (s *Service) Unread(ctx context.Context, userID id.ID) (map[string]int, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT kind, COUNT(*) FROM notifications WHERE user_id = ? AND read_at = 0`+notBlocked+`
		GROUP BY kind`, userID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byKind := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		byKind[k] = n
	}
	out := map[string]int{}
	for c, kinds := range Categories {
		for _, k := range kinds {
			out[c] += byKind[k]
		}
	}
	return out, rows.Err()
}

// MarkRead marks a category ("" for all of them) read up to now.
func (s *Service) MarkRead(ctx context.Context, userID id.ID, category string) error {
	kinds, err := kindsOf(category)
	if err != nil {
		return err
	}
	args := append([]any{db.Now(), userID}, kinds...)
	_, err = s.db.Writer(ctx).Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at = 0
		AND kind IN (`+db.Placeholders(len(kinds))+`)`, args...)
	return err
}

// CommentSnippet is the part of a comment a notification shows.
type CommentSnippet struct {
	ID   id.ID  `json:"id"`
	Body string `json:"body"`
}

// SnippetMax is how many runes of a comment a notification shows.
const SnippetMax = 140

// Comments returns snippets of the given comments in one query, keyed by id;
// deleted and unknown comments are absent.
func (s *Service) Comments(ctx context.Context, ids []id.ID) (map[id.ID]CommentSnippet, error) {
	out := map[id.ID]CommentSnippet{}
	args := make([]any, 0, len(ids))
	seen := map[id.ID]bool{}
	for _, i := range ids {
		if i != 0 && !seen[i] {
			seen[i] = true
			args = append(args, i)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT id, body FROM comments WHERE deleted = 0 AND id IN (`+
		db.Placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c CommentSnippet
		if err := rows.Scan(&c.ID, &c.Body); err != nil {
			return nil, err
		}
		if r := []rune(c.Body); len(r) > SnippetMax {
			c.Body = string(r[:SnippetMax-1]) + "…"
		}
		out[c.ID] = c
	}
	return out, rows.Err()
}
