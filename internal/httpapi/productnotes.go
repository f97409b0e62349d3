package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/productnotes"
)

func (a *API) registerProductNotes(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/products/{id}/notes", handler(a.productNotes))
	mux.Handle("GET /api/v1/products/{id}/reviews", handler(a.productReviews))
	mux.Handle("POST /api/v1/products/{id}/reviews", handler(a.createReview))
}

// viewerUser is the signed-in user or nil.
func viewerUser(r *http.Request) *accounts.User {
	if u, ok := httpx.User(r); ok {
		return &u
	}
	return nil
}

// productNotes lists the creators' notes that link a product.
func (a *API) productNotes(w http.ResponseWriter, r *http.Request) error {
	pid, err := httpx.PathID(r, "id", "product")
	if err != nil {
		return err
	}
	before, limit, err := httpx.IDPage(r, 20, 50)
	if err != nil {
		return err
	}
	ns, err := a.app.ProductNotes.Notes(r.Context(), viewerUser(r), pid, before, limit)
	if err != nil {
		return err
	}
	return a.writeNotes(w, r, limit, ns, nil)
}

func (a *API) productReviews(w http.ResponseWriter, r *http.Request) error {
	pid, err := httpx.PathID(r, "id", "product")
	if err != nil {
		return err
	}
	before, limit, err := httpx.IDPage(r, 20, 50)
	if err != nil {
		return err
	}
	rs, sum, err := a.app.ProductNotes.Reviews(r.Context(), viewerUser(r), pid, before, limit)
	if err != nil {
		return err
	}
	var next *string
	if len(rs) == limit {
		c := rs[len(rs)-1].ID.String()
		next = &c
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": rs, "rating": sum, "next_cursor": next})
	return nil
}

// createReview: a review published as a note counts against the posting
// limit, others against the write limit.
func (a *API) createReview(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	pid, err := httpx.PathID(r, "id", "product")
	if err != nil {
		return err
	}
	var in productnotes.ReviewInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	limiter := a.app.Limits.Write
	if in.PublishAsNote {
		limiter = a.app.Limits.Post
	}
	if err := app.Allow(limiter, me.ID.String()); err != nil {
		return err
	}
	rv, err := a.app.ProductNotes.CreateReview(r.Context(), me, pid, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, rv)
	return nil
}
