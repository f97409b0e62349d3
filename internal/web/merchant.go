package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/moderation"
	"github.com/redmark/redmark/internal/orders"
	"github.com/redmark/redmark/internal/promotions"
	"github.com/redmark/redmark/internal/shop"
)

// The merchant console: a store's products (create, edit, SKUs), orders to
// ship, refund requests, and the promotions console. Every write goes
// through the shop, orders and promotions services, which check that the
// user manages the store.

func (w *Web) registerMerchant(mux *http.ServeMux) {
	mux.Handle("GET /merchant", w.h(w.merchantHome))
	mux.Handle("POST /merchant/stores", w.h(w.openStore))
	mux.Handle("GET /merchant/products/new", w.h(w.newProductPage))
	mux.Handle("POST /merchant/products/new", w.h(w.createProduct))
	mux.Handle("GET /merchant/products/{id}", w.h(w.editProductPage))
	mux.Handle("POST /merchant/products/{id}", w.h(w.editProduct))
	mux.Handle("GET /merchant/promotions", w.h(w.promotionsPage))
	mux.Handle("POST /merchant/promotions", w.h(w.createPromotion))
	mux.Handle("POST /merchant/coupons", w.h(w.createCoupon))
}

type merchantData struct {
	Stores   []shop.Store
	Store    *shop.Store
	Products []shop.Product
	More     string
	ToShip   []orders.Order
	Refunds  []refundRow
	Levels   moderation.ServiceLevel // the store's after-sales record (E8)
	Error    string
	CanOpen  bool
}

type refundRow struct {
	Order orders.Order
	Sale  orders.AfterSale
}

// consoleStore picks the store the console shows: ?store= or the first
// one the user manages; a store they do not manage is 403.
func (q *req) consoleStore(me accounts.User, stores []shop.Store, want string) (*shop.Store, error) {
	if want == "" {
		if len(stores) == 0 {
			return nil, nil
		}
		return &stores[0], nil
	}
	sid, err := id.Parse(want)
	if err != nil {
		return nil, apperr.NotFound("store")
	}
	st, err := q.w.app.Shop.ManagedStore(q.r.Context(), me, sid)
	if err != nil {
		return nil, err
	}
	return &st, nil
}

func (w *Web) merchantHome(q *req) error {
	return q.renderMerchant(http.StatusOK, "")
}

func (q *req) renderMerchant(status int, msg string) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	stores, err := q.w.app.Shop.ManagedStores(ctx, me)
	if err != nil {
		return err
	}
	if len(stores) == 0 && !isMerchant(&me) {
		return apperr.Forbidden("the merchant console is for merchants, brand accounts and operators")
	}
	d := merchantData{Stores: stores, Error: msg, CanOpen: isMerchant(&me)}
	if d.Store, err = q.consoleStore(me, stores, q.r.URL.Query().Get("store")); err != nil {
		return err
	}
	if d.Store != nil {
		before, err := httpx.IDCursor(q.r.URL.Query().Get("cursor"))
		if err != nil {
			return err
		}
		var next string
		if d.Products, next, err = q.w.app.Shop.StoreProducts(ctx, me, d.Store.ID, before, pageSize); err != nil {
			return err
		}
		if next != "" {
			d.More = "?store=" + d.Store.ID.String() + "&cursor=" + next
		}
		if d.Levels, err = q.w.app.Moderation.ServiceLevels(ctx, d.Store.ID); err != nil {
			return err
		}
		os, _, err := q.w.app.Orders.List(ctx, me, d.Store.ID, 0, 50)
		if err != nil {
			return err
		}
		for _, o := range os {
			if o.Status == orders.Paid {
				d.ToShip = append(d.ToShip, o)
			}
			if o.Status != orders.Paid && o.Status != orders.Shipped && o.Status != orders.Delivered {
				continue
			}
			// Refund requests come with the order's detail.
			full, err := q.w.app.Orders.Get(ctx, me, o.ID)
			if err != nil {
				return err
			}
			for _, s := range full.AfterSales {
				if s.Status == orders.Requested {
					d.Refunds = append(d.Refunds, refundRow{Order: full, Sale: s})
				}
			}
		}
	}
	q.render(status, "merchant", q.t("merchant.title"), "me", d)
	return nil
}

