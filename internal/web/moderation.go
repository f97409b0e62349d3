package web

import (
	"net/http"
	"slices"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/moderation"
)

// Trust and safety for everyone (T1): the report form behind the "report"
// links on notes, comments, users and products, and /me/moderation — one's
// reports with their outcomes, and what moderation did to one's account or
// content, with the reason and the one appeal.

func (w *Web) registerModeration(mux *http.ServeMux) {
	mux.Handle("GET /report", w.h(w.reportForm))
	mux.Handle("POST /report", w.h(w.reportSubmit))
	mux.Handle("GET /me/moderation", w.h(w.myModeration))
	mux.Handle("POST /me/moderation/{id}/appeal", w.h(w.appealSubmit))
	w.registerConsoleModeration(mux)
}

type reportData struct {
	Kind, ID string
	Reasons  []string
	Reason   string
	Details  string
	Error    string
}

func (w *Web) reportForm(q *req) error {
	if _, err := q.requireUser(); err != nil {
		return err
	}
	return q.renderReport(http.StatusOK, reportData{Kind: q.r.URL.Query().Get("kind"), ID: q.r.URL.Query().Get("id")})
}

func (q *req) renderReport(status int, d reportData) error {
	if !slices.Contains(moderation.Kinds, d.Kind) {
		return apperr.NotFound("page")
	}
	if _, err := id.Parse(d.ID); err != nil {
		return apperr.NotFound("page")
	}
	d.Reasons = moderation.Reasons
	q.render(status, "report", q.t("mod.report_title"), "", d)
	return nil
}

func (w *Web) reportSubmit(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := app.Allow(w.app.Limits.Post, me.ID.String()); err != nil {
		return err
	}
	d := reportData{Kind: q.r.PostFormValue("kind"), ID: q.r.PostFormValue("id"), Reason: q.r.PostFormValue("reason"), Details: q.r.PostFormValue("details")}
	target, err := id.Parse(d.ID)
	if err != nil {
		return apperr.NotFound("page")
	}
	_, err = w.app.Moderation.Report(q.r.Context(), me, moderation.Input{TargetKind: d.Kind, TargetID: target, Reason: d.Reason, Details: d.Details})
	if m, st, e := q.formProblem(err); e != nil {
		return e
	} else if m != "" {
		d.Error = q.t("mod.report_invalid")
		return q.renderReport(st, d)
	}
	q.redirect("/me/moderation?reported=1")
	return nil
}

type myModerationData struct {
	Reports  []moderation.Report
	Actions  []moderation.Action
	Reported bool
	Appealed bool
	Error    string
}

func (w *Web) myModeration(q *req) error { return q.renderMyModeration(http.StatusOK, "") }

func (q *req) renderMyModeration(status int, msg string) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	d := myModerationData{Reported: q.r.URL.Query().Get("reported") == "1", Appealed: q.r.URL.Query().Get("appealed") == "1", Error: msg}
	if d.Reports, err = q.w.app.Moderation.MyReports(ctx, me.ID, 50); err != nil {
		return err
	}
	if d.Actions, err = q.w.app.Moderation.MyActions(ctx, me.ID); err != nil {
		return err
	}
	q.render(status, "my_moderation", q.t("mod.mine_title"), "", d)
	return nil
}

func (w *Web) appealSubmit(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := app.Allow(w.app.Limits.Post, me.ID.String()); err != nil {
		return err
	}
	aid, err := q.pathID("action")
	if err != nil {
		return err
	}
	_, err = w.app.Moderation.FileAppeal(q.r.Context(), me, aid, q.r.PostFormValue("body"))
	if m, st, e := q.formProblem(err); e != nil {
		return e
	} else if m != "" {
		return q.renderMyModeration(st, q.t("mod.appeal_invalid"))
	}
	q.redirect("/me/moderation?appealed=1")
	return nil
}
