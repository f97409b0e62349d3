package web_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/festivals"
	"github.com/redmark/redmark/internal/id"
)

// TestConsoleFestival: an operator creates a festival tying a vote, a flash
// sale and a topic together in the console and edits it; while it runs the
// banner shows on the app's pages (not the console), the mark on note
// cards and note pages with its topic and on the flash sale's product; a
// non-operator gets 403 on every console page and post and changes nothing.
func TestConsoleFestival(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newConsoleWorld(t, e)
		ctx := context.Background()
		c, err := e.App.Campaigns.Create(ctx, w.opUser, campaigns.Input{Title: "周年好物榜", StartsAt: time.Now(), EndsAt: time.Now().Add(time.Hour),
			Rules: campaigns.Rules{DailyVotes: 3}})
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"title": {"6.6 周年庆"}, "slug": {"anniversary"}, "mark": {"6.6周年庆"}, "topic": {"coffee"},
			"description": {"一年一度"}, "starts_at": {time.Now().UTC().Add(-time.Minute).Format("2006-01-02T15:04")}, "hours": {"48"},
			"campaign_id": {c.ID.String()}, "flash_sale": {w.sale}}

		anon := newBrowser(t, e)
		w.user.get("/")
		w.user.get("/console/festivals").want(403)
		anon.get("/console/festivals").redirectsTo("/login")
		w.user.post("/console/festivals", clone(form)).want(403)
		if fs, _ := e.App.Festivals.List(ctx, 10); len(fs) != 0 {
			t.Fatalf("%d festivals after a stranger's post", len(fs))
		}

		w.op.get("/console/festivals").want(200).has(`data-testid="festival-form"`, "周年好物榜", `value="`+w.sale+`"`)
		bad := clone(form)
		bad.Set("slug", "Not a slug")
		w.op.post("/console/festivals", bad).want(400).has(`data-testid="form-error"`, `value="6.6 周年庆"`)
		loc := w.op.post("/console/festivals", clone(form)).redirectsTo("/console/festivals/").Location
		w.op.get(loc).want(200).has(`data-testid="festival-saved"`, `href="/festivals/anniversary"`, "checked")
		w.user.get(loc[:len(loc)-len("?saved=1")]).want(403)
		fid := loc[len("/console/festivals/") : len(loc)-len("?saved=1")]
		w.user.post("/console/festivals/"+fid, clone(form)).want(403)

		land := anon.get("/festivals/anniversary").want(200)
		land.has(`data-testid="festival-mark"`, "6.6周年庆", `data-testid="festival-vote-link"`, `href="/campaigns/`+c.ID.String()+`"`,
			`data-testid="festival-sale"`, `href="/t/coffee"`, "Hot take").lacks(`data-testid="festival-banner"`)
		anon.get("/").want(200).has(`data-testid="festival-banner"`, `href="/festivals/anniversary"`)
		w.op.get("/console/users").want(200).lacks(`data-testid="festival-banner"`)
		anon.get("/t/coffee").want(200).has(`data-testid="card-festival"`)
		anon.get("/n/" + w.note).want(200).has(`data-testid="note-festival"`)
		anon.get("/festivals").want(200).has(`href="/festivals/anniversary"`)

		sl, _ := e.App.Flash.Get(ctx, mustID(t, w.sale), 0)
		anon.get("/p/" + sl.ProductID.String()).want(200).has(`data-testid="product-festival"`)

		// The edit replaces what it features, and the marks follow.
		form.Set("topic", "tea")
		form.Set("title", "红色星期五")
		form.Del("flash_sale")
		w.op.post("/console/festivals/"+fid, clone(form)).redirectsTo("/console/festivals/" + fid)
		anon.get("/n/" + w.note).want(200).lacks(`data-testid="note-festival"`)
		anon.get("/p/" + sl.ProductID.String()).want(200).lacks(`data-testid="product-festival"`)
		anon.get("/festivals/anniversary").want(200).has("红色星期五").lacks(`data-testid="festival-sale"`)
		anon.get("/festivals/none").want(404)
	})
}

// leakFestival is a running festival with a vote, the world's flash sale
// and its note's topic, for the language-leak walk.
func leakFestival(t *testing.T, e *apitest.Env, w *consoleWorld) festivals.Festival {
	t.Helper()
	ctx := context.Background()
	c, err := e.App.Campaigns.Create(ctx, w.opUser, campaigns.Input{Title: "周年好物榜", StartsAt: time.Now(), EndsAt: time.Now().Add(time.Hour),
		Rules: campaigns.Rules{DailyVotes: 3}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := e.App.Festivals.Create(ctx, w.opUser, festivals.Input{Slug: "anniversary", Title: "6.6 周年庆", Mark: "6.6周年庆",
		Topic: "coffee", CampaignID: c.ID, FlashSaleIDs: []id.ID{mustID(t, w.sale)}, StartsAt: time.Now().Add(-time.Minute),
		EndsAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return f
}
