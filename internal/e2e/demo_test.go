package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/seed"
)

// TestDemoPagesInBrowser loads a small demo community and looks at it in
// zh-CN and English, at 390 and 1440 px: the running and the upcoming
// flash sale, a note with several images (carousel with dots and counter,
// the sticky bar on phones, one-tap collect), the discover channels and
// the messages page's icons.
func TestDemoPagesInBrowser(t *testing.T) {
	path := chromium(t)
	e := apitest.New(t, dbtest.SQLite(t))
	ctx := context.Background()
	if err := seed.DemoWith(ctx, e.App, seed.DemoOptions{Users: 30, Notes: 80, Covers: 24, Avatars: 4, Seed: 1, Shop: true}); err != nil {
		t.Fatal(err)
	}
	var note string
	if err := e.App.DB.Reader(ctx).QueryRow(ctx, `SELECT n.id FROM notes n WHERE n.status = 'published' AND n.kind = 'image'
		AND (SELECT COUNT(*) FROM note_media m WHERE m.note_id = n.id) >= 3 ORDER BY n.id LIMIT 1`).Scan(&note); err != nil {
		t.Fatal("no demo note with three images or more: ", err)
	}
	b := browser(t, path)
	signIn(t, b, e.URL, seed.DemoUsername, seed.DemoPassword)
	for _, lang := range []string{"zh-CN", "en"} {
		live, soon := map[string]string{"zh-CN": "抢购中", "en": "Live"}[lang], map[string]string{"zh-CN": "即将开始", "en": "Starts soon"}[lang]
		run(t, b, "language "+lang, chromedp.ActionFunc(phone), chromedp.Navigate(e.URL+"/lang?to="+lang+"&back=/flash"),
			waitText("body", live), waitText("body", soon), chromedp.WaitVisible(`img[data-testid="product-thumb"]`, chromedp.ByQuery))
		fullShot(t, b, "demo-flash-390-"+lang)
		run(t, b, "desktop flash list", chromedp.ActionFunc(desktop), chromedp.Reload(), waitText("body", live))
		fullShot(t, b, "demo-flash-1440-"+lang)

		var before, after string
		var shown int
		run(t, b, "a multi-image note on a phone", chromedp.ActionFunc(phone), chromedp.Navigate(e.URL+"/n/"+note),
			chromedp.WaitVisible(tid("note-bar"), chromedp.ByQuery), chromedp.WaitVisible(tid("carousel-dots"), chromedp.ByQuery),
			chromedp.Text(tid("swipe-count"), &before, chromedp.ByQuery))
		screenshot(t, b, "demo-note-390-"+lang)
		run(t, b, "swipe to the second image",
			chromedp.Evaluate(`(() => { const s = document.querySelector('[data-testid="note-images"]'); s.scrollTo({left: s.clientWidth}); })()`, nil),
			waitText(tid("swipe-count"), "2/"), chromedp.Text(tid("swipe-count"), &after, chromedp.ByQuery),
			chromedp.Evaluate(`[...document.querySelectorAll('[data-testid="carousel-dots"] span')].findIndex(d => d.classList.contains('on'))`, &shown))
		if !strings.HasPrefix(before, "1/") || !strings.HasPrefix(after, "2/") || shown != 1 {
			t.Errorf("%s carousel counter %q then %q, dot %d", lang, before, after, shown)
		}
		var bar struct {
			Fixed  bool `json:"fixed"`
			Bottom bool `json:"bottom"`
			Tabbar bool `json:"tabbar"`
		}
		run(t, b, "the bar sits at the bottom", chromedp.Evaluate(`(() => { const b = document.querySelector('[data-testid="note-bar"]');
			const r = b.getBoundingClientRect(); const tb = document.querySelector('.tabbar');
			return {fixed: getComputedStyle(b).position === 'fixed', bottom: Math.abs(r.bottom - window.innerHeight) < 2,
			  tabbar: tb && getComputedStyle(tb).display !== 'none'}; })()`, &bar))
		if !bar.Fixed || !bar.Bottom || bar.Tabbar {
			t.Errorf("%s note bar on a phone: %+v (want fixed at the bottom, in place of the tab bar)", lang, bar)
		}
		if lang == "zh-CN" {
			run(t, b, "one-tap collect", click(tid("collect-button")),
				chromedp.WaitVisible(`[data-testid="collect-button"][aria-pressed="true"]`, chromedp.ByQuery))
			var focused string
			run(t, b, "the pill opens the comment box", click(tid("bar-comment")),
				chromedp.Evaluate(`document.activeElement.dataset.testid || ""`, &focused))
			if focused != "comment-box" {
				t.Errorf("after the pill, focus is on %q, want the comment box", focused)
			}
		}
		run(t, b, "desktop note", chromedp.ActionFunc(desktop), chromedp.Reload(), chromedp.WaitVisible(".swipe-arrow.next", chromedp.ByQuery),
			click(".swipe-arrow.next"), waitText(tid("swipe-count"), "2/"))
		screenshot(t, b, "demo-note-1440-"+lang)
		run(t, b, "discover channels", chromedp.ActionFunc(phone), chromedp.Navigate(e.URL+"/"),
			chromedp.WaitVisible(tid("channel-tabs"), chromedp.ByQuery), click(`[data-testid="channel-tab"]:nth-child(2)`),
			waitLoaded(func(u string) bool { return strings.Contains(u, "channel=") }), chromedp.WaitVisible(tid("note-card"), chromedp.ByQuery))
		screenshot(t, b, "demo-channel-390-"+lang)
		run(t, b, "messages", chromedp.Navigate(e.URL+"/messages"), chromedp.WaitVisible(".tile-ico svg", chromedp.ByQuery))
		screenshot(t, b, "demo-messages-390-"+lang)
	}
}
