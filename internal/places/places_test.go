package places_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/outbox"
	"github.com/redmark/redmark/internal/places"
)

func pngBytes(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func post(t *testing.T, c *apitest.Client, title, body, location string) id.ID {
	t.Helper()
	img := c.Upload("/api/v1/media", "a.png", pngBytes(t)).Want(201).Str("id")
	s := c.Do("POST", "/api/v1/notes", map[string]any{"title": title, "body": body, "location": location,
		"media_ids": []string{img}}).Want(201).Str("id")
	n, err := id.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// must unwraps a result; a failure panics, which fails the test with its stack.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

// japan builds 日本 → 东京 → 涩谷 and 日本 → 京都.
func japan(t *testing.T, s *places.Service) (jp, tokyo, shibuya, kyoto places.Place) {
	ctx := context.Background()
	jp = must(s.Create(ctx, places.Input{Kind: places.Country, Slug: "japan", NameZh: "日本", NameEn: "Japan"}))
	tokyo = must(s.Create(ctx, places.Input{ParentID: jp.ID, Kind: places.City, Slug: "tokyo", NameZh: "东京", NameEn: "Tokyo",
		Lat: 35.68, Lng: 139.76}))
	shibuya = must(s.Create(ctx, places.Input{ParentID: tokyo.ID, Kind: places.Area, Slug: "shibuya", NameZh: "涩谷", NameEn: "Shibuya",
		Lat: 35.66, Lng: 139.70}))
	kyoto = must(s.Create(ctx, places.Input{ParentID: jp.ID, Kind: places.City, Slug: "kyoto", NameZh: "京都", NameEn: "Kyoto"}))
	return
}

func TestHierarchy(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		s := e.App.Places
		jp, tokyo, shibuya, _ := japan(t, s)
		_, err := s.Create(ctx, places.Input{ParentID: jp.ID, Kind: places.Area, Slug: "ginza", NameZh: "银座", NameEn: "Ginza"})
		wantCode(t, err, "invalid_input") // an area belongs under a city
		_, err = s.Create(ctx, places.Input{Kind: places.City, Slug: "nowhere", NameZh: "无", NameEn: "Nowhere"})
		wantCode(t, err, "invalid_input") // a city needs a country
		_, err = s.Create(ctx, places.Input{Kind: places.Country, Slug: "tokyo", NameZh: "重复", NameEn: "Dup"})
		wantCode(t, err, "conflict")
		_, err = s.Create(ctx, places.Input{Kind: places.Country, Slug: "Bad Slug", NameZh: "坏", NameEn: "Bad"})
		wantCode(t, err, "invalid_input")

		anc := must(s.Ancestors(ctx, shibuya))
		if len(anc) != 2 || anc[0].ID != jp.ID || anc[1].ID != tokyo.ID {
			t.Fatalf("ancestors of Shibuya = %v", anc)
		}
		kids := must(s.Children(ctx, jp.ID))
		if len(kids) != 2 || kids[0].Slug != "kyoto" || kids[1].Slug != "tokyo" {
			t.Fatalf("children of Japan = %v", kids)
		}
		if got := must(s.BySlug(ctx, "shibuya")); got.Lat != 35.66 || got.Name("en") != "Shibuya" {
			t.Fatalf("shibuya = %+v", got)
		}
	})
}

func TestMatch(t *testing.T) {
	all := []places.Place{
		{Kind: places.Country, NameZh: "日本", NameEn: "Japan"},
		{Kind: places.City, NameZh: "东京", NameEn: "Tokyo", Aliases: []string{"東京"}},
		{Kind: places.Area, NameZh: "涩谷", NameEn: "Shibuya"},
	}
	for loc, want := range map[string]string{
		"东京·涩谷": "Shibuya", "Tokyo, Japan": "Tokyo", "東京駅": "Tokyo", "日本": "Japan", "SHIBUYA crossing": "Shibuya",
	} {
		p, ok := places.Match(all, loc)
		if !ok || p.NameEn != want {
			t.Errorf("Match(%q) = %v %v, want %s", loc, p.NameEn, ok, want)
		}
	}
	if _, ok := places.Match(all, "巴黎"); ok {
		t.Error("巴黎 matched a place in Japan")
	}
}

