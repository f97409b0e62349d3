package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/places"
)

// TestPlacesListsAndGuidesOverHTTP: destinations, shopping lists (B cannot
// see or edit A's private list, every write checked) and guides (drafts
// stay hidden), through the real server.
func TestPlacesListsAndGuidesOverHTTP(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		s := e.App.Places
		jp, err := s.Create(ctx, places.Input{Kind: places.Country, Slug: "japan", NameZh: "日本", NameEn: "Japan"})
		if err != nil {
			t.Fatal(err)
		}
		tokyo, err := s.Create(ctx, places.Input{ParentID: jp.ID, Kind: places.City, Slug: "tokyo", NameZh: "东京", NameEn: "Tokyo",
			Lat: 35.68, Lng: 139.76})
		if err != nil {
			t.Fatal(err)
		}
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		anon := e.Anon()
		n := alice.Do("POST", "/api/v1/notes", map[string]any{"title": "药妆", "body": "x", "location": "东京",
			"media_ids": notesUpload(t, alice, 1)}).Want(201).Str("id")
		if _, err := s.AttachNew(ctx); err != nil {
			t.Fatal(err)
		}

		if r := anon.Do("GET", "/api/v1/places", nil).Want(200); r.Str("places.0.slug") != "japan" {
			t.Fatalf("countries: %s", r.Body)
		}
		if r := anon.Do("GET", "/api/v1/places?parent="+jp.ID.String(), nil).Want(200); r.Str("places.0.slug") != "tokyo" {
			t.Fatalf("cities: %s", r.Body)
		}
		anon.Do("GET", "/api/v1/places?parent=x", nil).WantError(400, "invalid_input")
		p := anon.Do("GET", "/api/v1/places/tokyo", nil).Want(200)
		if p.Str("ancestors.0.slug") != "japan" || p.Num("note_count") != 1 {
			t.Fatalf("place: %s", p.Body)
		}
		anon.Do("GET", "/api/v1/places/nowhere", nil).WantError(404, "not_found")
		if r := anon.Do("GET", "/api/v1/places/japan/notes", nil).Want(200); r.Str("notes.0.id") != n {
			t.Fatalf("notes in Japan: %s", r.Body)
		}

		// Lists.
		anon.Do("POST", "/api/v1/me/lists", map[string]any{"title": "x"}).WantError(401, "unauthorized")
		l := alice.Do("POST", "/api/v1/me/lists", map[string]any{"title": "东京之旅", "place_id": tokyo.ID.String()}).Want(201)
		lid := l.Str("id")
		path := "/api/v1/lists/" + lid
		alice.Do("POST", "/api/v1/me/lists", map[string]any{"title": ""}).WantError(400, "invalid_input")
		alice.Do("POST", path+"/items", map[string]any{"kind": "note", "ref_id": n}).Want(200)
		got := alice.Do("GET", path, nil).Want(200)
		item := got.Str("items.0.id")
		if got.Str("items.0.ref_id") != n || got.Get("items.0.bought") != false {
			t.Fatalf("list: %s", got.Body)
		}
		if r := alice.Do("GET", "/api/v1/me/lists", nil).Want(200); r.Str("lists.0.id") != lid {
			t.Fatalf("my lists: %s", r.Body)
		}
		// Bob: every read and write of alice's private list is a 404, even
		// with a body that would not validate (authorization comes first).
		bob.Do("GET", path, nil).WantError(404, "not_found")
		bob.Do("POST", path+"/items", map[string]any{"kind": "note", "ref_id": n}).WantError(404, "not_found")
		bob.Do("POST", path+"/items", map[string]any{"kind": "bogus"}).WantError(404, "not_found")
		bob.Do("PATCH", path+"/items/"+item, map[string]any{"bought": true}).WantError(404, "not_found")
		bob.Do("DELETE", path+"/items/"+item, nil).WantError(404, "not_found")
		bob.Do("PUT", path+"/share", map[string]any{"on": true}).WantError(404, "not_found")
		bob.Do("POST", path+"/import", map[string]any{"board_id": "1"}).WantError(404, "not_found")
		bob.Do("DELETE", path, nil).WantError(404, "not_found")
		if r := bob.Do("GET", "/api/v1/me/lists", nil).Want(200); len(r.Get("lists").([]any)) != 0 {
			t.Fatalf("bob sees lists: %s", r.Body)
		}
		alice.Do("POST", path+"/items", map[string]any{"kind": "bogus", "ref_id": n}).WantError(400, "invalid_input")
		alice.Do("POST", path+"/items", map[string]any{"kind": "note", "ref_id": "123"}).WantError(404, "not_found")

		if r := alice.Do("PATCH", path+"/items/"+item, map[string]any{"bought": true}).Want(200); r.Get("items.0.bought") != true {
			t.Fatalf("tick: %s", r.Body)
		}
		alice.Do("PATCH", path+"/items/"+item, map[string]any{}).WantError(400, "invalid_input")

		// Sharing: a read-only link; revoking it kills the link.
		sh := alice.Do("PUT", path+"/share", map[string]any{"on": true}).Want(200)
		tok := sh.Str("share_token")
		if !strings.HasSuffix(sh.Str("share_url"), "/s/lists/"+tok) {
			t.Fatalf("share: %s", sh.Body)
		}
		if r := anon.Do("GET", "/api/v1/shared-lists/"+tok, nil).Want(200); r.Str("items.0.ref_id") != n || r.Get("share_token") != nil {
			t.Fatalf("shared list: %s", r.Body)
		}
		alice.Do("PUT", path+"/share", map[string]any{"on": false}).Want(200)
		anon.Do("GET", "/api/v1/shared-lists/"+tok, nil).WantError(404, "not_found")

		// Import from a collect board: only one's own boards.
		bn := notesPost(t, bob, "bob's", "y")
		board := alice.Do("POST", "/api/v1/me/boards", map[string]any{"name": "旅行"}).Want(201).Str("id")
		alice.Do("PUT", "/api/v1/notes/"+bn+"/collect", map[string]any{"board_id": board}).Want(200)
		bobBoard := bob.Do("POST", "/api/v1/me/boards", map[string]any{"name": "b"}).Want(201).Str("id")
		alice.Do("POST", path+"/import", map[string]any{"board_id": bobBoard}).WantError(404, "not_found")
		if r := alice.Do("POST", path+"/import", map[string]any{"board_id": board}).Want(200); r.Num("added") != 1 {
			t.Fatalf("import: %s", r.Body)
		}
		alice.Do("DELETE", path+"/items/"+item, nil).Want(204)
		if r := alice.Do("GET", path, nil).Want(200); len(r.Get("items").([]any)) != 1 || r.Str("items.0.ref_id") != bn {
			t.Fatalf("after import and removal: %s", r.Body)
		}
		alice.Do("DELETE", path, nil).Want(204)
		alice.Do("GET", path, nil).WantError(404, "not_found")

		// Guides: drafts are 404 to everyone, published ones download.
		nid, _ := id.Parse(n)
		gid, err := s.SaveGuide(ctx, mustID(t, alice.ID), 0, places.GuideInput{PlaceID: tokyo.ID, Title: "东京药妆指南", Intro: "intro",
			Sections: []places.Section{{Title: "药妆店", Items: []places.GuideItem{{Kind: places.ItemNote, RefID: nid}}}}})
		if err != nil {
			t.Fatal(err)
		}
		g := "/api/v1/guides/" + gid.String()
		anon.Do("GET", g, nil).WantError(404, "not_found")
		anon.Do("GET", g+"/guide.epub", nil).WantError(404, "not_found")
		if r := anon.Do("GET", "/api/v1/guides?place=tokyo", nil).Want(200); len(r.Get("guides").([]any)) != 0 {
			t.Fatalf("draft listed: %s", r.Body)
		}
		if err := s.SetPublished(ctx, gid, true); err != nil {
			t.Fatal(err)
		}
		if r := anon.Do("GET", "/api/v1/guides?place=tokyo", nil).Want(200); r.Str("guides.0.id") != gid.String() {
			t.Fatalf("guides: %s", r.Body)
		}
		if r := anon.Do("GET", g, nil).Want(200); r.Str("sections.0.title") != "药妆店" || r.Str("sections.0.items.0.ref_id") != n {
			t.Fatalf("guide: %s", r.Body)
		}
		ep := anon.Do("GET", g+"/guide.epub?lang=en", nil).Want(200)
		if ep.Header.Get("Content-Type") != "application/epub+zip" || !strings.HasPrefix(string(ep.Body), "PK") ||
			!strings.Contains(string(ep.Body[:60]), "application/epub+zip") {
			t.Fatalf("epub: %q %q", ep.Header.Get("Content-Type"), ep.Body[:min(60, len(ep.Body))])
		}
	})
}
