package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
)

// TestCreatorCentrePage: the creator sees their own figures and charts
// (a like and a follow from bob), bob's centre is empty; only the author
// may open or post a note's disclosure form, and the label shows on the
// note page and on its card.
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
	})
}
