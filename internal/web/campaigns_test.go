package web_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
)

var (
	campaignLink = regexp.MustCompile(`/console/campaigns/(\d+)`)
	categoryOpt  = regexp.MustCompile(`<option value="(\d+)">彩妆榜</option>`)
	nomineeInput = regexp.MustCompile(`name="nominee" value="(\d+)"`)
	voteKey      = regexp.MustCompile(`name="key" value="([^"]+)"`)
)

// TestCampaignPages: an operator creates a vote campaign in the console,
// adds a category and a nominee; a user votes on the page (a resubmitted
// form votes once); the live stream carries the new tally; the operator
// excludes the voter, ends and publishes; the results page shows the
// frozen tally. Non-operators get 403 on every console page and action.
func TestCampaignPages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newConsoleWorld(t, e)
		form := url.Values{"title": {"全球大赏"}, "topic": {"大赏"}, "starts_at": {time.Now().UTC().Add(-time.Minute).Format("2006-01-02T15:04")},
			"hours": {"24"}, "daily_votes": {"2"}, "new_mode": {"count"}}
		w.user.get("/console/campaigns").want(403)
		w.user.post("/console/campaigns", clone(form)).want(403)
		w.op.get("/console/campaigns").want(200)
		bad := clone(form)
		bad.Set("daily_votes", "0")
		w.op.post("/console/campaigns", bad).want(400).has("daily_votes")
		loc := w.op.post("/console/campaigns", form).redirectsTo("/console/campaigns/").Location
		cid := campaignLink.FindStringSubmatch(loc)[1]
		base := "/console/campaigns/" + cid
		w.op.get(base).want(200)
		w.op.post(base+"/categories", url.Values{"name": {"彩妆榜"}}).redirectsTo(base)
		cat := categoryOpt.FindStringSubmatch(w.op.get(base).want(200).Body)[1]
		w.op.post(base+"/nominees", url.Values{"category_id": {cat}, "kind": {"free"}, "title": {"Velvet lipstick"}}).redirectsTo(base)
		for _, p := range []string{"/categories", "/nominees", "/exclude", "/flagged", "/recount", "/end", "/publish"} {
			w.user.post(base+p, url.Values{"name": {"x"}, "user_id": {"1"}}).want(403)
		}
		w.user.get(base).want(403)

		// The stream starts with the current tallies.
		req, _ := http.NewRequest("GET", e.URL+"/campaigns/"+cid+"/live", nil)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := http.DefaultClient.Do(req.WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("content type %q", ct)
		}
		events := bufio.NewScanner(res.Body)
		next := func() string {
			for events.Scan() {
				if l := events.Text(); strings.HasPrefix(l, "data: ") {
					return l
				}
			}
			t.Fatalf("stream ended: %v", events.Err())
			return ""
		}
		if first := next(); !strings.Contains(first, `"votes":0`) {
			t.Fatalf("first event %s", first)
		}

		pg := w.user.get("/campaigns/"+cid).want(200).has("Velvet lipstick", "data-testid=\"vote\"")
		nom, key := nomineeInput.FindStringSubmatch(pg.Body)[1], voteKey.FindStringSubmatch(pg.Body)[1]
		vote := url.Values{"nominee": {nom}, "key": {key}}
		w.user.post("/campaigns/"+cid+"/vote", clone(vote)).redirectsTo("/campaigns/" + cid + "?voted=1")
		w.user.post("/campaigns/"+cid+"/vote", clone(vote)).redirectsTo("/campaigns/" + cid + "?voted=1") // resubmitted: same vote
		start := time.Now()
		if ev := next(); !strings.Contains(ev, `"votes":1`) {
			t.Fatalf("event after the vote %s", ev)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("the vote took %v to reach the stream", d)
		}
		w.user.get("/campaigns/" + cid).want(200).has("今天还剩 1 票")
		w.user.post("/campaigns/"+cid+"/vote", url.Values{"nominee": {nom}, "key": {"other"}}).redirectsTo("/campaigns/" + cid)
		w.user.post("/campaigns/"+cid+"/vote", url.Values{"nominee": {nom}, "key": {"third"}}).want(429).has("今天的票已用完")
		w.user.post("/campaigns/"+cid+"/vote", url.Values{"nominee": {nom}, "key": {"x"}, "csrf": {"forged"}}).want(403)

		w.op.post(base+"/exclude", url.Values{"user_id": {w.alice.ID.String()}}).redirectsTo(base)
		w.op.get(base).want(200).has("有效 0 · 已标记 0 · 作废 2")
		w.op.post(base+"/end", nil).redirectsTo(base)
		w.user.get("/campaigns/" + cid + "/results").want(404)
		w.op.post(base+"/publish", nil).redirectsTo(base)
		w.user.get("/campaigns/"+cid+"/results").want(200).has("Velvet lipstick", "0 票")
		e.Anon().Do("GET", "/api/v1/campaigns/"+cid, nil).Want(200)
		// At shutdown the stream ends by itself (it would hold the shutdown up).
		e.App.Campaigns.EndStreams()
		for events.Scan() {
		}
		if err := events.Err(); err != nil {
			t.Fatalf("the stream did not end at shutdown: %v", err)
		}
	})
}

// clone copies form values (post adds the CSRF token to the map it is given).
func clone(v url.Values) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = append([]string(nil), x...)
	}
	return out
}
