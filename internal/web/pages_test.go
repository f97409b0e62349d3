package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
)

func TestProfileSettingsEscapedAndPrivate(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := signUp(t, e, "alice", "Alice")
		alice.get("/settings/profile").want(200).has(`data-testid="settings-region"`, "永远不会展示给其他人")
		res := alice.multipart("/settings/profile", url.Values{
			"display_name": {"Al " + xss}, "bio": {"bio " + xss}, "gender": {"female"}, "birth_year": {"1996"},
			"region": {"杭州西湖区"}, "locale": {"en"},
		}, file{"avatar", "me.png", pngBytes(t, 40, 40)})
		res.redirectsTo("/settings/profile?saved=1")
		// The saved language applies at once.
		alice.get("/settings/profile?saved=1").want(200).has("Saved.", `value="杭州西湖区"`, `value="1996"`)
		bob := signUp(t, e, "bob", "Bob")
		p := bob.get("/u/alice").want(200)
		p.has("Al "+xssEscaped, "bio "+xssEscaped, `<img class="avatar lg" src="/media/`).lacks(xss, "杭州西湖区")
		// The birth year must not appear as a number of its own; media hashes and tokens may contain the digits.
		if regexp.MustCompile(`(^|[^0-9A-Za-z_-])1996([^0-9A-Za-z_-]|$)`).MatchString(p.Body) {
			t.Fatalf("the birth year leaked onto another user's page")
		}
		// Bad input is refused with the reason, and nothing changes.
		alice.multipart("/settings/profile", url.Values{"display_name": {"x"}, "birth_year": {"1800"}}).want(400).has("birth_year")
		alice.multipart("/settings/profile", url.Values{"birth_year": {"abc"}}).want(400)
		alice.multipart("/settings/profile", url.Values{}, file{"avatar", "x.png", []byte("not an image")}).want(400)
		bob.get("/u/alice").has("Al " + xssEscaped)
		// Persona fields never reach another user's page.
		bob.get("/u/alice/followers").want(200).lacks("杭州西湖区")
	})
}

func TestDraftsEditDelete(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := signUp(t, e, "alice", "Alice")
		bob := signUp(t, e, "bob", "Bob")
		// A draft needs no image and no title.
		res := alice.multipart("/publish", url.Values{"body": {"想法草稿"}, "action": {"draft"}})
		res.redirectsTo("/n/")
		draft := res.Location
		alice.get(draft).want(200).has("只有你自己能看到")
		alice.get("/me/drafts").want(200).has(`data-testid="note-card"`)
		bob.get(draft).want(404)
		newBrowser(t, e).get(draft).want(404)
		// Publishing without an image is refused by the service, form kept.
		alice.multipart("/publish", url.Values{"title": {"标题 " + xss}, "action": {"publish"}}).want(400).
			has(`data-testid="form-error"`, `value="标题 `+xssEscaped).lacks(xss)

		note := publish(t, alice, "原标题", "正文", nil)
		alice.get(note + "/edit").want(200).has(`value="原标题"`)
		// Bob cannot edit or delete Alice's note.
		bob.get(note + "/edit").want(403)
		bob.get(note).want(200)
		bob.multipart(note+"/edit", url.Values{"title": {"hacked"}, "body": {"x"}}).want(403)
		bob.post(note+"/delete", nil).want(403)
		alice.multipart(note+"/edit", url.Values{"title": {"新标题"}, "body": {"新正文 #编辑"}, "action": {"save"}}).redirectsTo(note)
		bob.get(note).want(200).has("新标题", "新正文").lacks("hacked")
		// Delete with confirmation.
		alice.get(note+"/delete").want(200).has(`data-testid="delete-submit"`, "新标题")
		alice.post(note+"/delete", nil).redirectsTo("/u/alice")
		bob.get(note).want(404).has("页面不存在")
		// The draft can be published from the edit form once it has an image.
		alice.multipart(draft+"/edit", url.Values{"title": {"终于发了"}, "body": {"想法"}, "action": {"publish"}},
			file{"media", "a.png", pngBytes(t, 30, 30)}).redirectsTo(draft)
		bob.get(draft).want(200).has("终于发了")
	})
}

func TestCommentRules(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := signUp(t, e, "alice", "Alice")
		bob := signUp(t, e, "bob", "Bob")
		carol := signUp(t, e, "carol", "Carol")
		note := publish(t, alice, "笔记", "正文", nil)
		// An empty comment re-renders the note with the reason.
		bob.get(note)
		bob.post(note+"/comments", url.Values{"body": {"   "}}).want(400).has(`data-testid="comment-error"`)
		bob.post(note+"/comments", url.Values{"body": {"第一"}}).redirectsTo(note)
		cid := regexpFind(t, bob.get(note).Body, `id="c([0-9]+)" data-testid="comment"`)
		// Carol may not delete Bob's comment; Bob may.
		carol.get(note)
		carol.post("/c/"+cid+"/delete", url.Values{"back": {note}}).want(403)
		bob.post("/c/"+cid+"/delete", url.Values{"back": {note}}).redirectsTo(note)
		bob.get(note).want(200).lacks(">第一<")
	})
}

// Every page renders for a signed-in user and for a visitor, in both
// languages, with some data in place.
func TestAllPagesRender(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := signUp(t, e, "alice", "Alice")
		bob := signUp(t, e, "bob", "Bob")
		note := publish(t, alice, "Hello #world", "Body @bob #world", nil)
		bob.post("/u/alice/follow", url.Values{"action": {"follow"}}).redirectsTo("/u/alice")
		bob.post(note+"/collect", url.Values{"new_board": {"Faves"}}).redirectsTo(note)
		bob.post("/messages/alice", url.Values{"body": {"hi"}}).redirectsTo("/messages/alice")
		board := regexpFind(t, bob.get("/u/bob?tab=boards").Body, `href="(/b/[0-9]+)"`)
		pages := []string{"/", "/following", note, "/publish", note + "/edit", "/me/drafts", "/u/alice", "/u/alice?tab=boards",
			"/u/alice?tab=likes", "/u/alice/followers", "/u/alice/following", "/settings/profile", "/messages",
			"/messages/alice", "/notifications", "/notifications?tab=follows", "/notifications?tab=comments",
			"/t/world", board, "/login", "/signup"}
		for _, lang := range []string{"zh-CN", "en"} {
			for _, who := range []*browser{alice, bob} {
				who.lang = lang
				for _, p := range pages {
					if (p == "/login" || p == "/signup") || (who == bob && strings.HasSuffix(p, "/edit")) || (who == alice && p == "/messages/alice") {
						continue
					}
					who.get(p).want(200).lacks("%!", "MISSING")
				}
			}
			anon := newBrowser(t, e)
			anon.lang = lang
			for _, p := range []string{"/", note, "/u/alice", "/u/alice?tab=likes", "/t/world", board, "/login", "/signup"} {
				anon.get(p).want(200).lacks("%!")
			}
		}
		newBrowser(t, e).get("/t/nosuchtopic").want(404)
		newBrowser(t, e).get("/u/nobody").want(404)
		newBrowser(t, e).get("/n/123").want(404)
		newBrowser(t, e).get("/n/abc").want(404)
		newBrowser(t, e).get("/?cursor=zzz").want(400)
	})
}
