package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
)

// TestCreatorCentrePage: the creator sees their own figures and charts
// (a like and a follow from bob), bob's centre is empty; only the author
// may open or post a note's disclosure form, and the label shows on the
// note page and on its card; a note without it can be reported as an
// undisclosed ad.
func TestCreatorCentrePage(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := signUp(t, e, "alice", "Alice"), signUp(t, e, "bob", "Bob")
		note := publish(t, alice, "Scarf haul", "Body", nil)
		bob.post(note+"/like", nil)
		bob.post("/u/alice/follow", nil).want(303)
		page := alice.get("/creator?days=7").want(200).has(`data-testid="creator-chart"`, "<svg", "<rect", `data-testid="creator-note"`, "Scarf haul")
		if n := strings.Count(page.Body, `data-testid="creator-chart"`); n != 10 {
			t.Fatalf("%d charts", n)
		}
		bob.get("/creator").want(200).lacks("Scarf haul").has(`data-testid="empty"`)
		newBrowser(t, e).get("/creator").redirectsTo("/login")

		ctx := context.Background()
		if _, err := e.App.Accounts.CreateWithHash(ctx, "hana", "Hana Beauty", "", accounts.RoleBrand); err != nil {
			t.Fatal(err)
		}
		bob.get(note + "/disclosure").want(403)
		bob.post(note+"/disclosure", url.Values{"kind": {"sponsored"}, "brand": {"hana"}}).want(403)
		alice.get(note).has(`data-testid="disclose-note"`).lacks(`data-testid="note-disclosure"`)
		alice.get(note + "/disclosure").want(200).has(`data-testid="disclosure-form"`)
		alice.post(note+"/disclosure", url.Values{"kind": {"sponsored"}, "brand": {"bob"}}).want(400).has(`data-testid="form-error"`)
		alice.post(note+"/disclosure", url.Values{"kind": {"sponsored"}, "brand": {"hana"}}).redirectsTo(note)
		bob.get(note).want(200).has(`data-testid="note-disclosure"`, "Hana Beauty")
		bob.get("/u/alice").want(200).has(`data-testid="card-disclosure"`)
		alice.post(note+"/disclosure", url.Values{"kind": {"none"}}).redirectsTo(note)
		bob.get(note).want(200).lacks(`data-testid="note-disclosure"`)

		// A paid post without the label can be reported as a soft ad, and
		// the moderator's case carries that reason.
		nid := strings.TrimPrefix(note, "/n/")
		bob.get("/report?kind=note&id=" + nid).want(200).has(`data-testid="reason-undisclosed_ad"`)
		bob.post("/report", url.Values{"kind": {"note"}, "id": {nid}, "reason": {"undisclosed_ad"}}).redirectsTo("/me/moderation?reported=1")
		var reason string
		if err := e.App.DB.Reader(ctx).QueryRow(ctx, `SELECT r.reason FROM moderation_reports r JOIN moderation_cases c ON c.id = r.case_id
			WHERE c.target_kind = 'note' AND c.target_id = ?`, mustID(t, nid)).Scan(&reason); err != nil || reason != "undisclosed_ad" {
			t.Fatalf("report reason %q, %v", reason, err)
		}
	})
}

// TestProductClickFromNote: opening a product from a note's card credits the
// note once a day, but only for a navigation from this site: a cross-site
// link or a prefetch of the same URL does not.
func TestProductClickFromNote(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newShopWorld(t, e)
		alice, bob := signUp(t, e, "alice", "Alice"), signUp(t, e, "bob", "Bob")
		note := publish(t, alice, "Scarf haul", "Body", url.Values{"product_ids": {w.product}})
		nid := strings.TrimPrefix(note, "/n/")
		clicks := func() int {
			var n int
			if err := e.App.DB.Reader(t.Context()).QueryRow(t.Context(), `SELECT COUNT(*) FROM creator_clicks`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		open := func(h http.Header) {
			req, _ := http.NewRequest("GET", e.URL+"/p/"+w.product+"?from="+nid, nil)
			for k, v := range h {
				req.Header[k] = v
			}
			bob.do(req).want(200)
		}
		open(http.Header{"Sec-Fetch-Site": {"cross-site"}, "Sec-Fetch-Mode": {"navigate"}})
		open(http.Header{"Sec-Fetch-Site": {"same-origin"}, "Sec-Purpose": {"prefetch"}})
		if n := clicks(); n != 0 {
			t.Fatalf("%d clicks from a cross-site link and a prefetch", n)
		}
		open(http.Header{"Sec-Fetch-Site": {"same-origin"}, "Sec-Fetch-Mode": {"navigate"}})
		open(http.Header{"Sec-Fetch-Site": {"same-origin"}, "Sec-Fetch-Mode": {"navigate"}})
		if n := clicks(); n != 1 {
			t.Fatalf("%d clicks after two visits from the note, want 1", n)
		}
		alice.get("/p/" + w.product + "?from=" + nid).want(200) // the author's own click is not counted
		if n := clicks(); n != 1 {
			t.Fatalf("%d clicks after the author's visit", n)
		}
	})
}
