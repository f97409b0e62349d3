package web_test

import (
	"context"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/live"
)

// liveWorld makes three lives of host selling product: scheduled, on air
// and ended; it returns their ids in that order.
func liveWorld(t *testing.T, e *apitest.Env, host accounts.User, product string) []string {
	t.Helper()
	ctx := context.Background()
	pid, err := id.Parse(product)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, title := range []string{"春季口红试色", "Live now", "昨晚的直播"} {
		l, key, err := e.App.Live.Create(ctx, host, live.Input{Title: title, ProductIDs: []id.ID{pid}})
		if err != nil {
			t.Fatal(err)
		}
		if i >= 1 {
			if _, err := e.App.Live.Publish(ctx, key); err != nil {
				t.Fatal(err)
			}
		}
		if i == 2 {
			if _, err := e.App.Live.End(ctx, host, l.ID); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, l.ID.String())
	}
	return out
}

var liveKeyRe = regexp.MustCompile(`data-testid="live-key">(rmk_[0-9a-f]+)<`)

// The host schedules a live on the web, sees the key once, pins a product;
// another creator cannot manage it; a buyer's order from the live is
// attributed to it and shows in the host's sales and the console.
func TestLivePages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newConsoleWorld(t, e)
		ctx := context.Background()
		host := signUp(t, e, "hostess", "Hostess")
		rival := signUp(t, e, "rival", "Rival")
		for _, n := range []string{"hostess", "rival"} {
			u, _ := e.App.Accounts.GetByUsername(ctx, n)
			if err := e.App.Accounts.SetRole(ctx, u.ID, accounts.RoleCreator); err != nil {
				t.Fatal(err)
			}
		}
		host.lang, rival.lang, w.user.lang = "en", "en", "en"
		sku, _ := id.Parse(w.sku)
		items, err := e.App.Shop.Items(ctx, []id.ID{sku})
		if err != nil {
			t.Fatal(err)
		}
		product := items[sku].ProductID.String()

		when := time.Now().UTC().Add(48 * time.Hour).Format("2006-01-02T15:04")
		// An ordinary user cannot host.
		w.user.get("/live/new").want(403)
		w.user.post("/live/new", url.Values{"title": {"x"}, "scheduled_at": {when}}).want(403)

		host.get("/live/new").want(200).has(`data-testid="live-form"`)
		host.post("/live/new", url.Values{"title": {""}, "scheduled_at": {when}}).want(400).has(`data-testid="form-error"`)
		pg := host.multipart("/live/new", url.Values{"title": {"Lipstick <b>swatches</b>"}, "scheduled_at": {when},
			"product_ids": {product}}, file{"cover", "cover.png", pngBytes(t, 60, 80)}).want(200)
		pg.has(`data-testid="live-key-once"`, "Lipstick &lt;b&gt;swatches&lt;/b&gt;", "Live video is not configured")
		if pg.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("the page with the key must not be cached: %q", pg.Header.Get("Cache-Control"))
		}
		key := liveKeyRe.FindStringSubmatch(pg.Body)[1]
		lid := regexpFind(t, pg.Body, `data-live-id="([0-9]+)"`)
		manage := "/live/" + lid + "/manage"
		host.get(manage).want(200).lacks(key).has(`data-testid="live-key-state"`)

		// The rival cannot see the manage page nor act on the live.
		rival.get(manage).want(403)
		rival.post("/live/"+lid+"/key", url.Values{"action": {"revoke"}}).want(403)
		rival.post("/live/"+lid+"/key", url.Values{"action": {"rotate"}}).want(403)
		rival.post("/live/"+lid+"/end", nil).want(403)
		rival.post("/live/"+lid+"/pin", url.Values{"product": {product}, "pinned": {"1"}}).want(403)
		rival.get("/console/live").want(403)
		if _, err := e.App.Live.Publish(ctx, key); err != nil {
			t.Fatalf("the key must survive the rival: %v", err)
		}
		// A form post without the CSRF token is refused.
		host.post("/live/"+lid+"/end", url.Values{"csrf": {"nope"}}).want(403)

		host.post("/live/"+lid+"/pin", url.Values{"product": {product}, "pinned": {"1"}}).redirectsTo(manage)
		room := w.user.get("/live/" + lid).want(200)
		room.has(`data-testid="live-product" data-pinned="1"`, `href="/p/`+product+`?live=`+lid+`"`, `id="live-chat"`, `data-live="`+lid+`"`)
		room.has("Live video is not configured").lacks(`data-testid="live-manage"`)
		w.user.get("/live").want(200).has(`data-testid="live-not-configured"`, `href="/live/`+lid+`"`)
		w.user.get("/").want(200).has(`data-testid="live-strip"`, `href="/live/`+lid+`"`, `<img src="/media/`)

		// Buy now from the live: the product page and checkout carry it.
		w.user.get("/p/" + product + "?live=" + lid).want(200).has(`name="live" value="` + lid + `"`)
		res := w.user.post("/p/"+product+"/cart", url.Values{"sku_id": {w.sku}, "quantity": {"1"}, "action": {"buy"}, "live": {lid}})
		res.redirectsTo("/checkout?sku=" + w.sku + "&qty=1&live=" + lid)
		co := w.user.get(res.Location).want(200).has(`name="live" value="` + lid + `"`)
		ck := regexpFind(t, co.Body, `name="key" value="([0-9a-f]+)"`)
		placed := w.user.post("/checkout", url.Values{"key": {ck}, "sku": {w.sku}, "qty": {"1"}, "live": {lid}, "name": {"王小红"},
			"phone": {"13800000000"}, "region": {"上海市"}, "line": {"漕溪北路 1 号"}, "action": {"place"}})
		placed.redirectsTo("/orders/")
		oid, _ := id.Parse(regexpFind(t, placed.Location, `/orders/([0-9]+)`))
		if got, err := e.App.Live.LiveOf(ctx, oid); err != nil || got.String() != lid {
			t.Fatalf("order's live: %v %v", got, err)
		}
		// Add to the cart from the live, then check out from the cart: the
		// order counts for the live too.
		carter := signUp(t, e, "carter", "Carter")
		carter.post("/p/"+product+"/cart", url.Values{"sku_id": {w.sku}, "quantity": {"1"}, "live": {lid}}).redirectsTo("/cart?added=1")
		cart := carter.get("/cart").want(200)
		store := regexpFind(t, cart.Body, `href="/checkout\?store=([0-9]+)"`)
		co = carter.get("/checkout?store=" + store).want(200)
		ck = regexpFind(t, co.Body, `name="key" value="([0-9a-f]+)"`)
		placed = carter.post("/checkout", url.Values{"key": {ck}, "store": {store}, "name": {"王小红"},
			"phone": {"13800000000"}, "region": {"上海市"}, "line": {"漕溪北路 1 号"}, "action": {"place"}})
		placed.redirectsTo("/orders/")
		oid, _ = id.Parse(regexpFind(t, placed.Location, `/orders/([0-9]+)`))
		if got, err := e.App.Live.LiveOf(ctx, oid); err != nil || got.String() != lid {
			t.Fatalf("cart order's live: %v %v", got, err)
		}
		host.get(manage).want(200).has("Orders from this live: 2 (0 paid)")
		w.op.lang = "en"
		w.op.get("/console/live").want(200).has(`data-testid="console-live"`, "Lipstick &lt;b&gt;swatches&lt;/b&gt;")

		// Rotating shows a new key once; revoking leaves none.
		pg = host.post("/live/"+lid+"/key", url.Values{"action": {"rotate"}}).want(200)
		if k2 := liveKeyRe.FindStringSubmatch(pg.Body)[1]; k2 == key {
			t.Fatal("rotation kept the key")
		}
		host.post("/live/"+lid+"/key", url.Values{"action": {"revoke"}}).redirectsTo(manage)
		host.get(manage).want(200).has("The stream key is revoked")
		host.post("/live/"+lid+"/end", nil).redirectsTo(manage)
		w.user.get("/live/"+lid).want(200).has(`data-testid="live-ended"`, "The replay is being prepared.")

		// No HLS without a media server, and never outside a live's files.
		w.user.get("/live/" + lid + "/hls/index.m3u8").want(404)
		w.user.get("/live/" + lid + "/hls/..%2F..%2Fsecret.key").want(404)
	})
}
