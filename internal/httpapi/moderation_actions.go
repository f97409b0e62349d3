package httpapi

import (
	"net/http"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/moderation"
)

// Actions, appeals, the audit log, filter lists, spot checks and service
// levels (T1, E8); see docs/moderation.md.

func (a *API) registerModerationActions(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/moderation/cases/{id}/actions", handler(a.modAct))
	mux.Handle("POST /api/v1/moderation/actions/{id}/revert", handler(a.modRevert))
	mux.Handle("GET /api/v1/moderation/appeals", handler(a.modAppeals))
	mux.Handle("POST /api/v1/moderation/appeals/{id}/decide", handler(a.modDecide))
	mux.Handle("GET /api/v1/moderation/audit", handler(a.modAudit))
	mux.Handle("GET /api/v1/moderation/filters", handler(a.modFilters))
	mux.Handle("POST /api/v1/moderation/filters", handler(a.modAddFilter))
	mux.Handle("DELETE /api/v1/moderation/filters/{id}", handler(a.modRemoveFilter))
	mux.Handle("GET /api/v1/moderation/spot-checks", handler(a.spotChecks))
	mux.Handle("POST /api/v1/moderation/spot-checks", handler(a.scheduleSpotCheck))
	mux.Handle("POST /api/v1/moderation/spot-checks/{id}/result", handler(a.recordSpotCheck))
	mux.Handle("GET /api/v1/me/moderation", handler(a.myModeration))
	mux.Handle("POST /api/v1/me/moderation/{id}/appeal", handler(a.fileAppeal))
	mux.Handle("GET /api/v1/stores/{id}/service-levels", handler(a.serviceLevels))
}

// moderator returns the signed-in moderator (or operator), else 401/403,
// before anything of the request is read.
func moderator(r *http.Request) (accounts.User, error) {
	me, err := httpx.Require(r)
	if err != nil {
		return me, err
	}
	if !moderation.CanModerate(me) {
		return me, apperr.Forbidden("only moderators can do this")
	}
	return me, nil
}

// modWrite is a moderator's rate-limited write.
func (a *API) modWrite(r *http.Request) (accounts.User, error) {
	me, err := moderator(r)
	if err != nil {
		return me, err
	}
	return me, app.Allow(a.app.Limits.Write, me.ID.String())
}

func (a *API) modAct(w http.ResponseWriter, r *http.Request) error {
	me, err := a.modWrite(r)
	if err != nil {
		return err
	}
	cid, err := httpx.PathID(r, "id", "case")
	if err != nil {
		return err
	}
	var in moderation.ActionInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	act, err := a.app.Moderation.Act(r.Context(), me, cid, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, act)
	return nil
}

func (a *API) modRevert(w http.ResponseWriter, r *http.Request) error {
	me, err := a.modWrite(r)
	if err != nil {
		return err
	}
	aid, err := httpx.PathID(r, "id", "action")
	if err != nil {
		return err
	}
	var in struct{ Reason string }
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	act, err := a.app.Moderation.Revert(r.Context(), me, aid, in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, act)
	return nil
}

func (a *API) modAppeals(w http.ResponseWriter, r *http.Request) error {
	me, err := moderator(r)
	if err != nil {
		return err
	}
	items, err := a.app.Moderation.Appeals(r.Context(), me, r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *API) modDecide(w http.ResponseWriter, r *http.Request) error {
	me, err := a.modWrite(r)
	if err != nil {
		return err
	}
	pid, err := httpx.PathID(r, "id", "appeal")
	if err != nil {
		return err
	}
	var in struct{ Status, Decision string }
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := a.app.Moderation.Decide(r.Context(), me, pid, in.Status, in.Decision)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (a *API) modAudit(w http.ResponseWriter, r *http.Request) error {
	me, err := moderator(r)
	if err != nil {
		return err
	}
	before, limit, err := httpx.IDPage(r, 50, 200)
	if err != nil {
		return err
	}
	f := moderation.AuditFilter{TargetKind: r.URL.Query().Get("target_kind"), Before: before, Limit: limit}
	if t := r.URL.Query().Get("target_id"); t != "" {
		if f.TargetID, err = id.Parse(t); err != nil {
			return apperr.Invalid("target_id is not an id")
		}
	}
	items, err := a.app.Moderation.Audit(r.Context(), me, f)
	if err != nil {
		return err
	}
	var next any
	if len(items) == limit {
		next = items[len(items)-1].ID.String()
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	return nil
}

func (a *API) modFilters(w http.ResponseWriter, r *http.Request) error {
	me, err := moderator(r)
	if err != nil {
		return err
	}
	items, err := a.app.Moderation.Filters(r.Context(), me)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *API) modAddFilter(w http.ResponseWriter, r *http.Request) error {
	me, err := operator(r, "edit the filter lists")
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	var in moderation.FilterInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	f, err := a.app.Moderation.AddFilter(r.Context(), me, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, f)
	return nil
}

func (a *API) modRemoveFilter(w http.ResponseWriter, r *http.Request) error {
	me, err := operator(r, "edit the filter lists")
	if err != nil {
		return err
	}
	fid, err := httpx.PathID(r, "id", "filter")
	if err != nil {
		return err
	}
	if err := a.app.Moderation.RemoveFilter(r.Context(), me, fid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) spotChecks(w http.ResponseWriter, r *http.Request) error {
	me, err := operator(r, "handle spot checks")
	if err != nil {
		return err
	}
	var pid id.ID
	if p := r.URL.Query().Get("product_id"); p != "" {
		if pid, err = id.Parse(p); err != nil {
			return apperr.Invalid("product_id is not an id")
		}
	}
	items, err := a.app.Moderation.SpotChecks(r.Context(), me, pid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *API) scheduleSpotCheck(w http.ResponseWriter, r *http.Request) error {
	me, err := operator(r, "handle spot checks")
	if err != nil {
		return err
	}
	var in struct {
		ProductID id.ID     `json:"product_id"`
		DueAt     time.Time `json:"due_at"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := a.app.Moderation.ScheduleSpotCheck(r.Context(), me, in.ProductID, in.DueAt)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) recordSpotCheck(w http.ResponseWriter, r *http.Request) error {
	me, err := operator(r, "handle spot checks")
	if err != nil {
		return err
	}
	cid, err := httpx.PathID(r, "id", "spot check")
	if err != nil {
		return err
	}
	var in struct {
		Passed bool   `json:"passed"`
		Result string `json:"result"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := a.app.Moderation.RecordSpotCheck(r.Context(), me, cid, in.Passed, in.Result)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) myModeration(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	items, err := a.app.Moderation.MyActions(r.Context(), me.ID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *API) fileAppeal(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Post, me.ID.String()); err != nil {
		return err
	}
	aid, err := httpx.PathID(r, "id", "action")
	if err != nil {
		return err
	}
	var in struct{ Body string }
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := a.app.Moderation.FileAppeal(r.Context(), me, aid, in.Body)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, p)
	return nil
}

func (a *API) serviceLevels(w http.ResponseWriter, r *http.Request) error {
	sid, err := httpx.PathID(r, "id", "store")
	if err != nil {
		return err
	}
	lv, err := a.app.Moderation.ServiceLevels(r.Context(), sid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, lv)
	return nil
}