func TestAttachMergeAndSearch(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		s := e.App.Places
		if err := e.App.StartDiscovery(); err != nil {
			t.Fatal(err)
		}
		jp, tokyo, shibuya, kyoto := japan(t, s)
		// A duplicate Tokyo someone created with the Japanese spelling.
		dup := must(s.Create(ctx, places.Input{ParentID: jp.ID, Kind: places.City, Slug: "tokyo-2", NameZh: "東京都", NameEn: "Tokyo Metropolis"}))
		ueno := must(s.Create(ctx, places.Input{ParentID: dup.ID, Kind: places.Area, Slug: "ueno", NameZh: "上野", NameEn: "Ueno"}))

		alice := e.SignUp("alice")
		drug := post(t, alice, "Drugstore haul", "Best 药妆 finds: sunscreen and eye drops", "Shibuya, Tokyo")
		ramen := post(t, alice, "拉面", "好吃", "东京·涩谷")
		temple := post(t, alice, "清水寺", "人很多", "京都·清水寺")
		park := post(t, alice, "上野公园 药妆", "樱花", "東京都·上野")
		paris := post(t, alice, "巴黎 药妆", "pharmacie", "巴黎")
		plain := post(t, alice, "No place", "药妆 at home", "")

		n := must(s.AttachNew(ctx))
		if n != 4 {
			t.Fatalf("attached %d notes, want 4", n)
		}
		if again := must(s.AttachNew(ctx)); again != 0 {
			t.Fatalf("a second pass attached %d", again)
		}
		at := must(s.OfNotes(ctx, []id.ID{drug, ramen, temple, park, paris, plain}))
		if at[drug].ID != shibuya.ID || at[ramen].ID != shibuya.ID || at[temple].ID != kyoto.ID || at[park].ID != ueno.ID || len(at) != 4 {
			t.Fatalf("attachments %v", at)
		}
		if c := must(s.NoteCount(ctx, jp)); c != 4 {
			t.Fatalf("Japan holds %d notes, want 4", c)
		}
		if c := must(s.NoteCount(ctx, tokyo)); c != 2 {
			t.Fatalf("Tokyo holds %d notes before the merge, want 2", c)
		}

		// Search: the place names of the note's place and its ancestors.
		waitIndexed(t, e)
		// The duplicate's 東京都 is folded to 东京都 (internal/search,
		// traditional → simplified), so its Ueno note is found already.
		if got := searchNotes(t, e, "东京 药妆"); len(got) != 2 || !slices.Contains(got, drug) || !slices.Contains(got, park) {
			t.Fatalf("东京 药妆 found %v, want %v and %v (not Paris, not unplaced)", got, drug, park)
		}

		_, err := s.Create(ctx, places.Input{Kind: places.Country, Slug: "france", NameZh: "法国", NameEn: "France"})
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.Merge(ctx, tokyo.ID, jp.ID), "invalid_input") // different kinds
		wantCode(t, s.Merge(ctx, tokyo.ID, tokyo.ID), "invalid_input")
		if err := s.Merge(ctx, tokyo.ID, dup.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.Get(ctx, dup.ID)
		wantCode(t, err, "not_found")
		if c := must(s.NoteCount(ctx, tokyo)); c != 3 {
			t.Fatalf("Tokyo holds %d notes after the merge, want 3", c)
		}
		ueno = must(s.Get(ctx, ueno.ID))
		if ueno.ParentID != tokyo.ID {
			t.Fatalf("Ueno's parent is %v, want Tokyo", ueno.ParentID)
		}
		if anc := must(s.Ancestors(ctx, ueno)); len(anc) != 2 || anc[1].ID != tokyo.ID {
			t.Fatalf("Ueno's ancestors after the merge: %v", anc)
		}
		tokyo = must(s.Get(ctx, tokyo.ID))
		if !slices.Contains(tokyo.Aliases, "東京都") {
			t.Fatalf("Tokyo's aliases %v lack the duplicate's name", tokyo.Aliases)
		}
		// The moved note is re-indexed under Tokyo's names.
		waitIndexed(t, e)
		if got := searchNotes(t, e, "东京 药妆"); len(got) != 2 || !slices.Contains(got, park) {
			t.Fatalf("after the merge 东京 药妆 found %v, want the drugstore and Ueno notes", got)
		}
		// A new note naming the duplicate lands on Tokyo.
		later := post(t, alice, "later", "x", "東京都")
		must(s.AttachNew(ctx))
		if at := must(s.OfNotes(ctx, []id.ID{later})); at[later].ID != tokyo.ID {
			t.Fatalf("a note naming the merged name went to %v", at[later])
		}
		top := must(s.TopNotes(ctx, tokyo, 10))
		if len(top) != 4 {
			t.Fatalf("top notes of Tokyo: %v", top)
		}
		pins := must(s.Pins(ctx, tokyo))
		if len(pins) != 2 || pins[0].Notes+pins[1].Notes != 4+2 {
			t.Fatalf("pins %v: want Tokyo (4) and Shibuya (2)", pins)
		}
	})
}

