package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
)

// TestNotePageBarAndIcons: a multi-image note shows its carousel counter
// and dots; the note bar carries the comment pill, like, one-tap collect
// (a plain post collects into the default collection), comments and
// share, drawn with SVG icons rather than emoji; the board chooser stays;
// the messages tiles have icons.
func TestNotePageBarAndIcons(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := signUp(t, e, "alice", "Alice")
		res := alice.multipart("/publish", url.Values{"title": {"三张图"}, "body": {"#world 你好"}, "action": {"publish"}},
			file{"media", "a.png", pngBytes(t, 40, 50)}, file{"media", "b.png", pngBytes(t, 50, 40)}, file{"media", "c.png", pngBytes(t, 30, 30)})
		note := res.redirectsTo("/n/").Location
		bob := signUp(t, e, "bob", "Bob")
		p := bob.get(note).want(200)
		p.has(`data-testid="note-bar"`, `data-testid="bar-comment"`, "说点什么", `data-testid="swipe-count"`, "<b>1</b>/3",
			`data-testid="carousel-dots"`, `class="icon ico ico-heart"`, `class="icon ico ico-star"`, `class="icon ico ico-share"`,
			`data-api="/api/v1/notes/`, `data-testid="collect-choose"`)
		for _, emoji := range []string{"♥", "☆", "★", "↗", "♡", "💬"} {
			p.lacks(emoji)
		}
		bob.post(note+"/collect", url.Values{"action": {"collect"}, "back": {note}}).redirectsTo(note)
		nid, _ := id.Parse(regexpFind(t, note, `/n/([0-9]+)`))
		n, err := e.App.Notes.Get(context.Background(), 0, nid)
		if err != nil || n.CollectCount != 1 {
			t.Fatalf("after one tap: collect count %d, %v", n.CollectCount, err)
		}
		bob.get(note).want(200).has(`aria-pressed="true" data-testid="collect-button"`).lacks(`data-testid="collect-choose"`)
		newBrowser(t, e).get(note).want(200).has(`data-testid="bar-comment"`, `href="/login?next=`)
		bob.get("/messages").want(200).has(`class="tile-ico tile-likes" aria-hidden="true"><svg`)
		bob.get("/hot").want(200).lacks("💬")
	})
}

// TestDiscoverChannels: the discover page has 推荐 and topic channels; a
// channel lists its topic's notes with its tab on.
func TestDiscoverChannels(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := signUp(t, e, "alice", "Alice")
		publish(t, alice, "早C晚A", "#早C晚A 护肤日常", nil)
		publish(t, alice, "Coffee", "#coffee latte art", nil)
		anon := newBrowser(t, e)
		home := anon.get("/").want(200).has(`data-testid="channel-tabs"`, "推荐", `href="/?channel=%e6%97%a9C%e6%99%9aA"`, "#早C晚A", "#coffee")
		if !strings.Contains(home.Body, `class="on" aria-current="page" data-testid="channel-tab">推荐`) {
			t.Fatal("推荐 is not the current channel on the home page")
		}
		ch := anon.get("/?channel=" + url.QueryEscape("早c晚a")).want(200)
		ch.has(`class="on" aria-current="page" data-testid="channel-tab">#早C晚A`)
		if n := strings.Count(ch.Body, `data-testid="note-card"`); n != 1 {
			t.Fatalf("channel #早C晚A shows %d cards, want 1", n)
		}
		anon.lang = "en"
		anon.get("/").want(200).has("For you")
		anon.get("/?channel=nosuchtopic").want(404)
	})
}
