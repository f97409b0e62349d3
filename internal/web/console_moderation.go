package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/moderation"
	"github.com/redmark/redmark/internal/shop"
)

// Console area: moderation (T1, E8) — the queue, a case with its evidence
// and actions, appeals, the audit log, the filter lists, spot checks and
// merchants' service levels. Moderators reach this area and no other;
// operators reach it too. The filter lists and spot checks are operators'.

func (w *Web) registerConsoleModeration(mux *http.ServeMux) {
	mux.Handle("GET /console/moderation", w.h(w.consoleModQueue))
	mux.Handle("GET /console/moderation/cases/{id}", w.h(w.consoleModCase))
	mux.Handle("POST /console/moderation/cases/{id}/act", w.h(w.consoleModAct))
	mux.Handle("POST /console/moderation/cases/{id}/dismiss", w.h(w.consoleModDismiss))
	mux.Handle("POST /console/moderation/actions/{id}/revert", w.h(w.consoleModRevert))
	mux.Handle("GET /console/moderation/appeals", w.h(w.consoleModAppeals))
	mux.Handle("POST /console/moderation/appeals/{id}/decide", w.h(w.consoleModDecide))
	mux.Handle("GET /console/moderation/audit", w.h(w.consoleModAudit))
	mux.Handle("GET /console/moderation/filters", w.h(w.consoleModFilters))
	mux.Handle("POST /console/moderation/filters", w.h(w.consoleModAddFilter))
	mux.Handle("POST /console/moderation/filters/{id}/delete", w.h(w.consoleModRemoveFilter))
	mux.Handle("GET /console/moderation/quality", w.h(w.consoleModQuality))
	mux.Handle("POST /console/moderation/spot-checks", w.h(w.consoleModSchedule))
	mux.Handle("POST /console/moderation/spot-checks/{id}/result", w.h(w.consoleModRecord))
}

// requireModerator returns the signed-in moderator or operator; others get
// 403 (anonymous visitors the sign-in page).
func (q *req) requireModerator() (accounts.User, error) {
	me, err := q.requireUser()
	if err != nil {
		return me, err
	}
	if !moderation.CanModerate(me) {
		return me, apperr.Forbidden("the moderation console is for moderators")
	}
	return me, nil
}

// modWrite starts a moderation form post: the moderator, the write limit
// and the {id} of the path.
func (q *req) modWrite(what string) (accounts.User, id.ID, error) {
	me, err := q.requireModerator()
	if err != nil {
		return me, 0, err
	}
	if err := q.allowWrite(me); err != nil {
		return me, 0, err
	}
	if q.r.PathValue("id") == "" {
		return me, 0, nil
	}
	ref, err := q.pathID(what)
	return me, ref, err
}

// modPage is what the moderation templates get as .Data.Data.
type modPage struct {
	Tab      string // queue, appeals, audit, filters, quality
	Operator bool
	Page     any
}

// renderMod renders a moderation page in the console frame; a moderator's
// nav shows this area only.
func (q *req) renderMod(status int, tmpl, tab, msg string, data any) error {
	areas := consoleAreas
	op := q.me.Role == accounts.RoleOperator
	if !op {
		areas = []consoleArea{{"moderation", "cmod.title"}}
	}
	q.render(status, tmpl, q.t("cmod.title")+" · "+q.t("console.title"), "",
		consolePage{Areas: areas, Area: "moderation", Error: msg, Data: modPage{Tab: tab, Operator: op, Page: data}})
	return nil
}

// after answers a moderation form: a fixable problem re-renders with its
// message, success goes to next.
func (q *req) modAfter(err error, next string, rerender func(status int, msg string) error) error {
	if m, st, e := q.formProblem(err); e != nil {
		return e
	} else if m != "" {
		return rerender(st, m)
	}
	q.redirect(next)
	return nil
}

type modQueueData struct {
	Status  string
	Cases   []moderation.Case
	Appeals int
}

func (w *Web) consoleModQueue(q *req) error { return q.renderModQueue(http.StatusOK, "") }

func (q *req) renderModQueue(status int, msg string) error {
	me, err := q.requireModerator()
	if err != nil {
		return err
	}
	d := modQueueData{Status: q.r.URL.Query().Get("status")}
	if d.Status == "" {
		d.Status = moderation.Open
	}
	if d.Cases, err = q.w.app.Moderation.Queue(q.r.Context(), me, d.Status, 100); err != nil {
		return err
	}
	ap, err := q.w.app.Moderation.Appeals(q.r.Context(), me, "")
	if err != nil {
		return err
	}
	d.Appeals = len(ap)
	return q.renderMod(status, "console_moderation", "queue", msg, d)
}

