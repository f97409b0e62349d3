package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
)

// TestCampaignAPI: an operator sets up a campaign over HTTP, users vote with
// Idempotency-Keys, others cannot touch the setup or the audit (403 before
// any validation), and the leaderboard and audit reflect the votes.
func TestCampaignAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		op := e.SignUp("campop")
		uid, _ := id.Parse(op.ID)
		if err := e.App.Accounts.SetRole(context.Background(), uid, accounts.RoleOperator); err != nil {
			t.Fatal(err)
		}
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		in := map[string]any{"title": "全球大赏", "starts_at": time.Now().Add(-time.Minute), "ends_at": time.Now().Add(time.Hour), "daily_votes": 2}
		alice.Do("POST", "/api/v1/campaigns", map[string]any{"title": ""}).WantError(403, "forbidden")
		op.Do("POST", "/api/v1/campaigns", map[string]any{"title": "x"}).WantError(400, "invalid_input")
		cid := op.Do("POST", "/api/v1/campaigns", in).Want(201).Str("id")
		base := "/api/v1/campaigns/" + cid
		alice.Do("POST", base+"/categories", map[string]any{"name": ""}).WantError(403, "forbidden")
		cat := op.Do("POST", base+"/categories", map[string]any{"name": "彩妆榜"}).Want(201).Str("id")
		alice.Do("POST", base+"/nominees", map[string]any{"kind": "bogus"}).WantError(403, "forbidden")
		nom := op.Do("POST", base+"/nominees", map[string]any{"category_id": cat, "kind": "free", "title": "Lipstick"}).Want(201).Str("id")
		op.Do("POST", base+"/nominees", map[string]any{"category_id": cat, "kind": "creator", "ref": bob.ID}).Want(201)

		vote := func(c *apitest.Client, key string) *apitest.Response {
			h := http.Header{}
			if key != "" {
				h.Set("Idempotency-Key", key)
			}
			return c.DoWith("POST", base+"/votes", map[string]any{"nominee_id": nom}, h)
		}
		e.Anon().Do("POST", base+"/votes", map[string]any{"nominee_id": nom}).WantError(401, "unauthorized")
		vote(alice, "").WantError(400, "invalid_input")
		first := vote(alice, "k1").Want(201).Str("vote_id")
		if again := vote(alice, "k1").Want(201).Str("vote_id"); again != first {
			t.Fatalf("retry answered vote %s, first %s", again, first)
		}
		vote(alice, "k2").Want(201)
		vote(alice, "k3").WantError(429, "no_votes_left")
		vote(bob, "k1").Want(201)
		page := alice.Do("GET", base, nil).Want(200)
		if page.Num("allowance.left") != 0 || page.Num("categories.0.nominees.0.votes") != 3 {
			t.Fatalf("page %v", page.JSON())
		}
		if e.Anon().Do("GET", base+"/leaderboard", nil).Want(200).Num("categories.0.nominees.0.votes") != 3 {
			t.Fatal("leaderboard")
		}
		// Audit and moderation are for operators, checked before the body.
		for _, p := range []string{"/exclusions", "/flagged", "/recount", "/end", "/publish"} {
			bob.Do("POST", base+p, map[string]any{"user_id": "nonsense"}).WantError(403, "forbidden")
		}
		bob.Do("GET", base+"/votes", nil).WantError(403, "forbidden")
		if n := len(op.Do("GET", base+"/votes?user_id="+alice.ID, nil).Want(200).Get("items").([]any)); n != 2 {
			t.Fatalf("alice's votes in the audit: %d", n)
		}
		if op.Do("POST", base+"/exclusions", map[string]any{"user_id": alice.ID}).Want(200).Num("voided") != 2 {
			t.Fatal("exclusion")
		}
		if e.Anon().Do("GET", base+"/leaderboard", nil).Want(200).Num("categories.0.nominees.0.votes") != 1 {
			t.Fatal("tally after exclusion")
		}
		vote(alice, "k9").WantError(403, "excluded")
		if op.Do("POST", base+"/recount", nil).Want(200).Num("corrected") != 0 {
			t.Fatal("recount corrected an exact tally")
		}
		op.Do("POST", base+"/publish", nil).WantError(409, "conflict")
		op.Do("POST", base+"/end", nil).Want(200)
		vote(bob, "k2").WantError(403, "ended")
		if op.Do("POST", base+"/publish", nil).Want(200).Str("status") != "published" {
			t.Fatal("publish")
		}
	})
}
