package messages_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/messages"
)

func user(t *testing.T, d *db.DB, name string) id.ID {
	t.Helper()
	u, err := accounts.New(d).CreateWithHash(context.Background(), name, name, "", accounts.RoleUser)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if _, err := d.Writer(ctx).Exec(ctx, q, args...); err != nil {
		t.Fatal(err)
	}
}

func follow(t *testing.T, d *db.DB, follower, followee id.ID) {
	exec(t, d, "INSERT INTO follows (follower_id, followee_id, created_at) VALUES (?, ?, ?)", follower, followee, db.Now())
}

func TestSendRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := messages.New(d)
		alice, bob := user(t, d, "alice"), user(t, d, "bob")
		if _, err := s.Send(ctx, alice, bob, "hi"); !errors.Is(err, apperr.Forbidden(messages.ReasonNotFollowing)) {
			t.Fatalf("strangers: %v", err)
		}
		if _, err := s.Send(ctx, alice, alice, "hi"); !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("self: %v", err)
		}
		if _, err := s.Send(ctx, alice, id.New(), "hi"); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("unknown user: %v", err)
		}
		// One direction of following is enough, for both sides.
		follow(t, d, bob, alice)
		m1, err := s.Send(ctx, alice, bob, "  hello\r\nbob  ")
		if err != nil {
			t.Fatal(err)
		}
		if m1.Body != "hello\nbob" || m1.SenderID != alice {
			t.Fatalf("message = %+v", m1)
		}
		if _, err := s.Send(ctx, bob, alice, "hi alice"); err != nil {
			t.Fatal(err)
		}
		exec(t, d, "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)", alice, bob, db.Now())
		// Blocking stops both directions.
		for _, p := range [][2]id.ID{{alice, bob}, {bob, alice}} {
			if _, err := s.Send(ctx, p[0], p[1], "still there?"); !errors.Is(err, apperr.Forbidden(messages.ReasonBlocked)) {
				t.Fatalf("blocked: %v", err)
			}
		}
		// Refused sends wrote nothing.
		var n int
		if err := d.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM messages").Scan(&n); err != nil || n != 2 {
			t.Fatalf("messages = %d, %v", n, err)
		}
	})
}

func TestHistoryUnreadAndInbox(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := messages.New(d)
		alice, bob, carol := user(t, d, "alice"), user(t, d, "bob"), user(t, d, "carol")
		follow(t, d, alice, bob)
		follow(t, d, carol, alice)
		var sent []messages.Message
		for i := range 5 {
			m, err := s.Send(ctx, bob, alice, fmt.Sprint("b", i))
			if err != nil {
				t.Fatal(err)
			}
			sent = append(sent, m)
		}
		if _, err := s.Send(ctx, carol, alice, "from carol"); err != nil {
			t.Fatal(err)
		}
		if n, err := s.UnreadTotal(ctx, alice); err != nil || n != 6 {
			t.Fatalf("alice unread = %d, %v", n, err)
		}
		if n, err := s.UnreadTotal(ctx, bob); err != nil || n != 0 {
			t.Fatalf("bob unread = %d, %v (own messages are never unread)", n, err)
		}
		inbox, err := s.Conversations(ctx, alice, 0, 10)
		if err != nil || len(inbox) != 2 {
			t.Fatalf("inbox = %+v, %v", inbox, err)
		}
		if inbox[0].OtherID != carol || inbox[0].Unread != 1 || inbox[1].OtherID != bob || inbox[1].Unread != 5 ||
			inbox[1].LastMessage.ID != sent[4].ID || inbox[1].LastMessage.Body != "b4" {
			t.Fatalf("inbox = %+v", inbox)
		}
		// Pages of the inbox by last message id.
		page2, err := s.Conversations(ctx, alice, inbox[0].LastMessage.ID, 1)
		if err != nil || len(page2) != 1 || page2[0].OtherID != bob {
			t.Fatalf("inbox page 2 = %+v, %v", page2, err)
		}
		// Pages of history, newest first; reading the newest page marks all read.
		h, err := s.History(ctx, alice, bob, 0, 2)
		if err != nil || len(h) != 2 || h[0].ID != sent[4].ID || h[1].ID != sent[3].ID {
			t.Fatalf("history = %+v, %v", h, err)
		}
		h2, err := s.History(ctx, alice, bob, h[1].ID, 10)
		if err != nil || len(h2) != 3 || h2[0].ID != sent[2].ID || h2[2].ID != sent[0].ID {
			t.Fatalf("history page 2 = %+v, %v", h2, err)
		}
		if n, _ := s.UnreadTotal(ctx, alice); n != 1 {
			t.Fatalf("alice unread after reading bob = %d", n)
		}
		// Carol's conversation with alice holds nothing of alice–bob.
		hc, err := s.History(ctx, carol, alice, 0, 50)
		if err != nil || len(hc) != 1 || hc[0].Body != "from carol" {
			t.Fatalf("carol history = %+v, %v", hc, err)
		}
		// bob and carol never talked: empty, not an error.
		if h, err := s.History(ctx, bob, carol, 0, 10); err != nil || len(h) != 0 {
			t.Fatalf("empty history = %+v, %v", h, err)
		}
	})
}

// Many senders at once into one conversation: every message is stored, the
// conversation is created once, and last_message_id is the newest message.
func TestConcurrentSenders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := messages.New(d)
		alice, bob := user(t, d, "alice"), user(t, d, "bob")
		follow(t, d, alice, bob)
		const n = 50
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				from, to := alice, bob
				if i%2 == 1 {
					from, to = bob, alice
				}
				_, err := s.Send(ctx, from, to, fmt.Sprint("message ", i))
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var convs, msgs int
		var last, maxID id.ID
		r := d.Reader(ctx)
		if err := r.QueryRow(ctx, "SELECT COUNT(*) FROM conversations").Scan(&convs); err != nil {
			t.Fatal(err)
		}
		if err := r.QueryRow(ctx, "SELECT COUNT(*), MAX(id) FROM messages").Scan(&msgs, &maxID); err != nil {
			t.Fatal(err)
		}
		if err := r.QueryRow(ctx, "SELECT last_message_id FROM conversations").Scan(&last); err != nil {
			t.Fatal(err)
		}
		if convs != 1 || msgs != n || last != maxID {
			t.Fatalf("conversations=%d messages=%d last=%d max=%d", convs, msgs, last, maxID)
		}
		// Sending reads the conversation: alice's unread are bob's messages
		// after her own last one.
		var want int
		if err := r.QueryRow(ctx, `SELECT COUNT(*) FROM messages WHERE sender_id = ?
			AND id > (SELECT MAX(id) FROM messages WHERE sender_id = ?)`, bob, alice).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.UnreadTotal(ctx, alice); u != want {
			t.Fatalf("alice unread = %d, want %d", u, want)
		}
	})
}