func waitIndexed(t *testing.T, e *apitest.Env) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		n, err := outbox.Pending(context.Background(), e.App.DB)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the search indexer did not drain the outbox")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func searchNotes(t *testing.T, e *apitest.Env, q string) []id.ID {
	t.Helper()
	var out struct {
		Items []struct {
			Note struct {
				ID id.ID `json:"id"`
			} `json:"note"`
		} `json:"items"`
	}
	e.Anon().Do("GET", "/api/v1/search?type=notes&q="+url.QueryEscape(q), nil).Want(200).Decode(&out)
	var ids []id.ID
	for _, it := range out.Items {
		ids = append(ids, it.Note.ID)
	}
	return ids
}

func TestListsAuthorization(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		s := e.App.Places
		_, tokyo, _, _ := japan(t, s)
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		a, b := must(id.Parse(alice.ID)), must(id.Parse(bob.ID))
		n1 := post(t, alice, "one", "x", "")
		n2 := post(t, alice, "two", "x", "")

		l := must(s.CreateList(ctx, a, "东京五日", tokyo.ID))
		if err := s.AddItem(ctx, a, l.ID, places.ItemNote, n1); err != nil {
			t.Fatal(err)
		}
		if err := s.AddItem(ctx, a, l.ID, places.ItemNote, n1); err != nil { // again: a no-op
			t.Fatal(err)
		}
		got := must(s.List(ctx, a, l.ID))
		if len(got.Items) != 1 || got.Title != "东京五日" || got.PlaceID != tokyo.ID {
			t.Fatalf("list %+v", got)
		}
		item := got.Items[0].ID

		// Bob can neither see nor change Alice's private list.
		_, err := s.List(ctx, b, l.ID)
		wantCode(t, err, "not_found")
		wantCode(t, s.AddItem(ctx, b, l.ID, places.ItemNote, n2), "not_found")
		wantCode(t, s.SetBought(ctx, b, l.ID, item, true), "not_found")
		wantCode(t, s.RemoveItem(ctx, b, l.ID, item), "not_found")
		_, err = s.Share(ctx, b, l.ID, true)
		wantCode(t, err, "not_found")
		wantCode(t, s.DeleteList(ctx, b, l.ID), "not_found")
		if lists := must(s.Lists(ctx, b)); len(lists) != 0 {
			t.Fatalf("bob sees lists %v", lists)
		}

		if err := s.SetBought(ctx, a, l.ID, item, true); err != nil {
			t.Fatal(err)
		}
		if got := must(s.List(ctx, a, l.ID)); !got.Items[0].Bought {
			t.Fatal("item not ticked")
		}

		// Sharing: the link reads the list; unsharing kills the link.
		token := must(s.Share(ctx, a, l.ID, true))
		if again := must(s.Share(ctx, a, l.ID, true)); again != token {
			t.Fatal("sharing again changed the link")
		}
		sh := must(s.SharedList(ctx, token))
		if sh.ID != l.ID || sh.ShareToken != "" || len(sh.Items) != 1 {
			t.Fatalf("shared list %+v", sh)
		}
		must(s.Share(ctx, a, l.ID, false))
		_, err = s.SharedList(ctx, token)
		wantCode(t, err, "not_found")

		// Import from a collect board: only the owner's own board.
		board := alice.Do("POST", "/api/v1/me/boards", map[string]any{"name": "Tokyo"}).Want(201).Str("id")
		alice.Do("PUT", "/api/v1/notes/"+n2.String()+"/collect", map[string]any{"board_id": board}).Want(200)
		alice.Do("PUT", "/api/v1/notes/"+n1.String()+"/collect", map[string]any{"board_id": board}).Want(200)
		bid := must(id.Parse(board))
		bl := must(s.CreateList(ctx, b, "bob's", 0))
		_, err = s.ImportBoard(ctx, b, bl.ID, bid)
		wantCode(t, err, "not_found")
		_, err = s.ImportBoard(ctx, b, l.ID, bid)
		wantCode(t, err, "not_found")
		if n := must(s.ImportBoard(ctx, a, l.ID, bid)); n != 1 {
			t.Fatalf("imported %d new notes, want 1 (n1 was already there)", n)
		}
		if got := must(s.List(ctx, a, l.ID)); len(got.Items) != 2 {
			t.Fatalf("after import: %+v", got.Items)
		}
	})
}

