package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
)

// shopFixture is a small catalog: an operator, a merchant with a store and
// one product with colour × size SKUs, and a second merchant.
type shopFixture struct {
	e          *apitest.Env
	op, m1, m2 *apitest.Client
	store      string // m1's store
	store2     string // m2's store
	category   string
	product    string
	skus       []string // red/S, red/M, blue/S, blue/M
}

// withRole signs up a user and gives them a role.
func withRole(t testing.TB, e *apitest.Env, name, role string) *apitest.Client {
	t.Helper()
	c := e.SignUp(name)
	uid, err := id.Parse(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.App.Accounts.SetRole(context.Background(), uid, role); err != nil {
		t.Fatal(err)
	}
	return c
}

func newShopFixture(t testing.TB, e *apitest.Env) *shopFixture {
	t.Helper()
	f := &shopFixture{e: e}
	f.op = withRole(t, e, "operator1", "operator")
	f.m1 = withRole(t, e, "merchant1", "merchant")
	f.m2 = withRole(t, e, "merchant2", "merchant")
	f.store = f.m1.Do("POST", "/api/v1/stores", map[string]any{"name": "Tokyo Beauty"}).Want(201).Str("id")
	f.store2 = f.m2.Do("POST", "/api/v1/stores", map[string]any{"name": "Paris Goods"}).Want(201).Str("id")
	f.category = f.op.Do("POST", "/api/v1/categories", map[string]any{"slug": "beauty", "name": "Beauty", "name_zh": "美妆"}).Want(201).Str("id")
	r := f.m1.Do("POST", "/api/v1/products", map[string]any{
		"store_id": f.store, "category_id": f.category, "title": "Silk scarf", "brand": "Hana",
		"origin_country": "jp", "fulfilment": "bonded", "shipping_fee": 1000,
		"options": []map[string]any{{"name": "colour", "values": []string{"red", "blue"}}, {"name": "size", "values": []string{"S", "M"}}},
		"skus": []map[string]any{
			{"options": map[string]string{"colour": "red", "size": "S"}, "price": 10000, "stock": 10},
			{"options": map[string]string{"colour": "red", "size": "M"}, "price": 12000, "stock": 10},
			{"options": map[string]string{"colour": "blue", "size": "S"}, "price": 10000, "stock": 10},
			{"options": map[string]string{"colour": "blue", "size": "M"}, "price": 12000, "stock": 10},
		},
	}).Want(201)
	f.product = r.Str("id")
	for i := 0; i < 4; i++ {
		f.skus = append(f.skus, r.Str(fmt.Sprintf("skus.%d.id", i)))
	}
	return f
}

// addProduct creates a one-SKU product in store as c and returns the SKU id.
func addProduct(t testing.TB, c *apitest.Client, store, title string, price, stock int, fulfilment string) string {
	t.Helper()
	r := c.Do("POST", "/api/v1/products", map[string]any{
		"store_id": store, "title": title, "fulfilment": fulfilment,
		"skus": []map[string]any{{"options": map[string]string{}, "price": price, "stock": stock}},
	}).Want(201)
	return r.Str("skus.0.id")
}

func pngBytes(t testing.TB) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// dbtestEach is apitest.Each with a 50ms payment window.
// shortWindow is the payment window of dbtestEach's servers: short enough
// to wait out in a test, long enough that ordering and paying fit in it on
// a loaded CI machine.
const shortWindow = 400 * time.Millisecond

func dbtestEach(t *testing.T, fn func(t *testing.T, e *apitest.Env)) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		cfg := app.Config{DataDir: t.TempDir()}
		cfg.Commerce.Orders.PaymentWindow = shortWindow
		fn(t, apitest.NewWithConfig(t, d, cfg))
	})
}
