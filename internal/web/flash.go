package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/orders"
)

// Flash sales (E6): the list of sales, and a sale's page with a countdown,
// then live remaining stock, then sold out. The buy button posts to a web
// route that calls the same service as the API, with an Idempotency-Key
// minted when the page was rendered, so a double click or a resubmitted
// form buys once.

func (w *Web) registerFlash(mux *http.ServeMux) {
	mux.Handle("GET /flash", w.h(w.flashList))
	mux.Handle("GET /flash/{id}", w.h(w.flashPage))
	mux.Handle("POST /flash/{id}", w.h(w.flashBuy))
	mux.Handle("GET /points", w.h(w.pointsPage))
}

func (w *Web) flashList(q *req) error {
	sales, err := w.app.Flash.List(q.r.Context(), 50)
	if err != nil {
		return err
	}
	pids := make([]id.ID, len(sales))
	for i, sl := range sales {
		pids[i] = sl.ProductID
	}
	covers, err := w.app.Shop.Covers(q.r.Context(), pids)
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "flash_list", q.t("flash.title"), "shop", flashListData{Sales: sales, Covers: covers})
	return nil
}

type flashListData struct {
	Sales  []flashsale.Sale
	Covers map[id.ID]media.Media // product → first image
}

type flashData struct {
	Sale  flashsale.Sale
	Key   string // Idempotency-Key of the buy form
	Qty   int64
	Error string
	Pick  *addrPick // the signed-in viewer's address picker
}

func (w *Web) flashPage(q *req) error { return q.renderFlash(http.StatusOK, "", 1) }

func (q *req) renderFlash(status int, msg string, qty int64) error {
	sid, err := httpx.PathID(q.r, "id", "flash sale")
	if err != nil {
		return err
	}
	var viewer = q.me
	d := flashData{Key: newKey(), Qty: qty, Error: msg}
	if viewer != nil {
		p := addrPick{Selected: "default"}
		if q.r.Method == http.MethodPost {
			p = pickForm(q.r)
		}
		if p, err = q.pick(*viewer, p); err != nil {
			return err
		}
		d.Pick = &p
		d.Sale, err = q.w.app.Flash.Get(q.r.Context(), sid, viewer.ID)
	} else {
		d.Sale, err = q.w.app.Flash.Get(q.r.Context(), sid, 0)
	}
	if err != nil {
		return err
	}
	q.render(status, "flash", d.Sale.Title, "shop", d)
	return nil
}

// flashBuy places the purchase and sends the buyer to the order to pay.
func (w *Web) flashBuy(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	sid, err := httpx.PathID(q.r, "id", "flash sale")
	if err != nil {
		return err
	}
	qty, err := strconv.ParseInt(q.r.PostFormValue("qty"), 10, 64)
	if err != nil {
		return q.renderFlash(http.StatusBadRequest, q.t("flash.bad_qty"), 1)
	}
	if err := q.allowWrite(me); err != nil {
		return q.renderFlash(http.StatusTooManyRequests, q.t("error.429"), qty)
	}
	p := pickForm(q.r)
	if err := q.saveAddress(me, &p); err != nil {
		return q.renderFlash(http.StatusBadRequest, q.errMessage(err), qty)
	}
	in := flashsale.PurchaseRequest{Quantity: qty}
	if p.Selected != "" {
		if in.AddressID, err = id.Parse(p.Selected); err != nil {
			return q.renderFlash(http.StatusBadRequest, q.t("flash.bad_qty"), qty)
		}
	} else if p.New != (orders.Address{}) {
		in.Address = &p.New
	}
	rc, err := w.app.Flash.Purchase(q.r.Context(), me, sid, "web-"+q.r.PostFormValue("key"), in)
	if err == nil {
		q.redirect("/orders/" + rc.OrderID.String())
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Status < 500 && ae.Status != http.StatusNotFound {
		return q.renderFlash(ae.Status, q.problem(ae, "flash.err."), qty)
	}
	return err
}
