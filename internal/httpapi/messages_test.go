package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
)

func dmFollow(t *testing.T, follower, followee *apitest.Client) {
	t.Helper()
	follower.Do("PUT", "/api/v1/users/"+followee.Username+"/follow", nil).Want(200)
}

func dmUnfollow(t *testing.T, follower, followee *apitest.Client) {
	t.Helper()
	follower.Do("DELETE", "/api/v1/users/"+followee.Username+"/follow", nil).Want(200)
}

func dmBlock(t *testing.T, blocker, blocked *apitest.Client) {
	t.Helper()
	blocker.Do("PUT", "/api/v1/users/"+blocked.Username+"/block", nil).Want(200, 204)
}

func wantMessage(t *testing.T, r *apitest.Response, substr string) {
	t.Helper()
	if msg := r.Str("error.message"); !strings.Contains(msg, substr) {
		t.Fatalf("error message %q does not say %q", msg, substr)
	}
}

type dmMessage struct {
	ID       string `json:"id"`
	SenderID string `json:"sender_id"`
	Body     string `json:"body"`
}

func dmHistory(t *testing.T, c *apitest.Client, path string) (msgs []dmMessage, next string) {
	t.Helper()
	var out struct {
		Messages   []dmMessage `json:"messages"`
		NextCursor *string     `json:"next_cursor"`
	}
	c.Do("GET", path, nil).Want(200).Decode(&out)
	if out.NextCursor != nil {
		next = *out.NextCursor
	}
	return out.Messages, next
}

func TestMessagesNeedAFollow(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		r := alice.Do("POST", "/api/v1/messages/bob", map[string]any{"body": "hi"}).WantError(403, "forbidden")
		wantMessage(t, r, "follows the other")
		alice.Do("POST", "/api/v1/messages/alice", map[string]any{"body": "hi me"}).WantError(400, "invalid_input")
		alice.Do("POST", "/api/v1/messages/nobody", map[string]any{"body": "hi"}).WantError(404, "not_found")
		alice.Do("GET", "/api/v1/messages/nobody", nil).WantError(404, "not_found")
		e.Anon().Do("POST", "/api/v1/messages/bob", map[string]any{"body": "hi"}).WantError(401, "unauthorized")
		e.Anon().Do("GET", "/api/v1/messages/bob", nil).WantError(401, "unauthorized")
		e.Anon().Do("GET", "/api/v1/conversations", nil).WantError(401, "unauthorized")

		// Bob follows alice: now both may write, either way round.
		dmFollow(t, bob, alice)
		m := alice.Do("POST", "/api/v1/messages/bob", map[string]any{"body": "你好 bob <script>"}).Want(201)
		if m.Str("sender_id") != alice.ID || m.Str("body") != "你好 bob <script>" || m.Str("id") == "" || m.Str("created_at") == "" {
			t.Fatalf("message = %s", m.Body)
		}
		bob.Do("POST", "/api/v1/messages/ALICE", map[string]any{"body": "hi alice"}).Want(201)

		// Unfollowed on both sides: history stays, sending stops.
		dmUnfollow(t, bob, alice)
		r = bob.Do("POST", "/api/v1/messages/alice", map[string]any{"body": "still there?"}).WantError(403, "forbidden")
		wantMessage(t, r, "follows the other")
		if msgs, _ := dmHistory(t, alice, "/api/v1/messages/bob"); len(msgs) != 2 || msgs[0].Body != "hi alice" {
			t.Fatalf("history after unfollow = %+v", msgs)
		}

		// A block in either direction stops sending, even with follows.
		dmFollow(t, alice, bob)
		bob.Do("POST", "/api/v1/messages/alice", map[string]any{"body": "back"}).Want(201)
		dmBlock(t, bob, alice)
		for _, c := range []*apitest.Client{alice, bob} {
			to := "bob"
			if c == bob {
				to = "alice"
			}
			r := c.Do("POST", "/api/v1/messages/"+to, map[string]any{"body": "blocked?"}).WantError(403, "forbidden")
			wantMessage(t, r, "cannot message")
		}
		if msgs, _ := dmHistory(t, bob, "/api/v1/messages/alice"); len(msgs) != 3 {
			t.Fatalf("refused messages were stored: %+v", msgs)
		}
	})
}

