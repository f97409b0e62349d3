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

// TestConsoleEditsPlacesAndGuides: operators create and edit places (names,
// parent, coordinates; a new parent moves the subtree) and reopen a guide to
// change its intro, sections and their order; others are refused first.
func TestConsoleEditsPlacesAndGuides(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		s := e.App.Places
		alice, op := signUp(t, e, "alice", "Alice"), signUp(t, e, "opera", "Op")
		role(t, e, "opera", accounts.RoleOperator)
		// Authorization before validation: an empty form is still a 403.
		alice.post("/console/places/new", url.Values{}).want(http.StatusForbidden)
		alice.get("/console/places?guide=1").want(http.StatusForbidden)

		jpLoc := op.post("/console/places/new", url.Values{"kind": {"country"}, "slug": {"japan"}, "name_zh": {"日本"}, "name_en": {"Japan"}}).
			redirectsTo("/console/places?place=").Location
		jp := strings.TrimPrefix(jpLoc, "/console/places?place=")
		op.post("/console/places/new", url.Values{"kind": {"city"}, "slug": {"osaka"}, "name_zh": {"大阪"}, "name_en": {"Osaka"}}).
			want(http.StatusBadRequest) // a city needs a country
		op.post("/console/places/new", url.Values{"kind": {"country"}, "slug": {"kr"}, "name_zh": {"韩国"}, "name_en": {"Korea"}, "lat": {"x"}}).
			want(http.StatusBadRequest)
		krLoc := op.post("/console/places/new", url.Values{"kind": {"country"}, "slug": {"korea"}, "name_zh": {"韩国"}, "name_en": {"Korea"}}).
			redirectsTo("/console/places?place=").Location
		kr := strings.TrimPrefix(krLoc, "/console/places?place=")
		// Tokyo, created under Korea by mistake, with an area under it.
		tkLoc := op.post("/console/places/new", url.Values{"kind": {"city"}, "slug": {"tokyo"}, "parent": {kr}, "name_zh": {"东京"},
			"name_en": {"Tokio"}}).redirectsTo("/console/places?place=").Location
		tk := strings.TrimPrefix(tkLoc, "/console/places?place=")
		op.post("/console/places/new", url.Values{"kind": {"area"}, "slug": {"shibuya"}, "parent": {tk}, "name_zh": {"涩谷"}, "name_en": {"Shibuya"}}).
			redirectsTo("/console/places?place=")
		op.get(tkLoc).want(http.StatusOK).has(`value="Tokio"`, `data-testid="place-form"`)
		op.post("/console/places/"+tk, url.Values{"parent": {jp}, "name_zh": {"东京"}, "name_en": {"Tokyo"}, "aliases": {"東京\nTYO"},
			"lat": {"35.68"}, "lng": {"139.76"}}).redirectsTo(tkLoc)
		op.get("/places/shibuya").want(http.StatusOK).has("日本", "东京").lacks("韩国")
		tokyo, err := s.BySlug(ctx, "tokyo")
		if err != nil {
			t.Fatal(err)
		}
		if tokyo.NameEn != "Tokyo" || tokyo.Lat != 35.68 || len(tokyo.Aliases) != 2 {
			t.Fatalf("edited place: %+v", tokyo)
		}
		op.post("/console/places/"+tk, url.Values{"parent": {tk}, "name_zh": {"东京"}, "name_en": {"Tokyo"}}).want(http.StatusBadRequest)

		// A guide: save, reopen, reorder and change, publish.
		author := e.SignUp("yuki")
		img := author.Upload("/api/v1/media", "a.png", pngBytes(t, 40, 30)).Want(201).Str("id")
		n1 := author.Do("POST", "/api/v1/notes", map[string]any{"title": "药妆一", "media_ids": []string{img}}).Want(201).Str("id")
		img2 := author.Upload("/api/v1/media", "b.png", pngBytes(t, 40, 30)).Want(201).Str("id")
		n2 := author.Do("POST", "/api/v1/notes", map[string]any{"title": "药妆二", "media_ids": []string{img2}}).Want(201).Str("id")
		g := op.post("/console/places/guides", url.Values{"place": {tk}, "title": {"东京攻略"}, "intro": {"第一版"},
			"sections": {"## 药妆\n必买\n/n/" + n1 + "\n/n/" + n2}}).redirectsTo("/console/places?guide=").Location
		gid := strings.TrimPrefix(g, "/console/places?guide=")
		op.get(g).want(http.StatusOK).has(`name="guide" value="`+gid+`"`, "第一版", "## 药妆\n必买\n/n/"+n1+"\n/n/"+n2)
		op.post("/console/places/guides", url.Values{"guide": {gid}, "place": {tk}, "title": {"东京攻略"}, "intro": {"第二版"},
			"sections": {"## 先看\n/n/" + n2 + "\n## 药妆\n/n/" + n1}}).redirectsTo(g)
		op.post("/console/places/guides/"+gid+"/publish", url.Values{"on": {"1"}}).redirectsTo("/console/places")
		guide, err := s.Guide(ctx, mustID(t, gid), false)
		if err != nil {
			t.Fatal(err)
		}
		if guide.Intro != "第二版" || len(guide.Sections) != 2 || guide.Sections[0].Title != "先看" ||
			guide.Sections[0].Items[0].RefID.String() != n2 || guide.Sections[1].Items[0].RefID.String() != n1 {
			t.Fatalf("edited guide: %+v", guide)
		}
		alice.post("/console/places/guides", url.Values{"guide": {gid}, "place": {tk}, "title": {"hacked"}}).want(http.StatusForbidden)
	})
}
