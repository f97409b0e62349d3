package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/shop"
)

var flashKey = regexp.MustCompile(`name="key" value="([0-9a-f]+)"`)

// TestFlashPages: the list links the sale; the page shows it live; the
// buy form buys once even when submitted twice, then the limit holds.
func TestFlashPages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		op, err := e.App.Accounts.CreateWithHash(ctx, "operator1", "Op", "", accounts.RoleOperator)
		if err != nil {
			t.Fatal(err)
		}
		st, err := e.App.Shop.CreateStore(ctx, op, shop.StoreInput{Name: "福利社"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := e.App.Shop.CreateProduct(ctx, op, shop.ProductInput{StoreID: st.ID, Title: "Lipstick", Fulfilment: "domestic",
			SKUs: []shop.SKUInput{{Options: map[string]string{}, Price: 19900, Stock: 5}}})
		if err != nil {
			t.Fatal(err)
		}
		sl, err := e.App.Flash.Create(ctx, op, flashsale.Input{SKUID: p.SKUs[0].ID, Title: "限定口红", Price: 9900, Stock: 3,
			PerUserLimit: 1, StartsAt: time.Now().Add(-time.Second), EndsAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		anon := newBrowser(t, e)
		anon.get("/flash").want(200).has(`href="/flash/`+sl.ID.String()+`"`, "限定口红")
		anon.get("/flash/"+sl.ID.String()).want(200).has(`data-testid="flash-login"`, `data-status="live"`)

		b := signUp(t, e, "alice", "Alice")
		pg := b.get("/flash/"+sl.ID.String()).want(200).has(`data-testid="flash-buy"`, `data-testid="flash-remaining">3<`)
		key := flashKey.FindStringSubmatch(pg.Body)[1]
		// No address yet: the purchase asks for one; then a new one saved to the book.
		b.post("/flash/"+sl.ID.String(), url.Values{"key": {key}, "qty": {"1"}}).want(400)
		form := url.Values{"key": {key}, "qty": {"1"}, "name": {"林小红"}, "phone": {"13800138000"}, "region": {"上海市"},
			"district": {"徐汇区"}, "line": {"漕溪北路 88 号"}, "save_address": {"1"}}
		first := b.post("/flash/"+sl.ID.String(), form).redirectsTo("/orders/")
		opage := b.get(first.Location).want(200).has("徐汇区", "漕溪北路 88 号", "秒杀优惠")
		if strings.Contains(opage.Body, "Flash sale") || strings.Contains(opage.Body, "order placed") {
			t.Fatal("English text on the zh-CN order page")
		}
		// A double submit of the same form (now with the saved address) lands on the same order.
		b.post("/flash/"+sl.ID.String(), form).redirectsTo(first.Location)
		b.get(first.Location).want(200).has("pending_payment")
		// A new click is over the limit of 1.
		pg = b.get("/flash/" + sl.ID.String()).want(200).has(`data-testid="flash-remaining">2<`)
		key = flashKey.FindStringSubmatch(pg.Body)[1]
		b.post("/flash/"+sl.ID.String(), url.Values{"key": {key}, "qty": {"1"}}).want(429).has(`data-testid="form-error"`)
	})
}
