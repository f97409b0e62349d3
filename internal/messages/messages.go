// Package messages owns direct messages (C5): one conversation per pair of
// users, allowed once either follows the other and neither blocks the other.
//
// A conversation row keeps the newest message id (for ordering the inbox)
// and, per side, the id of the newest message that side has read; unread
// counts are the other side's messages above that mark.
package messages

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/validate"
)

// BodyMax is the longest message, in runes.
const BodyMax = 2000

// Reasons a message is refused, shown to the sender as is.
const (
	ReasonNotFollowing = "you can message someone once either of you follows the other"
	ReasonBlocked      = "you cannot message this user"
)

// Message is one direct message.
type Message struct {
	ID             id.ID     `json:"id"`
	ConversationID id.ID     `json:"-"`
	SenderID       id.ID     `json:"sender_id"`
	Body           string    `json:"body"`
	CreatedAt      time.Time `json:"created_at"`
}

// Conversation is one line of a user's inbox, seen from that user.
type Conversation struct {
	ID          id.ID   `json:"id"`
	OtherID     id.ID   `json:"other_id"`
	LastMessage Message `json:"last_message"`
	Unread      int     `json:"unread_count"`
}

// Service manages conversations and messages.
type Service struct {
	db *db.DB
	// MayPost, when set, refuses senders trust and safety has muted,
	// suspended or banned (403).
	MayPost func(ctx context.Context, sender id.ID) error
}

func New(d *db.DB) *Service { return &Service{db: d} }

// pair orders two users the way conversations store them (user_a < user_b).
func pair(x, y id.ID) (a, b id.ID) {
	if x < y {
		return x, y
	}
	return y, x
}

// readCol is the column holding u's read mark in conversation (a, b).
func readCol(u, a id.ID) string {
	if u == a {
		return "a_read_id"
	}
	return "b_read_id"
}

func exists(ctx context.Context, q db.Querier, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRow(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Send stores a message from one user to another. It is refused (403) unless
// either follows the other and neither blocks the other; the checks run in
// the same transaction as the insert.
func (s *Service) Send(ctx context.Context, from, to id.ID, body string) (Message, error) {
	if from == to {
		return Message{}, apperr.Invalid("you cannot message yourself")
	}
	if s.MayPost != nil {
		if err := s.MayPost(ctx, from); err != nil {
			return Message{}, err
		}
	}
	m := Message{SenderID: from}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		if ok, err := exists(ctx, w, "SELECT 1 FROM users WHERE id = ?", to); err != nil {
			return err
		} else if !ok {
			return apperr.NotFound("user")
		}
		blocked, err := exists(ctx, w, `SELECT 1 FROM blocks WHERE (blocker_id = ? AND blocked_id = ?)
			OR (blocker_id = ? AND blocked_id = ?)`, from, to, to, from)
		if err != nil {
			return err
		}
		if blocked {
			return apperr.Forbidden(ReasonBlocked)
		}
		follows, err := exists(ctx, w, `SELECT 1 FROM follows WHERE (follower_id = ? AND followee_id = ?)
			OR (follower_id = ? AND followee_id = ?)`, from, to, to, from)
		if err != nil {
			return err
		}
		if !follows {
			return apperr.Forbidden(ReasonNotFollowing)
		}
		// The body is checked once the sender may write here (404 and 403
		// first, whatever the body).
		if m.Body, err = validate.Text("body", body, 1, BodyMax, true); err != nil {
			return err
		}
		a, b := pair(from, to)
		now := db.Now()
		if _, err := w.Exec(ctx, `INSERT INTO conversations (id, user_a, user_b, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_a, user_b) DO NOTHING`, id.New(), a, b, now); err != nil {
			return err
		}
		// Touching the row locks it (PostgreSQL) before the message id is
		// minted, so concurrent senders to one conversation get ids in commit
		// order and a reader paging by id never misses a late commit.
		if err := w.QueryRow(ctx, `UPDATE conversations SET last_message_at = last_message_at
			WHERE user_a = ? AND user_b = ? RETURNING id`, a, b).Scan(&m.ConversationID); err != nil {
			return err
		}
		m.ID = id.New()
		m.CreatedAt = time.UnixMilli(now).UTC()
		if _, err := w.Exec(ctx, `INSERT INTO messages (id, conversation_id, sender_id, body, created_at) VALUES (?, ?, ?, ?, ?)`,
			m.ID, m.ConversationID, from, m.Body, now); err != nil {
			return err
		}
		// The guard keeps last_message_id the maximum even if another node's
		// clock minted a smaller id.
		if _, err := w.Exec(ctx, `UPDATE conversations SET last_message_id = ?, last_message_at = ?
			WHERE id = ? AND last_message_id < ?`, m.ID, now, m.ConversationID, m.ID); err != nil {
			return err
		}
		// Answering means having read what came before: the sender's own
		// unread count drops to zero.
		col := readCol(from, a)
		_, err = w.Exec(ctx, `UPDATE conversations SET `+col+` = ? WHERE id = ? AND `+col+` < ?`, m.ID, m.ConversationID, m.ID)
		return err
	})
	if err != nil {
		return Message{}, err
	}
	return m, nil
}

