package web

import (
	"net/http"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
)

// The operator console (/console): one place for operators. Each area is
// its own file (console_<area>.go, templates/console_<area>.html) that
// registers its routes under /console/<area>, checks the operator with
// requireOperator and adds one line to consoleAreas. The services check
// the role again; this check is what turns others away before anything
// is read.

// consoleArea is one entry of the console's nav.
type consoleArea struct {
	Slug string // path under /console
	Key  string // catalog key of its name
}

// consoleAreas is the console nav, in order; areas add their line here.
var consoleAreas = []consoleArea{
	{"users", "console.users"},
	{"hot", "console.hot"},
	{"stores", "console.stores"},
	{"flash", "console.flash"},
	{"promotions", "console.promotions"},
	{"places", "console.places"},
	{"growth", "cgrowth.title"},
	{"campaigns", "ccamp.title"},
	{"live", "clive.title"},
	{"analytics", "can.title"},
	{"festivals", "cfest.title"},
	{"support", "csup.title"},
	{"moderation", "cmod.title"},
}

// consolePage is what every console template gets as .Data.
type consolePage struct {
	Areas []consoleArea
	Area  string
	Error string
	Data  any
}

func (w *Web) registerConsole(mux *http.ServeMux) {
	mux.Handle("GET /console", w.h(func(q *req) error {
		if _, err := q.requireOperator(); err != nil {
			return err
		}
		q.redirect("/console/" + consoleAreas[0].Slug)
		return nil
	}))
	w.registerConsoleUsers(mux)
	w.registerConsoleHot(mux)
	w.registerConsoleStores(mux)
	w.registerConsoleFlash(mux)
	w.registerConsolePromotions(mux)
	w.registerConsoleCampaigns(mux)
	mux.Handle("GET /console/live", w.h(w.consoleLive))
	w.registerConsoleFestivals(mux)
	w.registerConsoleSupport(mux)
}

// requireOperator returns the signed-in operator; others get 403 (and
// anonymous visitors the sign-in page).
func (q *req) requireOperator() (accounts.User, error) {
	me, err := q.requireUser()
	if err != nil {
		return me, err
	}
	if me.Role != accounts.RoleOperator {
		return me, apperr.Forbidden("the console is for operators")
	}
	return me, nil
}

// renderConsole renders an area's page inside the console frame.
func (q *req) renderConsole(status int, area, msg string, data any) error {
	title := q.t("console.title")
	for _, a := range consoleAreas {
		if a.Slug == area {
			title = q.t(a.Key) + " · " + title
		}
	}
	q.render(status, "console_"+area, title, "", consolePage{Areas: consoleAreas, Area: area, Error: msg, Data: data})
	return nil
}

// consoleWrite starts a console form post: the operator, the write limit
// and the {id} of the path (404 when it is not an id).
func (q *req) consoleWrite(what string) (accounts.User, id.ID, error) {
	me, err := q.requireOperator()
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
