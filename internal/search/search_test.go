package search_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/outbox"
	"github.com/redmark/redmark/internal/search"
)

func searchReq(q string) search.Request {
	return search.Request{Text: q, Kind: search.Notes, Limit: 20}
}

func pngBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 6))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// post publishes a one-image note (or saves a draft) and returns its id.
func post(t *testing.T, c *apitest.Client, title, body string, draft bool) string {
	t.Helper()
	img := c.Upload("/api/v1/media", "a.png", pngBytes(t)).Want(201).Str("id")
	return c.Do("POST", "/api/v1/notes", map[string]any{"title": title, "body": body, "media_ids": []string{img},
		"draft": draft}).Want(201).Str("id")
}

// waitFor polls cond until it holds or the deadline passes: the indexer is
// asynchronous, so tests wait for an outcome instead of sleeping.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func pending(t *testing.T, a *app.App) int64 {
	t.Helper()
	n, err := outbox.Pending(context.Background(), a.DB)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func caughtUp(t *testing.T, a *app.App) {
	waitFor(t, "the indexer to drain the outbox", func() bool { return pending(t, a) == 0 })
}

type hit struct {
	ID      string
	Title   string
	Ranges  [][2]int
	Snippet string
}

func find(t *testing.T, c *apitest.Client, typ, q string) []hit {
	t.Helper()
	var out struct {
		Items []struct {
			Note, User, Topic, Product map[string]any
			Title                      struct {
				Text       string   `json:"text"`
				Highlights [][2]int `json:"highlights"`
			}
			Snippet *struct {
				Text string `json:"text"`
			}
		} `json:"items"`
	}
	c.Do("GET", "/api/v1/search?type="+typ+"&q="+url.QueryEscape(q), nil).Want(200).Decode(&out)
	var hs []hit
	for _, it := range out.Items {
		h := hit{Title: it.Title.Text, Ranges: it.Title.Highlights}
		for _, m := range []map[string]any{it.Note, it.User, it.Product} {
			if m != nil {
				h.ID, _ = m["id"].(string)
			}
		}
		if it.Topic != nil {
			h.ID, _ = it.Topic["name"].(string)
		}
		if it.Snippet != nil {
			h.Snippet = it.Snippet.Text
		}
		hs = append(hs, h)
	}
	return hs
}

func ids(hs []hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

func has(hs []hit, id string) bool {
	for _, h := range hs {
		if h.ID == id {
			return true
		}
	}
	return false
}

func TestSearchLanguagesHighlightsAndVisibility(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		if err := e.App.StartDiscovery(); err != nil {
			t.Fatal(err)
		}
		alice := e.SignUp("alice")
		sun := post(t, alice, "夏天通勤防晒霜推荐", "每天出门前涂一层，清爽不油腻 #护肤", false)
		run := post(t, alice, "Morning run in the park", "Five kilometres before work.", false)
		skin := post(t, alice, "My skincare routine", "Cleanser, toner, sunscreen.", false)
		draft := post(t, alice, "防晒 draft", "not yet published", true)
		gone := post(t, alice, "防晒 to be deleted", "bye", false)
		caughtUp(t, e.App)
		if !has(find(t, alice, "notes", "防晒"), gone) {
			t.Fatal("the note to delete was not indexed")
		}
		alice.Do("DELETE", "/api/v1/notes/"+gone, nil).Want(204)
		caughtUp(t, e.App)

		anon := e.Anon()
		hs := find(t, anon, "notes", "防晒")
		if fmt.Sprint(ids(hs)) != fmt.Sprint([]string{sun}) {
			t.Fatalf("防晒 found %v, want only %s (no draft %s, no deleted %s)", ids(hs), sun, draft, gone)
		}
		// "防晒" sits inside the word 防晒霜 of the title: code points 4–6.
		if fmt.Sprint(hs[0].Ranges) != "[[4 6]]" {
			t.Fatalf("highlight of 防晒 in %q: %v", hs[0].Title, hs[0].Ranges)
		}
		if got := ids(find(t, anon, "notes", "通勤 防晒霜")); fmt.Sprint(got) != fmt.Sprint([]string{sun}) {
			t.Fatalf("two Chinese words: %v", got)
		}
		if got := ids(find(t, anon, "notes", "护肤")); !has(find(t, anon, "notes", "护肤"), sun) {
			t.Fatalf("topic word: %v", got)
		}
		// English: stemming both ways, case-folding.
		hs = find(t, anon, "notes", "Running")
		if fmt.Sprint(ids(hs)) != fmt.Sprint([]string{run}) || fmt.Sprint(hs[0].Ranges) != "[[8 11]]" {
			t.Fatalf("running → run: %v %v", ids(hs), hs)
		}
		// Typos in longer words: a missing letter, an extra one.
		for _, q := range []string{"skincar", "skincre", "skinncare", "SKINCARE"} {
			if hs := find(t, anon, "notes", q); !has(hs, skin) {
				t.Errorf("%q did not find skincare: %v", q, ids(hs))
			}
		}
		hs = find(t, anon, "notes", "skincre")
		if len(hs) == 0 || fmt.Sprint(hs[0].Ranges) != "[[3 11]]" {
			t.Fatalf("typo highlight: %+v", hs)
		}
		// Short words are not fuzzy: "rum" is not "run".
		if hs := find(t, anon, "notes", "rum"); len(hs) != 0 {
			t.Fatalf("rum matched %v", ids(hs))
		}
		// Mixed query: one Chinese and one English word must both match.
		if hs := find(t, anon, "notes", "routine 防晒"); len(hs) != 2 {
			// no note has both: the fallback shows notes with either
			t.Fatalf("fallback: %v", ids(hs))
		}
		// The draft is its author's only, and never in search, even for her.
		if has(find(t, alice, "notes", "draft"), draft) {
			t.Fatal("a draft is searchable")
		}
	})
}

