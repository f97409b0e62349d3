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
		deadline := time.Now().Add(10 * time.Second)
		for {
			n, err := outbox.Pending(context.Background(), e.App.DB)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("indexer did not catch up")
			}
			time.Sleep(20 * time.Millisecond)
		}
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
