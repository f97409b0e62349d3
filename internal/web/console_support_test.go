package web_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/support"
)

// TestConsoleSupport: an operator starts a program, enrols a creator and
// reads its effect; the creator sees the program in the creator centre;
// a non-operator gets 403 on every page and post and changes nothing.
func TestConsoleSupport(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newConsoleWorld(t, e)
		form := url.Values{"name": {"新人扶持"}, "boost_pct": {"150"}, "holdout_pct": {"10"}, "note_days": {"7"},
			"starts_at": {time.Now().UTC().Add(-time.Minute).Format("2006-01-02T15:04")}, "days": {"30"}}
		w.user.get("/")
		w.user.get("/console/support").want(403)
		w.user.post("/console/support", clone(form)).want(403)
		if ps, _ := e.App.Support.List(t.Context(), 10); len(ps) != 0 {
			t.Fatal("a stranger started a program")
		}
		w.op.get("/console/support").want(200).has(`data-testid="new-program-form"`)
		bad := clone(form)
		bad.Set("boost_pct", "90")
		w.op.post("/console/support", bad).want(400).has(`data-testid="form-error"`)
		loc := w.op.post("/console/support", clone(form)).redirectsTo("/console/support/").Location
		w.user.get(loc).want(403)
		w.user.post(loc+"/members", url.Values{"username": {"alice"}}).want(403)
		w.op.get(loc).want(200)
		w.op.post(loc+"/members", url.Values{"username": {"nobody"}}).want(400)
		w.op.post(loc+"/members", url.Values{"username": {"alice"}}).redirectsTo(loc)
		w.op.get(loc).want(200).has(`data-testid="program-member"`, "@alice", `data-testid="support-effect"`)
		w.user.get("/creator").want(200).has(`data-testid="creator-program"`, "新人扶持")
	})
}

// leakProgram is a running program with alice enrolled, for the walk.
func leakProgram(t *testing.T, e *apitest.Env, w *consoleWorld) string {
	t.Helper()
	p, err := e.App.Support.Create(t.Context(), w.opUser, support.Input{Name: "新人扶持", BoostPct: 150, HoldoutPct: 10, NoteDays: 7,
		StartsAt: time.Now().Add(-time.Minute), EndsAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.App.Support.Enrol(t.Context(), w.opUser, p.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	return p.ID.String()
}
