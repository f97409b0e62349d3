package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/festivals"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/moderation"
	"github.com/redmark/redmark/internal/orders"
	"github.com/redmark/redmark/internal/productnotes"
	"github.com/redmark/redmark/internal/promotions"
	"github.com/redmark/redmark/internal/shop"
)

// The shop front (E1, E2, E4): shop home, category and store pages, the
// product page with its creators' notes and reviews. Checkout and orders
// are in checkout.go, the merchant console in merchant.go.

func (w *Web) registerShop(mux *http.ServeMux) {
	mux.Handle("GET /shop", w.h(w.shopHome))
	mux.Handle("GET /shop/c/{id}", w.h(w.shopCategory))
	mux.Handle("GET /shop/s/{id}", w.h(w.shopStore))
	mux.Handle("GET /p/{id}", w.h(w.productPage))
	mux.Handle("POST /p/{id}/cart", w.h(w.addToCart))
	mux.Handle("POST /p/{id}/reviews", w.h(w.postReview))
	w.registerCheckout(mux)
	w.registerMerchant(mux)
}

// yuan formats fen as money: ¥12.50, -¥3.00.
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s¥%d.%02d", sign, fen/100, fen%100)
}

// parseYuan reads a money field ("12", "12.5", "12.50") into fen.
func parseYuan(field, s string) (int64, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "¥")
	if s == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, apperr.Invalid("%s: at most two decimals", field)
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 || f < 0 || w > 10_000_000 {
		return 0, apperr.Invalid("%s must be an amount in yuan such as 12.50", field)
	}
	return w*100 + f, nil
}

// formInt reads an optional whole-number field.
func formInt(r *http.Request, field string) (int64, error) {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, apperr.Invalid("%s must be a whole number", field)
	}
	return v, nil
}

// pathID parses the {id} of the path; a malformed one is a missing page.
func (q *req) pathID(what string) (id.ID, error) {
	v, err := id.Parse(q.r.PathValue("id"))
	if err != nil {
		return 0, apperr.NotFound(what)
	}
	return v, nil
}

// productCard is a product in a shop grid.
type productCard struct {
	ID        id.ID
	Title     string
	Price     int64
	Cover     string
	StoreName string
	Official  bool
	Promo     string // name of a running promotion covering it
	// Festival is the mark of a running festival featuring it (festivals.go).
	Festival *festivals.Mark
}

// catalogCtx is what product cards need to know about the catalog.
type catalogCtx struct {
	cats   map[id.ID]shop.Category
	stores map[id.ID]shop.Store
	promos []promotions.Promotion
}

func (q *req) catalog() (*catalogCtx, []shop.Category, error) {
	ctx := q.r.Context()
	cs, err := q.w.app.Shop.Categories(ctx)
	if err != nil {
		return nil, nil, err
	}
	promos, err := q.w.app.Promotions.Active(ctx, 0, time.Now())
	if err != nil {
		return nil, nil, err
	}
	c := &catalogCtx{cats: map[id.ID]shop.Category{}, stores: map[id.ID]shop.Store{}, promos: promos}
	for _, x := range cs {
		c.cats[x.ID] = x
	}
	return c, cs, nil
}

func (q *req) productCards(c *catalogCtx, ps []shop.Product) ([]productCard, error) {
	out := make([]productCard, 0, len(ps))
	for _, p := range ps {
		st, ok := c.stores[p.StoreID]
		if !ok {
			var err error
			if st, err = q.w.app.Shop.GetStore(q.r.Context(), p.StoreID); err != nil {
				return nil, err
			}
			c.stores[p.StoreID] = st
		}
		pc := productCard{ID: p.ID, Title: p.Title, Price: p.PriceMin, StoreName: st.Name, Official: st.Official}
		if len(p.Images) > 0 {
			pc.Cover = thumbOf(p.Images[0])
		}
		it := shop.Item{ProductID: p.ID, StoreID: p.StoreID, Fulfilment: p.Fulfilment}
		if p.CategoryID != nil {
			it.CategoryID = *p.CategoryID
			if parent := c.cats[*p.CategoryID].ParentID; parent != nil {
				it.ParentCatID = *parent
			}
		}
		var covering []id.ID
		for _, pr := range c.promos {
			if pr.Covers(it) {
				covering = append(covering, pr.ID)
				if pr.Kind != promotions.Gift && pc.Promo == "" {
					pc.Promo = pr.Name
				}
			}
		}
		pc.Festival = q.w.app.Festivals.ForProduct(q.r.Context(), p.ID, covering)
		out = append(out, pc)
	}
	return out, nil
}

func thumbOf(m media.Media) string {
	if m.ThumbnailURL != "" {
		return m.ThumbnailURL
	}
	return m.URL
}

