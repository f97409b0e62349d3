package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/apperr"

	"github.com/redmark/redmark/internal/growth"
)

func (w *Web) registerGrowth(mux *http.ServeMux) {
	mux.Handle("GET /tasks", w.h(w.tasksPage))
	mux.Handle("POST /tasks/checkin", w.h(w.checkInForm))
	mux.Handle("POST /n/{id}/tip", w.h(w.tipNote))
}

// sourceCookie keeps the invite code and campaign of a visitor's first
// visit until they sign up.
const sourceCookie = "rm_src"

// captureSource remembers ?invite=, ?channel= and utm_* from the first
// landing that carries them; later landings do not overwrite it.
func (q *req) captureSource() {
	v := q.r.URL.Query()
	if v.Get("invite") == "" && v.Get("channel") == "" && v.Get("utm_source") == "" {
		return
	}
	if _, err := q.r.Cookie(sourceCookie); err == nil {
		return
	}
	keep := url.Values{}
	for _, k := range []string{"invite", "channel", "utm_source", "utm_medium", "utm_campaign"} {
		if s := v.Get(k); s != "" && len(s) <= growth.SourceMax {
			keep.Set(k, s)
		}
	}
	http.SetCookie(q.rw, &http.Cookie{Name: sourceCookie, Value: keep.Encode(), Path: "/", MaxAge: 30 * 86400,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: q.r.TLS != nil})
}

// signupSource is what captureSource kept (or the signup URL itself carries).
func (q *req) signupSource() growth.Source {
	v := q.r.URL.Query()
	if c, err := q.r.Cookie(sourceCookie); err == nil {
		if kept, err := url.ParseQuery(c.Value); err == nil {
			v = kept
		}
	}
	if inv := q.r.PostFormValue("invite"); inv != "" && v.Get("invite") == "" {
		v.Set("invite", inv)
	}
	return growth.Source{Invite: v.Get("invite"), Channel: v.Get("channel"), Source: v.Get("utm_source"),
		Medium: v.Get("utm_medium"), Campaign: v.Get("utm_campaign")}
}

type tasksData struct {
	Status   growth.Status
	Calendar growth.Calendar
	Rules    []growth.Rule
	Invite   string
	Invited  int
	Balance  int64
	Flash    string
}

func (w *Web) tasksPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	d := tasksData{Flash: q.r.URL.Query().Get("done")}
	if d.Status, err = w.app.Growth.Status(ctx, me.ID); err != nil {
		return err
	}
	if d.Calendar, err = w.app.Growth.Calendar(ctx, me.ID, 14); err != nil {
		return err
	}
	if d.Rules, err = w.app.Growth.RuleList(ctx); err != nil {
		return err
	}
	if d.Invite, err = w.app.Growth.InviteCode(ctx, me.ID); err != nil {
		return err
	}
	inv, err := w.app.Growth.Invitees(ctx, me.ID, 100)
	if err != nil {
		return err
	}
	d.Invited = len(inv)
	if d.Balance, err = w.app.Points.Balance(ctx, me.ID); err != nil {
		return err
	}
	q.render(http.StatusOK, "tasks", q.t("tasks.title"), "me", d)
	return nil
}

func (w *Web) checkInForm(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if _, err := w.app.Growth.CheckIn(q.r.Context(), me.ID); err != nil {
		return err
	}
	w.app.Track(analytics.Event{Kind: analytics.CheckIn, User: me.ID})
	q.redirect("/tasks?done=checkin")
	return nil
}

func (w *Web) tipNote(q *req) error {
	me, nid, err := q.interaction("note")
	if err != nil {
		return err
	}
	pts, err := strconv.ParseInt(q.r.PostFormValue("points"), 10, 64)
	if err != nil {
		return apperr.Invalid("points must be a whole number")
	}
	if _, err := w.app.Growth.Tip(q.r.Context(), me.ID, nid, pts, q.r.PostFormValue("key")); err != nil {
		return err
	}
	q.redirect("/n/" + nid.String() + "?tipped=1")
	return nil
}
