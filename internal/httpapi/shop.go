package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/shop"
)

func (a *API) registerShop(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/stores", handler(a.createStore))
	mux.Handle("GET /api/v1/stores/{id}", handler(a.getStore))
	mux.Handle("POST /api/v1/stores/{id}/verify", handler(a.verifyStore))
	mux.Handle("GET /api/v1/categories", handler(a.listCategories))
	mux.Handle("POST /api/v1/categories", handler(a.createCategory))
	mux.Handle("POST /api/v1/products", handler(a.createProduct))
	mux.Handle("GET /api/v1/products", handler(a.listProducts))
	mux.Handle("GET /api/v1/products/{id}", handler(a.getProduct))
	mux.Handle("PATCH /api/v1/products/{id}", handler(a.patchProduct))
}

// shopWriter returns the signed-in user after the write rate limit.
func (a *API) shopWriter(r *http.Request) (accounts.User, error) {
	me, err := httpx.Require(r)
	if err != nil {
		return me, err
	}
	return me, app.Allow(a.app.Limits.Write, me.ID.String())
}

func (a *API) createStore(w http.ResponseWriter, r *http.Request) error {
	me, err := a.shopWriter(r)
	if err != nil {
		return err
	}
	var in shop.StoreInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := a.app.Shop.CreateStore(r.Context(), me, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, st)
	return nil
}

func (a *API) getStore(w http.ResponseWriter, r *http.Request) error {
	sid, err := httpx.PathID(r, "id", "store")
	if err != nil {
		return err
	}
	st, err := a.app.Shop.GetStore(r.Context(), sid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) verifyStore(w http.ResponseWriter, r *http.Request) error {
	me, err := a.shopWriter(r)
	if err != nil {
		return err
	}
	sid, err := httpx.PathID(r, "id", "store")
	if err != nil {
		return err
	}
	var in struct {
		Official bool `json:"official"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := a.app.Shop.VerifyStore(r.Context(), me, sid, in.Official)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) listCategories(w http.ResponseWriter, r *http.Request) error {
	cs, err := a.app.Shop.Categories(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": cs})
	return nil
}

func (a *API) createCategory(w http.ResponseWriter, r *http.Request) error {
	me, err := a.shopWriter(r)
	if err != nil {
		return err
	}
	var in shop.Category
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := a.app.Shop.CreateCategory(r.Context(), me, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) createProduct(w http.ResponseWriter, r *http.Request) error {
	me, err := a.shopWriter(r)
	if err != nil {
		return err
	}
	var in shop.ProductInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := a.app.Shop.CreateProduct(r.Context(), me, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, p)
	return nil
}

func (a *API) getProduct(w http.ResponseWriter, r *http.Request) error {
	pid, err := httpx.PathID(r, "id", "product")
	if err != nil {
		return err
	}
	var viewer *accounts.User
	if u, ok := httpx.User(r); ok {
		viewer = &u
	}
	p, err := a.app.Shop.GetProduct(r.Context(), viewer, pid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, p)
	return nil
}

func (a *API) patchProduct(w http.ResponseWriter, r *http.Request) error {
	me, err := a.shopWriter(r)
	if err != nil {
		return err
	}
	pid, err := httpx.PathID(r, "id", "product")
	if err != nil {
		return err
	}
	var in shop.ProductUpdate
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := a.app.Shop.UpdateProduct(r.Context(), me, pid, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, p)
	return nil
}

// listProducts serves GET /products?store=&category=&cursor=&limit=.
func (a *API) listProducts(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := httpx.Page(r, 20, 100)
	if err != nil {
		return err
	}
	f := shop.ListFilter{Limit: limit}
	if f.Before, err = httpx.IDCursor(cursor); err != nil {
		return err
	}
	if f.StoreID, err = shopQueryID(r, "store"); err != nil {
		return err
	}
	if f.CategoryID, err = shopQueryID(r, "category"); err != nil {
		return err
	}
	ps, next, err := a.app.Shop.ListProducts(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": ps, "next_cursor": next})
	return nil
}

// shopQueryID reads an optional id query parameter (0 when absent).
func shopQueryID(r *http.Request, name string) (id.ID, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	v, err := id.Parse(s)
	if err != nil {
		return 0, apperr.Invalid("%s must be an id", name)
	}
	return v, nil
}
