package e2e

import (
	"context"
	"image/color"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/dbtest"
)

// TestModerationFlowInBrowser (issue 13's browser proof): a reader reports
// a note as an undisclosed ad, a moderator hides it from the queue, the
// reader gets 404 while the author sees the hidden banner and appeals
// once, an operator overturns the appeal and the note is back for the
// reader, whose report shows the outcome.
func TestModerationFlowInBrowser(t *testing.T) {
	path := chromium(t)
	e := apitest.New(t, dbtest.SQLite(t))
	ctx := context.Background()
	author, reader, mod, op := browser(t, path), browser(t, path), browser(t, path), browser(t, path)
	role := func(username, r string) {
		u, err := e.App.Accounts.GetByUsername(ctx, username)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.App.Accounts.SetRole(ctx, u.ID, r); err != nil {
			t.Fatal(err)
		}
	}

	cover := coverFile(t, 300, 400, func(x, y int) color.RGBA { return color.RGBA{uint8(120 + x/3), 200, uint8(90 + y/4), 255} })

	signup(t, author, e.URL, "alice", "爱丽丝")
	var noteURL string
	run(t, author, "publish",
		chromedp.Navigate(e.URL+"/publish"),
		chromedp.SetUploadFiles(tid("publish-media"), []string{cover}, chromedp.ByQuery),
		chromedp.SendKeys(tid("publish-title"), "这支面霜真的好用", chromedp.ByQuery),
		chromedp.SendKeys(tid("publish-body"), "用了一个月，皮肤变好了 #护肤", chromedp.ByQuery),
		click(tid("publish-submit")),
		waitLoaded(func(url string) bool { return strings.Contains(url, "/n/") }),
		chromedp.Location(&noteURL),
	)

	signup(t, reader, e.URL, "bob", "Bob")
	run(t, reader, "report the note (in English)",
		chromedp.Navigate(e.URL+"/lang?to=en"),
		chromedp.Navigate(noteURL),
		click(tid("report-note")),
		click(tid("reason-undisclosed_ad")),
		chromedp.SendKeys(tid("report-details"), "没有标注合作", chromedp.ByQuery),
		click(tid("report-submit")),
		chromedp.WaitVisible(tid("reported"), chromedp.ByQuery),
		waitText(tid("my-reports"), "Undisclosed ad"),
	)
	screenshot(t, reader, "moderation-1-reported")

	signup(t, mod, e.URL, "mia", "Mia")
	role("mia", accounts.RoleModerator)
	run(t, mod, "hide from the queue",
		chromedp.Navigate(e.URL+"/console/moderation"),
		click(tid("mod-case")+" a"),
		waitText(tid("mod-reports"), "没有标注合作"),
		chromedp.SetValue(tid("mod-kind"), "hide", chromedp.ByQuery),
		chromedp.SendKeys(tid("mod-reason"), "未标注的商业合作", chromedp.ByQuery),
		click(tid("mod-act")),
		chromedp.WaitVisible(tid("mod-action"), chromedp.ByQuery),
		waitText(tid("mod-actions"), "未标注的商业合作"),
	)
	screenshot(t, mod, "moderation-2-hidden")

	var gone string
	run(t, reader, "the hidden note is gone for others",
		chromedp.Navigate(noteURL),
		chromedp.WaitReady("body", chromedp.ByQuery),
		chromedp.Text("body", &gone, chromedp.ByQuery),
	)
	if strings.Contains(gone, "这支面霜真的好用") {
		t.Fatalf("the reader still sees the hidden note:\n%s", gone)
	}
	run(t, author, "the author sees why and appeals (in Chinese)",
		chromedp.Navigate(e.URL+"/lang?to=zh-CN"),
		chromedp.Navigate(noteURL),
		chromedp.WaitVisible(tid("hidden-notice"), chromedp.ByQuery),
		chromedp.Navigate(e.URL+"/me/moderation"),
		waitText(tid("action-reason"), "未标注的商业合作"),
		waitText(tid("my-actions"), "隐藏"),
		chromedp.SendKeys(tid("appeal-body"), "这是自费购买的真实体验", chromedp.ByQuery),
		click(tid("appeal-submit")),
		chromedp.WaitVisible(tid("appealed"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("appeal-status"), chromedp.ByQuery),
	)
	var forms int
	run(t, author, "only one appeal", chromedp.Evaluate(`document.querySelectorAll('[data-testid="appeal-body"]').length`, &forms))
	if forms != 0 {
		t.Fatalf("after appealing the author is offered %d more appeal forms", forms)
	}
	screenshot(t, author, "moderation-3-appealed")

	signup(t, op, e.URL, "olga", "Olga")
	role("olga", accounts.RoleOperator)
	run(t, op, "overturn the appeal",
		chromedp.Navigate(e.URL+"/console/moderation/appeals"),
		waitText(tid("appeal-text"), "这是自费购买的真实体验"),
		chromedp.SendKeys(tid("decision"), "已核实为自费，恢复笔记", chromedp.ByQuery),
		click(tid("overturn")),
		// The form posts back to the page it is on, so the URL says nothing:
		// the decided appeal leaving the pending list does.
		chromedp.WaitNotPresent(tid("overturn"), chromedp.ByQuery),
		waitLoaded(func(url string) bool { return strings.HasSuffix(url, "/console/moderation/appeals") }),
		chromedp.Navigate(e.URL+"/console/moderation/appeals?status=overturned"),
		waitText(tid("mod-appeal-list"), "已核实为自费"),
	)
	screenshot(t, op, "moderation-4-overturned")

	run(t, reader, "the note is back",
		chromedp.Navigate(noteURL),
		waitText(tid("note-title"), "这支面霜真的好用"),
	)
	screenshot(t, reader, "moderation-5-restored")
	run(t, author, "the author sees the decision",
		chromedp.Navigate(e.URL+"/me/moderation"),
		waitText(tid("appeal-status"), "已核实为自费"),
	)
}