// modTarget is what a case is about, as the moderator reads it.
type modTarget struct {
	Title, Body, Link string
}

type modCaseData struct {
	Case    moderation.Case
	Target  modTarget
	Owner   accounts.User
	Kinds   []string
	Hours   []int
	Reports int
}

func (w *Web) consoleModCase(q *req) error { return q.renderModCase(http.StatusOK, "") }

func (q *req) renderModCase(status int, msg string) error {
	me, err := q.requireModerator()
	if err != nil {
		return err
	}
	cid, err := q.pathID("case")
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	c, err := q.w.app.Moderation.Get(ctx, me, cid)
	if err != nil {
		return err
	}
	d := modCaseData{Case: c, Kinds: moderation.ActionKinds, Hours: []int{1, 24, 72, 168, 720}}
	if d.Owner, err = q.w.app.Accounts.Get(ctx, c.TargetUserID); err != nil {
		return err
	}
	d.Owner = d.Owner.Public()
	d.Target = q.modTarget(c)
	return q.renderMod(status, "console_moderation_case", "queue", msg, d)
}

// modTarget loads the content of a case's target (gone: empty).
func (q *req) modTarget(c moderation.Case) modTarget {
	ctx := q.r.Context()
	a := q.w.app
	switch c.TargetKind {
	case moderation.Note:
		if n, err := a.Notes.Get(ctx, c.TargetUserID, c.TargetID); err == nil { // as its author sees it, hidden or not
			return modTarget{Title: n.Title, Body: n.Body, Link: "/n/" + n.ID.String()}
		}
	case moderation.Comment:
		if cm, err := a.Social.CommentOf(ctx, c.TargetID); err == nil {
			return modTarget{Body: cm.Body, Link: "/n/" + cm.NoteID.String()}
		}
	case moderation.User:
		if u, err := a.Accounts.Get(ctx, c.TargetID); err == nil {
			return modTarget{Title: u.DisplayName, Body: u.Bio, Link: "/u/" + u.Username}
		}
	case moderation.Product:
		if p, err := a.Shop.ProductOf(ctx, c.TargetID); err == nil {
			return modTarget{Title: p.Title, Link: "/p/" + p.ID.String()}
		}
	case moderation.Store:
		if s, err := a.Shop.GetStore(ctx, c.TargetID); err == nil {
			return modTarget{Title: s.Name, Body: s.Description, Link: "/shop/s/" + s.ID.String()}
		}
	}
	return modTarget{}
}

func (w *Web) consoleModAct(q *req) error {
	me, cid, err := q.modWrite("case")
	if err != nil {
		return err
	}
	hours, _ := strconv.Atoi(q.r.PostFormValue("hours"))
	_, err = w.app.Moderation.Act(q.r.Context(), me, cid, moderation.ActionInput{Kind: q.r.PostFormValue("kind"), Reason: q.r.PostFormValue("reason"), Hours: hours})
	return q.modAfter(err, "/console/moderation/cases/"+cid.String(), q.renderModCase)
}

func (w *Web) consoleModDismiss(q *req) error {
	me, cid, err := q.modWrite("case")
	if err != nil {
		return err
	}
	_, err = w.app.Moderation.Resolve(q.r.Context(), me, cid, moderation.Dismissed, q.r.PostFormValue("outcome"))
	return q.modAfter(err, "/console/moderation", q.renderModCase)
}

func (w *Web) consoleModRevert(q *req) error {
	me, aid, err := q.modWrite("action")
	if err != nil {
		return err
	}
	a, err := w.app.Moderation.Revert(q.r.Context(), me, aid, q.r.PostFormValue("reason"))
	next := "/console/moderation"
	if err == nil {
		next = "/console/moderation/cases/" + a.CaseID.String()
	}
	return q.modAfter(err, next, q.renderModQueue)
}

func (w *Web) consoleModAppeals(q *req) error { return q.renderModAppeals(http.StatusOK, "") }

func (q *req) renderModAppeals(status int, msg string) error {
	me, err := q.requireModerator()
	if err != nil {
		return err
	}
	st := q.r.URL.Query().Get("status")
	ap, err := q.w.app.Moderation.Appeals(q.r.Context(), me, st)
	if err != nil {
		return err
	}
	return q.renderMod(status, "console_moderation_appeals", "appeals", msg, map[string]any{"Appeals": ap, "Me": me.ID, "Status": st})
}

func (w *Web) consoleModDecide(q *req) error {
	me, pid, err := q.modWrite("appeal")
	if err != nil {
		return err
	}
	_, err = w.app.Moderation.Decide(q.r.Context(), me, pid, q.r.PostFormValue("status"), q.r.PostFormValue("decision"))
	return q.modAfter(err, "/console/moderation/appeals", q.renderModAppeals)
}

