package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/places"
)

func TestPlacePagesListsAndConsole(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		s := e.App.Places
		jp, err := s.Create(ctx, places.Input{Kind: places.Country, Slug: "japan", NameZh: "日本", NameEn: "Japan"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Create(ctx, places.Input{ParentID: jp.ID, Kind: places.City, Slug: "tokyo", NameZh: "东京", NameEn: "Tokyo", Lat: 35.68, Lng: 139.76}); err != nil {
			t.Fatal(err)
		}
		alice, bob := signUp(t, e, "alice", "Alice"), signUp(t, e, "bob", "Bob")
		// The explore page filtered by destination shows only notes there.
		author := e.SignUp("yuki")
		for _, n := range [][2]string{{"涩谷药妆", "东京·涩谷"}, {"巴黎咖啡", "巴黎"}} {
			img := author.Upload("/api/v1/media", "a.png", pngBytes(t, 40, 30)).Want(201).Str("id")
			author.Do("POST", "/api/v1/notes", map[string]any{"title": n[0], "location": n[1], "media_ids": []string{img}}).Want(201)
		}
		if _, err := s.AttachNew(ctx); err != nil {
			t.Fatal(err)
		}
		alice.get("/?place=japan").want(http.StatusOK).has("涩谷药妆").lacks("巴黎咖啡")
		alice.get("/?place=nowhere").want(http.StatusNotFound)
		// Without a tile server: no map, the list of places instead.
		alice.get("/places/tokyo").want(http.StatusOK).has("东京", "日本", `data-testid="pins"`).lacks(`id="map"`)
		loc := alice.post("/lists", url.Values{"title": {"东京五日"}}).redirectsTo("/lists/").Location
		alice.get(loc).want(http.StatusOK).has("东京五日")
		bob.get(loc).want(http.StatusNotFound) // B cannot see A's private list
		bob.get("/places").want(http.StatusOK)
		bob.post(loc+"/share", url.Values{"on": {"1"}}).want(http.StatusNotFound)
		bob.post(loc+"/add", url.Values{"link": {"/n/1"}}).want(http.StatusNotFound)
		alice.post(loc+"/share", url.Values{"on": {"1"}}).redirectsTo(loc)
		share := regexp.MustCompile(`/s/lists/[A-Za-z0-9_-]+`).FindString(alice.get(loc).Body)
		if share == "" {
			t.Fatal("no share link after sharing")
		}
		bob.get(share).want(http.StatusOK).has("东京五日").lacks(`data-testid="tick"`)

		// The console is for operators only.
		alice.get("/console/places").want(http.StatusForbidden)
		role(t, e, "bob", accounts.RoleOperator)
		bob.get("/console/places").want(http.StatusOK).has(`data-testid="merge"`)
		alice.post("/console/places/merge", url.Values{"keep": {jp.ID.String()}, "dup": {jp.ID.String()}}).want(http.StatusForbidden)
		alice.post("/console/places/guides", url.Values{"place": {jp.ID.String()}, "title": {"x"}}).want(http.StatusForbidden)
	})
}

func TestPlaceMapWithTiles(t *testing.T) {
	e := apitest.NewWithConfig(t, dbtest.SQLite(t), app.Config{DataDir: t.TempDir(),
		Places: app.PlacesConfig{TileURL: "https://{s}.tile.example.org/{z}/{x}/{y}.png", TileAttribution: "© OSM"}})
	ctx := context.Background()
	if _, err := e.App.Places.Create(ctx, places.Input{Kind: places.Country, Slug: "japan", NameZh: "日本", NameEn: "Japan", Lat: 36, Lng: 138}); err != nil {
		t.Fatal(err)
	}
	p := newBrowser(t, e).get("/places/japan").want(http.StatusOK).has(`id="map"`, "leaflet", `data-pins="[{`)
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https://*.tile.example.org;") ||
		strings.Contains(csp, "script-src 'self' https") {
		t.Fatalf("CSP %q: tiles belong in img-src only", csp)
	}
}

// TestAddToListFromNoteAndProductPages: the note and product pages link to
// the list chooser; a reader puts the thing on one of their lists or on a
// new one; nobody can add to someone else's list or add what they cannot see.
func TestAddToListFromNoteAndProductPages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newShopWorld(t, e)
		alice, bob := signUp(t, e, "alice", "Alice"), signUp(t, e, "bob", "Bob")
		note := publish(t, bob, "Bob's haul", "药妆", nil)
		nid := strings.TrimPrefix(note, "/n/")
		chooser := "/lists/add?kind=note&amp;ref=" + nid
		alice.get(note).want(http.StatusOK).has(`href="` + chooser + `" data-testid="add-to-list"`)
		alice.get("/p/" + w.product).want(http.StatusOK).has(`href="/lists/add?kind=product&amp;ref=` + w.product + `"`)

		// No lists yet: the chooser offers a new list that starts with the note.
		alice.get("/lists/add?kind=note&ref=" + nid).want(http.StatusOK).has(`data-testid="new-list-with-item"`).lacks(`data-testid="choose-list"`)
		loc := alice.post("/lists", url.Values{"title": {"东京五日"}, "kind": {"note"}, "ref": {nid}}).redirectsTo("/lists/").Location
		alice.get(loc).want(http.StatusOK).has("东京五日", "Bob&#39;s haul")
		// Then the product onto that list, chosen from the chooser.
		alice.get("/lists/add?kind=product&ref="+w.product).want(http.StatusOK).has(`action="`+loc+`/add"`, "东京五日")
		alice.post(loc+"/add", url.Values{"kind": {"product"}, "ref": {w.product}}).redirectsTo(loc)
		alice.get(loc).want(http.StatusOK).has(`data-testid="in-shop"`)

		// Bob cannot add to alice's list, even something that would not validate.
		bob.post(loc+"/add", url.Values{"kind": {"note"}, "ref": {nid}}).want(http.StatusNotFound)
		bob.post(loc+"/add", url.Values{"kind": {"bogus"}}).want(http.StatusNotFound)
		// Unknown things cannot be listed; visitors must sign in.
		alice.get("/lists/add?kind=note&ref=123").want(http.StatusNotFound)
		alice.post("/lists", url.Values{"title": {"x"}, "kind": {"note"}, "ref": {"123"}}).want(http.StatusNotFound)
		newBrowser(t, e).get("/lists/add?kind=note&ref=" + nid).redirectsTo("/login?next=")
	})
}
