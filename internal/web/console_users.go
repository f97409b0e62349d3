package web

import (
	"net/http"

	"github.com/redmark/redmark/internal/accounts"
)

// Console area: users — search and role changes.

func (w *Web) registerConsoleUsers(mux *http.ServeMux) {
	mux.Handle("GET /console/users", w.h(w.consoleUsers))
	mux.Handle("POST /console/users/{id}/role", w.h(w.consoleSetRole))
}

type consoleUsersData struct {
	Q     string
	Users []accounts.User
	Roles []string
}

var consoleRoles = []string{accounts.RoleUser, accounts.RoleCreator, accounts.RoleBrand, accounts.RoleMerchant, accounts.RoleModerator, accounts.RoleOperator}

func (w *Web) consoleUsers(q *req) error { return q.renderConsoleUsers(http.StatusOK, "") }

func (q *req) renderConsoleUsers(status int, msg string) error {
	me, err := q.requireOperator()
	if err != nil {
		return err
	}
	qs := q.r.URL.Query().Get("q")
	us, err := q.w.app.Accounts.Find(q.r.Context(), me, qs, 50)
	if m, st, e := q.formProblem(err); e != nil {
		return e
	} else if m != "" {
		msg, status = m, st
	}
	return q.renderConsole(status, "users", msg, consoleUsersData{Q: qs, Users: us, Roles: consoleRoles})
}

func (w *Web) consoleSetRole(q *req) error {
	me, uid, err := q.consoleWrite("user")
	if err != nil {
		return err
	}
	err = w.app.Accounts.ChangeRole(q.r.Context(), me, uid, q.r.PostFormValue("role"))
	if m, st, e := q.formProblem(err); e != nil {
		return e
	} else if m != "" {
		return q.renderConsoleUsers(st, m)
	}
	q.back("/console/users")
	return nil
}