func (w *Web) openStore(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return err
	}
	st, err := w.app.Shop.CreateStore(q.r.Context(), me, shop.StoreInput{Name: q.r.PostFormValue("name"),
		Description: q.r.PostFormValue("description"), Kind: q.r.PostFormValue("kind")})
	var ae *apperr.Error
	if errors.As(err, &ae) && (ae.Status == http.StatusBadRequest || ae.Status == http.StatusConflict) {
		return q.renderMerchant(ae.Status, q.problem(ae))
	}
	if err != nil {
		return err
	}
	q.redirect("/merchant?store=" + st.ID.String())
	return nil
}

// productForm is the create/edit form of a product.
type productForm struct {
	Store       shop.Store
	P           *shop.Product // nil when creating
	Categories  []shop.Category
	Title       string
	Description string
	Brand       string
	Origin      string
	Fulfilment  string
	Shipping    string
	Category    string
	Listed      bool
	Opt1, Vals1 string
	Opt2, Vals2 string
	Price       string
	Stock       string
	Error       string
	Saved       bool
}

func (q *req) renderProductForm(f productForm, status int) error {
	var err error
	if f.Categories, err = q.w.app.Shop.Categories(q.r.Context()); err != nil {
		return err
	}
	title := q.t("merchant.new_product")
	if f.P != nil {
		title = q.t("merchant.edit_product")
	}
	q.render(status, "merchant_product", title, "me", f)
	return nil
}

// formStore is the store a product form is for (?store= or the form's
// store field), which the user must manage.
func (q *req) formStore(me accounts.User) (shop.Store, error) {
	s := q.r.URL.Query().Get("store")
	if v := q.r.PostFormValue("store"); v != "" {
		s = v
	}
	sid, err := id.Parse(s)
	if err != nil {
		return shop.Store{}, apperr.NotFound("store")
	}
	return q.w.app.Shop.ManagedStore(q.r.Context(), me, sid)
}

func (w *Web) newProductPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	st, err := q.formStore(me)
	if err != nil {
		return err
	}
	return q.renderProductForm(productForm{Store: st, Fulfilment: shop.Domestic, Listed: true, Stock: "100"}, http.StatusOK)
}

func readProductForm(r *http.Request) productForm {
	return productForm{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Brand: r.PostFormValue("brand"),
		Origin: r.PostFormValue("origin_country"), Fulfilment: r.PostFormValue("fulfilment"), Shipping: r.PostFormValue("shipping_fee"),
		Category: r.PostFormValue("category_id"), Listed: r.PostFormValue("listed") == "1",
		Opt1: r.PostFormValue("opt1"), Vals1: r.PostFormValue("vals1"), Opt2: r.PostFormValue("opt2"), Vals2: r.PostFormValue("vals2"),
		Price: r.PostFormValue("price"), Stock: r.PostFormValue("stock")}
}

