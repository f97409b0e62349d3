package httpapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
)

// TestFestivalAPI: operators create and replace festivals (others get 403
// before the body is looked at); everyone reads them, the running ones,
// and the mark on notes carrying the festival's topic.
func TestFestivalAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		op := e.SignUp("festop")
		uid, _ := id.Parse(op.ID)
		if err := e.App.Accounts.SetRole(context.Background(), uid, accounts.RoleOperator); err != nil {
			t.Fatal(err)
		}
		alice := e.SignUp("alice")
		in := map[string]any{"slug": "red-friday", "title": "红色星期五", "mark": "红五", "topic": "红五好物",
			"starts_at": time.Now().Add(-time.Minute), "ends_at": time.Now().Add(time.Hour)}
		alice.Do("POST", "/api/v1/festivals", map[string]any{}).WantError(403, "forbidden")
		e.Anon().Do("POST", "/api/v1/festivals", in).WantError(401, "unauthorized")
		op.Do("POST", "/api/v1/festivals", map[string]any{"slug": "x"}).WantError(400, "invalid_input")
		fid := op.Do("POST", "/api/v1/festivals", in).Want(201).Str("id")
		op.Do("POST", "/api/v1/festivals", in).WantError(409, "conflict")
		alice.Do("PUT", "/api/v1/festivals/"+fid, in).WantError(403, "forbidden")
		in["mark"] = "红色星期五"
		if op.Do("PUT", "/api/v1/festivals/"+fid, in).Want(200).Str("mark") != "红色星期五" {
			t.Fatal("update")
		}
		if e.Anon().Do("GET", "/api/v1/festivals/red-friday", nil).Want(200).Str("status") != "live" {
			t.Fatal("status")
		}
		if e.Anon().Do("GET", "/api/v1/festivals/current", nil).Want(200).Str("items.0.slug") != "red-friday" {
			t.Fatal("current")
		}
		if e.Anon().Do("GET", "/api/v1/festivals", nil).Want(200).Str("items.0.id") != fid {
			t.Fatal("list")
		}
		e.Anon().Do("GET", "/api/v1/festivals/nope", nil).WantError(404, "not_found")
		img := alice.Upload("/api/v1/media", "a.png", pngBytes(t)).Want(201).Str("id")
		note := alice.Do("POST", "/api/v1/notes", map[string]any{"title": "买到了", "body": "#红五好物", "media_ids": []string{img}}).Want(201).Str("id")
		if e.Anon().Do("GET", "/api/v1/notes/"+note, nil).Want(200).Str("campaign_mark.slug") != "red-friday" {
			t.Fatal("note mark")
		}
	})
}
