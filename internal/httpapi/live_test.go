package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/live"
)

// hook posts an nginx-rtmp callback (form-encoded, no session).
func hook(t *testing.T, e *apitest.Env, secret, call, name, query string) *http.Response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(e.URL+live.HookPath(secret)+"/"+call+query, url.Values{"call": {call}, "name": {name}, "app": {"live"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func TestLiveAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := apitest.NewWithConfig(t, d, app.Config{DataDir: t.TempDir(),
			Live: live.Config{RTMPURL: "rtmp://127.0.0.1:1935/live", Dir: t.TempDir(), HookSecret: "s3cret"}})
		f := newShopFixture(t, e)
		host := withRole(t, e, "host1", "creator")
		rival := withRole(t, e, "host2", "creator")
		viewer := e.SignUp("viewer")

		viewer.Do("POST", "/api/v1/lives", map[string]any{"title": "mine"}).WantError(403, "forbidden")
		e.Anon().Do("POST", "/api/v1/lives", map[string]any{"title": "mine"}).Want(401)
		host.Do("POST", "/api/v1/lives", map[string]any{"title": ""}).Want(400)
		host.Do("POST", "/api/v1/lives", map[string]any{"title": "x", "product_ids": []string{"42"}}).Want(400)
		r := host.Do("POST", "/api/v1/lives", map[string]any{"title": "Scarves live", "product_ids": []string{f.product}}).Want(201)
		lid, key := r.Str("live.id"), r.Str("stream_key")
		if r.Str("rtmp_url") != "rtmp://127.0.0.1:1935/live" || !strings.HasPrefix(key, "rmk_") {
			t.Fatalf("create: %s", r.Body)
		}
		e.Anon().Do("GET", "/api/v1/lives/"+lid, nil).Want(200)
		if strings.Contains(string(e.Anon().Do("GET", "/api/v1/lives/"+lid, nil).Body), key) {
			t.Fatal("the key must not be readable")
		}

		// B cannot touch A's live; ordinary users get 403 on the console.
		rival.Do("PATCH", "/api/v1/lives/"+lid, map[string]any{"title": "taken"}).Want(403)
		rival.Do("POST", "/api/v1/lives/"+lid+"/key", nil).Want(403)
		rival.Do("DELETE", "/api/v1/lives/"+lid+"/key", nil).Want(403)
		rival.Do("POST", "/api/v1/lives/"+lid+"/end", nil).Want(403)
		rival.Do("PUT", "/api/v1/lives/"+lid+"/pins/"+f.product, nil).Want(403)
		rival.Do("GET", "/api/v1/lives/"+lid+"/sales", nil).Want(403)
		viewer.Do("GET", "/api/v1/console/lives", nil).Want(403)
		f.op.Do("GET", "/api/v1/console/lives", nil).Want(200)

		// The callbacks: a wrong secret is a 404; a wrong key a 403; the
		// right one relays the stream under the live's name.
		if res := hook(t, e, "wrong", "publish", key, "?relay=rtmp://127.0.0.1:1935/hls"); res.StatusCode != 404 {
			t.Fatalf("wrong secret: %d", res.StatusCode)
		}
		if res := hook(t, e, "s3cret", "publish", "rmk_nope", "?relay=rtmp://127.0.0.1:1935/hls"); res.StatusCode != 403 {
			t.Fatalf("wrong key: %d", res.StatusCode)
		}
		res := hook(t, e, "s3cret", "publish", key, "?relay=rtmp://127.0.0.1:1935/hls")
		if res.StatusCode != 302 || res.Header.Get("Location") != "rtmp://127.0.0.1:1935/hls/live_"+lid {
			t.Fatalf("publish: %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if l := host.Do("GET", "/api/v1/lives/"+lid, nil).Want(200); l.Str("status") != "live" || l.Str("playback_url") == "" {
			t.Fatalf("on air: %s", l.Body)
		}
		if res := hook(t, e, "s3cret", "update", key, ""); res.StatusCode != 204 {
			t.Fatalf("update: %d", res.StatusCode)
		}
		host.Do("PUT", "/api/v1/lives/"+lid+"/pins/"+f.product, nil).Want(200)

		// An order from the live carries it (only for the live's products).
		buyer := e.SignUp("buyer")
		addr := map[string]any{"name": "Li Lei", "phone": "13800000000", "region": "Beijing", "line": "1 Road", "postcode": "100000"}
		buyer.DoWith("POST", "/api/v1/orders", map[string]any{"items": []map[string]any{{"sku_id": f.skus[0], "quantity": 1}},
			"address": addr, "live_id": lid}, http.Header{"Idempotency-Key": {"o1"}}).Want(201)
		other := addProduct(t, f.m2, f.store2, "Not in the live", 500, 5, "domestic")
		buyer.DoWith("POST", "/api/v1/orders", map[string]any{"items": []map[string]any{{"sku_id": other, "quantity": 1}},
			"address": addr, "live_id": lid}, http.Header{"Idempotency-Key": {"o2"}}).Want(201)
		if s := host.Do("GET", "/api/v1/lives/"+lid+"/sales", nil).Want(200); s.Num("orders") != 1 {
			t.Fatalf("sales: %s", s.Body)
		}
		// A cart line added from the live carries it through checkout; a
		// product the live does not sell is added without it.
		carter := e.SignUp("carter")
		if c := carter.Do("PUT", "/api/v1/cart/items", map[string]any{"sku_id": f.skus[1], "quantity": 2, "live_id": lid}).Want(200); c.Str("items.0.live_id") != lid {
			t.Fatalf("cart from the live: %s", c.Body)
		}
		if c := buyer.Do("PUT", "/api/v1/cart/items", map[string]any{"sku_id": other, "quantity": 1, "live_id": lid}).Want(200); c.Get("items.0.live_id") != nil {
			t.Fatalf("a product the live does not sell carried it: %s", c.Body)
		}
		carter.DoWith("POST", "/api/v1/orders", map[string]any{"from_cart": true, "address": addr},
			http.Header{"Idempotency-Key": {"c1"}}).Want(201)
		if s := host.Do("GET", "/api/v1/lives/"+lid+"/sales", nil).Want(200); s.Num("orders") != 2 {
			t.Fatalf("sales after the cart checkout: %s", s.Body)
		}

		// Revoking drops the stream at the next update; the stream's end
		// ends the live, and its key is refused from then on.
		host.Do("DELETE", "/api/v1/lives/"+lid+"/key", nil).Want(204)
		if res := hook(t, e, "s3cret", "update", key, ""); res.StatusCode != 403 {
			t.Fatalf("update after revoke: %d", res.StatusCode)
		}
		if res := hook(t, e, "s3cret", "publish_done", "live_"+lid, ""); res.StatusCode != 204 {
			t.Fatalf("publish_done: %d", res.StatusCode)
		}
		nk := host.Do("GET", "/api/v1/lives/"+lid, nil).Want(200)
		if nk.Str("status") != "ended" {
			t.Fatalf("ended: %s", nk.Body)
		}
		host.Do("POST", "/api/v1/lives/"+lid+"/key", nil).Want(409)
		e.Anon().Do("GET", "/api/v1/lives?status=ended", nil).Want(200)
		e.Anon().Do("GET", "/api/v1/lives?status=bogus", nil).Want(400)
	})
}
