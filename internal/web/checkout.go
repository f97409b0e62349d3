package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/orders"
	"github.com/redmark/redmark/internal/payments"
	"github.com/redmark/redmark/internal/shop"
)

// Buying (E3): cart, checkout with the server's quote, orders, paying with
// the provider (the sandbox's stand-in payment page), cancellation,
// after-sales, and the store's ship/track/refund decisions on the same
// order page.

func (w *Web) registerCheckout(mux *http.ServeMux) {
	mux.Handle("GET /cart", w.h(w.cartPage))
	mux.Handle("POST /cart", w.h(w.updateCart))
	mux.Handle("GET /checkout", w.h(w.checkoutPage))
	mux.Handle("POST /checkout", w.h(w.checkout))
	mux.Handle("GET /orders", w.h(w.ordersPage))
	mux.Handle("GET /orders/{id}", w.h(w.orderPage))
	mux.Handle("POST /orders/{id}/{action}", w.h(w.orderAction))
	mux.Handle("GET /pay/sandbox/{intent}", w.h(w.sandboxPage))
	mux.Handle("POST /pay/sandbox/{intent}", w.h(w.sandboxConfirm))
}

type cartGroup struct {
	Store    shop.Store
	Items    []orders.CartItem
	Subtotal int64
}

type cartData struct {
	Groups []cartGroup
	Added  bool
	Covers map[id.ID]media.Media // product → first image
	Max    int64                 // the most of one item a line takes
}

func (w *Web) cartPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	c, err := w.app.Orders.Cart(q.r.Context(), me.ID)
	if err != nil {
		return err
	}
	d := cartData{Added: q.r.URL.Query().Get("added") == "1", Max: w.app.Orders.Config().MaxQuantity}
	at := map[id.ID]int{}
	pids := make([]id.ID, len(c.Items))
	for i, it := range c.Items {
		pids[i] = it.ProductID
		i, ok := at[it.StoreID]
		if !ok {
			st, err := w.app.Shop.GetStore(q.r.Context(), it.StoreID)
			if err != nil {
				return err
			}
			i = len(d.Groups)
			at[it.StoreID] = i
			d.Groups = append(d.Groups, cartGroup{Store: st})
		}
		d.Groups[i].Items = append(d.Groups[i].Items, it)
		if it.Available {
			d.Groups[i].Subtotal += it.Amount
		}
	}
	if d.Covers, err = w.app.Shop.Covers(q.r.Context(), pids); err != nil {
		return err
	}
	q.render(http.StatusOK, "cart", q.t("cart.title"), "shop", d)
	return nil
}

// updateCart sets a line's quantity; 0 (or the remove button) drops it.
func (w *Web) updateCart(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return err
	}
	sku, err := id.Parse(q.r.PostFormValue("sku_id"))
	if err != nil {
		return apperr.Invalid("unknown item")
	}
	qty, err := formInt(q.r, "quantity")
	if err != nil {
		return err
	}
	// The stepper's − and + post the shown quantity with a step, so they
	// work without JavaScript; a step to 0 keeps the line (remove is its
	// own button).
	switch q.r.PostFormValue("step") {
	case "-1":
		qty = max(qty-1, 1)
	case "1":
		qty = min(qty+1, w.app.Orders.Config().MaxQuantity)
	}
	if q.r.PostFormValue("action") == "remove" {
		qty = 0
	}
	if _, err := w.app.Orders.SetCartItem(q.r.Context(), me.ID, sku, qty, 0); err != nil {
		return err
	}
	q.redirect("/cart")
	return nil
}

// checkoutForm is what the checkout page posts back; Key is the
// Idempotency-Key minted when the page was first shown, so a double
// submit finds the same order.
type checkoutForm struct {
	Store     string // cart mode: the store whose lines are checked out
	SKU, Qty  string // buy-now mode
	Key       string
	Pick      addrPick
	Coupon    string
	UsePoints bool
	// Points is the balance the page showed: a resubmitted form asks for
	// the same points even after the first submit spent them, so it is
	// recognised as the same request.
	Points string
	// Live is the live the buyer came from (buy-now mode); the orders
	// service attributes the order only if the live sells the product.
	Live string
}

type checkoutData struct {
	F       checkoutForm
	Pick    addrPick
	Quote   *orders.Order
	Balance int64
	Error   string
}

func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// request turns the form into a checkout request.
func (f checkoutForm) request(me accounts.User, balance int64) (orders.CreateRequest, error) {
	req := orders.CreateRequest{CouponCode: strings.TrimSpace(f.Coupon), Address: f.Pick.New}
	if f.Pick.Selected != "" {
		aid, err := id.Parse(f.Pick.Selected)
		if err != nil {
			return req, apperr.NotFound("address")
		}
		req.AddressID, req.Address = aid, orders.Address{}
	}
	if f.UsePoints {
		req.Points = balance
		if f.Points != "" {
			if _, err := fmt.Sscan(f.Points, &req.Points); err != nil || req.Points < 0 {
				return req, apperr.Invalid("points must be a whole number")
			}
		}
	}
	if f.SKU != "" {
		sku, err := id.Parse(f.SKU)
		if err != nil {
			return req, apperr.Invalid("unknown item")
		}
		var qty int64
		if _, err := fmt.Sscan(f.Qty, &qty); err != nil {
			return req, apperr.Invalid("quantity must be a whole number")
		}
		req.Items = []orders.LineRequest{{SKUID: sku, Quantity: qty}}
		req.LiveID, _ = id.ParseOK(f.Live)
		return req, nil
	}
	req.FromCart = true
	if f.Store != "" {
		sid, err := id.Parse(f.Store)
		if err != nil {
			return req, apperr.Invalid("unknown store")
		}
		req.StoreID = &sid
	}
	return req, nil
}

