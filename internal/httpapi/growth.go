package httpapi

import (
	"net/http"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/growth"
	"github.com/redmark/redmark/internal/httpx"
)

func (a *API) registerGrowth(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/me/growth", handler(a.myGrowth))
	mux.Handle("PATCH /api/v1/me/growth", handler(a.patchGrowth))
	mux.Handle("POST /api/v1/me/checkin", handler(a.checkIn))
	mux.Handle("GET /api/v1/me/invites", handler(a.myInvites))
	mux.Handle("GET /api/v1/me/tips", handler(a.myTips))
	mux.Handle("POST /api/v1/notes/{id}/tips", handler(a.tipNote))
	mux.Handle("GET /api/v1/growth/levels", handler(a.growthLevels))
	mux.Handle("GET /api/v1/growth/signups", handler(a.growthSignups))
}

// myGrowth is the task centre: level, next level's tasks, check-in calendar, rules.
func (a *API) myGrowth(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	st, err := a.app.Growth.Status(r.Context(), me.ID)
	if err != nil {
		return err
	}
	cal, err := a.app.Growth.Calendar(r.Context(), me.ID, 30)
	if err != nil {
		return err
	}
	rules, err := a.app.Growth.RuleList(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"status": st, "checkins": cal, "rules": rules})
	return nil
}

func (a *API) patchGrowth(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	var in struct {
		TimeZone string `json:"time_zone"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.app.Growth.SetTimeZone(r.Context(), me.ID, in.TimeZone); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) checkIn(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	c, err := a.app.Growth.CheckIn(r.Context(), me.ID)
	if err != nil {
		return err
	}
	a.app.Track(analytics.Event{Kind: analytics.CheckIn, User: me.ID})
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) myInvites(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	code, err := a.app.Growth.InviteCode(r.Context(), me.ID)
	if err != nil {
		return err
	}
	inv, err := a.app.Growth.Invitees(r.Context(), me.ID, 100)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"code": code, "link": "/signup?invite=" + code, "invitees": inv})
	return nil
}

func (a *API) myTips(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	tips, err := a.app.Growth.TipsByNote(r.Context(), me.ID, 100)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"notes": tips})
	return nil
}

func (a *API) tipNote(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	noteID, err := httpx.PathID(r, "id", "note")
	if err != nil {
		return err
	}
	var in struct {
		Points int64  `json:"points"`
		Key    string `json:"key"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Key == "" {
		in.Key = r.Header.Get("Idempotency-Key")
	}
	t, err := a.app.Growth.Tip(r.Context(), me.ID, noteID, in.Points, in.Key)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, t)
	return nil
}

func (a *API) growthLevels(w http.ResponseWriter, r *http.Request) error {
	levels, err := a.app.Growth.Levels(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"levels": levels})
	return nil
}

// growthSignups is the operators' acquisition report: sign-ups of the last
// `days` (default 7) by channel or by inviter, with how many became active.
func (a *API) growthSignups(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if me.Role != accounts.RoleOperator {
		return apperr.Forbidden("only operators can see acquisition reports")
	}
	since := time.Now().Add(-7 * 24 * time.Hour)
	var rows []growth.ChannelRow
	switch r.URL.Query().Get("by") {
	case "", "channel":
		rows, err = a.app.Growth.ByChannel(r.Context(), since)
	case "inviter":
		rows, err = a.app.Growth.ByInviter(r.Context(), since)
	default:
		return apperr.Invalid("by must be channel or inviter")
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"rows": rows})
	return nil
}
