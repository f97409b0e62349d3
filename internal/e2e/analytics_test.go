package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
)

// TestAnalyticsConsoleInBrowser: two weeks of events are rolled up; the
// operator opens the analytics overview and the funnel, and ECharts draws
// the charts.
func TestAnalyticsConsoleInBrowser(t *testing.T) {
	path := chromium(t)
	e := apitest.New(t, dbtest.SQLite(t))
	ctx := context.Background()
	if _, err := e.App.Accounts.CreateOperator(ctx, "boss", "correct-horse-9"); err != nil {
		t.Fatal(err)
	}
	today := analytics.DayOf(time.Now())
	var evs []analytics.Event
	for d := today - 14; d < today; d++ {
		for u := range 20 + int(today-d)%7*3 {
			at := d.Time().Add(12 * time.Hour)
			evs = append(evs, analytics.Event{ID: id.New(), Kind: analytics.View, User: id.ID(1000 + u), Ref: 7, At: at})
			if u%4 == 0 {
				evs = append(evs, analytics.Event{ID: id.New(), Kind: analytics.ProductClick, User: id.ID(1000 + u), Ref: 7, Ref2: 8, At: at})
			}
			if u%9 == 0 {
				evs = append(evs, analytics.Event{ID: id.New(), Kind: analytics.Order, User: id.ID(1000 + u), Ref: id.New(), Amount: 9900, At: at})
			}
		}
		evs = append(evs, analytics.Event{ID: id.New(), Kind: analytics.SignUp, User: id.ID(1000 + int(today-d)), Label: "ads", At: d.Time()})
	}
	if err := analytics.NewSQLSink(e.App.DB).Write(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Analytics.Rollups.Run(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	op := browser(t, path)
	signIn(t, op, e.URL, "boss", "correct-horse-9")
	q := "?from=" + (today - 14).String() + "&to=" + (today - 1).String()
	run(t, op, "overview",
		chromedp.Navigate(e.URL+"/console/analytics/overview"+q),
		chromedp.WaitVisible(`#chart-active svg`, chromedp.ByQuery),
		chromedp.WaitVisible(tid("analytics-kpis"), chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('#chart-active').scrollIntoView({block: "center"})`, nil),
	)
	screenshot(t, op, "analytics-1-overview")
	// At phone width the console's tabs wrap inside the page, and the
	// creator centre's .chart boxes do not style the analytics charts.
	var overflow bool
	var border string
	run(t, op, "layout",
		chromedp.Evaluate(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &overflow),
		chromedp.Evaluate(`getComputedStyle(document.querySelector('#chart-active')).borderTopWidth`, &border),
	)
	if overflow || border != "0px" {
		t.Fatalf("analytics at 390 px: page overflows %v, chart border %q", overflow, border)
	}
	run(t, op, "funnel",
		chromedp.Navigate(e.URL+"/console/analytics/funnel"+q),
		chromedp.WaitVisible(`#chart-funnel svg`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('#chart-funnel').scrollIntoView({block: "center"})`, nil),
	)
	screenshot(t, op, "analytics-2-funnel")
}

// pdfPage matches a page object (not the /Pages tree).
var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// TestReportPDF: the report of a rolled-up history is printed by headless
// Chromium into a PDF of several A4 pages.
func TestReportPDF(t *testing.T) {
	path := chromium(t)
	e := apitest.New(t, dbtest.SQLite(t))
	e.App.Config.Places.Chromium = path
	ctx := context.Background()
	today := analytics.DayOf(time.Now())
	var evs []analytics.Event
	for d := today - 28; d < today; d++ {
		for u := range 30 {
			evs = append(evs, analytics.Event{ID: id.New(), Kind: analytics.View, User: id.ID(1000 + u), Ref: 7, At: d.Time().Add(12 * time.Hour)})
		}
	}
	if err := analytics.NewSQLSink(e.App.DB).Write(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Analytics.Rollups.Run(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "zh"} {
		pdf, err := e.App.ReportPDF(ctx, analytics.Range{From: today - 28, To: today - 1}, lang)
		if err != nil {
			t.Fatal(err)
		}
		if pages := len(pdfPage.FindAll(pdf, -1)); !strings.HasPrefix(string(pdf), "%PDF-") || pages < 2 {
			t.Errorf("%s report: %d bytes, %d pages, starts %q", lang, len(pdf), pages, pdf[:min(8, len(pdf))])
		}
	}
}