// renderCheckout prices the form with the orders service and shows it.
func (q *req) renderCheckout(me accounts.User, f checkoutForm, status int, msg string) error {
	ctx := q.r.Context()
	d := checkoutData{F: f, Error: msg}
	var err error
	if d.Pick, err = q.pick(me, f.Pick); err != nil {
		return err
	}
	f.Pick, d.F.Pick = d.Pick, d.Pick
	if d.Balance, err = q.w.app.Points.Balance(ctx, me.ID); err != nil {
		return err
	}
	f.Points = "" // price with the live balance, and show it
	d.F.Points = fmt.Sprint(d.Balance)
	req, err := f.request(me, d.Balance)
	if err == nil {
		var o orders.Order
		if o, err = q.w.app.Orders.Preview(ctx, me, req); err == nil {
			d.Quote = &o
		}
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Status < 500 {
		if d.Error == "" {
			d.Error = q.problem(ae)
		}
		if status == http.StatusOK {
			status = ae.Status
		}
	} else if err != nil {
		return err
	}
	q.render(status, "checkout", q.t("checkout.title"), "shop", d)
	return nil
}

func (w *Web) checkoutPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	v := q.r.URL.Query()
	f := checkoutForm{Store: v.Get("store"), SKU: v.Get("sku"), Qty: v.Get("qty"), Key: newKey(), Pick: addrPick{Selected: "default"},
		Live: q.liveParam()}
	if f.SKU != "" && f.Qty == "" {
		f.Qty = "1"
	}
	if f.SKU == "" && f.Store == "" {
		// Default to the store of the first available cart line.
		c, err := w.app.Orders.Cart(q.r.Context(), me.ID)
		if err != nil {
			return err
		}
		for _, it := range c.Items {
			if it.Available {
				f.Store = it.StoreID.String()
				break
			}
		}
		if f.Store == "" {
			q.redirect("/cart")
			return nil
		}
	}
	return q.renderCheckout(me, f, http.StatusOK, "")
}

// checkout re-prices the form ("update") or places the order.
func (w *Web) checkout(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	r := q.r
	f := checkoutForm{Store: r.PostFormValue("store"), SKU: r.PostFormValue("sku"), Qty: r.PostFormValue("qty"),
		Key: r.PostFormValue("key"), Pick: pickForm(r), Coupon: r.PostFormValue("coupon"),
		UsePoints: r.PostFormValue("use_points") == "1", Points: r.PostFormValue("points"), Live: q.liveParam()}
	if f.Key == "" {
		f.Key = newKey()
	}
	if r.PostFormValue("action") != "place" {
		return q.renderCheckout(me, f, http.StatusOK, "")
	}
	if err := q.allowWrite(me); err != nil {
		return q.renderCheckout(me, f, http.StatusTooManyRequests, q.t("error.429"))
	}
	balance, err := w.app.Points.Balance(r.Context(), me.ID)
	if err != nil {
		return err
	}
	if err := q.saveAddress(me, &f.Pick); err != nil {
		return q.renderCheckout(me, f, http.StatusBadRequest, q.errMessage(err))
	}
	req, err := f.request(me, balance)
	if err == nil {
		var o orders.Order
		if o, _, err = w.app.Orders.Create(r.Context(), me, "web-"+f.Key, req); err == nil {
			q.redirect("/orders/" + o.ID.String())
			return nil
		}
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Status < 500 {
		return q.renderCheckout(me, f, ae.Status, q.problem(ae))
	}
	return err
}

type ordersData struct {
	Orders []orders.Order
	More   string
	Tab    string
	Tabs   []orderTab
	Covers map[id.ID]media.Media
}

func (w *Web) ordersPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	before, err := httpx.IDCursor(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	tab := q.r.URL.Query().Get("tab")
	if !validTab(tab) {
		return apperr.NotFound("page")
	}
	os, next, err := w.app.Orders.ListTab(q.r.Context(), me.ID, tab, before, 20)
	if err != nil {
		return err
	}
	counts, err := w.app.Orders.TabCounts(q.r.Context(), me.ID)
	if err != nil {
		return err
	}
	d := ordersData{Orders: os, Tab: tab}
	for _, t := range orders.Tabs {
		d.Tabs = append(d.Tabs, orderTab{Key: t, Count: counts[t]})
	}
	if d.Covers, err = q.covers(os...); err != nil {
		return err
	}
	if next != "" {
		d.More = "?cursor=" + next
		if tab != "" {
			d.More += "&tab=" + tab
		}
	}
	q.render(http.StatusOK, "orders", q.t("orders.title"), "shop", d)
	return nil
}

type orderData struct {
	O        orders.Order
	Store    shop.Store
	IsBuyer  bool
	IsStore  bool
	Paying   bool // back from the payment page, waiting for the webhook
	OpenSale *orders.AfterSale
	Error    string
	Covers   map[id.ID]media.Media
}

func (w *Web) orderPage(q *req) error {
	return q.renderOrder(http.StatusOK, "")
}

func (q *req) renderOrder(status int, msg string) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	oid, err := q.pathID("order")
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	o, err := q.w.app.Orders.Get(ctx, me, oid)
	if err != nil {
		return err
	}
	st, err := q.w.app.Shop.GetStore(ctx, o.StoreID)
	if err != nil {
		return err
	}
	d := orderData{O: o, Store: st, IsBuyer: o.UserID == me.ID, IsStore: st.CanManage(me), Error: msg,
		Paying: q.r.URL.Query().Get("paying") == "1"}
	if d.Covers, err = q.covers(o); err != nil {
		return err
	}
	for i := range o.AfterSales {
		if o.AfterSales[i].Status == orders.Requested {
			d.OpenSale = &o.AfterSales[i]
		}
	}
	q.render(status, "order", q.t("order.title"), "shop", d)
	return nil
}

