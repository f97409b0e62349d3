package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/dbtest"
)

// TestFestivalInBrowser: an operator sets up a festival with a vote in the
// console; a user sees its banner on the home page, opens the landing
// page, follows its vote link and votes, and the landing page's
// leaderboard counts the vote.
func TestFestivalInBrowser(t *testing.T) {
	path := chromium(t)
	e := apitest.New(t, dbtest.SQLite(t))
	ctx := context.Background()
	opUser, err := e.App.Accounts.CreateOperator(ctx, "boss", "correct-horse-9")
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.App.Campaigns.Create(ctx, opUser, campaigns.Input{Title: "周年好物榜", StartsAt: time.Now(), EndsAt: time.Now().Add(24 * time.Hour),
		Rules: campaigns.Rules{DailyVotes: 3}})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := e.App.Campaigns.AddCategory(ctx, opUser, c.ID, "彩妆榜")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Campaigns.AddNominee(ctx, opUser, c.ID, campaigns.NomineeInput{Category: cat.ID, Kind: "free", Title: "丝绒哑光口红"}); err != nil {
		t.Fatal(err)
	}
	op, user := browser(t, path), browser(t, path)
	signIn(t, op, e.URL, "boss", "correct-horse-9")
	run(t, op, "fill in the festival",
		chromedp.Navigate(e.URL+"/console/festivals"),
		click(tid("festival-form-toggle")),
		chromedp.SendKeys(tid("festival-title"), "6.6 周年庆", chromedp.ByQuery),
		chromedp.SendKeys(tid("festival-slug"), "anniversary", chromedp.ByQuery),
		chromedp.SendKeys(tid("festival-mark"), "6.6周年庆", chromedp.ByQuery),
		chromedp.SendKeys(tid("festival-topic"), "周年庆", chromedp.ByQuery),
		chromedp.SetValue(tid("festival-campaign"), c.ID.String(), chromedp.ByQuery),
	)
	screenshot(t, op, "festival-1-console")
	run(t, op, "save it", click(tid("festival-submit")), chromedp.WaitVisible(tid("festival-saved"), chromedp.ByQuery),
		chromedp.WaitVisible(tid("festival-landing"), chromedp.ByQuery))

	signup(t, user, e.URL, "fan", "粉丝")
	run(t, user, "the banner leads to the landing page",
		chromedp.Navigate(e.URL+"/"),
		click(tid("festival-banner")),
		chromedp.WaitVisible(tid("festival-vote"), chromedp.ByQuery),
		waitText(tid("festival-mark"), "6.6周年庆"),
	)
	screenshot(t, user, "festival-2-landing")
	run(t, user, "vote from the festival",
		click(tid("festival-vote-link")),
		chromedp.WaitVisible(tid("campaign-allowance"), chromedp.ByQuery),
		click(`[data-testid="nominee"]:first-child [data-testid="vote"]`),
		chromedp.WaitVisible(tid("vote-ok"), chromedp.ByQuery),
		waitText(tid("campaign-allowance"), "2"),
	)
	screenshot(t, user, "festival-3-voted")
	var votes string
	run(t, user, "the landing page counts the vote",
		chromedp.Navigate(e.URL+"/festivals/anniversary"),
		chromedp.WaitVisible(tid("festival-vote"), chromedp.ByQuery),
		chromedp.Text(`[data-testid="festival-vote"] li b`, &votes, chromedp.ByQuery),
	)
	if strings.TrimSpace(votes) != "1" {
		t.Fatalf("landing page shows %q votes, want 1", votes)
	}
}