func TestSearchEditIsIndexed(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		if err := e.App.StartDiscovery(); err != nil {
			t.Fatal(err)
		}
		bob := e.SignUp("bob")
		n := post(t, bob, "Weekend hiking", "Mountains and lakes", false)
		waitFor(t, "the note to be searchable", func() bool { return has(find(t, bob, "notes", "hiking"), n) })
		bob.Do("PATCH", "/api/v1/notes/"+n, map[string]any{"title": "周末露营攻略"}).Want(200)
		waitFor(t, "the edit to be searchable", func() bool { return has(find(t, bob, "notes", "露营"), n) })
		if has(find(t, bob, "notes", "hiking"), n) {
			t.Fatal("the old title is still found")
		}
		// Unpublishing takes it out; publishing again brings it back.
		bob.Do("PATCH", "/api/v1/notes/"+n, map[string]any{"publish": false}).Want(200)
		waitFor(t, "the unpublished note to leave", func() bool { return !has(find(t, bob, "notes", "露营"), n) })
		bob.Do("PATCH", "/api/v1/notes/"+n, map[string]any{"publish": true}).Want(200)
		waitFor(t, "the republished note to return", func() bool { return has(find(t, bob, "notes", "露营"), n) })
	})
}

func TestOutboxSurvivesRestart(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		if err := e.App.StartDiscovery(); err != nil {
			t.Fatal(err)
		}
		carol := e.SignUp("carol")
		first := post(t, carol, "First latte art", "foam", false)
		caughtUp(t, e.App)
		// The indexer stops (as if the process died before indexing); the
		// next write stays in the outbox.
		if err := e.App.Search.Close(); err != nil {
			t.Fatal(err)
		}
		second := post(t, carol, "Second espresso tonic", "bitter", false)
		if pending(t, e.App) == 0 {
			t.Fatal("the write left no outbox row")
		}
		// A new process over the same database and data directory resumes.
		b, err := app.New(e.App.Config, e.App.DB, []byte("test-secret"))
		if err != nil {
			t.Fatal(err)
		}
		defer b.Shutdown()
		if err := b.StartDiscovery(); err != nil {
			t.Fatal(err)
		}
		search := func(q string) []id.ID {
			p, err := b.Search.Search(ctx, searchReq(q))
			if err != nil {
				t.Fatal(err)
			}
			return p.IDs
		}
		waitFor(t, "the restarted indexer to apply the outbox", func() bool { return len(search("espresso")) == 1 })
		if got := search("espresso"); got[0].String() != second {
			t.Fatalf("espresso: %v", got)
		}
		if got := search("latte"); len(got) != 1 || got[0].String() != first {
			t.Fatalf("the index did not keep the first note across the restart: %v", got)
		}
		caughtUp(t, b) // rows go once the index has the batch
	})
}