// splitValues reads option values separated by commas (ASCII or full-width).
func splitValues(s string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// skuGrid makes one SKU per combination of the options, all at one price
// and stock (the merchant adjusts each on the edit page).
func skuGrid(opts []shop.Option, price, stock int64) []shop.SKUInput {
	combos := []map[string]string{{}}
	for _, o := range opts {
		var next []map[string]string
		for _, c := range combos {
			for _, v := range o.Values {
				m := map[string]string{o.Name: v}
				for k, x := range c {
					m[k] = x
				}
				next = append(next, m)
			}
		}
		combos = next
	}
	out := make([]shop.SKUInput, len(combos))
	for i, c := range combos {
		out[i] = shop.SKUInput{Options: c, Price: price, Stock: stock}
	}
	return out
}

func (w *Web) createProduct(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := parseMultipart(q, maxNoteForm); err != nil {
		return err
	}
	st, err := q.formStore(me)
	if err != nil {
		return err
	}
	f := readProductForm(q.r)
	f.Store = st
	fail := func(err error) error {
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Status < 500 && ae.Status != http.StatusForbidden {
			f.Error = q.problem(ae)
			return q.renderProductForm(f, ae.Status)
		}
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return fail(err)
	}
	in := shop.ProductInput{StoreID: st.ID, Title: f.Title, Description: f.Description, Brand: f.Brand, OriginCountry: f.Origin,
		Fulfilment: f.Fulfilment, Listed: &f.Listed}
	if in.ShippingFee, err = parseYuan("shipping_fee", f.Shipping); err != nil {
		return fail(err)
	}
	if f.Category != "" {
		cid, err := id.Parse(f.Category)
		if err != nil {
			return fail(apperr.Invalid("unknown category"))
		}
		in.CategoryID = &cid
	}
	for _, o := range [][2]string{{f.Opt1, f.Vals1}, {f.Opt2, f.Vals2}} {
		if strings.TrimSpace(o[0]) != "" {
			in.Options = append(in.Options, shop.Option{Name: strings.TrimSpace(o[0]), Values: splitValues(o[1])})
		}
	}
	price, err := parseYuan("price", f.Price)
	if err != nil {
		return fail(err)
	}
	stock, err := formInt(q.r, "stock")
	if err != nil {
		return fail(err)
	}
	in.SKUs = skuGrid(in.Options, price, stock)
	if len(in.SKUs) > shop.MaxSKUs {
		return fail(apperr.Invalid("at most %d SKUs", shop.MaxSKUs))
	}
	if in.ImageIDs, err = q.uploadAll(me); err != nil {
		return fail(err)
	}
	p, err := w.app.Shop.CreateProduct(q.r.Context(), me, in)
	if err != nil {
		return fail(err)
	}
	q.redirect("/merchant/products/" + p.ID.String() + "?saved=1")
	return nil
}

// editableProduct loads a product the user manages.
func (q *req) editableProduct(me accounts.User) (shop.Product, shop.Store, error) {
	pid, err := q.pathID("product")
	if err != nil {
		return shop.Product{}, shop.Store{}, err
	}
	p, err := q.w.app.Shop.GetProduct(q.r.Context(), &me, pid)
	if err != nil {
		return shop.Product{}, shop.Store{}, err
	}
	st, err := q.w.app.Shop.ManagedStore(q.r.Context(), me, p.StoreID)
	return p, st, err
}

func productFormOf(p *shop.Product, st shop.Store) productForm {
	f := productForm{Store: st, P: p, Title: p.Title, Description: p.Description, Brand: p.Brand, Origin: p.OriginCountry,
		Fulfilment: p.Fulfilment, Shipping: strings.TrimPrefix(yuan(p.ShippingFee), "¥"), Listed: p.Listed}
	if p.CategoryID != nil {
		f.Category = p.CategoryID.String()
	}
	return f
}

func (w *Web) editProductPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	p, st, err := q.editableProduct(me)
	if err != nil {
		return err
	}
	f := productFormOf(&p, st)
	f.Saved = q.r.URL.Query().Get("saved") == "1"
	return q.renderProductForm(f, http.StatusOK)
}

// editProduct saves the product fields and each SKU's price, stock and
// on-sale switch.
func (w *Web) editProduct(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := parseMultipart(q, maxNoteForm); err != nil {
		return err
	}
	p, st, err := q.editableProduct(me)
	if err != nil {
		return err
	}
	r := q.r
	f := readProductForm(r)
	f.Store, f.P = st, &p
	fail := func(err error) error {
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Status < 500 && ae.Status != http.StatusForbidden {
			f.Error = q.problem(ae)
			return q.renderProductForm(f, ae.Status)
		}
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return fail(err)
	}
	u := shop.ProductUpdate{Title: &f.Title, Description: &f.Description, Brand: &f.Brand, OriginCountry: &f.Origin,
		Fulfilment: &f.Fulfilment, Listed: &f.Listed}
	fee, err := parseYuan("shipping_fee", f.Shipping)
	if err != nil {
		return fail(err)
	}
	u.ShippingFee = &fee
	if f.Category != "" {
		cid, err := id.Parse(f.Category)
		if err != nil {
			return fail(apperr.Invalid("unknown category"))
		}
		u.CategoryID = &cid
	}
	for _, k := range p.SKUs {
		pre := "sku_" + k.ID.String() + "_"
		price, err := parseYuan("price", r.PostFormValue(pre+"price"))
		if err != nil {
			return fail(err)
		}
		stock, err := formInt(r, pre+"stock")
		if err != nil {
			return fail(err)
		}
		active := r.PostFormValue(pre+"active") == "1"
		u.SKUs = append(u.SKUs, shop.SKUUpdate{ID: k.ID, Price: &price, Stock: &stock, Active: &active})
	}
	ids, err := q.uploadAll(me)
	if err != nil {
		return fail(err)
	}
	if len(ids) > 0 { // new images replace the old ones
		u.ImageIDs = &ids
	}
	if _, err := w.app.Shop.UpdateProduct(r.Context(), me, p.ID, u); err != nil {
		return fail(err)
	}
	q.redirect("/merchant/products/" + p.ID.String() + "?saved=1")
	return nil
}

type promotionsData struct {
	Stores     []shop.Store
	Operator   bool
	Promotions []promotions.Promotion
	Error      string
	Saved      bool
}

func (w *Web) promotionsPage(q *req) error {
	return q.renderPromotions(http.StatusOK, "")
}

