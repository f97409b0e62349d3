package web

import (
	"net/http"
	"time"

	"github.com/redmark/redmark/internal/growth"
)

func (w *Web) registerConsoleGrowth(mux *http.ServeMux) {
	mux.Handle("GET /console/growth", w.h(w.consoleGrowth))
	mux.Handle("POST /console/growth/levels", w.h(w.consoleSetLevel))
	mux.Handle("POST /console/growth/rules", w.h(w.consoleSetRule))
}

type consoleGrowthData struct {
	Levels    []growth.Level
	Kinds     []string
	Rules     []growth.Rule
	Channels  []growth.ChannelRow
	Inviters  []growth.ChannelRow
	Usernames map[string]string
}

func (w *Web) consoleGrowth(q *req) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	ctx := q.r.Context()
	d := consoleGrowthData{Kinds: growth.TaskKinds}
	var err error
	if d.Levels, err = w.app.Growth.Levels(ctx); err != nil {
		return err
	}
	if d.Rules, err = w.app.Growth.RuleList(ctx); err != nil {
		return err
	}
	since := time.Now().Add(-7 * 24 * time.Hour)
	if d.Channels, err = w.app.Growth.ByChannel(ctx, since); err != nil {
		return err
	}
	if d.Inviters, err = w.app.Growth.ByInviter(ctx, since); err != nil {
		return err
	}
	return q.renderConsole(http.StatusOK, "growth", "", d)
}

func (w *Web) consoleSetLevel(q *req) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	lv, err := formInt(q.r, "level")
	if err != nil {
		return err
	}
	l := growth.Level{Level: int(lv), NameZh: q.r.PostFormValue("name_zh"), NameEn: q.r.PostFormValue("name_en"), Needs: growth.Counts{}}
	for _, k := range growth.TaskKinds {
		if l.Needs[k], err = formInt(q.r, k); err != nil {
			return err
		}
	}
	if err := w.app.Growth.SetLevel(q.r.Context(), l); err != nil {
		return err
	}
	q.redirect("/console/growth")
	return nil
}

func (w *Web) consoleSetRule(q *req) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	r := growth.Rule{Rule: q.r.PostFormValue("rule")}
	var err error
	if r.Points, err = formInt(q.r, "points"); err != nil {
		return err
	}
	if r.DailyCap, err = formInt(q.r, "daily_cap"); err != nil {
		return err
	}
	if err := w.app.Growth.SetRule(q.r.Context(), r); err != nil {
		return err
	}
	q.redirect("/console/growth")
	return nil
}