// History returns the messages between viewer and other, newest first,
// older than before (0 for the newest page), and marks what it returns as
// read by viewer. No conversation yet means an empty history.
func (s *Service) History(ctx context.Context, viewer, other id.ID, before id.ID, limit int) ([]Message, error) {
	if viewer == other {
		return []Message{}, nil
	}
	if limit < 1 {
		limit = 1
	}
	if before == 0 {
		before = id.ID(1<<63 - 1)
	}
	a, b := pair(viewer, other)
	col := readCol(viewer, a)
	var convID, readID id.ID
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT id, "+col+" FROM conversations WHERE user_a = ? AND user_b = ?", a, b).
		Scan(&convID, &readID)
	if errors.Is(err, sql.ErrNoRows) {
		return []Message{}, nil
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT id, sender_id, body, created_at FROM messages
		WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, convID, before, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		m := Message{ConversationID: convID}
		var created int64
		if err := rows.Scan(&m.ID, &m.SenderID, &m.Body, &created); err != nil {
			return nil, err
		}
		m.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// Write only when the mark moves, so re-reading an inbox costs no write.
	if len(out) > 0 && out[0].ID > readID {
		_, err := s.db.Writer(ctx).Exec(ctx, "UPDATE conversations SET "+col+" = ? WHERE id = ? AND "+col+" < ?",
			out[0].ID, convID, out[0].ID)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Conversations lists userID's conversations by newest message first, those
// whose newest message is older than before (a last message id; 0 for the
// newest page).
func (s *Service) Conversations(ctx context.Context, userID id.ID, before id.ID, limit int) ([]Conversation, error) {
	if limit < 1 {
		limit = 1
	}
	if before == 0 {
		before = id.ID(1<<63 - 1)
	}
	// One indexed branch per side of the pair, each limited, then merged.
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT x.id, x.other_id, x.read_id, m.id, m.sender_id, m.body, m.created_at,
		(SELECT COUNT(*) FROM messages u WHERE u.conversation_id = x.id AND u.id > x.read_id AND u.sender_id <> ?)
		FROM (
			SELECT * FROM (SELECT id, user_b AS other_id, a_read_id AS read_id, last_message_id FROM conversations
				WHERE user_a = ? AND last_message_id > 0 AND last_message_id < ? ORDER BY last_message_id DESC LIMIT ?) ca
			UNION ALL
			SELECT * FROM (SELECT id, user_a AS other_id, b_read_id AS read_id, last_message_id FROM conversations
				WHERE user_b = ? AND last_message_id > 0 AND last_message_id < ? ORDER BY last_message_id DESC LIMIT ?) cb
		) x JOIN messages m ON m.id = x.last_message_id
		ORDER BY x.last_message_id DESC LIMIT ?`,
		userID, userID, before, limit, userID, before, limit, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Conversation{}
	for rows.Next() {
		var c Conversation
		var readID id.ID
		var created int64
		if err := rows.Scan(&c.ID, &c.OtherID, &readID, &c.LastMessage.ID, &c.LastMessage.SenderID,
			&c.LastMessage.Body, &created, &c.Unread); err != nil {
			return nil, err
		}
		c.LastMessage.ConversationID = c.ID
		c.LastMessage.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// UnreadTotal counts the messages sent to userID that it has not read yet,
// over all conversations.
func (s *Service) UnreadTotal(ctx context.Context, userID id.ID) (int, error) {
	var n int
	err := s.db.Reader(ctx).QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM conversations c JOIN messages m ON m.conversation_id = c.id
			WHERE c.user_a = ? AND c.last_message_id > c.a_read_id AND m.id > c.a_read_id AND m.sender_id <> ?)
		+ (SELECT COUNT(*) FROM conversations c JOIN messages m ON m.conversation_id = c.id
			WHERE c.user_b = ? AND c.last_message_id > c.b_read_id AND m.id > c.b_read_id AND m.sender_id <> ?)`,
		userID, userID, userID, userID).Scan(&n)
	return n, err
}
