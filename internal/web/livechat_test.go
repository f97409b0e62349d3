package web_test

import (
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/livechat"
)

// TestLiveChatPanel: the panel offers moderation only to the host and
// staff, a sign-in link to visitors, and 404 for an unknown live; the
// pop-out page holds the section livechat.js mounts on.
func TestLiveChatPanel(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newConsoleWorld(t, e)
		rooms := &livechat.MemRooms{}
		e.App.LiveChat.Rooms = rooms
		live := rooms.Add(w.opUser.ID, livechat.Live).String()
		anon := newBrowser(t, e)
		page := anon.get("/livechat/" + live).want(200).Body
		if !strings.Contains(page, `<section id="live-chat" class="lc-page" data-live="`+live+`"`) || !strings.Contains(page, "livechat.js") {
			t.Fatalf("pop-out page:\n%s", page)
		}
		panel := anon.get("/livechat/" + live + "/panel").want(200).Body
		if !strings.Contains(panel, `data-testid="livechat-login"`) || strings.Contains(panel, "livechat-form") || strings.Contains(panel, "data-mod") {
			t.Fatalf("visitor's panel:\n%s", panel)
		}
		panel = w.user.get("/livechat/" + live + "/panel").want(200).Body
		if !strings.Contains(panel, "livechat-form") || strings.Contains(panel, "data-mod") {
			t.Fatalf("viewer's panel:\n%s", panel)
		}
		if panel = w.op.get("/livechat/" + live + "/panel").want(200).Body; !strings.Contains(panel, `data-mod="1"`) {
			t.Fatalf("host's panel:\n%s", panel)
		}
		anon.get("/livechat/123/panel").want(404)
		anon.get("/livechat/nope").want(404)
	})
}
