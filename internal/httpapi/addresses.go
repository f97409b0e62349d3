package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/orders"
)

func (a *API) registerAddresses(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/me/addresses", handler(a.listAddresses))
	mux.Handle("POST /api/v1/me/addresses", handler(a.addAddress))
	mux.Handle("GET /api/v1/me/addresses/{id}", handler(a.getAddress))
	mux.Handle("PATCH /api/v1/me/addresses/{id}", handler(a.updateAddress))
	mux.Handle("DELETE /api/v1/me/addresses/{id}", handler(a.deleteAddress))
	mux.Handle("POST /api/v1/me/addresses/{id}/default", handler(a.defaultAddress))
}

func (a *API) listAddresses(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	list, err := a.app.Orders.Addresses(r.Context(), me.ID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"addresses": list})
	return nil
}

func (a *API) addAddress(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	var in orders.AddressInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	ad, err := a.app.Orders.AddAddress(r.Context(), me.ID, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, ad)
	return nil
}

func (a *API) getAddress(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	aid, err := httpx.PathID(r, "id", "address")
	if err != nil {
		return err
	}
	ad, err := a.app.Orders.BookEntry(r.Context(), me.ID, aid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, ad)
	return nil
}

// updateAddress replaces the whole address (PATCH for symmetry with the
// other /me resources; every field is sent).
func (a *API) updateAddress(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	aid, err := httpx.PathID(r, "id", "address")
	if err != nil {
		return err
	}
	var in orders.AddressInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	ad, err := a.app.Orders.UpdateAddress(r.Context(), me.ID, aid, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, ad)
	return nil
}

func (a *API) deleteAddress(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	aid, err := httpx.PathID(r, "id", "address")
	if err != nil {
		return err
	}
	if err := a.app.Orders.DeleteAddress(r.Context(), me.ID, aid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) defaultAddress(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	aid, err := httpx.PathID(r, "id", "address")
	if err != nil {
		return err
	}
	if err := a.app.Orders.SetDefaultAddress(r.Context(), me.ID, aid); err != nil {
		return err
	}
	ad, err := a.app.Orders.BookEntry(r.Context(), me.ID, aid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, ad)
	return nil
}
