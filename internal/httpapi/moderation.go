package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/moderation"
)

// Reports and the moderation queue (T1); see docs/moderation.md.

func (a *API) registerModeration(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/reports", handler(a.createReport))
	mux.Handle("GET /api/v1/me/reports", handler(a.myReports))
	mux.Handle("GET /api/v1/moderation/cases", handler(a.moderationQueue))
	mux.Handle("GET /api/v1/moderation/cases/{id}", handler(a.moderationCase))
	mux.Handle("POST /api/v1/moderation/cases/{id}/resolve", handler(a.resolveCase))
	a.registerModerationActions(mux)
}

func (a *API) createReport(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Post, me.ID.String()); err != nil {
		return err
	}
	var in moderation.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	rep, err := a.app.Moderation.Report(r.Context(), me, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, rep)
	return nil
}

func (a *API) myReports(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	items, err := a.app.Moderation.MyReports(r.Context(), me.ID, 50)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *API) moderationQueue(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	items, err := a.app.Moderation.Queue(r.Context(), me, r.URL.Query().Get("status"), 100)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *API) moderationCase(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if !moderation.CanModerate(me) {
		_, err := a.app.Moderation.Queue(r.Context(), me, "", 1) // the service's 403
		return err
	}
	cid, err := httpx.PathID(r, "id", "case")
	if err != nil {
		return err
	}
	c, err := a.app.Moderation.Get(r.Context(), me, cid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) resolveCase(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if !moderation.CanModerate(me) {
		_, err := a.app.Moderation.Queue(r.Context(), me, "", 1) // the service's 403
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	cid, err := httpx.PathID(r, "id", "case")
	if err != nil {
		return err
	}
	var in struct{ Status, Outcome string }
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := a.app.Moderation.Resolve(r.Context(), me, cid, in.Status, in.Outcome)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}
