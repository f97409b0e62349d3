package httpapi

import (
	"net/http"
	"strconv"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/creators"
	"github.com/redmark/redmark/internal/httpx"
)

// The creator centre (G2) and brand-collaboration disclosures; see
// docs/creators.md. A creator's statistics are only ever their own: the
// routes are under /me, and a note of someone else's is not found.

func (a *API) registerCreators(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/me/creator", handler(a.creatorStats))
	mux.Handle("GET /api/v1/me/creator/notes/{id}", handler(a.creatorNote))
	mux.Handle("POST /api/v1/notes/{id}/products/{product}/click", handler(a.productClick))
	mux.Handle("PUT /api/v1/notes/{id}/disclosure", handler(a.disclose))
	mux.Handle("DELETE /api/v1/notes/{id}/disclosure", handler(a.withdrawDisclosure))
}

// statDays is ?days= (default 30).
func statDays(r *http.Request) (int, error) {
	s := r.URL.Query().Get("days")
	if s == "" {
		return 30, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > creators.MaxDays {
		return 0, apperr.Invalid("days must be 1–%d", creators.MaxDays)
	}
	return n, nil
}

func (a *API) creatorStats(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	days, err := statDays(r)
	if err != nil {
		return err
	}
	st, err := a.app.Creators.Stats(r.Context(), me.ID, days)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) creatorNote(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	nid, err := httpx.PathID(r, "id", "note")
	if err != nil {
		return err
	}
	days, err := statDays(r)
	if err != nil {
		return err
	}
	ns, ds, err := a.app.Creators.NoteDays(r.Context(), me.ID, nid, days)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"note": ns, "days": ds})
	return nil
}

// productClick records a reader's click from a note to a product it links.
func (a *API) productClick(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	nid, err := httpx.PathID(r, "id", "note")
	if err != nil {
		return err
	}
	pid, err := httpx.PathID(r, "product", "product")
	if err != nil {
		return err
	}
	if err := a.app.Creators.Click(r.Context(), me.ID, nid, pid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) disclose(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	nid, err := httpx.PathID(r, "id", "note")
	if err != nil {
		return err
	}
	var in struct {
		Kind  string `json:"kind"`
		Brand string `json:"brand"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := a.app.Creators.Disclose(r.Context(), me, nid, in.Kind, in.Brand)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, d)
	return nil
}

func (a *API) withdrawDisclosure(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	nid, err := httpx.PathID(r, "id", "note")
	if err != nil {
		return err
	}
	if err := a.app.Creators.Withdraw(r.Context(), me, nid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
