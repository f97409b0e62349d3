package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/support"
)

// Console area: creator support programs — start one (boost, holdout,
// rule), enrol and remove creators, and read the measured effect:
// impressions per 100 feed pages, boosted readers vs the holdout.

func (w *Web) registerConsoleSupport(mux *http.ServeMux) {
	mux.Handle("GET /console/support", w.h(w.consoleSupport))
	mux.Handle("POST /console/support", w.h(w.consoleCreateProgram))
	mux.Handle("GET /console/support/{id}", w.h(w.consoleProgram))
	mux.Handle("POST /console/support/{id}/members", w.h(w.consoleProgramMember))
}

type programForm struct {
	Name, Boost, Holdout, NoteDays, MinLevel, NewDays, Starts, Days string
}

func (w *Web) consoleSupport(q *req) error {
	f := programForm{Boost: "150", Holdout: "10", NoteDays: "7", MinLevel: "0", NewDays: "0", Days: "30",
		Starts: time.Now().UTC().Format(formTime)}
	return q.renderConsoleSupport(http.StatusOK, "", f)
}

func (q *req) renderConsoleSupport(status int, msg string, f programForm) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	ps, err := q.w.app.Support.List(q.r.Context(), 100)
	if err != nil {
		return err
	}
	return q.renderConsole(status, "support", msg, struct {
		Programs []support.Program
		Form     programForm
	}{ps, f})
}

func (w *Web) consoleCreateProgram(q *req) error {
	me, _, err := q.consoleWrite("")
	if err != nil {
		return err
	}
	v := q.r.PostFormValue
	f := programForm{Name: v("name"), Boost: v("boost_pct"), Holdout: v("holdout_pct"), NoteDays: v("note_days"),
		MinLevel: v("rule_min_level"), NewDays: v("rule_new_days"), Starts: v("starts_at"), Days: v("days")}
	in := support.Input{Name: f.Name}
	for field, dst := range map[string]*int{"boost_pct": &in.BoostPct, "holdout_pct": &in.HoldoutPct, "note_days": &in.NoteDays,
		"rule_min_level": &in.RuleMinLevel, "rule_new_days": &in.RuleNewDays} {
		n, e := formInt(q.r, field)
		if e != nil && err == nil {
			err = e
		}
		*dst = int(min(max(n, -1), 1<<20)) // the service checks the real bounds
	}
	var p support.Program
	if err == nil {
		var days int64
		if days, err = formInt(q.r, "days"); err == nil {
			if in.StartsAt, err = time.Parse(formTime, strings.TrimSpace(f.Starts)); err != nil {
				err = apperr.Invalid("starts_at must be a date and time (UTC)")
			} else {
				in.EndsAt = in.StartsAt.Add(time.Duration(min(max(days, 0), 1000)) * 24 * time.Hour)
				p, err = w.app.Support.Create(q.r.Context(), me, in)
			}
		}
	}
	if m, st, e := q.formProblem(err); e != nil {
		return e
	} else if m != "" {
		return q.renderConsoleSupport(st, m, f)
	}
	q.redirect("/console/support/" + p.ID.String())
	return nil
}

type consoleProgramData struct {
	Program support.Program
	Effect  support.Effect
	Members []support.Member
}

func (w *Web) consoleProgram(q *req) error { return q.renderConsoleProgram(http.StatusOK, "") }

func (q *req) renderConsoleProgram(status int, msg string) error {
	me, err := q.requireOperator()
	if err != nil {
		return err
	}
	pid, err := q.pathID("program")
	if err != nil {
		return err
	}
	d := consoleProgramData{}
	if d.Program, err = q.w.app.Support.Get(q.r.Context(), pid); err != nil {
		return err
	}
	if d.Effect, d.Members, err = q.w.app.Support.Effect(q.r.Context(), me, pid); err != nil {
		return err
	}
	return q.renderConsole(status, "program", msg, d)
}

// consoleProgramMember enrols (username) or removes (remove=user id) a creator.
func (w *Web) consoleProgramMember(q *req) error {
	me, pid, err := q.consoleWrite("program")
	if err != nil {
		return err
	}
	if r := strings.TrimSpace(q.r.PostFormValue("remove")); r != "" {
		var uid id.ID
		if uid, err = id.Parse(r); err != nil {
			err = apperr.Invalid("remove is not an id")
		} else {
			err = w.app.Support.Remove(q.r.Context(), me, pid, uid)
		}
	} else {
		err = w.app.Support.Enrol(q.r.Context(), me, pid, q.r.PostFormValue("username"))
	}
	if m, st, e := q.formProblem(err); e != nil {
		return e
	} else if m != "" {
		return q.renderConsoleProgram(st, m)
	}
	q.redirect("/console/support/" + pid.String())
	return nil
}
