package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/festivals"
	"github.com/redmark/redmark/internal/httpx"
)

// Festivals (G5); see docs/festivals.md.

func (a *API) registerFestivals(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/festivals", handler(a.listFestivals))
	mux.Handle("GET /api/v1/festivals/current", handler(a.currentFestivals))
	mux.Handle("GET /api/v1/festivals/{slug}", handler(a.getFestival))
	mux.Handle("POST /api/v1/festivals", handler(a.saveFestival))
	mux.Handle("PUT /api/v1/festivals/{id}", handler(a.saveFestival))
}

func (a *API) listFestivals(w http.ResponseWriter, r *http.Request) error {
	_, limit, err := httpx.Page(r, 20, 100)
	if err != nil {
		return err
	}
	items, err := a.app.Festivals.List(r.Context(), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

// currentFestivals is what clients show the marks of: the running ones.
func (a *API) currentFestivals(w http.ResponseWriter, r *http.Request) error {
	items := a.app.Festivals.Running(r.Context())
	if items == nil {
		items = []festivals.Festival{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *API) getFestival(w http.ResponseWriter, r *http.Request) error {
	f, err := a.app.Festivals.BySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, f)
	return nil
}

// saveFestival creates (POST) or replaces (PUT /{id}) a festival; the
// operator check comes before the body is read.
func (a *API) saveFestival(w http.ResponseWriter, r *http.Request) error {
	me, err := operator(r, "set up festivals")
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	var in festivals.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if r.PathValue("id") == "" {
		f, err := a.app.Festivals.Create(r.Context(), me, in)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusCreated, f)
		return nil
	}
	fid, err := httpx.PathID(r, "id", "festival")
	if err != nil {
		return err
	}
	f, err := a.app.Festivals.Update(r.Context(), me, fid, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, f)
	return nil
}
