package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/orders"
)

// The address book pages (/me/addresses): list, add, edit, make default,
// delete, over the same orders service as /api/v1/me/addresses. Checkout
// and flash buying link here with ?back= so the shopper returns to the
// order they were placing; every form carries that back along.

func (w *Web) registerAddresses(mux *http.ServeMux) {
	mux.Handle("GET /me/addresses", w.h(w.addressesPage))
	mux.Handle("GET /me/addresses/new", w.h(w.addressNewPage))
	mux.Handle("POST /me/addresses", w.h(w.addressCreate))
	mux.Handle("GET /me/addresses/{id}/edit", w.h(w.addressEditPage))
	mux.Handle("POST /me/addresses/{id}", w.h(w.addressUpdate))
	mux.Handle("POST /me/addresses/{id}/default", w.h(w.addressDefault))
	mux.Handle("POST /me/addresses/{id}/delete", w.h(w.addressDelete))
}

type addressesData struct {
	Book  []orders.BookAddress
	Back  string // local page to return to, "" for none
	Full  bool   // the book holds orders.MaxAddresses
	Saved bool
}

type addressFormData struct {
	ID    string // "" for a new address
	In    orders.AddressInput
	Back  string
	Error string
}

// backParam is the ?back= (or posted back) page, when it is local.
func backParam(r *http.Request) string {
	b := r.FormValue("back")
	if !localPath(b) {
		return ""
	}
	return b
}

// localReferer is the path of the page that sent r when it is this site's,
// else fallback.
func localReferer(r *http.Request, fallback string) string {
	u, err := url.Parse(r.Referer())
	if err != nil || u.Host != r.Host || !localPath(u.RequestURI()) {
		return fallback
	}
	return u.RequestURI()
}

// withBack appends ?back= to an address-book URL.
func withBack(path, back string) string {
	if back == "" {
		return path
	}
	return path + "?back=" + url.QueryEscape(back)
}

func (w *Web) addressesPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	book, err := w.app.Orders.Addresses(q.r.Context(), me.ID)
	if err != nil {
		return err
	}
	d := addressesData{Book: book, Back: backParam(q.r), Full: len(book) >= orders.MaxAddresses,
		Saved: q.r.URL.Query().Get("saved") == "1"}
	q.render(http.StatusOK, "addresses", q.t("addr.title"), "me", d)
	return nil
}

func (w *Web) addressNewPage(q *req) error {
	if _, err := q.requireUser(); err != nil {
		return err
	}
	q.render(http.StatusOK, "address_form", q.t("addr.add"), "me", addressFormData{Back: backParam(q.r)})
	return nil
}

func (w *Web) addressEditPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	aid, err := q.pathID("address")
	if err != nil {
		return err
	}
	a, err := w.app.Orders.BookEntry(q.r.Context(), me.ID, aid)
	if err != nil {
		return err
	}
	d := addressFormData{ID: a.ID.String(), In: orders.AddressInput{Address: a.Address, Default: a.Default}, Back: backParam(q.r)}
	q.render(http.StatusOK, "address_form", q.t("addr.edit"), "me", d)
	return nil
}

func addressInput(r *http.Request) orders.AddressInput {
	f := r.PostFormValue
	return orders.AddressInput{Default: f("default") == "1", Address: orders.Address{Name: f("name"), Phone: f("phone"),
		Region: f("region"), City: f("city"), District: f("district"), Line: f("line"), Postcode: f("postcode")}}
}

func (w *Web) addressCreate(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return err
	}
	in := addressInput(q.r)
	if _, err := w.app.Orders.AddAddress(q.r.Context(), me.ID, in); err != nil {
		return q.addressFormError(addressFormData{In: in, Back: backParam(q.r)}, err)
	}
	q.addressDone()
	return nil
}

// addressUpdate replaces an address; ownership is checked (404) before
// the form is validated, as the service does.
func (w *Web) addressUpdate(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	aid, err := q.pathID("address")
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return err
	}
	in := addressInput(q.r)
	if _, err := w.app.Orders.UpdateAddress(q.r.Context(), me.ID, aid, in); err != nil {
		return q.addressFormError(addressFormData{ID: aid.String(), In: in, Back: backParam(q.r)}, err)
	}
	q.addressDone()
	return nil
}

func (w *Web) addressDefault(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	aid, err := q.pathID("address")
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return err
	}
	if err := w.app.Orders.SetDefaultAddress(q.r.Context(), me.ID, aid); err != nil {
		return err
	}
	q.redirect(withBack("/me/addresses", backParam(q.r)))
	return nil
}

func (w *Web) addressDelete(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	aid, err := q.pathID("address")
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return err
	}
	if err := w.app.Orders.DeleteAddress(q.r.Context(), me.ID, aid); err != nil {
		return err
	}
	q.redirect(withBack("/me/addresses", backParam(q.r)))
	return nil
}

// addressDone returns to the page the shopper came from (checkout, a
// flash sale), else to the book.
func (q *req) addressDone() {
	if b := backParam(q.r); b != "" {
		q.redirect(b)
		return
	}
	q.redirect("/me/addresses?saved=1")
}

// addressFormError shows the form again with the service's complaint in
// the viewer's language; a missing address or a server error is not a
// form error.
func (q *req) addressFormError(d addressFormData, err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Status >= 500 || ae.Status == http.StatusNotFound {
		return err
	}
	d.Error = q.problem(ae)
	title := q.t("addr.add")
	if d.ID != "" {
		title = q.t("addr.edit")
	}
	q.render(ae.Status, "address_form", title, "me", d)
	return nil
}

// addressProblem translates the orders service's address errors, which
// name the field first ("address.phone …").
func (q *req) addressProblem(ae *apperr.Error) (string, bool) {
	field, _, _ := strings.Cut(ae.Message, " ")
	if k := "addr.err." + strings.TrimPrefix(field, "address."); strings.HasPrefix(field, "address.") && q.has(k) {
		return q.t(k), true
	}
	if strings.HasPrefix(ae.Message, "an address book holds") {
		return q.t("addr.err.full"), true
	}
	return "", false
}