func (w *Web) consoleModAudit(q *req) error {
	me, err := q.requireModerator()
	if err != nil {
		return err
	}
	f := moderation.AuditFilter{TargetKind: q.r.URL.Query().Get("target_kind"), Limit: 100}
	if t := q.r.URL.Query().Get("target_id"); t != "" {
		f.TargetID, _ = id.Parse(t)
	}
	if b := q.r.URL.Query().Get("before"); b != "" {
		f.Before, _ = id.Parse(b)
	}
	log, err := w.app.Moderation.Audit(q.r.Context(), me, f)
	if err != nil {
		return err
	}
	more := ""
	if len(log) == f.Limit {
		more = log[len(log)-1].ID.String()
	}
	return q.renderMod(http.StatusOK, "console_moderation_audit", "audit", "", map[string]any{"Log": log, "More": more, "Filter": f})
}

func (w *Web) consoleModFilters(q *req) error { return q.renderModFilters(http.StatusOK, "") }

func (q *req) renderModFilters(status int, msg string) error {
	me, err := q.requireModerator()
	if err != nil {
		return err
	}
	fs, err := q.w.app.Moderation.Filters(q.r.Context(), me)
	if err != nil {
		return err
	}
	return q.renderMod(status, "console_moderation_filters", "filters", msg, fs)
}

func (w *Web) consoleModAddFilter(q *req) error {
	me, _, err := q.modWrite("")
	if err != nil {
		return err
	}
	_, err = w.app.Moderation.AddFilter(q.r.Context(), me, moderation.FilterInput{Kind: q.r.PostFormValue("kind"),
		Pattern: q.r.PostFormValue("pattern"), Action: q.r.PostFormValue("action")})
	return q.modAfter(err, "/console/moderation/filters", q.renderModFilters)
}

func (w *Web) consoleModRemoveFilter(q *req) error {
	me, fid, err := q.modWrite("filter")
	if err != nil {
		return err
	}
	return q.modAfter(w.app.Moderation.RemoveFilter(q.r.Context(), me, fid), "/console/moderation/filters", q.renderModFilters)
}

type storeLevel struct {
	Store shop.Store
	Level moderation.ServiceLevel
}

type modQualityData struct {
	Checks []moderation.SpotCheck
	Stores []storeLevel
	Due    string
}

func (w *Web) consoleModQuality(q *req) error { return q.renderModQuality(http.StatusOK, "") }

func (q *req) renderModQuality(status int, msg string) error {
	me, err := q.requireModerator()
	if err != nil {
		return err
	}
	if me.Role != accounts.RoleOperator {
		return apperr.Forbidden("spot checks are for operators")
	}
	ctx := q.r.Context()
	d := modQualityData{Due: time.Now().Add(72 * time.Hour).UTC().Format("2006-01-02")}
	if d.Checks, err = q.w.app.Moderation.SpotChecks(ctx, me, 0); err != nil {
		return err
	}
	sts, err := q.w.app.Shop.Stores(ctx, 100)
	if err != nil {
		return err
	}
	for _, st := range sts {
		lv, err := q.w.app.Moderation.ServiceLevels(ctx, st.ID)
		if err != nil {
			return err
		}
		d.Stores = append(d.Stores, storeLevel{Store: st, Level: lv})
	}
	return q.renderMod(status, "console_moderation_quality", "quality", msg, d)
}

func (w *Web) consoleModSchedule(q *req) error {
	me, _, err := q.modWrite("")
	if err != nil {
		return err
	}
	pid, perr := id.Parse(q.r.PostFormValue("product_id"))
	due, derr := time.Parse("2006-01-02", q.r.PostFormValue("due"))
	switch {
	case perr != nil:
		err = apperr.Invalid("product_id is not an id")
	case derr != nil:
		err = apperr.Invalid("due must be a date")
	default:
		_, err = w.app.Moderation.ScheduleSpotCheck(q.r.Context(), me, pid, due.Add(12*time.Hour))
	}
	if errors.Is(err, apperr.ErrNotFound) {
		err = apperr.Invalid("no such product")
	}
	return q.modAfter(err, "/console/moderation/quality", q.renderModQuality)
}

func (w *Web) consoleModRecord(q *req) error {
	me, cid, err := q.modWrite("spot check")
	if err != nil {
		return err
	}
	_, err = w.app.Moderation.RecordSpotCheck(q.r.Context(), me, cid, q.r.PostFormValue("passed") == "1", q.r.PostFormValue("result"))
	return q.modAfter(err, "/console/moderation/quality", q.renderModQuality)
}