func TestMessageValidation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		dmFollow(t, alice, bob)
		for name, body := range map[string]string{
			"empty":         `{"body":""}`,
			"blank":         `{"body":"   \n "}`,
			"too long":      `{"body":"` + strings.Repeat("字", 2001) + `"}`,
			"invalid utf8":  "{\"body\":\"hi \xff\"}",
			"control char":  `{"body":"hi \u0007"}`,
			"unknown field": `{"body":"hi","sender_id":"1"}`,
			"wrong type":    `{"body":42}`,
			"no body":       ``,
		} {
			if r := alice.Do("POST", "/api/v1/messages/bob", body); r.Status != 400 {
				t.Errorf("%s: status %d (%s), want 400", name, r.Status, r.Body)
			}
		}
		alice.Do("POST", "/api/v1/messages/bob", map[string]any{"body": strings.Repeat("字", 2000)}).Want(201)
		alice.Do("POST", "/api/v1/messages/bob", map[string]any{"body": "line 1\nline 2"}).Want(201)
		if msgs, _ := dmHistory(t, bob, "/api/v1/messages/alice"); len(msgs) != 2 || msgs[0].Body != "line 1\nline 2" {
			t.Fatalf("history = %+v", msgs)
		}
		alice.Do("GET", "/api/v1/messages/bob?limit=0", nil).WantError(400, "invalid_input")
		alice.Do("GET", "/api/v1/messages/bob?limit=101", nil).WantError(400, "invalid_input")
		alice.Do("GET", "/api/v1/messages/bob?cursor=abc", nil).WantError(400, "invalid_input")
		alice.Do("GET", "/api/v1/conversations?cursor=-1", nil).WantError(400, "invalid_input")
	})
}

func TestMessageHistoryUnreadAndInbox(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob, carol := e.SignUp("alice"), e.SignUp("bob"), e.SignUp("carol")
		dmFollow(t, alice, bob)
		dmFollow(t, carol, alice)

		// Empty history with someone never talked to: 200 with [].
		if msgs, next := dmHistory(t, bob, "/api/v1/messages/carol"); len(msgs) != 0 || next != "" {
			t.Fatalf("empty history = %+v %q", msgs, next)
		}
		for i := range 5 {
			bob.Do("POST", "/api/v1/messages/alice", map[string]any{"body": fmt.Sprint("bob ", i)}).Want(201)
		}
		alice.Do("POST", "/api/v1/messages/bob", map[string]any{"body": "alice to bob"}).Want(201)
		carol.Do("POST", "/api/v1/messages/alice", map[string]any{"body": "carol to alice"}).Want(201)

		// Alice answered bob, which reads bob's five; carol's one is unread.
		if u := alice.Do("GET", "/api/v1/notifications/unread", nil).Want(200); u.Num("messages") != 1 {
			t.Fatalf("alice unread = %s", u.Body)
		}
		if u := bob.Do("GET", "/api/v1/notifications/unread", nil).Want(200); u.Num("messages") != 1 {
			t.Fatalf("bob unread = %s", u.Body)
		}

		// The inbox: newest conversation first, other user, last message, unread.
		inbox := alice.Do("GET", "/api/v1/conversations", nil).Want(200)
		if inbox.Str("conversations.0.user.username") != "carol" || inbox.Num("conversations.0.unread_count") != 1 ||
			inbox.Str("conversations.0.last_message.body") != "carol to alice" ||
			inbox.Str("conversations.1.user.username") != "bob" || inbox.Num("conversations.1.unread_count") != 0 ||
			inbox.Str("conversations.1.last_message.body") != "alice to bob" {
			t.Fatalf("inbox = %s", inbox.Body)
		}
		if strings.Contains(string(inbox.Body), "persona") {
			t.Fatalf("inbox leaks private fields: %s", inbox.Body)
		}
		p1 := alice.Do("GET", "/api/v1/conversations?limit=1", nil).Want(200)
		if p1.Str("conversations.0.user.username") != "carol" || p1.Str("next_cursor") == "" {
			t.Fatalf("inbox page 1 = %s", p1.Body)
		}
		p2 := alice.Do("GET", "/api/v1/conversations?limit=1&cursor="+p1.Str("next_cursor"), nil).Want(200)
		if p2.Str("conversations.0.user.username") != "bob" {
			t.Fatalf("inbox page 2 = %s", p2.Body)
		}

		// History pages newest first; reading it marks the conversation read.
		page1, next := dmHistory(t, alice, "/api/v1/messages/bob?limit=4")
		if len(page1) != 4 || page1[0].Body != "alice to bob" || page1[3].Body != "bob 2" || next != page1[3].ID {
			t.Fatalf("page 1 = %+v next %q", page1, next)
		}
		page2, next := dmHistory(t, alice, "/api/v1/messages/bob?limit=4&cursor="+next)
		if len(page2) != 2 || page2[0].Body != "bob 1" || page2[1].Body != "bob 0" || next != "" {
			t.Fatalf("page 2 = %+v next %q", page2, next)
		}
		if u := alice.Do("GET", "/api/v1/notifications/unread", nil).Want(200); u.Num("messages") != 1 {
			t.Fatalf("alice unread after reading bob = %s", u.Body)
		}
		if inbox := alice.Do("GET", "/api/v1/conversations", nil).Want(200); inbox.Num("conversations.1.unread_count") != 0 {
			t.Fatalf("inbox after reading = %s", inbox.Body)
		}
		// Bob has not read alice's reply yet; alice reading did not mark it for him.
		if u := bob.Do("GET", "/api/v1/notifications/unread", nil).Want(200); u.Num("messages") != 1 {
			t.Fatalf("bob unread = %s", u.Body)
		}

		// History is always viewer↔other: carol's view of alice holds only
		// their own conversation, and carol's inbox only that conversation.
		msgs, _ := dmHistory(t, carol, "/api/v1/messages/alice")
		if len(msgs) != 1 || msgs[0].Body != "carol to alice" {
			t.Fatalf("carol sees %+v", msgs)
		}
		if msgs, _ := dmHistory(t, carol, "/api/v1/messages/bob"); len(msgs) != 0 {
			t.Fatalf("carol sees alice–bob: %+v", msgs)
		}
		ci := carol.Do("GET", "/api/v1/conversations", nil).Want(200)
		if n := len(ci.Get("conversations").([]any)); n != 1 || ci.Str("conversations.0.user.username") != "alice" {
			t.Fatalf("carol inbox = %s", ci.Body)
		}
		// A new message moves its conversation to the top.
		alice.Do("POST", "/api/v1/messages/bob", map[string]any{"body": "bump"}).Want(201)
		if inbox := alice.Do("GET", "/api/v1/conversations", nil).Want(200); inbox.Str("conversations.0.user.username") != "bob" {
			t.Fatalf("inbox after bump = %s", inbox.Body)
		}
	})
}

