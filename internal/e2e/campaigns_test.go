package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/dbtest"
)

// TestVoteCampaignInBrowser: an operator creates a vote campaign in the
// console with a category and two nominees; a user opens the vote page and
// votes; the operator's open vote page sees the tally move live (SSE),
// without reloading.
func TestVoteCampaignInBrowser(t *testing.T) {
	path := chromium(t)
	e := apitest.New(t, dbtest.SQLite(t))
	if _, err := e.App.Accounts.CreateOperator(context.Background(), "boss", "correct-horse-9"); err != nil {
		t.Fatal(err)
	}
	op, voter := browser(t, path), browser(t, path)
	signIn(t, op, e.URL, "boss", "correct-horse-9")
	run(t, op, "create the campaign",
		chromedp.Navigate(e.URL+"/console/campaigns"),
		click(tid("new-campaign-toggle")),
		chromedp.SendKeys(tid("campaign-title"), "2026 全球大赏", chromedp.ByQuery),
		chromedp.SendKeys(tid("campaign-topic"), "全球大赏", chromedp.ByQuery),
		chromedp.SetValue(tid("campaign-daily"), "3", chromedp.ByQuery),
	)
	screenshot(t, op, "campaign-1-console-new")
	run(t, op, "submit",
		click(tid("new-campaign-submit")),
		chromedp.WaitVisible(tid("console-campaign-title"), chromedp.ByQuery),
		chromedp.SendKeys(tid("category-name"), "彩妆榜", chromedp.ByQuery),
		click(tid("add-category")),
		chromedp.WaitVisible(tid("add-nominee-form"), chromedp.ByQuery),
		chromedp.SendKeys(tid("nominee-title"), "丝绒哑光口红", chromedp.ByQuery),
		click(tid("add-nominee")),
		chromedp.WaitVisible(tid("console-nominee"), chromedp.ByQuery),
		chromedp.SendKeys(tid("nominee-title"), "水光唇釉", chromedp.ByQuery),
		click(tid("add-nominee")),
		waitText(tid("console-tally"), "水光唇釉"),
	)
	screenshot(t, op, "campaign-2-console-nominees")
	var href string
	run(t, op, "open the vote page", chromedp.AttributeValue(`a[href^="/campaigns/"]`, "href", &href, nil, chromedp.ByQuery))
	run(t, op, "operator watches the page",
		chromedp.Navigate(e.URL+href),
		chromedp.WaitVisible(tid("leaderboard"), chromedp.ByQuery),
		chromedp.WaitVisible(`[data-campaign][data-live="1"]`, chromedp.ByQuery),
	)

	signup(t, voter, e.URL, "fan", "粉丝")
	run(t, voter, "vote for the second nominee",
		chromedp.Navigate(e.URL+href),
		chromedp.WaitVisible(tid("campaign-allowance"), chromedp.ByQuery),
		waitText(tid("campaign-allowance"), "3"),
		click(`[data-testid="nominee"]:nth-child(2) [data-testid="vote"]`),
		chromedp.WaitVisible(tid("vote-ok"), chromedp.ByQuery),
		waitText(tid("campaign-allowance"), "2"),
	)
	screenshot(t, voter, "campaign-3-voted")
	run(t, op, "the operator's page re-ranks live",
		waitText(`[data-testid="nominee"]:first-child`, "水光唇釉"),
		waitText(`[data-testid="nominee"]:first-child [data-testid="nominee-votes"]`, "1"),
	)
	screenshot(t, op, "campaign-4-live")
}
