package httpapi

import (
	"net/http"
	"time"

	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/promotions"
)

func (a *API) registerPromotions(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/promotions", handler(a.createPromotion))
	mux.Handle("GET /api/v1/promotions", handler(a.activePromotions))
	mux.Handle("POST /api/v1/coupons", handler(a.createCoupon))
	mux.Handle("GET /api/v1/coupons/{code}", handler(a.getCoupon))
}

func (a *API) createPromotion(w http.ResponseWriter, r *http.Request) error {
	me, err := a.shopWriter(r)
	if err != nil {
		return err
	}
	var in promotions.Promotion
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := a.app.Promotions.CreatePromotion(r.Context(), me, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, p)
	return nil
}

// activePromotions lists running promotions (?store= for one store's and
// the platform's), for campaign marks across the app.
func (a *API) activePromotions(w http.ResponseWriter, r *http.Request) error {
	store, err := shopQueryID(r, "store")
	if err != nil {
		return err
	}
	ps, err := a.app.Promotions.Active(r.Context(), store, time.Now())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": ps})
	return nil
}

func (a *API) createCoupon(w http.ResponseWriter, r *http.Request) error {
	me, err := a.shopWriter(r)
	if err != nil {
		return err
	}
	var in promotions.Coupon
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := a.app.Promotions.CreateCoupon(r.Context(), me, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) getCoupon(w http.ResponseWriter, r *http.Request) error {
	c, err := a.app.Promotions.CouponByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}
