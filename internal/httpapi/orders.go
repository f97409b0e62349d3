package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/orders"
)

func (a *API) registerOrders(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/cart", handler(a.getCart))
	mux.Handle("PUT /api/v1/cart/items", handler(a.putCartItem))
	mux.Handle("POST /api/v1/orders", handler(a.createOrder))
	mux.Handle("GET /api/v1/orders", handler(a.listOrders))
	mux.Handle("GET /api/v1/orders/{id}", handler(a.getOrder))
	mux.Handle("POST /api/v1/orders/{id}/cancel", handler(a.cancelOrder))
	mux.Handle("POST /api/v1/orders/{id}/ship", handler(a.shipOrder))
	mux.Handle("POST /api/v1/orders/{id}/tracking", handler(a.trackOrder))
	mux.Handle("POST /api/v1/orders/{id}/complete", handler(a.completeOrder))
	mux.Handle("POST /api/v1/orders/{id}/refunds", handler(a.requestRefund))
	mux.Handle("POST /api/v1/orders/{id}/refunds/{refund}/approve", handler(a.decideRefund(true)))
	mux.Handle("POST /api/v1/orders/{id}/refunds/{refund}/reject", handler(a.decideRefund(false)))
}

func (a *API) getCart(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	c, err := a.app.Orders.Cart(r.Context(), me.ID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) putCartItem(w http.ResponseWriter, r *http.Request) error {
	me, err := a.shopWriter(r)
	if err != nil {
		return err
	}
	var in struct {
		orders.LineRequest
		LiveID id.ID `json:"live_id"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := a.app.AddToCart(r.Context(), me.ID, in.SKUID, in.Quantity, in.LiveID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

// createOrder answers 201 with the new order, or 200 with the same order
// when the Idempotency-Key was used before.
func (a *API) createOrder(w http.ResponseWriter, r *http.Request) error {
	me, err := a.shopWriter(r)
	if err != nil {
		return err
	}
	var in orders.CreateRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	o, created, err := a.app.Orders.Create(r.Context(), me, r.Header.Get("Idempotency-Key"), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, status, o)
	return nil
}

// listOrders serves GET /orders (mine) and GET /orders?store= (a store's).
func (a *API) listOrders(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	before, limit, err := httpx.IDPage(r, 20, 100)
	if err != nil {
		return err
	}
	store, err := shopQueryID(r, "store")
	if err != nil {
		return err
	}
	var os []orders.Order
	var next string
	if tab := r.URL.Query().Get("tab"); tab != "" {
		if store != 0 {
			return apperr.Invalid("tab narrows your own orders; leave out store")
		}
		os, next, err = a.app.Orders.ListTab(r.Context(), me.ID, tab, before, limit)
	} else {
		os, next, err = a.app.Orders.List(r.Context(), me, store, before, limit)
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": os, "next_cursor": next})
	return nil
}

func (a *API) getOrder(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	oid, err := httpx.PathID(r, "id", "order")
	if err != nil {
		return err
	}
	o, err := a.app.Orders.Get(r.Context(), me, oid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, o)
	return nil
}

// orderAction decodes the body of an order write into in (nil: no body).
func (a *API) orderAction(w http.ResponseWriter, r *http.Request, in any) (id.ID, error) {
	if _, err := a.shopWriter(r); err != nil {
		return 0, err
	}
	oid, err := httpx.PathID(r, "id", "order")
	if err != nil {
		return 0, err
	}
	if in != nil && r.ContentLength != 0 {
		if err := httpx.DecodeJSON(w, r, in); err != nil {
			return 0, err
		}
	}
	return oid, nil
}

func (a *API) cancelOrder(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	oid, err := a.orderAction(w, r, &in)
	if err != nil {
		return err
	}
	me, _ := httpx.User(r)
	o, err := a.app.Orders.Cancel(r.Context(), me, oid, in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, o)
	return nil
}

func (a *API) shipOrder(w http.ResponseWriter, r *http.Request) error {
	var in orders.Shipment
	oid, err := a.orderAction(w, r, &in)
	if err != nil {
		return err
	}
	me, _ := httpx.User(r)
	o, err := a.app.Orders.Ship(r.Context(), me, oid, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, o)
	return nil
}

func (a *API) trackOrder(w http.ResponseWriter, r *http.Request) error {
	var in orders.TrackingUpdate
	oid, err := a.orderAction(w, r, &in)
	if err != nil {
		return err
	}
	me, _ := httpx.User(r)
	o, err := a.app.Orders.Track(r.Context(), me, oid, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, o)
	return nil
}

func (a *API) completeOrder(w http.ResponseWriter, r *http.Request) error {
	oid, err := a.orderAction(w, r, nil)
	if err != nil {
		return err
	}
	me, _ := httpx.User(r)
	o, err := a.app.Orders.Complete(r.Context(), me, oid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, o)
	return nil
}

func (a *API) requestRefund(w http.ResponseWriter, r *http.Request) error {
	var in orders.AfterSaleRequest
	oid, err := a.orderAction(w, r, &in)
	if err != nil {
		return err
	}
	me, _ := httpx.User(r)
	as, err := a.app.Orders.RequestRefund(r.Context(), me, oid, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, as)
	return nil
}

func (a *API) decideRefund(approve bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in struct {
			Reply string `json:"reply"`
		}
		oid, err := a.orderAction(w, r, &in)
		if err != nil {
			return err
		}
		rid, err := httpx.PathID(r, "refund", "refund request")
		if err != nil {
			return err
		}
		me, _ := httpx.User(r)
		as, err := a.app.Orders.DecideRefund(r.Context(), me, oid, rid, approve, in.Reply)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, as)
		return nil
	}
}