func (q *req) renderPromotions(status int, msg string) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	stores, err := q.w.app.Shop.ManagedStores(ctx, me)
	if err != nil {
		return err
	}
	op := me.Role == accounts.RoleOperator
	if len(stores) == 0 && !op {
		return apperr.Forbidden("the promotions console is for store managers and operators")
	}
	d := promotionsData{Stores: stores, Operator: op, Error: msg, Saved: q.r.URL.Query().Get("saved") == "1"}
	all, err := q.w.app.Promotions.Active(ctx, 0, time.Now())
	if err != nil {
		return err
	}
	mine := map[id.ID]bool{}
	for _, s := range stores {
		mine[s.ID] = true
	}
	for _, p := range all {
		if op || (p.StoreID != nil && mine[*p.StoreID]) {
			d.Promotions = append(d.Promotions, p)
		}
	}
	q.render(status, "promotions", q.t("promo.title"), "me", d)
	return nil
}

// offerWindow reads the store, scope and running window of an offer form.
func offerWindow(r *http.Request) (store, scopeID *id.ID, start, end time.Time, err error) {
	if s := r.PostFormValue("store_id"); s != "" {
		v, perr := id.Parse(s)
		if perr != nil {
			return nil, nil, start, end, apperr.Invalid("unknown store")
		}
		store = &v
	}
	if s := strings.TrimSpace(r.PostFormValue("scope_id")); s != "" {
		v, perr := id.Parse(s)
		if perr != nil {
			return nil, nil, start, end, apperr.Invalid("scope_id must be an id")
		}
		scopeID = &v
	} else if r.PostFormValue("scope") == promotions.ScopeStore && store != nil {
		scopeID = store
	}
	days, err := formInt(r, "days")
	if err != nil {
		return nil, nil, start, end, err
	}
	if days < 1 || days > 366 {
		return nil, nil, start, end, apperr.Invalid("days must be 1–366")
	}
	start = time.Now().Add(-time.Second)
	return store, scopeID, start, start.Add(time.Duration(days) * 24 * time.Hour), nil
}

func (w *Web) createPromotion(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	err = q.allowWrite(me)
	r := q.r
	p := promotions.Promotion{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), Scope: r.PostFormValue("scope"),
		Fulfilment: r.PostFormValue("fulfilment")}
	if err == nil {
		p.StoreID, p.ScopeID, p.StartsAt, p.EndsAt, err = offerWindow(r)
	}
	if err == nil {
		p.PercentOff, err = formInt(r, "percent_off")
	}
	if err == nil {
		p.AmountOff, err = parseYuan("amount_off", r.PostFormValue("amount_off"))
	}
	if err == nil {
		p.Threshold, err = parseYuan("threshold", r.PostFormValue("threshold"))
	}
	if s := strings.TrimSpace(r.PostFormValue("gift_sku_id")); err == nil && s != "" {
		g, perr := id.Parse(s)
		if perr != nil {
			err = apperr.Invalid("gift_sku_id must be an id")
		}
		p.GiftSKUID = &g
	}
	if err == nil {
		_, err = w.app.Promotions.CreatePromotion(r.Context(), me, p)
	}
	return q.afterOffer(err)
}

func (w *Web) createCoupon(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	err = q.allowWrite(me)
	r := q.r
	c := promotions.Coupon{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"),
		Scope: r.PostFormValue("scope")}
	if err == nil {
		c.StoreID, c.ScopeID, c.StartsAt, c.EndsAt, err = offerWindow(r)
	}
	if err == nil {
		c.PercentOff, err = formInt(r, "percent_off")
	}
	if err == nil {
		c.AmountOff, err = parseYuan("amount_off", r.PostFormValue("amount_off"))
	}
	if err == nil {
		c.Threshold, err = parseYuan("threshold", r.PostFormValue("threshold"))
	}
	if err == nil {
		c.PerUserLimit, err = formInt(r, "per_user_limit")
	}
	if err == nil {
		c.Quota, err = formInt(r, "quota")
	}
	if err == nil {
		_, err = w.app.Promotions.CreateCoupon(r.Context(), me, c)
	}
	return q.afterOffer(err)
}

// afterOffer shows the console again: with the service's reason, or saved.
func (q *req) afterOffer(err error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) && (ae.Status == http.StatusBadRequest || ae.Status == http.StatusConflict || ae.Status == http.StatusTooManyRequests) {
		return q.renderPromotions(ae.Status, q.problem(ae))
	}
	if err != nil {
		return err
	}
	q.redirect("/merchant/promotions?saved=1")
	return nil
}
