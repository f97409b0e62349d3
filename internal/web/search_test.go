package web_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/outbox"
)

func TestSearchPageHighlightsSafely(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		if err := e.App.StartDiscovery(); err != nil {
			t.Fatal(err)
		}
		c := e.SignUp("hana")
		img := c.Upload("/api/v1/media", "a.png", pngBytes(t, 8, 6)).Want(201).Str("id")
		c.Do("POST", "/api/v1/notes", map[string]any{"title": "<b>防晒</b> 夏天通勤防晒霜", "body": "x <script>alert(1)</script> 防晒",
			"media_ids": []string{img}}).Want(201)
		waitIndexed(t, e)
		b := newBrowser(t, e)
		p := b.get("/search?q=" + url.QueryEscape("防晒")).want(200)
		p.has(`data-testid="search-results"`, `<mark>防晒</mark>`, `&lt;b&gt;<mark>防晒</mark>&lt;/b&gt;`, `&lt;script&gt;`,
			`data-testid="search-tab-products"`)
		p.lacks("<b>防晒</b>", "<script>alert")
		b.get("/search?q=" + url.QueryEscape("防晒") + "&type=users").want(200).has(`data-testid="empty"`)
		b.get("/search?q=hana&type=users").want(200).has(`<mark>Hana</mark>`)
		b.get("/search").want(200).has(`data-testid="search-page-input"`)
		b.get("/search?q=x&type=nope").want(400)
		b.get("/hot").want(200).has(`data-testid="trending-link"`)
		b.get("/trending").want(200).has(`data-testid="hot-link"`)
	})
}

// Before a query is typed the search page shows the reader's recent
// searches (clearable, their own only) and the hot searches of everyone.
func TestSearchPageRecentAndHot(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		if err := e.App.StartDiscovery(); err != nil {
			t.Fatal(err)
		}
		w := e.SignUp("writer")
		img := w.Upload("/api/v1/media", "a.png", pngBytes(t, 8, 6)).Want(201).Str("id")
		w.Do("POST", "/api/v1/notes", map[string]any{"title": "秋冬口紅合集", "body": "显白", "media_ids": []string{img}}).Want(201)
		waitIndexed(t, e)

		ann, ben, cat := signUp(t, e, "ann", "Ann"), signUp(t, e, "ben", "Ben"), signUp(t, e, "cat", "Cat")
		for _, b := range []*browser{ann, ben, cat} {
			b.get("/search?q=" + url.QueryEscape("口红")).want(200).has(`data-testid="search-results"`)
		}
		ann.get("/search?q=" + url.QueryEscape("<i>x</i>")).want(200)
		p := ann.get("/search").want(200)
		p.has(`data-testid="recent-searches"`, `data-testid="recent-search">&lt;i&gt;x&lt;/i&gt;</a>`, `data-testid="hot-searches"`,
			`href="/search?q=%e5%8f%a3%e7%ba%a2" data-testid="hot-search">口红</a>`, "最近搜索", "热门搜索", "3 人搜过")
		p.lacks("<i>x</i>", "data-local-recent")
		// English.
		ann.lang = "en"
		ann.get("/search").want(200).has("Recent searches", "Hot searches", "3 people").lacks("最近搜索", "人搜过")

		// Ben clears his list; Ann's stays. A signed-out reader cannot clear.
		ben.post("/search/recent/clear", nil).redirectsTo("/search")
		ben.get("/search").want(200).lacks(`data-testid="recent-search"`).has(`data-testid="hot-search"`)
		ann.get("/search").want(200).has(`data-testid="recent-search"`)
		anon := newBrowser(t, e)
		anon.post("/search/recent/clear", nil).redirectsTo("/login")
		// Without the CSRF token the form is refused.
		ann.post("/search/recent/clear", url.Values{"csrf": {"forged"}}).want(403)
		ann.get("/search").want(200).has(`data-testid="recent-search"`)
		// The signed-out page leaves recent searches to the browser.
		anon.get("/search").want(200).has("data-local-recent", `data-testid="hot-search"`)
		anon.get("/search?q=abc").want(200).has(`data-remember-search="abc"`)
		ann.get("/search?q=abc").want(200).lacks("data-remember-search")

		// The API: recent for the user only, cleared by DELETE, hot for all.
		var recent struct{ Items []struct{ Query string } }
		a := e.Anon()
		a.Do("GET", "/api/v1/me/searches", nil).Want(401)
		a.Do("DELETE", "/api/v1/me/searches", nil).Want(401)
		var hot struct {
			Items []struct {
				Query     string
				Searchers int
			}
		}
		a.Do("GET", "/api/v1/search/hot", nil).Want(200).Decode(&hot)
		if len(hot.Items) != 1 || hot.Items[0].Query != "口红" || hot.Items[0].Searchers != 3 {
			t.Fatalf("hot searches: %+v", hot.Items)
		}
		api := e.SignUp("dora")
		api.Do("GET", "/api/v1/search?q=cafe", nil).Want(200)
		api.Do("GET", "/api/v1/me/searches", nil).Want(200).Decode(&recent)
		if len(recent.Items) != 1 || recent.Items[0].Query != "cafe" {
			t.Fatalf("recent via the API: %+v", recent.Items)
		}
		api.Do("DELETE", "/api/v1/me/searches", nil).Want(204)
		api.Do("GET", "/api/v1/me/searches", nil).Want(200).Decode(&recent)
		if len(recent.Items) != 0 {
			t.Fatalf("recent after DELETE: %+v", recent.Items)
		}
		ann.get("/search").want(200).has(`data-testid="recent-search"`) // dora's DELETE is hers only
	})
}

func waitIndexed(t *testing.T, e *apitest.Env) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := outbox.Pending(context.Background(), e.App.DB)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("indexer did not catch up")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
