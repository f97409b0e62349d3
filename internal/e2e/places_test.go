package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/places"
)

// TestTripFlowInBrowser: a traveller opens Tokyo, starts a shopping list
// for it, adds a note by its link, ticks it bought, shares the list and
// reads the editorial guide; the guide's PDF is printed too.
func TestTripFlowInBrowser(t *testing.T) {
	path := chromium(t)
	e := apitest.New(t, dbtest.SQLite(t))
	ctx := context.Background()
	s := e.App.Places
	jp, err := s.Create(ctx, places.Input{Kind: places.Country, Slug: "japan", NameZh: "日本", NameEn: "Japan"})
	if err != nil {
		t.Fatal(err)
	}
	tokyo, err := s.Create(ctx, places.Input{ParentID: jp.ID, Kind: places.City, Slug: "tokyo", NameZh: "东京", NameEn: "Tokyo", Lat: 35.68, Lng: 139.76})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, places.Input{ParentID: tokyo.ID, Kind: places.Area, Slug: "shibuya", NameZh: "涩谷", NameEn: "Shibuya", Lat: 35.66, Lng: 139.70}); err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 300, 400))
	for y := range 400 {
		for x := range 300 {
			img.Set(x, y, color.RGBA{255, uint8(90 + y/4), uint8(120 + x/3), 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	writer := e.SignUp("yuki")
	var noteID string
	for i, n := range []struct{ title, body, loc string }{
		{"涩谷药妆店扫货清单", "防晒、眼药水、面膜，退税攻略都在这里 #药妆", "东京·涩谷"},
		{"Tokyo ramen crawl", "Five bowls in two days #food", "Tokyo, Japan"},
	} {
		m := writer.Upload("/api/v1/media", "c.png", buf.Bytes()).Want(201).Str("id")
		nid := writer.Do("POST", "/api/v1/notes", map[string]any{"title": n.title, "body": n.body, "location": n.loc, "media_ids": []string{m}}).Want(201).Str("id")
		if i == 0 {
			noteID = nid
		}
	}
	if _, err := s.AttachNew(ctx); err != nil {
		t.Fatal(err)
	}
	ref, _ := id.Parse(noteID)
	author, _ := id.Parse(writer.ID)
	gid, err := s.SaveGuide(ctx, author, 0, places.GuideInput{PlaceID: tokyo.ID, Title: "东京购物攻略", Intro: "第一次去东京也不迷路。",
		Sections: []places.Section{{Title: "药妆", Body: "涩谷的药妆店", Items: []places.GuideItem{{Kind: places.ItemNote, RefID: ref}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPublished(ctx, gid, true); err != nil {
		t.Fatal(err)
	}

	b := browser(t, path)
	signup(t, b, e.URL, "traveller", "旅行者")
	run(t, b, "open the destination",
		chromedp.Navigate(e.URL+"/places/tokyo"),
		chromedp.WaitVisible(tid("place-name"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("note-card"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("guide-link"), chromedp.ByQuery),
	)
	screenshot(t, b, "places-1-tokyo")
	run(t, b, "start a list for Tokyo",
		chromedp.Navigate(e.URL+"/lists"),
		chromedp.SendKeys(tid("list-title"), "东京五日", chromedp.ByQuery),
		chromedp.SetValue(tid("list-place"), tokyo.ID.String(), chromedp.ByQuery),
		click(tid("create-list")),
		waitText(tid("list-name"), "东京五日"),
		chromedp.SendKeys(tid("add-link"), e.URL+"/n/"+noteID, chromedp.ByQuery),
		click(tid("add-item")),
		chromedp.WaitVisible(tid("item"), chromedp.ByQuery),
		click(tid("tick")),
		chromedp.WaitVisible(".tripitem.bought", chromedp.ByQuery),
		click(tid("share")),
		chromedp.WaitVisible(tid("share-url"), chromedp.ByQuery),
	)
	screenshot(t, b, "places-2-list")
	var shareURL string
	run(t, b, "read the share link", chromedp.Text(tid("share-url"), &shareURL, chromedp.ByQuery))
	friend := browser(t, path)
	run(t, friend, "a friend opens the shared list",
		chromedp.Navigate(strings.TrimSpace(shareURL)),
		waitText(tid("list-name"), "东京五日"),
	)
	run(t, b, "read the guide",
		chromedp.Navigate(e.URL+"/places/tokyo"),
		click(tid("guide-link")),
		waitText(tid("guide-title"), "东京购物攻略"),
		chromedp.WaitVisible(tid("epub"), chromedp.ByQuery),
	)
	screenshot(t, b, "places-3-guide")

	g, err := s.Guide(ctx, gid, false)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := e.App.GuidePDF(ctx, g, "zh", e.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the guide PDF starts with %q", pdf[:min(8, len(pdf))])
	}
	if dir := os.Getenv("REDMARK_SCREENSHOTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "guide.pdf"), pdf, 0o644)
	}
}