func TestSearchUsersTopicsProductsAndSuggest(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		if err := e.App.StartDiscovery(); err != nil {
			t.Fatal(err)
		}
		dora := e.SignUp("dora_travels")
		dora.Do("PATCH", "/api/v1/me", map[string]any{"display_name": "朵拉旅行日记", "bio": "Backpacking in Yunnan"}).Want(200)
		post(t, dora, "大理洱海骑行", "#旅行 #云南 风很大", false)
		post(t, dora, "大理古城美食", "#旅行 米线", false)
		merchant := e.SignUp("shopkeeper")
		uid, _ := id.Parse(merchant.ID)
		if err := e.App.Accounts.SetRole(context.Background(), uid, "merchant"); err != nil {
			t.Fatal(err)
		}
		store := merchant.Do("POST", "/api/v1/stores", map[string]any{"name": "Sunny Shop"}).Want(201).Str("id")
		product := merchant.Do("POST", "/api/v1/products", map[string]any{"store_id": store, "title": "清爽防晒乳 SPF50",
			"brand": "Anessa", "description": "Waterproof sunscreen for summer", "fulfilment": "domestic",
			"skus": []map[string]any{{"price": 16800, "stock": 5}}}).Want(201).Str("id")
		hidden := merchant.Do("POST", "/api/v1/products", map[string]any{"store_id": store, "title": "防晒喷雾 sample",
			"fulfilment": "domestic", "listed": false, "skus": []map[string]any{{"price": 100, "stock": 5}}}).Want(201).Str("id")
		caughtUp(t, e.App)

		anon := e.Anon()
		if hs := find(t, anon, "users", "旅行"); len(hs) != 1 || hs[0].ID != dora.ID || hs[0].Snippet == "" {
			t.Fatalf("users by display name: %+v", hs)
		}
		if hs := find(t, anon, "users", "dora"); len(hs) != 1 || hs[0].ID != dora.ID {
			t.Fatalf("users by username: %+v", hs)
		}
		if hs := find(t, anon, "topics", "旅行"); len(hs) != 1 || hs[0].ID != "旅行" {
			t.Fatalf("topics: %+v", hs)
		}
		hs := find(t, anon, "products", "sunscreen")
		if len(hs) != 1 || hs[0].ID != product {
			t.Fatalf("products by description: %+v", hs)
		}
		if hs := find(t, anon, "products", "防晒"); len(hs) != 1 || hs[0].ID != product {
			t.Fatalf("products by Chinese title (unlisted %s must not appear): %+v", hidden, hs)
		}
		if hs := find(t, anon, "products", "anessa"); len(hs) != 1 {
			t.Fatalf("products by brand: %+v", hs)
		}
		// Unlisting takes a product out.
		merchant.Do("PATCH", "/api/v1/products/"+product, map[string]any{"listed": false}).Want(200)
		waitFor(t, "the unlisted product to leave", func() bool { return len(find(t, anon, "products", "sunscreen")) == 0 })

		var sug struct {
			Items []struct{ Type, ID, Text string } `json:"items"`
		}
		anon.Do("GET", "/api/v1/search/suggest?q="+url.QueryEscape("大理"), nil).Want(200).Decode(&sug)
		if len(sug.Items) != 2 || sug.Items[0].Type != "notes" {
			t.Fatalf("suggest 大理: %+v", sug.Items)
		}
		anon.Do("GET", "/api/v1/search/suggest?q=DORA", nil).Want(200).Decode(&sug)
		if len(sug.Items) != 1 || sug.Items[0].Type != "users" || sug.Items[0].Text != "dora_travels" {
			t.Fatalf("suggest dora: %+v", sug.Items)
		}
		anon.Do("GET", "/api/v1/search/suggest?q="+url.QueryEscape("旅"), nil).Want(200).Decode(&sug)
		if len(sug.Items) != 2 { // the topic 旅行 and the display name 朵拉… does not start with 旅
			if len(sug.Items) != 1 || sug.Items[0].Type != "topics" {
				t.Fatalf("suggest 旅: %+v", sug.Items)
			}
		}
	})
}

