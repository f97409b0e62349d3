package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/httpx"
)

func (a *API) registerFlash(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/flash-sales", handler(a.createFlashSale))
	mux.Handle("GET /api/v1/flash-sales", handler(a.listFlashSales))
	mux.Handle("GET /api/v1/flash-sales/{id}", handler(a.getFlashSale))
	mux.Handle("POST /api/v1/flash-sales/{id}/purchase", handler(a.purchaseFlash))
	mux.Handle("POST /api/v1/flash-sales/{id}/end", handler(a.endFlashSale))
	mux.Handle("GET /api/v1/flash-sales/{id}/orders", handler(a.flashSaleOrders))
}

func (a *API) createFlashSale(w http.ResponseWriter, r *http.Request) error {
	me, err := a.shopWriter(r)
	if err != nil {
		return err
	}
	var in flashsale.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	sl, err := a.app.Flash.Create(r.Context(), me, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, sl)
	return nil
}

func (a *API) listFlashSales(w http.ResponseWriter, r *http.Request) error {
	_, limit, err := httpx.Page(r, 20, 100)
	if err != nil {
		return err
	}
	items, err := a.app.Flash.List(r.Context(), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *API) getFlashSale(w http.ResponseWriter, r *http.Request) error {
	sid, err := httpx.PathID(r, "id", "flash sale")
	if err != nil {
		return err
	}
	me, _ := httpx.User(r)
	sl, err := a.app.Flash.Get(r.Context(), sid, me.ID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, sl)
	return nil
}

// purchaseFlash answers 201 with the receipt, the same 201 for a retried
// Idempotency-Key, or the first rejection again (409 sold out, 429 over the
// limit, 403 not started or ended).
func (a *API) purchaseFlash(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	sid, err := httpx.PathID(r, "id", "flash sale")
	if err != nil {
		return err
	}
	var in flashsale.PurchaseRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	rc, err := a.app.Flash.Purchase(r.Context(), me, sid, r.Header.Get("Idempotency-Key"), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, rc)
	return nil
}

func (a *API) endFlashSale(w http.ResponseWriter, r *http.Request) error {
	me, err := operator(r, "end flash sales")
	if err != nil {
		return err
	}
	sid, err := httpx.PathID(r, "id", "flash sale")
	if err != nil {
		return err
	}
	sl, err := a.app.Flash.End(r.Context(), me, sid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, sl)
	return nil
}

// flashSaleOrders is the operators' audit of a sale: its orders, newest first.
func (a *API) flashSaleOrders(w http.ResponseWriter, r *http.Request) error {
	me, err := operator(r, "audit flash sales")
	if err != nil {
		return err
	}
	sid, err := httpx.PathID(r, "id", "flash sale")
	if err != nil {
		return err
	}
	cursor, limit, err := httpx.Page(r, 50, flashsale.OrdersMax)
	if err != nil {
		return err
	}
	before, err := httpx.IDCursor(cursor)
	if err != nil {
		return err
	}
	items, next, err := a.app.Flash.Orders(r.Context(), me, sid, before, limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	return nil
}
