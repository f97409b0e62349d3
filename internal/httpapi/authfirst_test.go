package httpapi_test

import (
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
)

// TestAuthorizationBeforeValidation: a request about something the caller
// may not touch answers 404 (or 403) however bad its body is — the
// stranger learns nothing from a 400 — while the owner with the same bad
// body gets the 400.
func TestAuthorizationBeforeValidation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice, stranger := e.SignUp("alice"), e.SignUp("stranger")
		oid := order(alice, buy(f.skus[0], 1)).Want(201).Str("id")
		payNow(t, alice, oid)
		long := strings.Repeat("x", 600)
		o := "/api/v1/orders/" + oid
		for _, c := range []struct {
			path     string
			body     map[string]any
			stranger int
			owner    *apitest.Client
		}{
			{o + "/ship", map[string]any{"carrier": "SF", "tracking_number": "1"}, 404, f.m1},
			{o + "/ship", map[string]any{"carrier": "", "tracking_number": "SF123456"}, 404, f.m1},
			{o + "/cancel", map[string]any{"reason": long}, 404, alice},
			{o + "/refunds", map[string]any{"reason": ""}, 404, alice},
		} {
			stranger.Do("POST", c.path, c.body).Want(c.stranger)
			f.m2.Do("POST", c.path, c.body).Want(c.stranger) // another store's merchant
			c.owner.Do("POST", c.path, c.body).Want(400)
		}
		f.m1.Do("POST", o+"/ship", map[string]any{"carrier": "SF", "tracking_number": "SF123456"}).Want(200)
		stranger.Do("POST", o+"/tracking", map[string]any{"description": ""}).Want(404)
		f.m1.Do("POST", o+"/tracking", map[string]any{"description": ""}).Want(400)

		// A note's patch, a comment, a message, a list.
		img := alice.Upload("/api/v1/media", "a.png", pngBytes(t)).Want(201).Str("id")
		note := alice.Do("POST", "/api/v1/notes", map[string]any{"title": "t", "body": "b", "media_ids": []string{img}}).Want(201).Str("id")
		many := make([]string, 40)
		for i := range many {
			many[i] = "t" + strings.Repeat("x", i%5+1) + string(rune('a'+i%26))
		}
		if s := stranger.Do("PATCH", "/api/v1/notes/"+note, map[string]any{"topics": many}).Status; s != 403 && s != 404 {
			t.Errorf("stranger's bad patch: %d, want 403 or 404", s)
		}
		alice.Do("PATCH", "/api/v1/notes/"+note, map[string]any{"topics": many}).Want(400)
		stranger.Do("POST", "/api/v1/notes/123456789/comments", map[string]any{"body": ""}).Want(404)
		stranger.Do("POST", "/api/v1/notes/"+note+"/comments", map[string]any{"body": ""}).Want(400)
		stranger.Do("POST", "/api/v1/messages/alice", map[string]any{"body": ""}).Want(403)
		list := alice.Do("POST", "/api/v1/me/lists", map[string]any{"title": "Tokyo"}).Want(201).Str("id")
		stranger.Do("POST", "/api/v1/lists/"+list+"/items", map[string]any{"kind": "bogus"}).Want(404)
		stranger.Do("PATCH", "/api/v1/lists/"+list+"/items/1", map[string]any{}).Want(404)
		alice.Do("PATCH", "/api/v1/lists/"+list+"/items/1", map[string]any{}).Want(400)
	})
}
