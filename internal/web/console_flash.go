package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
)

// Console area: flash sales — schedule, watch, end, and audit the orders.

func (w *Web) registerConsoleFlash(mux *http.ServeMux) {
	mux.Handle("GET /console/flash", w.h(w.consoleFlash))
	mux.Handle("POST /console/flash", w.h(w.consoleCreateFlash))
	mux.Handle("GET /console/flash/{id}", w.h(w.consoleFlashSale))
	mux.Handle("POST /console/flash/{id}/end", w.h(w.consoleEndFlash))
}

// flashForm is the schedule form, kept on a validation error.
type flashForm struct {
	SKU, Title, Price, Stock, Limit, Starts, Minutes string
}

type consoleFlashData struct {
	Sales []flashsale.Sale
	Form  flashForm
}

// formTime is the datetime-local format of the form; times are UTC.
const formTime = "2006-01-02T15:04"

func (w *Web) consoleFlash(q *req) error {
	f := flashForm{Starts: time.Now().UTC().Add(10 * time.Minute).Format(formTime), Minutes: "60", Limit: "1"}
	return q.renderConsoleFlash(http.StatusOK, "", f)
}

func (q *req) renderConsoleFlash(status int, msg string, f flashForm) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	sales, err := q.w.app.Flash.List(q.r.Context(), 100)
	if err != nil {
		return err
	}
	return q.renderConsole(status, "flash", msg, consoleFlashData{Sales: sales, Form: f})
}

func (w *Web) consoleCreateFlash(q *req) error {
	me, _, err := q.consoleWrite("")
	if err != nil {
		return err
	}
	f := flashForm{SKU: q.r.PostFormValue("sku_id"), Title: q.r.PostFormValue("title"), Price: q.r.PostFormValue("price"),
		Stock: q.r.PostFormValue("stock"), Limit: q.r.PostFormValue("per_user_limit"), Starts: q.r.PostFormValue("starts_at"),
		Minutes: q.r.PostFormValue("minutes")}
	in, err := flashInput(q.r, f)
	if err == nil {
		_, err = w.app.Flash.Create(q.r.Context(), me, in)
	}
	if m, st, e := q.formProblem(err); e != nil {
		return e
	} else if m != "" {
		return q.renderConsoleFlash(st, m, f)
	}
	q.redirect("/console/flash")
	return nil
}

// flashInput parses the form into the service's input; the service
// validates the figures themselves.
func flashInput(r *http.Request, f flashForm) (flashsale.Input, error) {
	in := flashsale.Input{Title: f.Title}
	var err error
	if in.SKUID, err = id.Parse(strings.TrimSpace(f.SKU)); err != nil {
		return in, apperr.Invalid("sku_id is not a SKU id")
	}
	if in.Price, err = parseYuan("price", f.Price); err != nil {
		return in, err
	}
	if in.Stock, err = formInt(r, "stock"); err != nil {
		return in, err
	}
	if in.PerUserLimit, err = formInt(r, "per_user_limit"); err != nil {
		return in, err
	}
	minutes, err := formInt(r, "minutes")
	if err != nil {
		return in, err
	}
	if in.StartsAt, err = time.Parse(formTime, strings.TrimSpace(f.Starts)); err != nil {
		return in, apperr.Invalid("starts_at must be a date and time (UTC)")
	}
	// Clamped so the multiplication cannot overflow; the service rejects
	// anything longer than 7 days.
	in.EndsAt = in.StartsAt.Add(time.Duration(min(max(minutes, 0), 1<<20)) * time.Minute)
	return in, nil
}

func (w *Web) consoleFlashSale(q *req) error {
	me, err := q.requireOperator()
	if err != nil {
		return err
	}
	sid, err := q.pathID("flash sale")
	if err != nil {
		return err
	}
	before, err := httpx.IDCursor(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	sl, err := w.app.Flash.Get(ctx, sid, 0)
	if err != nil {
		return err
	}
	os, next, err := w.app.Flash.Orders(ctx, me, sid, before, 50)
	if err != nil {
		return err
	}
	more := ""
	if next != "" {
		more = "/console/flash/" + sid.String() + "?cursor=" + next
	}
	return q.renderConsole(http.StatusOK, "flash_sale", "", struct {
		Sale   flashsale.Sale
		Orders []flashsale.SaleOrder
		More   string
	}{sl, os, more})
}

func (w *Web) consoleEndFlash(q *req) error {
	me, sid, err := q.consoleWrite("flash sale")
	if err != nil {
		return err
	}
	_, err = w.app.Flash.End(q.r.Context(), me, sid)
	if m, st, e := q.formProblem(err); e != nil {
		return e
	} else if m != "" {
		return q.renderConsoleFlash(st, m, flashForm{})
	}
	q.redirect("/console/flash/" + sid.String())
	return nil
}