// orderAction runs a buyer's or store's action on an order through the
// orders service, which decides who may do what.
func (w *Web) orderAction(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	oid, err := q.pathID("order")
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return err
	}
	ctx, r := q.r.Context(), q.r
	back := "/orders/" + oid.String()
	switch r.PathValue("action") {
	case "pay":
		var it payments.Intent
		if it, err = w.app.Orders.Pay(ctx, me, oid); err == nil {
			if it.Provider == payments.SandboxName {
				q.redirect("/pay/sandbox/" + it.IntentID)
				return nil
			}
			back += "?paying=1"
		}
	case "cancel":
		_, err = w.app.Orders.Cancel(ctx, me, oid, r.PostFormValue("reason"))
	case "complete":
		_, err = w.app.Orders.Complete(ctx, me, oid)
	case "refund":
		_, err = w.app.Orders.RequestRefund(ctx, me, oid, orders.AfterSaleRequest{Reason: r.PostFormValue("reason")})
	case "ship":
		_, err = w.app.Orders.Ship(ctx, me, oid, orders.Shipment{Carrier: r.PostFormValue("carrier"),
			TrackingNumber: r.PostFormValue("tracking_number")})
	case "track":
		_, err = w.app.Orders.Track(ctx, me, oid, orders.TrackingUpdate{Description: r.PostFormValue("description"),
			Location: r.PostFormValue("location"), Delivered: r.PostFormValue("delivered") == "1"})
	case "approve", "reject":
		var sale id.ID
		if sale, err = id.Parse(r.PostFormValue("refund_id")); err != nil {
			return apperr.Invalid("unknown refund request")
		}
		_, err = w.app.Orders.DecideRefund(ctx, me, oid, sale, r.PathValue("action") == "approve", r.PostFormValue("reply"))
	default:
		return apperr.NotFound("page")
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && (ae.Status == http.StatusBadRequest || ae.Status == http.StatusConflict) {
		return q.renderOrder(ae.Status, q.problem(ae))
	}
	if err != nil {
		return err
	}
	if b := r.PostFormValue("back"); localPath(b) {
		back = b
	}
	q.redirect(back)
	return nil
}

// sandboxData is the sandbox's stand-in for a provider's payment page.
type sandboxData struct {
	Intent string
	Order  orders.Order
}

// sandboxIntent finds the order an intent pays, for its buyer only.
func (q *req) sandboxIntent() (string, orders.Order, error) {
	me, err := q.requireUser()
	if err != nil {
		return "", orders.Order{}, err
	}
	intent := q.r.PathValue("intent")
	p, err := q.w.app.Payments.PaymentByIntent(q.r.Context(), payments.SandboxName, intent)
	if err != nil {
		return "", orders.Order{}, err
	}
	o, err := q.w.app.Orders.Get(q.r.Context(), me, p.OrderID)
	if err != nil || o.UserID != me.ID {
		return "", orders.Order{}, apperr.NotFound("payment")
	}
	return intent, o, nil
}

func (w *Web) sandboxPage(q *req) error {
	intent, o, err := q.sandboxIntent()
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "paysandbox", q.t("pay.title"), "shop", sandboxData{Intent: intent, Order: o})
	return nil
}

// sandboxConfirm records the payer's decision with the sandbox, which
// confirms through its signed webhook a moment later; the order page
// waits for it. An intent that confirmed itself (auto-confirm) is fine.
func (w *Web) sandboxConfirm(q *req) error {
	intent, o, err := q.sandboxIntent()
	if err != nil {
		return err
	}
	err = w.app.Sandbox.Confirm(intent, q.r.PostFormValue("outcome") != "failed")
	if err != nil && !errors.Is(err, apperr.ErrConflict) {
		return err
	}
	q.redirect("/orders/" + o.ID.String() + "?paying=1")
	return nil
}
