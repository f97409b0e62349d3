package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
)

const xss = `<script>alert(1)</script>`
const xssEscaped = `&lt;script&gt;alert(1)&lt;/script&gt;`

// publish posts the publish form with one generated PNG and returns the
// note's path.
func publish(t *testing.T, b *browser, title, body string, extra url.Values) string {
	t.Helper()
	v := url.Values{"title": {title}, "body": {body}, "action": {"publish"}}
	for k, x := range extra {
		v[k] = x
	}
	res := b.multipart("/publish", v, file{"media", "cover.png", pngBytes(t, 64, 80)})
	res.redirectsTo("/n/")
	return res.Location
}

func TestCoreJourney(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := signUp(t, e, "alice", "Alice")
		bob := signUp(t, e, "bob", "Bob")
		alice.get("/publish").want(200).has(`data-testid="publish-title"`, `data-testid="publish-media"`, `enctype="multipart/form-data"`)
		note := publish(t, alice, "周末去 "+xss, "在 #上海旅行# 遇到 @bob 了 "+xss, url.Values{"location": {"上海"}, "topics": {"citywalk"}})
		p := bob.get(note).want(200)
		p.has(xssEscaped, `href="/t/%e4%b8%8a%e6%b5%b7%e6%97%85%e8%a1%8c"`, `href="/u/bob"`, `href="/t/citywalk"`, `data-testid="like-button"`, "上海").lacks(xss)
		if !strings.Contains(p.Body, `<img src="/media/`) {
			t.Fatalf("no image on the note page:\n%s", p.Body)
		}

		// Bob likes, collects into a new board, comments and follows with
		// plain form posts (no JavaScript).
		bob.post(note+"/like", url.Values{"action": {"like"}, "back": {note}}).redirectsTo(note)
		bob.post(note+"/collect", url.Values{"action": {"collect"}, "new_board": {"去上海"}, "back": {note}}).redirectsTo(note)
		bob.post(note+"/comments", url.Values{"body": {"好美 " + xss}}).redirectsTo(note)
		bob.post("/u/alice/follow", url.Values{"action": {"follow"}, "back": {note}}).redirectsTo(note)
		p = bob.get(note).want(200)
		p.has(`data-testid="like-count">1<`, `data-testid="collect-count">1<`, `value="unlike"`, `value="unfollow"`, "好美 "+xssEscaped).lacks(xss)

		// Alice replies to the comment; the reply is nested under it.
		cid := regexpFind(t, p.Body, `id="c([0-9]+)" data-testid="comment"`)
		alice.get(note).want(200)
		alice.post(note+"/comments", url.Values{"body": {"谢谢 @bob"}, "parent_id": {cid}}).redirectsTo(note)
		alice.get(note).want(200).has(`class="replies"`, "谢谢 ")
		// Comment like by Alice.
		alice.post("/c/"+cid+"/like", url.Values{"action": {"like"}, "back": {note}}).redirectsTo(note)

		// Alice's notifications: likes tab shows Bob's like and collect.
		alice.get("/notifications").want(200).has(`data-testid="notify-tab-likes"`, "赞了你的笔记", "收藏了你的笔记")
		alice.get("/notifications?tab=follows").want(200).has("开始关注你了")
		alice.get("/notifications?tab=comments").want(200).has("评论了你的笔记")

		// Bob sees Alice's note in his following feed; the board page lists it.
		bob.get("/following").want(200).has(xssEscaped).lacks(xss)
		bob.get("/u/bob?tab=boards").want(200).has("去上海")
		board := regexpFind(t, bob.get("/u/bob?tab=boards").Body, `href="(/b/[0-9]+)"`)
		e.Anon() // boards are public
		newBrowser(t, e).get(board).want(200).has("去上海", xssEscaped)
		bob.get("/u/bob?tab=likes").want(200).has(xssEscaped)

		// Direct messages: allowed now that Bob follows Alice.
		bob.get("/messages/alice").want(200).has(`data-testid="message-box"`)
		bob.post("/messages/alice", url.Values{"body": {"你好 " + xss}}).redirectsTo("/messages/alice")
		alice.get("/messages").want(200).has("Bob", "你好 "+xssEscaped).lacks(xss)
		alice.get("/messages/bob").want(200).has("你好 " + xssEscaped)

		// Topic page and explore grid.
		newBrowser(t, e).get("/t/上海旅行").want(200).has(xssEscaped, "#上海旅行")
		newBrowser(t, e).get("/").want(200).has(`data-testid="note-card"`, xssEscaped).lacks(xss)

		// Share counts and shows the link.
		bob.post(note+"/share", nil).redirectsTo(note + "?shared=1")
		bob.get(note+"?shared=1").want(200).has(`data-testid="share-count">1<`, `data-testid="share-url"`)
	})
}

func TestMessageRefusedWithReason(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := signUp(t, e, "alice", "Alice")
		signUp(t, e, "bob", "Bob")
		alice.get("/messages/bob").want(200)
		alice.post("/messages/bob", url.Values{"body": {"hi"}}).want(403).
			has(`data-testid="message-error"`, "你们中任意一方关注对方后", ">hi</textarea>")
		alice.get("/messages").want(200).has(`data-testid="empty"`)
	})
}

func TestSignInRequired(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		anon := newBrowser(t, e)
		for _, p := range []string{"/publish", "/following", "/messages", "/notifications", "/settings/profile", "/me/drafts", "/messages/alice"} {
			res := anon.get(p)
			if res.Status != 303 || res.Location != "/login?next="+url.QueryEscape(p) {
				t.Errorf("%s: %d %q, want redirect to login", p, res.Status, res.Location)
			}
		}
		// Writes without a session also go to the login page.
		anon.post("/u/alice/follow", nil).redirectsTo("/login")
	})
}
