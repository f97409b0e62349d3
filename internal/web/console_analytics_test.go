package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
)

// rollUpToday writes the buffered events and rolls up today, as the jobs
// would after midnight.
func rollUpToday(t *testing.T, e *apitest.Env) {
	t.Helper()
	ctx := context.Background()
	if err := e.App.Analytics.Recorder.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Analytics.Rollups.Run(ctx, time.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
}

func TestConsoleAnalytics(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newConsoleWorld(t, e)
		bob := signUp(t, e, "bob", "Bob")
		bob.get("/search?q=Coffee").want(200)
		bob.post("/n/"+w.note+"/like", nil)
		rollUpToday(t, e)
		anon := newBrowser(t, e)
		for _, v := range []string{"overview", "retention", "funnel", "channels", "campaigns", "personas"} {
			p := "/console/analytics/" + v
			w.user.get(p).want(403)
			anon.get(p).redirectsTo("/login")
			w.user.get(p + "/csv?table=days").want(403)
			w.op.get(p).want(200).has(`data-testid="analytics-range"`, "echarts.min.js")
		}
		w.op.get("/console/analytics").want(200).has(`id="chart-active"`, `data-testid="csv-days"`)
		w.op.get("/console/analytics/nope").want(404)
		w.op.get("/console/analytics/overview?from=bad").want(400)
		w.op.get("/console/analytics/overview/csv?table=nope").want(404)

		w.op.lang = "en"
		today := time.Now().UTC().Format(time.DateOnly)
		csv := w.op.get("/console/analytics/overview/csv?table=terms&from=" + today + "&to=" + today).want(200)
		if !strings.Contains(csv.Body, "Term,Searches") || !strings.Contains(csv.Body, "coffee,1") {
			t.Fatalf("terms CSV:\n%s", csv.Body)
		}
		days := w.op.get("/console/analytics/overview/csv?table=days&from=" + today + "&to=" + today).want(200)
		// The operator, alice, the world's writers and bob signed up today.
		if lines := strings.Split(strings.TrimSpace(days.Body), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], today+",") {
			t.Fatalf("days CSV:\n%s", days.Body)
		}
		w.op.get("/console/analytics/channels?from=" + today + "&to=" + today).want(200).has("Direct")
		// The report button: operators only, in the page's language.
		w.user.get("/console/analytics/report").want(403)
		w.op.get("/console/analytics/report?from="+today+"&to="+today).want(200).has("User operations report", "1. Summary", "<svg")
		w.op.lang = ""
		w.op.get("/console/analytics/report?from=" + today + "&to=" + today).want(200).has("用户运营报告")
	})
}
