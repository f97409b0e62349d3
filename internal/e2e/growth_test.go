package e2e

import (
	"image/color"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/dbtest"
)

// TestGrowthJourneyInBrowser: a new user arrives through an invite link,
// signs up, checks in, publishes, comments on and collects someone's note,
// levels up (badge, task centre, system notification), and the inviter's
// reward appears on the inviter's task centre.
func TestGrowthJourneyInBrowser(t *testing.T) {
	path := chromium(t)
	e := apitest.New(t, dbtest.SQLite(t))

	cover := coverFile(t, 300, 400, func(x, y int) color.RGBA { return color.RGBA{uint8(120 + x/3), 200, uint8(90 + y/4), 255} })
	// Someone else's note for the invitee to comment on and collect.
	writer := e.SignUp("yuki")
	pic, err := os.ReadFile(cover)
	if err != nil {
		t.Fatal(err)
	}
	m := writer.Upload("/api/v1/media", "c.png", pic).Want(201).Str("id")
	other := writer.Do("POST", "/api/v1/notes", map[string]any{"title": "秋天的京都", "body": "红叶季 #旅行", "media_ids": []string{m}}).Want(201).Str("id")

	alice := browser(t, path)
	signup(t, alice, e.URL, "alice", "爱丽丝")
	var invite string
	run(t, alice, "alice finds her invite link",
		chromedp.Navigate(e.URL+"/tasks"),
		waitText(tid("level-badge"), "Lv1"),
		chromedp.Text(tid("invite-link"), &invite, chromedp.ByQuery),
	)
	if !strings.HasPrefix(invite, "/signup?invite=") {
		t.Fatalf("invite link %q", invite)
	}

	bob := browser(t, path)
	run(t, bob, "bob lands on the invite link and signs up",
		chromedp.Navigate(e.URL+strings.TrimSpace(invite)+"&utm_source=campus"),
		chromedp.SendKeys(tid("signup-username"), "bob", chromedp.ByQuery),
		chromedp.SendKeys(tid("signup-password"), "correct-horse-9", chromedp.ByQuery),
		chromedp.SendKeys(tid("signup-display-name"), "Bob", chromedp.ByQuery),
		click(tid("signup-submit")),
		waitLoaded(func(url string) bool { return !strings.Contains(url, "/signup") }),
		chromedp.WaitVisible(tid("tab-me"), chromedp.ByQuery),
	)
	run(t, bob, "check in",
		chromedp.Navigate(e.URL+"/tasks"),
		click(tid("checkin-button")),
		chromedp.WaitVisible(tid("checkin-done"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("checked-day"), chromedp.ByQuery),
	)
	screenshot(t, bob, "growth-1-checked-in")
	run(t, bob, "publish a first note",
		chromedp.Navigate(e.URL+"/publish"),
		chromedp.SetUploadFiles(tid("publish-media"), []string{cover}, chromedp.ByQuery),
		chromedp.SendKeys(tid("publish-title"), "第一篇笔记", chromedp.ByQuery),
		chromedp.SendKeys(tid("publish-body"), "你好小红薯", chromedp.ByQuery),
		click(tid("publish-submit")),
		waitLoaded(func(url string) bool { return strings.Contains(url, "/n/") }),
		waitText(tid("note-title"), "第一篇笔记"),
	)
	run(t, bob, "comment on and collect someone's note",
		chromedp.Navigate(e.URL+"/n/"+other),
		chromedp.SendKeys(tid("comment-box"), "太美了", chromedp.ByQuery),
		click(tid("comment-submit")),
		waitText(tid("comment-list"), "太美了"),
		chromedp.Navigate(e.URL+"/n/"+other),
		chromedp.Evaluate(`document.querySelector('#collect').open = true`, nil),
		click(tid("collect-submit")),
		waitText(tid("collect-count"), "1"),
	)
	run(t, bob, "the level-up shows",
		chromedp.Navigate(e.URL+"/tasks"),
		waitText(tid("level-badge"), "Lv2"),
		chromedp.WaitVisible(tid("levelups"), chromedp.ByQuery),
	)
	screenshot(t, bob, "growth-2-level-up")
	var notice string
	run(t, bob, "the badge on bob's comment and the notification",
		chromedp.Navigate(e.URL+"/n/"+other),
		waitText(tid("comment-level"), "Lv2"),
		chromedp.Navigate(e.URL+"/notifications?tab=system"),
		chromedp.Text(tid("notification-system"), &notice, chromedp.ByQuery),
	)
	// The page language follows the browser; either catalogue's wording.
	if !strings.Contains(notice, "升级到 Lv.2") && !strings.Contains(notice, "reached level 2") {
		t.Fatalf("level-up notification reads %q", notice)
	}
	screenshot(t, bob, "growth-3-notification")
	run(t, alice, "alice sees her invitee and the reward",
		chromedp.Navigate(e.URL+"/tasks"),
		waitText(tid("invited"), "1"),
		waitText(tid("points-balance"), "50"),
		chromedp.Evaluate(`document.querySelector('[data-testid="invite"]').scrollIntoView({block: "center"})`, nil),
	)
	screenshot(t, alice, "growth-4-inviter-reward")
}
