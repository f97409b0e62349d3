package web

import (
	"net/http"
	"time"
)

// Console areas: stores (verify as official, or withdraw it) and
// promotions (what runs now; the creation form is the promotions console
// under /merchant, which knows operators).

func (w *Web) registerConsoleStores(mux *http.ServeMux) {
	mux.Handle("GET /console/stores", w.h(w.consoleStores))
	mux.Handle("POST /console/stores/{id}/official", w.h(w.consoleVerifyStore))
}

func (w *Web) registerConsolePromotions(mux *http.ServeMux) {
	mux.Handle("GET /console/promotions", w.h(w.consolePromotions))
}

func (w *Web) consoleStores(q *req) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	sts, err := w.app.Shop.Stores(q.r.Context(), 200)
	if err != nil {
		return err
	}
	return q.renderConsole(http.StatusOK, "stores", "", sts)
}

func (w *Web) consoleVerifyStore(q *req) error {
	me, sid, err := q.consoleWrite("store")
	if err != nil {
		return err
	}
	if _, err := w.app.Shop.VerifyStore(q.r.Context(), me, sid, q.r.PostFormValue("official") == "1"); err != nil {
		return err
	}
	q.redirect("/console/stores")
	return nil
}

func (w *Web) consolePromotions(q *req) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	ps, err := w.app.Promotions.Active(q.r.Context(), 0, time.Now())
	if err != nil {
		return err
	}
	return q.renderConsole(http.StatusOK, "promotions", "", ps)
}
