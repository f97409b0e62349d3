package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/orders"
	"github.com/redmark/redmark/internal/shop"
)

var orderURL = regexp.MustCompile(`/orders/[0-9]+$`)

// shopFixture is a store with two products that have images, and a live
// flash sale on the first.
type shopFixture struct {
	products, skus []string
	sale           string
	merchant       accounts.User
}

func newShopFixture(t *testing.T, e *apitest.Env) shopFixture {
	t.Helper()
	ctx := context.Background()
	m := e.SignUp("shopkeeper")
	mu, err := e.App.Accounts.GetByUsername(ctx, "shopkeeper")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.App.Accounts.SetRole(ctx, mu.ID, accounts.RoleMerchant); err != nil {
		t.Fatal(err)
	}
	mu.Role = accounts.RoleMerchant
	st, err := e.App.Shop.CreateStore(ctx, mu, shop.StoreInput{Name: "小红的店"})
	if err != nil {
		t.Fatal(err)
	}
	var f shopFixture
	for i, title := range []string{"玫瑰精华 Rose serum", "保湿面霜 Day cream"} {
		img, _ := id.Parse(m.Upload("/api/v1/media", "p.png", pic(t, uint8(60*i))).Want(201).Str("id"))
		p, err := e.App.Shop.CreateProduct(ctx, mu, shop.ProductInput{StoreID: st.ID, Title: title, Fulfilment: "domestic",
			ImageIDs: []id.ID{img}, SKUs: []shop.SKUInput{{Options: map[string]string{}, Price: int64(12900 + 1000*i), Stock: 40}}})
		if err != nil {
			t.Fatal(err)
		}
		f.skus = append(f.skus, p.SKUs[0].ID.String())
		f.products = append(f.products, p.ID.String())
	}
	sku, _ := id.Parse(f.skus[0])
	op, err := e.App.Accounts.CreateOperator(ctx, "boss", "password123")
	if err != nil {
		t.Fatal(err)
	}
	sl, err := e.App.Flash.Create(ctx, op, flashsale.Input{SKUID: sku, Title: "精华限时购", Price: 6900, Stock: 5,
		PerUserLimit: 2, StartsAt: time.Now().Add(-time.Second), EndsAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	f.sale, f.merchant = sl.ID.String(), mu
	return f
}

func pic(t *testing.T, shade uint8) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 240, 240))
	for y := range 240 {
		for x := range 240 {
			img.Set(x, y, color.RGBA{250 - shade, uint8(120 + y/3), uint8(130+x/3) - shade/2, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fullShot saves a full-page PNG (the whole scroll height), for looking
// at a page's layout.
func fullShot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("REDMARK_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	var buf []byte
	run(t, ctx, "screenshot "+name, chromedp.FullScreenshot(&buf, 100))
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

// inLang signs a new shopper up and switches the site to lang.
func inLang(t *testing.T, base, path, username, lang string) context.Context {
	b := browser(t, path)
	signup(t, b, base, username, username)
	run(t, b, "switch to "+lang, chromedp.Navigate(base+"/lang?to="+lang+"&back=/"), waitLoaded(func(string) bool { return true }))
	return b
}

func phone(ctx context.Context) error   { return chromedp.EmulateViewport(390, 844).Do(ctx) }
func desktop(ctx context.Context) error { return chromedp.EmulateViewport(1440, 900).Do(ctx) }

func fillAddress(name, line string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.SetValue(tid("addr-name"), name, chromedp.ByQuery),
		chromedp.SetValue(tid("addr-phone"), "13800138000", chromedp.ByQuery),
		chromedp.SetValue(tid("addr-region"), "上海市", chromedp.ByQuery),
		chromedp.SetValue(tid("addr-city"), "上海市", chromedp.ByQuery),
		chromedp.SetValue(tid("addr-district"), "静安区", chromedp.ByQuery),
		chromedp.SetValue(tid("addr-postcode"), "200040", chromedp.ByQuery),
		chromedp.SetValue(tid("addr-line"), line, chromedp.ByQuery),
	}
}

// waitCount waits until the page shows n elements matching sel.
func waitCount(sel string, n int) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var got int
			if err := chromedp.Run(ctx, count(sel, &got)); err == nil && got == n {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

func count(sel string, n *int) chromedp.Action {
	return chromedp.Evaluate(`document.querySelectorAll('`+sel+`').length`, n)
}

// TestAddressBookInBrowser, in zh-CN and English: a first order with an
// address typed in and saved, then the address book (add, make default,
// edit, delete), then checkout and a flash sale choosing from the book,
// with a round trip through "manage addresses".
func TestAddressBookInBrowser(t *testing.T) {
	path := chromium(t)
	e := apitest.New(t, dbtest.SQLite(t))
	f := newShopFixture(t, e)
	for _, lang := range []string{"zh-CN", "en"} {
		b := inLang(t, e.URL, path, "buyer_"+lang[:2], lang)
		run(t, b, "first checkout with a new address ("+lang+")", chromedp.ActionFunc(phone),
			chromedp.Navigate(e.URL+"/checkout?sku="+f.skus[0]),
			chromedp.WaitVisible(tid("addrpick"), chromedp.ByQuery),
			fillAddress("林小红", "南京西路 1266 号"),
			click(tid("addr-save")),
			click(tid("place-order")),
			waitLoaded(func(u string) bool { return orderURL.MatchString(u) }))
		var n int
		run(t, b, "the address book holds it", chromedp.Navigate(e.URL+"/me/addresses"),
			waitText(tid("addr-list"), "林小红"), count(tid("addr-row"), &n))
		if n != 1 {
			t.Fatalf("%s: %d addresses after the first order, want 1", lang, n)
		}
		run(t, b, "add a second address as the default",
			click(tid("addr-add")), chromedp.WaitVisible(tid("address-form"), chromedp.ByQuery),
			fillAddress("Alex Lin", "Huaihai Rd 99"),
			click(tid("addr-default")),
			click(tid("addr-submit")),
			chromedp.WaitVisible(tid("addr-saved"), chromedp.ByQuery),
			waitText(`[data-testid="addr-row"]:first-child`, "Alex Lin"))
		run(t, b, "make the first one the default again, edit, then delete the other",
			click(tid("addr-make-default")),
			waitText(`[data-testid="addr-row"]:first-child`, "林小红"),
			click(`[data-testid="addr-row"]:first-child [data-testid="addr-edit"]`),
			chromedp.WaitVisible(tid("address-form"), chromedp.ByQuery),
			chromedp.SetValue(tid("addr-name"), "林小红（公司）", chromedp.ByQuery),
			click(tid("addr-submit")),
			waitText(`[data-testid="addr-row"]:first-child`, "林小红（公司）"))
		fullShot(t, b, "addresses-390-"+lang)
		run(t, b, "delete", click(`[data-testid="addr-row"]:last-child [data-testid="addr-delete"]`), waitCount(tid("addr-row"), 1))
		run(t, b, "add one more, then checkout offers the book with the default chosen",
			chromedp.Navigate(e.URL+"/me/addresses/new"), fillAddress("Alex Lin", "Huaihai Rd 99"), click(tid("addr-submit")),
			chromedp.WaitVisible(tid("addr-saved"), chromedp.ByQuery),
			chromedp.Navigate(e.URL+"/checkout?sku="+f.skus[1]),
			chromedp.WaitVisible(tid("addr-opt"), chromedp.ByQuery),
			waitText(`[data-testid="addr-opt"]:has(input:checked)`, "林小红（公司）"))
		fullShot(t, b, "checkout-390-"+lang)
		run(t, b, "manage addresses from checkout and come back",
			click(tid("addr-manage")), chromedp.WaitVisible(tid("addr-back"), chromedp.ByQuery),
			click(tid("addr-back")), chromedp.WaitVisible(tid("addrpick"), chromedp.ByQuery))
		run(t, b, "ship to the second address", click(`[data-testid="addr-opt"]:nth-of-type(2) input`), click(tid("place-order")),
			waitLoaded(func(u string) bool { return orderURL.MatchString(u) }), waitText("body", "Huaihai Rd 99"))
		run(t, b, "a flash sale offers the book", chromedp.Navigate(e.URL+"/flash/"+f.sale),
			chromedp.WaitVisible(tid("addr-opt"), chromedp.ByQuery), click(tid("flash-buy")),
			waitLoaded(func(u string) bool { return orderURL.MatchString(u) }), waitText("body", "南京西路 1266 号"))
		run(t, b, "desktop", chromedp.ActionFunc(desktop), chromedp.Navigate(e.URL+"/me/addresses"),
			chromedp.WaitVisible(tid("addr-list"), chromedp.ByQuery))
		fullShot(t, b, "addresses-1440-"+lang)
		run(t, b, "desktop checkout", chromedp.Navigate(e.URL+"/checkout?sku="+f.skus[1]), chromedp.WaitVisible(tid("addr-opt"), chromedp.ByQuery))
		fullShot(t, b, "checkout-1440-"+lang)
	}
}

// TestCartAndOrdersInBrowser, in zh-CN and English: the product page's
// stepper, the cart with images and − / + (JavaScript on), then orders in
// every tab with their images.
func TestCartAndOrdersInBrowser(t *testing.T) {
	path := chromium(t)
	e := apitest.New(t, dbtest.SQLite(t))
	f := newShopFixture(t, e)
	e.App.Sandbox.Configure(e.URL+"/api/v1/payments/sandbox/webhook", time.Millisecond, true)
	ctx := context.Background()
	for _, lang := range []string{"zh-CN", "en"} {
		b := inLang(t, e.URL, path, "shopper_"+lang[:2], lang)
		var qty string
		run(t, b, "two of the serum into the cart ("+lang+")", chromedp.ActionFunc(phone),
			chromedp.Navigate(e.URL+"/p/"+f.products[0]),
			click(tid("quantity-inc")),
			chromedp.Value(tid("quantity"), &qty, chromedp.ByQuery))
		if qty != "2" {
			t.Fatalf("%s: the product page's + made %q", lang, qty)
		}
		run(t, b, "add to cart", click(tid("add-to-cart")), waitLoaded(func(u string) bool { return strings.Contains(u, "/cart") }),
			chromedp.WaitVisible(tid("product-thumb"), chromedp.ByQuery),
			chromedp.Navigate(e.URL+"/p/"+f.products[1]), click(tid("add-to-cart")),
			waitLoaded(func(u string) bool { return strings.Contains(u, "/cart") }))
		run(t, b, "+ in the cart saves 3", click(`[data-testid="cart-line"]:first-child [data-testid="cart-qty-inc"]`),
			waitValue(`[data-testid="cart-line"]:first-child [data-testid="cart-qty"]`, "3"),
			waitLoaded(func(u string) bool { return strings.HasSuffix(u, "/cart") }))
		fullShot(t, b, "cart-390-"+lang)
		run(t, b, "desktop cart", chromedp.ActionFunc(desktop), chromedp.Reload(), chromedp.WaitVisible(tid("cart-line"), chromedp.ByQuery))
		fullShot(t, b, "cart-1440-"+lang)
		run(t, b, "phone again", chromedp.ActionFunc(phone))
		me, err := e.App.Accounts.GetByUsername(ctx, "shopper_"+lang[:2])
		if err != nil {
			t.Fatal(err)
		}
		c, err := e.App.Orders.Cart(ctx, me.ID)
		if err != nil || len(c.Items) != 2 || c.Items[0].Quantity+c.Items[1].Quantity != 4 {
			t.Fatalf("%s: cart %+v, %v: want 3 + 1", lang, c, err)
		}
		run(t, b, "check out the cart", chromedp.Navigate(e.URL+"/checkout"), fillAddress("林小红", "南京西路 1266 号"),
			click(tid("place-order")), waitLoaded(func(u string) bool { return orderURL.MatchString(u) }))
		// A second order, paid and shipped, for the tabs.
		sku, _ := id.Parse(f.skus[1])
		o, _, err := e.App.Orders.Create(ctx, me, id.New().String(), orders.CreateRequest{Items: []orders.LineRequest{{SKUID: sku, Quantity: 1}},
			Address: orders.Address{Name: "林小红", Phone: "13800138000", Region: "上海市", Line: "南京西路 1266 号"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Orders.Pay(ctx, me, o.ID); err != nil {
			t.Fatal(err)
		}
		run(t, b, "paid", chromedp.Navigate(e.URL+"/orders?tab=to_ship"), waitCountReload(tid("order-row"), 1))
		if _, err := e.App.Orders.Ship(ctx, f.merchant, o.ID, orders.Shipment{Carrier: "SF", TrackingNumber: "SF1234567890"}); err != nil {
			t.Fatal(err)
		}
		var lay layout
		run(t, b, "orders list, all", chromedp.Navigate(e.URL+"/orders"), waitCount(tid("order-row"), 2), chromedp.Evaluate(measureLayout, &lay))
		if lay.PageOverflow || lay.TabsClipped || lay.TabsWrapped {
			t.Errorf("%s orders at 390 px: %+v (want no sideways scroll, tabs on one line)", lang, lay)
		}
		fullShot(t, b, "orders-390-"+lang)
		run(t, b, "tab to pay", click(tid("order-tab-to_pay")), waitLoaded(func(u string) bool { return strings.HasSuffix(u, "tab=to_pay") }),
			waitCount(tid("order-row"), 1))
		run(t, b, "tab to receive", click(tid("order-tab-to_receive")), waitLoaded(func(u string) bool { return strings.HasSuffix(u, "tab=to_receive") }),
			waitCount(tid("order-row"), 1), waitText(tid("order-row"), "保湿面霜"))
		screenshot(t, b, "orders-to-receive-390-"+lang)
		run(t, b, "order page with images", click(`[data-testid="order-row"] a`), chromedp.WaitVisible(tid("product-thumb"), chromedp.ByQuery))
		screenshot(t, b, "order-390-"+lang)
		run(t, b, "desktop", chromedp.ActionFunc(desktop), chromedp.Navigate(e.URL+"/orders"), waitCount(tid("order-row"), 2))
		fullShot(t, b, "orders-1440-"+lang)
	}
}

// waitValue waits until the input sel holds want.
func waitValue(sel, want string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var got string
			if err := chromedp.Run(ctx, chromedp.Value(sel, &got, chromedp.ByQuery)); err == nil && got == want {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

// waitCountReload reloads the page until it shows n elements matching sel
// (for changes made outside the browser, such as a payment webhook).
func waitCountReload(sel string, n int) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var got int
			if err := chromedp.Run(ctx, chromedp.Reload(), count(sel, &got)); err == nil && got == n {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	})
}

type layout struct {
	PageOverflow bool `json:"pageOverflow"`
	TabsClipped  bool `json:"tabsClipped"`
	TabsWrapped  bool `json:"tabsWrapped"` // a tab's label takes two lines
}

const measureLayout = `(() => {
  const tabs = [...document.querySelectorAll('.tabs')];
  return {pageOverflow: document.documentElement.scrollWidth > window.innerWidth,
    tabsClipped: tabs.some(t => t.scrollWidth > t.clientWidth + 1),
    tabsWrapped: tabs.some(t => [...t.children].some(a => a.getClientRects().length > 1 || a.offsetHeight > 48))};
})()`
