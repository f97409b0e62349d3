package web_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/shop"
)

// consoleWorld: an operator (made like the CLI makes one), a plain user,
// a store with a product, a live flash sale, and a published note.
type consoleWorld struct {
	op, user    *browser
	opUser      accounts.User
	alice       accounts.User
	store, sale string
	sku, note   string
}

func newConsoleWorld(t *testing.T, e *apitest.Env) *consoleWorld {
	t.Helper()
	ctx := context.Background()
	w := &consoleWorld{}
	var err error
	if w.opUser, err = e.App.Accounts.CreateOperator(ctx, "boss", "password123"); err != nil {
		t.Fatal(err)
	}
	w.op = newBrowser(t, e)
	w.op.get("/login").want(200)
	w.op.post("/login", url.Values{"username": {"boss"}, "password": {"password123"}}).want(303)
	w.user = signUp(t, e, "alice", "Alice")
	if w.alice, err = e.App.Accounts.GetByUsername(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	st, err := e.App.Shop.CreateStore(ctx, w.opUser, shop.StoreInput{Name: "福利社"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.App.Shop.CreateProduct(ctx, w.opUser, shop.ProductInput{StoreID: st.ID, Title: "Lipstick", Fulfilment: "domestic",
		SKUs: []shop.SKUInput{{Options: map[string]string{}, Price: 19900, Stock: 50}}})
	if err != nil {
		t.Fatal(err)
	}
	sl, err := e.App.Flash.Create(ctx, w.opUser, flashsale.Input{SKUID: p.SKUs[0].ID, Title: "限定口红", Price: 9900, Stock: 3,
		PerUserLimit: 1, StartsAt: time.Now().Add(-time.Second), EndsAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	w.store, w.sale, w.sku = st.ID.String(), sl.ID.String(), p.SKUs[0].ID.String()
	writer := e.SignUp("writer")
	img := writer.Upload("/api/v1/media", "a.png", pngBytes(t, 40, 30)).Want(201).Str("id")
	w.note = writer.Do("POST", "/api/v1/notes", map[string]any{"title": "Hot take", "body": "#coffee latte",
		"media_ids": []string{img}}).Want(201).Str("id")
	return w
}

// TestConsoleIsForOperators: every console page and action answers 403
// to a signed-in non-operator (and changes nothing), and sends anonymous
// visitors to sign in.
func TestConsoleIsForOperators(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newConsoleWorld(t, e)
		anon := newBrowser(t, e)
		for _, p := range []string{"/console", "/console/users", "/console/hot", "/console/stores", "/console/flash",
			"/console/promotions", "/console/flash/" + w.sale} {
			w.user.get(p).want(403)
			anon.get(p).redirectsTo("/login")
			w.op.get(p).want(map[bool]int{true: 303, false: 200}[p == "/console"])
		}
		posts := map[string]url.Values{
			"/console/users/" + w.alice.ID.String() + "/role": {"role": {"operator"}},
			"/console/hot/notes/" + w.note:                    {"action": {"pin"}},
			"/console/hot/topics/coffee":                      {"action": {"hide"}},
			"/console/stores/" + w.store + "/official":        {"official": {"1"}},
			"/console/flash":                                  {"sku_id": {w.sku}, "price": {"1"}, "stock": {"1"}, "per_user_limit": {"1"}, "starts_at": {"2030-01-01T00:00"}, "minutes": {"60"}},
			"/console/flash/" + w.sale + "/end":               {},
		}
		w.user.get("/")
		for p, v := range posts {
			w.user.post(p, v).want(403)
		}
		ctx := context.Background()
		if u, _ := e.App.Accounts.Get(ctx, w.alice.ID); u.Role != accounts.RoleUser {
			t.Fatalf("alice became %s", u.Role)
		}
		if sl, _ := e.App.Flash.Get(ctx, mustID(t, w.sale), 0); sl.Status != flashsale.Live {
			t.Fatalf("sale is %s after a stranger's end", sl.Status)
		}
		if sales, _ := e.App.Flash.List(ctx, 10); len(sales) != 1 {
			t.Fatalf("%d sales after a stranger's schedule", len(sales))
		}
	})
}

// TestConsoleActions: the operator finds a user and makes them a
// merchant, pins and hides hot-list entries, verifies a store, schedules
// a sale, ends one and audits its orders.
func TestConsoleActions(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newConsoleWorld(t, e)
		ctx := context.Background()
		w.op.get("/console/users?q=ALI").want(200).has(`data-testid="console-user"`, "@alice").lacks("@writer")
		w.op.post("/console/users/"+w.alice.ID.String()+"/role", url.Values{"role": {"merchant"}, "back": {"/console/users?q=ali"}}).
			redirectsTo("/console/users?q=ali")
		if u, _ := e.App.Accounts.Get(ctx, w.alice.ID); u.Role != accounts.RoleMerchant {
			t.Fatalf("alice is %s", u.Role)
		}
		// The new merchant can open a store now.
		w.user.get("/merchant").want(200).has(`data-testid="open-store-form"`)
		w.op.post("/console/users/"+w.alice.ID.String()+"/role", url.Values{"role": {"king"}}).want(400).has(`data-testid="form-error"`)
		w.op.post("/console/users/"+w.opUser.ID.String()+"/role", url.Values{"role": {"user"}}).want(409)

		w.op.post("/console/hot/notes/"+w.note, url.Values{"action": {"pin"}}).redirectsTo("/console/hot")
		w.op.get("/console/hot").want(200).has(`data-testid="unpin"`)
		w.op.post("/console/hot/notes/"+w.note, url.Values{"action": {"hide"}}).redirectsTo("/console/hot")
		w.op.get("/console/hot").want(200).has(`data-testid="unhide"`, "/console/hot/notes/"+w.note)
		w.op.post("/console/hot/notes/"+w.note, url.Values{"action": {"unhide"}}).redirectsTo("/console/hot")
		w.op.post("/console/hot/notes/"+w.note, url.Values{"action": {"bury"}}).want(400)
		w.op.post("/console/hot/topics/coffee", url.Values{"action": {"hide"}}).redirectsTo("/console/hot")
		w.op.get("/console/hot").want(200).has("#coffee")

		w.op.post("/console/stores/"+w.store+"/official", url.Values{"official": {"1"}}).redirectsTo("/console/stores")
		if st, _ := e.App.Shop.GetStore(ctx, mustID(t, w.store)); !st.Official {
			t.Fatal("store not official")
		}

		bad := url.Values{"sku_id": {w.sku}, "price": {"999"}, "stock": {"1"}, "per_user_limit": {"1"}, "starts_at": {"2030-01-01T00:00"}, "minutes": {"60"}}
		w.op.post("/console/flash", bad).want(400).has(`data-testid="form-error"`, `value="999"`)
		good := url.Values{"sku_id": {w.sku}, "title": {"早鸟"}, "price": {"9.90"}, "stock": {"2"}, "per_user_limit": {"1"},
			"starts_at": {time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04")}, "minutes": {"30"}}
		w.op.post("/console/flash", good).redirectsTo("/console/flash")
		w.op.get("/console/flash").want(200).has("早鸟", `data-status="upcoming"`, `data-status="live"`)

		// Alice buys in the live sale; the audit lists her order; ending stops sales.
		pg := w.user.get("/flash/" + w.sale).want(200)
		order := w.user.post("/flash/"+w.sale, url.Values{"key": {flashKey.FindStringSubmatch(pg.Body)[1]}, "qty": {"1"},
			"name": {"林小红"}, "phone": {"13800138000"}, "region": {"上海市"}, "line": {"漕溪北路 88 号"}}).
			redirectsTo("/orders/").Location
		w.op.get("/console/flash/" + w.sale).want(200).has(`href="` + order + `"`)
		w.op.post("/console/flash/"+w.sale+"/end", nil).redirectsTo("/console/flash/" + w.sale)
		w.op.get("/console/flash/" + w.sale).want(200).has(`data-status="ended"`)
		w.op.post("/console/flash/"+w.sale+"/end", nil).want(409)
		if sl, _ := e.App.Flash.Get(ctx, mustID(t, w.sale), 0); sl.Status != flashsale.Ended {
			t.Fatalf("sale is %s after end", sl.Status)
		}
	})
}

func mustID(t *testing.T, s string) id.ID {
	t.Helper()
	v, err := id.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
