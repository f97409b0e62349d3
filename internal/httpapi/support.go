package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/support"
)

// Creator support programs (G2); see docs/creators.md. Setup and the
// measured effect are for operators; a creator sees their own programs.

func (a *API) registerSupport(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/support/programs", handler(a.createProgram))
	mux.Handle("GET /api/v1/support/programs", handler(a.listPrograms))
	mux.Handle("GET /api/v1/support/programs/{id}", handler(a.getProgram))
	mux.Handle("POST /api/v1/support/programs/{id}/members", handler(a.enrolCreator))
	mux.Handle("DELETE /api/v1/support/programs/{id}/members/{user}", handler(a.removeCreator))
	mux.Handle("GET /api/v1/me/support", handler(a.mySupport))
}

// programOperator checks the operator (before anything is parsed) and,
// for writes, the write limit.
func (a *API) programOperator(r *http.Request, write bool) (accounts.User, id.ID, error) {
	me, err := operator(r, "run support programs")
	if err != nil {
		return me, 0, err
	}
	if write {
		if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
			return me, 0, err
		}
	}
	if r.PathValue("id") == "" {
		return me, 0, nil
	}
	pid, err := httpx.PathID(r, "id", "program")
	return me, pid, err
}

func (a *API) createProgram(w http.ResponseWriter, r *http.Request) error {
	me, _, err := a.programOperator(r, true)
	if err != nil {
		return err
	}
	var in support.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := a.app.Support.Create(r.Context(), me, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, p)
	return nil
}

func (a *API) listPrograms(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := a.programOperator(r, false); err != nil {
		return err
	}
	ps, err := a.app.Support.List(r.Context(), 100)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": ps})
	return nil
}

func (a *API) getProgram(w http.ResponseWriter, r *http.Request) error {
	me, pid, err := a.programOperator(r, false)
	if err != nil {
		return err
	}
	p, err := a.app.Support.Get(r.Context(), pid)
	if err != nil {
		return err
	}
	e, members, err := a.app.Support.Effect(r.Context(), me, pid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"program": p, "effect": e, "members": members})
	return nil
}

func (a *API) enrolCreator(w http.ResponseWriter, r *http.Request) error {
	me, pid, err := a.programOperator(r, true)
	if err != nil {
		return err
	}
	var in struct {
		Username string `json:"username"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.app.Support.Enrol(r.Context(), me, pid, in.Username); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) removeCreator(w http.ResponseWriter, r *http.Request) error {
	me, pid, err := a.programOperator(r, true)
	if err != nil {
		return err
	}
	uid, err := httpx.PathID(r, "user", "user")
	if err != nil {
		return err
	}
	if err := a.app.Support.Remove(r.Context(), me, pid, uid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) mySupport(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	ps, err := a.app.Support.ForCreator(r.Context(), me.ID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": ps})
	return nil
}