func TestSearchValidatesInput(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		c := e.Anon()
		c.Do("GET", "/api/v1/search?q=x&type=posts", nil).WantError(400, "invalid_input")
		c.Do("GET", "/api/v1/search?q=x&limit=0", nil).WantError(400, "invalid_input")
		c.Do("GET", "/api/v1/search?q=x&limit=51", nil).WantError(400, "invalid_input")
		c.Do("GET", "/api/v1/search?q=x&cursor=-1", nil).WantError(400, "invalid_input")
		c.Do("GET", "/api/v1/search?q=x&cursor=abc", nil).WantError(400, "invalid_input")
		c.Do("GET", "/api/v1/search?q="+url.QueryEscape(string(bytes.Repeat([]byte("长"), 101))), nil).WantError(400, "invalid_input")
		c.Do("GET", "/api/v1/search?q=%ff", nil).WantError(400, "invalid_input")
		c.Do("GET", "/api/v1/search/suggest?q=a&limit=11", nil).WantError(400, "invalid_input")
		if r := c.Do("GET", "/api/v1/search?q=", nil).Want(200); len(r.Get("items").([]any)) != 0 {
			t.Fatalf("empty query: %s", r.Body)
		}
	})
}

func TestPaginationIsStable(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		if err := e.App.StartDiscovery(); err != nil {
			t.Fatal(err)
		}
		c := e.SignUp("erin")
		for i := range 7 {
			post(t, c, fmt.Sprintf("Coffee notes %d", i), "pour over", false)
		}
		caughtUp(t, e.App)
		seen := map[string]bool{}
		cursor := ""
		for page := 0; ; page++ {
			r := c.Do("GET", "/api/v1/search?q=coffee&limit=3&cursor="+cursor, nil).Want(200)
			for _, it := range r.Get("items").([]any) {
				nid := it.(map[string]any)["note"].(map[string]any)["id"].(string)
				if seen[nid] {
					t.Fatalf("note %s on two pages", nid)
				}
				seen[nid] = true
			}
			next, _ := r.Get("next_cursor").(string)
			if next == "" {
				break
			}
			cursor = next
			if page > 5 {
				t.Fatal("pagination does not end")
			}
		}
		if len(seen) != 7 {
			t.Fatalf("saw %d notes, want 7", len(seen))
		}
	})
}

// A rebuild pages through every table and indexes what is visible: notes
// with their topics and author, not unpublished ones (whose topic rows
// sit among the notes' in the id ranges it reads).
func TestRebuildIndexesEverything(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		if err := e.App.StartDiscovery(); err != nil {
			t.Fatal(err)
		}
		c := e.SignUp("frank_hikes")
		var published []string
		for i := range 7 {
			published = append(published, post(t, c, fmt.Sprintf("山顶日出 %d", i), "#徒步 风很大", false))
			hidden := post(t, c, fmt.Sprintf("山顶草稿 %d", i), "#徒步 #秘密话题", false)
			c.Do("PATCH", "/api/v1/notes/"+hidden, map[string]any{"publish": false}).Want(200)
		}
		caughtUp(t, e.App)
		// Stop the indexer and rebuild from nothing, three rows at a time.
		if err := e.App.Search.Reset(); err != nil {
			t.Fatal(err)
		}
		search.SetRebuildBatch(e.App.Search, 3)
		var done, total int
		if err := e.App.Search.Rebuild(ctx, func(d, n int) { done, total = d, n }); err != nil {
			t.Fatal(err)
		}
		if done != total || total < 7+1+1 { // notes, the topic with notes, the user
			t.Fatalf("progress %d of %d", done, total)
		}
		find := func(kind search.Kind, q string) []string {
			r, err := e.App.Search.Search(ctx, search.Request{Text: q, Kind: kind, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, i := range r.IDs {
				out = append(out, i.String())
			}
			return out
		}
		got := find(search.Notes, "徒步 日出") // the topic and the title
		slices.Sort(got)
		slices.Sort(published)
		if !slices.Equal(got, published) {
			t.Fatalf("徒步 日出: %v, want the published notes %v", got, published)
		}
		if got := find(search.Notes, "秘密话题"); len(got) != 0 {
			t.Fatalf("an unpublished note's topic reached a published note: %v", got)
		}
		if got := find(search.Users, "frank"); len(got) != 1 {
			t.Fatalf("users: %v", got)
		}
		if got := find(search.Topics, "徒步"); len(got) != 1 {
			t.Fatalf("topics: %v", got)
		}
	})
}