type shopData struct {
	Heading    string
	Lead       string
	Official   bool
	Stores     []shop.Store
	Categories []shop.Category
	Current    id.ID // the category shown
	Products   []productCard
	More       string
	Levels     *moderation.ServiceLevel // a store's after-sales record (E8)
	Suspended  bool
}

// shopList renders a product grid filtered by f.
func (q *req) shopList(f shop.ListFilter, d shopData, title string) error {
	before, err := httpx.IDCursor(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	f.Before, f.Limit = before, pageSize
	c, cats, err := q.catalog()
	if err != nil {
		return err
	}
	for _, x := range cats {
		if x.ParentID == nil {
			d.Categories = append(d.Categories, x)
		}
	}
	ps, next, err := q.w.app.Shop.ListProducts(q.r.Context(), f)
	if err != nil {
		return err
	}
	if d.Products, err = q.productCards(c, ps); err != nil {
		return err
	}
	if next != "" {
		d.More = "?cursor=" + next
	}
	q.render(http.StatusOK, "shop", title, "shop", d)
	return nil
}

func (w *Web) shopHome(q *req) error {
	stores, err := w.app.Shop.Stores(q.r.Context(), 12)
	if err != nil {
		return err
	}
	return q.shopList(shop.ListFilter{}, shopData{Heading: q.t("shop.title"), Stores: stores}, q.t("shop.title"))
}

// categoryName picks the category's name in the page language.
func (q *req) categoryName(c shop.Category) string {
	if q.lang == langZH && c.NameZH != "" {
		return c.NameZH
	}
	return c.Name
}

func (w *Web) shopCategory(q *req) error {
	cid, err := q.pathID("category")
	if err != nil {
		return err
	}
	c, err := w.app.Shop.GetCategory(q.r.Context(), cid)
	if err != nil {
		return err
	}
	name := q.categoryName(c)
	return q.shopList(shop.ListFilter{CategoryID: cid}, shopData{Heading: name, Current: cid}, name)
}

func (w *Web) shopStore(q *req) error {
	sid, err := q.pathID("store")
	if err != nil {
		return err
	}
	st, err := w.app.Shop.GetStore(q.r.Context(), sid)
	if err != nil {
		return err
	}
	lv, err := w.app.Moderation.ServiceLevels(q.r.Context(), sid)
	if err != nil {
		return err
	}
	return q.shopList(shop.ListFilter{StoreID: sid}, shopData{Heading: st.Name, Lead: st.Description, Official: st.Official,
		Levels: &lv, Suspended: st.Suspended}, st.Name)
}

// skuView is a SKU as the variant picker shows it, priced by the
// promotions service.
type skuView struct {
	shop.SKU
	Label string
	Final int64 // price after the best running promotion
	Promo string
}

type productData struct {
	P          shop.Product
	Store      shop.Store
	Category   string
	SKUs       []skuView
	From       int64 // cheapest final price
	Notes      []card
	MoreNotes  string
	Reviews    []productnotes.Review
	Rating     productnotes.Summary
	CanManage  bool
	Error      string
	ReviewBody string
	Live       string // ?live=: the live the visitor came from, carried to checkout by "buy now"
	Reviewed   bool
	Festival   *festivals.Mark // a running festival featuring it
}

// maxPricedSKUs bounds how many SKUs the product page prices one by one.
const maxPricedSKUs = 60

func (w *Web) productPage(q *req) error {
	pid, err := q.pathID("product")
	if err != nil {
		return err
	}
	q.noteClick(pid)
	return q.renderProduct(pid, http.StatusOK, nil)
}

func (q *req) renderProduct(pid id.ID, status int, edit func(*productData)) error {
	ctx := q.r.Context()
	p, err := q.w.app.Shop.GetProduct(ctx, q.me, pid)
	if err != nil {
		return err
	}
	st, err := q.w.app.Shop.GetStore(ctx, p.StoreID)
	if err != nil {
		return err
	}
	d := productData{P: p, Store: st, CanManage: q.me != nil && st.CanManage(*q.me), Reviewed: q.r.URL.Query().Get("reviewed") == "1",
		Live: q.liveParam()}
	if p.CategoryID != nil {
		if c, err := q.w.app.Shop.GetCategory(ctx, *p.CategoryID); err == nil {
			d.Category = q.categoryName(c)
		}
	}
	items, err := q.w.app.Shop.Items(ctx, skuIDs(p.SKUs))
	if err != nil {
		return err
	}
	now := time.Now()
	for i, k := range p.SKUs {
		if !k.Active {
			continue
		}
		v := skuView{SKU: k, Label: skuLabel(p.Options, k.Options), Final: k.Price}
		if i < maxPricedSKUs {
			qt, err := q.w.app.Promotions.Quote(ctx, q.viewerID(), p.StoreID, []promotions.Line{{Item: items[k.ID], Quantity: 1}}, "", now)
			if err != nil {
				return err
			}
			v.Final = qt.Subtotal - qt.PromotionDiscount
			for _, s := range qt.Steps {
				if s.Kind == "promotion" && s.Amount != 0 {
					v.Promo = s.Label
				}
			}
		}
		if len(d.SKUs) == 0 || v.Final < d.From {
			d.From = v.Final
		}
		d.SKUs = append(d.SKUs, v)
	}
	if d.Festival, err = q.productFestival(p, items); err != nil {
		return err
	}
	ns, err := q.w.app.ProductNotes.Notes(ctx, q.me, pid, 0, 6)
	if err != nil {
		return err
	}
	if d.Notes, err = q.cards(ns); err != nil {
		return err
	}
	if d.Reviews, d.Rating, err = q.w.app.ProductNotes.Reviews(ctx, q.me, pid, 0, 20); err != nil {
		return err
	}
	if edit != nil {
		edit(&d)
	}
	q.render(status, "product", p.Title, "shop", d)
	return nil
}

func skuIDs(ks []shop.SKU) []id.ID {
	out := make([]id.ID, len(ks))
	for i, k := range ks {
		out[i] = k.ID
	}
	return out
}

// skuLabel lists a SKU's option values in the product's option order.
func skuLabel(opts []shop.Option, chosen map[string]string) string {
	var parts []string
	for _, o := range opts {
		parts = append(parts, chosen[o.Name])
	}
	return strings.Join(parts, " / ")
}

// addToCart puts the chosen SKU in the cart, or with action "buy" goes
// straight to checkout with just that SKU.
func (w *Web) addToCart(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	pid, err := q.pathID("product")
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return err
	}
	sku, err := id.Parse(q.r.PostFormValue("sku_id"))
	if err != nil {
		return q.renderProduct(pid, http.StatusBadRequest, func(d *productData) { d.Error = q.t("shop.pick_variant") })
	}
	qty, err := formInt(q.r, "quantity")
	if err == nil && qty == 0 {
		qty = 1
	}
	if err == nil && q.r.PostFormValue("action") == "buy" {
		// Price it now so a bad quantity shows on the product page.
		_, err = w.app.Orders.Preview(q.r.Context(), me, orders.CreateRequest{Items: []orders.LineRequest{{SKUID: sku, Quantity: qty}}})
		if err == nil {
			to := fmt.Sprintf("/checkout?sku=%s&qty=%d", sku, qty)
			if l := q.liveParam(); l != "" {
				to += "&live=" + l
			}
			q.redirect(to)
			return nil
		}
	}
	if err == nil {
		live, _ := id.ParseOK(q.liveParam())
		_, err = w.app.AddToCart(q.r.Context(), me.ID, sku, qty, live)
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Status < 500 && ae.Status != http.StatusUnauthorized {
		return q.renderProduct(pid, ae.Status, func(d *productData) { d.Error = q.problem(ae) })
	}
	if err != nil {
		return err
	}
	q.redirect("/cart?added=1")
	return nil
}

// postReview sends a buyer's review (optionally with images, optionally
// published as a note) to the service, which decides who may review.
func (w *Web) postReview(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	pid, err := q.pathID("product")
	if err != nil {
		return err
	}
	fail := func(err error) error {
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Status < 500 {
			body := q.r.PostFormValue("body")
			return q.renderProduct(pid, ae.Status, func(d *productData) { d.Error, d.ReviewBody = q.problem(ae), body })
		}
		return err
	}
	if err := parseMultipart(q, maxNoteForm); err != nil {
		return fail(err)
	}
	in := productnotes.ReviewInput{Body: q.r.PostFormValue("body"), PublishAsNote: q.r.PostFormValue("publish_as_note") == "1"}
	rating, err := formInt(q.r, "rating")
	if err != nil {
		return fail(err)
	}
	in.Rating = int(rating)
	if err := q.allowWrite(me); err != nil {
		return fail(err)
	}
	if in.MediaIDs, err = q.uploadAll(me); err != nil {
		return fail(err)
	}
	if _, err := w.app.ProductNotes.CreateReview(q.r.Context(), me, pid, in); err != nil {
		return fail(err)
	}
	q.redirect("/p/" + pid.String() + "?reviewed=1#reviews")
	return nil
}

// isMerchant reports whether u may open or run stores.
func isMerchant(u *accounts.User) bool {
	return u != nil && (u.Role == accounts.RoleMerchant || u.Role == accounts.RoleBrand || u.Role == accounts.RoleOperator)
}