// 50 requests at once into one conversation: every message is stored and the
// conversation points at the newest.
func TestConcurrentMessages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		dmFollow(t, alice, bob)
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, to := alice, "bob"
				if i%2 == 1 {
					c, to = bob, "alice"
				}
				if r := c.Do("POST", "/api/v1/messages/"+to, map[string]any{"body": fmt.Sprint("m", i)}); r.Status != 201 {
					t.Errorf("send %d: %d %s", i, r.Status, r.Body)
				}
			}()
		}
		wg.Wait()
		ctx := context.Background()
		var n int
		var maxID, last id.ID
		if err := e.App.DB.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*), MAX(id) FROM messages").Scan(&n, &maxID); err != nil {
			t.Fatal(err)
		}
		if err := e.App.DB.Reader(ctx).QueryRow(ctx, "SELECT last_message_id FROM conversations").Scan(&last); err != nil {
			t.Fatal(err)
		}
		if n != 50 || last != maxID {
			t.Fatalf("messages=%d last=%d max=%d", n, last, maxID)
		}
		if msgs, _ := dmHistory(t, alice, "/api/v1/messages/bob?limit=100"); len(msgs) != 50 || msgs[0].ID != maxID.String() {
			t.Fatalf("history has %d messages", len(msgs))
		}
		if u := alice.Do("GET", "/api/v1/notifications/unread", nil).Want(200); u.Num("messages") != 0 {
			t.Fatalf("alice unread after reading = %s", u.Body)
		}
		// Sending reads the conversation: bob has unread exactly alice's
		// messages after his own last one.
		var want int
		if err := e.App.DB.Reader(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM messages WHERE sender_id = ?
			AND id > (SELECT MAX(id) FROM messages WHERE sender_id <> ?)`, alice.ID, alice.ID).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if u := bob.Do("GET", "/api/v1/notifications/unread", nil).Want(200); int(u.Num("messages")) != want {
			t.Fatalf("bob unread = %s, want %d", u.Body, want)
		}
	})
}