func TestGuidePublishingAndEPUB(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		s := e.App.Places
		_, tokyo, _, _ := japan(t, s)
		alice := e.SignUp("alice")
		op := must(id.Parse(alice.ID))
		n1 := post(t, alice, "涩谷药妆店攻略", "必买清单 & 退税", "东京·涩谷")

		_, err := s.SaveGuide(ctx, op, 0, places.GuideInput{PlaceID: 12345, Title: "x"})
		wantCode(t, err, "invalid_input")
		gid := must(s.SaveGuide(ctx, op, 0, places.GuideInput{PlaceID: tokyo.ID, Title: "东京购物指南", Intro: "第一次去东京？"}))
		wantCode(t, s.SetPublished(ctx, gid, true), "invalid_input") // no sections yet
		_, err = s.Guide(ctx, gid, false)
		wantCode(t, err, "not_found") // readers do not see drafts
		if gs := must(s.Guides(ctx, tokyo.ID, false)); len(gs) != 0 {
			t.Fatalf("readers see draft guides %v", gs)
		}
		_, err = s.SaveGuide(ctx, op, gid, places.GuideInput{PlaceID: tokyo.ID, Title: "东京购物指南", Intro: "第一次去东京？",
			Sections: []places.Section{
				{Title: "药妆", Body: "涩谷和新宿的药妆店", Items: []places.GuideItem{{Kind: places.ItemNote, RefID: n1}, {Kind: places.ItemNote, RefID: 999}}},
				{Title: "<美食> & more", Items: nil},
			}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetPublished(ctx, gid, true); err != nil {
			t.Fatal(err)
		}
		g := must(s.Guide(ctx, gid, false))
		if g.Status != places.Published || len(g.Sections) != 2 || len(g.Sections[0].Items) != 2 || g.Sections[1].Title != "<美食> & more" {
			t.Fatalf("guide %+v", g)
		}
		if gs := must(s.Guides(ctx, tokyo.ID, false)); len(gs) != 1 {
			t.Fatalf("published guides %v", gs)
		}

		book := must(e.App.GuideBook(ctx, g, "zh", "https://redmark.example"))
		if len(book.Chapters) != 2 || len(book.Chapters[0].Entries) != 1 || len(book.Chapters[0].Entries[0].JPEG) == 0 {
			t.Fatalf("book chapters %+v (the missing note 999 is left out, the image embedded)", book.Chapters)
		}
		var buf bytes.Buffer
		if err := book.WriteEPUB(&buf); err != nil {
			t.Fatal(err)
		}
		epubcheck(t, buf.Bytes())

		if err := s.SetPublished(ctx, gid, false); err != nil {
			t.Fatal(err)
		}
		_, err = s.Guide(ctx, gid, false)
		wantCode(t, err, "not_found")
	})
}

// epubcheck validates the file with Debian's epubcheck when it is installed.
func epubcheck(t *testing.T, epub []byte) {
	t.Helper()
	path, err := exec.LookPath("epubcheck")
	if err != nil {
		t.Log("epubcheck not installed: apt-get install epubcheck")
		return
	}
	f := filepath.Join(t.TempDir(), "guide.epub")
	if err := os.WriteFile(f, epub, 0o644); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("REDMARK_SCREENSHOTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "guide.epub"), epub, 0o644)
	}
	cmd := exec.Command(path, f)
	// Debian installs it as a jar that only binfmt makes executable.
	if real, _ := filepath.EvalSymlinks(path); filepath.Ext(real) == ".jar" {
		cmd = exec.Command("java", "-jar", real, f)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("epubcheck rejects the guide: %v\n%s", err, out)
	}
}
