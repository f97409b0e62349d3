package httpapi_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/livechat"
)

// stream opens a chat stream as c and returns its events ("event data")
// on a channel.
func stream(t *testing.T, c *apitest.Client, live string, header http.Header) (<-chan string, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", c.E.URL+"/api/v1/lives/"+live+"/chat/stream", nil)
	for k, v := range header {
		req.Header[k] = v
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	res, err := c.E.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	out := make(chan string, 100)
	if res.StatusCode != 200 {
		close(out)
		return out, res
	}
	go func() {
		defer close(out)
		sc := bufio.NewScanner(res.Body)
		var ev string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				out <- ev + " " + strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return out, res
}

func waitEvent(t *testing.T, events <-chan string, prefix string) string {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatalf("stream closed waiting for %q", prefix)
			}
			if strings.HasPrefix(e, prefix) {
				return e
			}
		case <-timeout:
			t.Fatalf("no %q event within 5 s", prefix)
		}
	}
}

// TestLiveChatOverHTTP: a viewer's stream gets messages, hearts and
// deletions; every moderation endpoint refuses ordinary viewers and
// other rooms' hosts; muted and banned users get 403; heartbeats credit.
func TestLiveChatOverHTTP(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		rooms := &livechat.MemRooms{}
		e.App.LiveChat.Rooms = rooms
		hostA, hostB := e.SignUp("hosta"), e.SignUp("hostb")
		viewer, troll, op := e.SignUp("viewer"), e.SignUp("troll"), e.SignUp("oper")
		if err := e.App.Accounts.SetRole(ctx, mustID(t, op.ID), accounts.RoleOperator); err != nil {
			t.Fatal(err)
		}
		live := rooms.Add(mustID(t, hostA.ID), livechat.Live).String()
		rooms.Add(mustID(t, hostB.ID), livechat.Live)
		base := "/api/v1/lives/" + live

		e.Anon().Do("GET", "/api/v1/lives/123/chat", nil).WantError(404, "not_found")
		e.Anon().Do("POST", base+"/chat/messages", map[string]any{"body": "hi"}).WantError(401, "unauthorized")
		viewer.Do("POST", base+"/chat/messages", map[string]any{"body": strings.Repeat("x", 201)}).WantError(400, "invalid_input")

		events, _ := stream(t, e.Anon(), live, nil)
		waitEvent(t, events, "state ")
		mid := troll.Do("POST", base+"/chat/messages", map[string]any{"body": "<script>alert(1)</script>"}).Want(201).Str("id")
		got := waitEvent(t, events, "message ")
		if !strings.Contains(got, `"id":"`+mid+`"`) || strings.Contains(got, "<script>") || !strings.Contains(got, `\u003cscript\u003e`) {
			t.Fatalf("message event %s", got)
		}
		viewer.Do("POST", base+"/chat/hearts", map[string]any{"count": 5}).Want(202)
		viewer.Do("POST", base+"/chat/hearts", map[string]any{"count": 50}).WantError(400, "invalid_input")
		e.App.LiveChat.Tick(ctx)
		if got := waitEvent(t, events, "hearts "); got != `hearts {"n":5,"total":5}` {
			t.Fatalf("hearts event %s", got)
		}
		if got := waitEvent(t, events, "viewers "); got != `viewers {"n":1}` {
			t.Fatalf("viewers event %s", got)
		}

		// Moderation: viewers, the troll and another room's host are refused.
		for _, c := range []*apitest.Client{viewer, troll, hostB} {
			c.Do("DELETE", base+"/chat/messages/"+mid, nil).WantError(403, "forbidden")
			c.Do("PUT", base+"/chat/mutes/"+troll.ID, map[string]any{"minutes": 10}).WantError(403, "forbidden")
			c.Do("DELETE", base+"/chat/mutes/"+troll.ID, nil).WantError(403, "forbidden")
			c.Do("PUT", base+"/chat/bans/"+troll.ID, nil).WantError(403, "forbidden")
			c.Do("DELETE", base+"/chat/bans/"+troll.ID, nil).WantError(403, "forbidden")
		}
		if viewer.Do("GET", base+"/chat", nil).Want(200).JSON()["me"].(map[string]any)["can_moderate"] != false {
			t.Fatal("viewer can moderate")
		}
		if hostA.Do("GET", base+"/chat", nil).Want(200).JSON()["me"].(map[string]any)["can_moderate"] != true {
			t.Fatal("host cannot moderate")
		}
		hostA.Do("DELETE", base+"/chat/messages/"+mid, nil).Want(204)
		if got := waitEvent(t, events, "delete "); got != `delete {"id":"`+mid+`"}` {
			t.Fatalf("delete event %s", got)
		}
		if n := len(e.Anon().Do("GET", base+"/chat/messages", nil).Want(200).JSON()["items"].([]any)); n != 0 {
			t.Fatalf("history has %d messages after the delete", n)
		}

		hostA.Do("PUT", base+"/chat/mutes/"+troll.ID, map[string]any{"minutes": 10}).Want(200)
		troll.Do("POST", base+"/chat/messages", map[string]any{"body": "hi"}).WantError(403, "forbidden")
		op.Do("DELETE", base+"/chat/mutes/"+troll.ID, nil).Want(204)
		troll.Do("POST", base+"/chat/messages", map[string]any{"body": "hi again"}).Want(201)
		op.Do("PUT", base+"/chat/bans/"+troll.ID, nil).Want(204)
		troll.Do("POST", base+"/chat/messages", map[string]any{"body": "x"}).WantError(403, "forbidden")
		troll.Do("POST", base+"/chat/hearts", map[string]any{"count": 1}).WantError(403, "forbidden")
		if _, res := stream(t, troll, live, nil); res.StatusCode != 403 {
			t.Fatalf("banned stream: %d", res.StatusCode)
		}
		op.Do("PUT", base+"/chat/mutes/"+hostA.ID, map[string]any{"minutes": 10}).WantError(403, "forbidden")

		// A reconnect with Last-Event-ID replays what it missed.
		first := viewer.Do("POST", base+"/chat/messages", map[string]any{"body": "one"}).Want(201).Str("id")
		viewer.Do("POST", base+"/chat/messages", map[string]any{"body": "two"}).Want(201)
		again, _ := stream(t, viewer, live, http.Header{"Last-Event-ID": {first}})
		if got := waitEvent(t, again, "message "); !strings.Contains(got, `"body":"two"`) {
			t.Fatalf("replayed %s", got)
		}
		page := e.Anon().Do("GET", base+"/chat/messages?limit=2", nil).Want(200)
		if page.Str("items.0.body") != "two" || page.Str("next_cursor") == "" {
			t.Fatalf("history page %s", page.Body)
		}

		// Heartbeats: signed in only; one window per user.
		e.Anon().Do("POST", base+"/watch", map[string]any{"tab": "tab-00000001", "playing": true}).WantError(401, "unauthorized")
		if viewer.Do("POST", base+"/watch", map[string]any{"tab": "tab-00000001", "playing": true}).Want(200).JSON()["counted"] != true {
			t.Fatal("first beat not counted")
		}
		if viewer.Do("POST", base+"/watch", map[string]any{"tab": "tab-00000002", "playing": true}).Want(200).JSON()["busy"] != true {
			t.Fatal("second tab not busy")
		}
		rooms.Set(mustID(t, live), mustID(t, hostA.ID), livechat.Ended)
		viewer.Do("POST", base+"/chat/messages", map[string]any{"body": "late"}).WantError(409, "conflict")
	})
}
