package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/dbtest"
)

// fits reports layout facts at the current page, measured in the browser.
type fits struct {
	PageOverflow  bool    `json:"pageOverflow"`  // the page scrolls sideways
	SearchBox     float64 `json:"searchBox"`     // width of the search input shown (the header's, or the search page's own), px
	TabsClipped   bool    `json:"tabsClipped"`   // a tab row holds more than it shows
	PlaceholderOK bool    `json:"placeholderOK"` // the placeholder's text fits the box
}

const measure = `(() => {
  const input = [...document.querySelectorAll('[data-testid="search-input"], [data-testid="search-page-input"]')]
    .find(i => i.getBoundingClientRect().width > 0);
  const cs = getComputedStyle(input);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = cs.font;
  const pad = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
  const clipped = [...document.querySelectorAll('.tabs')].some(t => t.scrollWidth > t.clientWidth + 1);
  return {pageOverflow: document.documentElement.scrollWidth > window.innerWidth,
    searchBox: input.getBoundingClientRect().width, tabsClipped: clipped,
    placeholderOK: ctx.measureText(input.placeholder).width + pad <= input.clientWidth};
})()`

func checkFits(t *testing.T, where string, f fits) {
	t.Helper()
	if f.PageOverflow || f.TabsClipped || f.SearchBox < 280 || !f.PlaceholderOK {
		t.Errorf("%s at 390 px: %+v (want no sideways scroll, no clipped tabs, a search box of 280 px or more showing its placeholder)", where, f)
	}
}

// TestSearchPageOnAPhone: at 390 px in both languages the header search box
// shows its whole placeholder, the search page lists recent and hot
// searches, and the notification tabs fit.
func TestSearchPageOnAPhone(t *testing.T) {
	path := chromium(t)
	e := apitest.New(t, dbtest.SQLite(t))
	if err := e.App.StartDiscovery(); err != nil {
		t.Fatal(err)
	}
	w := e.SignUp("writer")
	pic := image.NewRGBA(image.Rect(0, 0, 300, 400))
	for y := range 400 {
		for x := range 300 {
			pic.Set(x, y, color.RGBA{255, uint8(140 + y/4), uint8(90 + x/3), 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, pic)
	img := w.Upload("/api/v1/media", "a.png", buf.Bytes()).Want(201).Str("id")
	w.Do("POST", "/api/v1/notes", map[string]any{"title": "秋冬口紅合集 Café edition", "body": "五支顯白的顏色", "media_ids": []string{img}}).Want(201)
	for _, u := range []string{"hot_one", "hot_two", "hot_three"} {
		c := e.SignUp(u)
		waitFound(t, c, "口红")
	}

	b := browser(t, path)
	// The window size is not the viewport in every headless mode: set the
	// phone's viewport itself, and the language through the site's switch.
	run(t, b, "a 390 px phone in Chinese", chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(e.URL+"/lang?to=zh-CN&back=/search"), waitText("body", "热门搜索"))
	// Signed out: the search page shows hot searches; a search is kept
	// as a recent one by the browser.
	var f fits
	run(t, b, "signed-out search page",
		chromedp.Navigate(e.URL+"/search"),
		chromedp.WaitVisible(tid("hot-search"), chromedp.ByQuery),
		chromedp.Evaluate(measure, &f))
	checkFits(t, "signed-out search page (zh-CN)", f)
	run(t, b, "search in traditional characters",
		chromedp.Navigate(e.URL+"/search?q="+url.QueryEscape("口紅")),
		chromedp.WaitVisible(tid("search-title"), chromedp.ByQuery),
		waitText(tid("search-results"), "口紅"),
		chromedp.Navigate(e.URL+"/search"),
		chromedp.WaitVisible(tid("recent-search"), chromedp.ByQuery),
		waitText(tid("recent-searches"), "口紅"))
	screenshot(t, b, "search-390-anon-zh")

	signup(t, b, e.URL, "reader", "读者")
	run(t, b, "signed-in search, then the page before a query",
		chromedp.Navigate(e.URL+"/search?q=cafe"),
		waitText(tid("search-results"), "Café"),
		chromedp.Navigate(e.URL+"/search"),
		waitText(tid("recent-searches"), "cafe"),
		waitText(tid("hot-searches"), "口红"),
		chromedp.Evaluate(measure, &f))
	checkFits(t, "search page (zh-CN)", f)
	screenshot(t, b, "search-390-zh")
	run(t, b, "notifications (zh-CN)", chromedp.Navigate(e.URL+"/notifications"),
		chromedp.WaitVisible(tid("notification-tabs"), chromedp.ByQuery), chromedp.Evaluate(measure, &f))
	checkFits(t, "notifications (zh-CN)", f)
	screenshot(t, b, "notifications-390-zh")

	run(t, b, "switch to English", chromedp.Navigate(e.URL+"/search"), waitText(tid("lang-switch"), "EN"), click(tid("lang-switch")),
		waitText(tid("recent-searches"), "Recent searches"), chromedp.Evaluate(measure, &f))
	checkFits(t, "search page (English)", f)
	screenshot(t, b, "search-390-en")
	run(t, b, "notifications (English)", chromedp.Navigate(e.URL+"/notifications"),
		waitText(tid("notification-tabs"), "New followers"), chromedp.Evaluate(measure, &f))
	checkFits(t, "notifications (English)", f)
	screenshot(t, b, "notifications-390-en")

	run(t, b, "clear recent searches", chromedp.Navigate(e.URL+"/search"),
		click(tid("recent-clear")), chromedp.WaitNotPresent(tid("recent-search"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("hot-search"), chromedp.ByQuery))
}

// waitFound searches through the API until the indexer has the note.
func waitFound(t *testing.T, c *apitest.Client, q string) {
	t.Helper()
	for range 200 {
		var p struct{ Total int }
		c.Do("GET", "/api/v1/search?q="+url.QueryEscape(q), nil).Want(200).Decode(&p)
		if p.Total > 0 {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%q is not found", q)
}