// Accents and traditional characters are folded on both sides: the same
// notes are found whichever spelling the note and the query use, and the
// highlight marks the note's own spelling.
func TestSearchFoldsAccentsAndTraditional(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		if err := e.App.StartDiscovery(); err != nil {
			t.Fatal(err)
		}
		eve := e.SignUp("eve")
		cafe := post(t, eve, "Hidden Café in Shanghai", "Flat white and croissants.", false)
		plain := post(t, eve, "A cafe by the river", "Quiet on weekdays.", false)
		lipTrad := post(t, eve, "秋冬口紅合集", "五支顯白的顏色", false)
		lipSimp := post(t, eve, "平价口红推荐", "学生党必备", false)
		caughtUp(t, e.App)

		anon := e.Anon()
		for _, q := range []string{"cafe", "café", "CAFÉ", "cafes"} {
			hs := find(t, anon, "notes", q)
			if !has(hs, cafe) || !has(hs, plain) || len(hs) != 2 {
				t.Errorf("%q found %v, want %s and %s", q, ids(hs), cafe, plain)
			}
		}
		for _, h := range find(t, anon, "notes", "cafe") {
			if h.ID == cafe && fmt.Sprint(h.Ranges) != "[[7 11]]" { // "Café" in "Hidden Café in Shanghai"
				t.Errorf("highlight of café: %v", h.Ranges)
			}
		}
		for _, q := range []string{"口红", "口紅"} {
			hs := find(t, anon, "notes", q)
			if !has(hs, lipTrad) || !has(hs, lipSimp) || len(hs) != 2 {
				t.Errorf("%q found %v, want %s and %s", q, ids(hs), lipTrad, lipSimp)
			}
		}
		for _, h := range find(t, anon, "notes", "口红") {
			if h.ID == lipTrad && fmt.Sprint(h.Ranges) != "[[2 4]]" {
				t.Errorf("highlight of 口紅 in %q: %v", h.Title, h.Ranges)
			}
		}
		if hs := find(t, anon, "notes", "显白"); !has(hs, lipTrad) {
			t.Errorf("a simplified query does not find the traditional body: %v", ids(hs))
		}
		// coffee is a synonym of café (and 咖啡): a different word, not a fold.
		hs := find(t, anon, "notes", "coffee")
		if !has(hs, cafe) || !has(hs, plain) {
			t.Errorf("coffee found %v, want %s and %s", ids(hs), cafe, plain)
		}
		for _, h := range hs {
			if h.ID == cafe && fmt.Sprint(h.Ranges) != "[[7 11]]" {
				t.Errorf("coffee's highlight in %q: %v", h.Title, h.Ranges)
			}
		}
		// Both words are in one note only, each a one-hit posting list in
		// that note's segment: the intersection must still find it.
		if r, err := e.App.Search.Search(context.Background(), searchReq("croissant coffee")); err != nil || r.Fallback || r.Total != 1 {
			t.Errorf("croissant coffee: total %d, fallback %v, %v", r.Total, r.Fallback, err)
		}
		if hs := find(t, anon, "notes", "croissant coffee"); len(hs) != 1 || hs[0].ID != cafe {
			t.Errorf("croissant coffee found %v, want only %s", ids(hs), cafe)
		}
		var sug struct {
			Items []struct{ Type, ID, Text string } `json:"items"`
		}
		anon.Do("GET", "/api/v1/search/suggest?q=hidden+cafe", nil).Want(200).Decode(&sug)
		if len(sug.Items) != 1 || sug.Items[0].Text != "Hidden Café in Shanghai" {
			t.Errorf("suggest without the accent: %+v", sug.Items)
		}
	})
}
