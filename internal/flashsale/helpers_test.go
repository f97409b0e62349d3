package flashsale_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/redistest"
)

// env is a running server in one mode: embedded (database only) or Redis.
type env struct {
	*apitest.Env
	op     *apitest.Client // an operator
	m      *apitest.Client // a merchant with a store
	store  string
	prefix string        // Redis key prefix ("" embedded)
	rdb    *redis.Client // nil embedded
}

// eachMode runs fn on SQLite (and PostgreSQL when its suite is on), each in
// embedded mode and in Redis mode, every run on a fresh database.
func eachMode(t *testing.T, tune func(*app.Config), fn func(t *testing.T, e *env)) {
	redistest.EachMode(t, func(t *testing.T, d *db.DB, url, prefix string) { fn(t, newEnv(t, d, url, prefix, tune)) })
}

func newEnv(t testing.TB, d *db.DB, redisURL, prefix string, tune func(*app.Config)) *env {
	t.Helper()
	cfg := app.Config{DataDir: t.TempDir(), RedisURL: redisURL}
	cfg.Commerce.Flash.RedisPrefix = prefix
	if tune != nil {
		tune(&cfg)
	}
	e := &env{Env: apitest.NewWithConfig(t, d, cfg), prefix: prefix}
	if redisURL != "" {
		opt, err := redis.ParseURL(redisURL)
		if err != nil {
			t.Fatal(err)
		}
		e.rdb = redis.NewClient(opt)
		t.Cleanup(func() { e.rdb.Close() })
	}
	e.op = e.withRole(t, "operator1", accounts.RoleOperator)
	e.m = e.withRole(t, "merchant1", accounts.RoleMerchant)
	e.store = e.m.Do("POST", "/api/v1/stores", map[string]any{"name": "Tokyo Beauty"}).Want(201).Str("id")
	return e
}

func (e *env) withRole(t testing.TB, name, role string) *apitest.Client {
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

// sku lists a one-SKU product at price with stock and returns the SKU id.
func (e *env) sku(t testing.TB, price, stock int) string {
	t.Helper()
	return e.m.Do("POST", "/api/v1/products", map[string]any{
		"store_id": e.store, "title": "Silk scarf", "fulfilment": "domestic",
		"skus": []map[string]any{{"options": map[string]string{}, "price": price, "stock": stock}},
	}).Want(201).Str("skus.0.id")
}

// sale schedules a live sale (started a second ago, one hour long).
func (e *env) sale(t testing.TB, sku string, price, stock, limit int) string {
	t.Helper()
	now := time.Now()
	return e.op.Do("POST", "/api/v1/flash-sales", map[string]any{
		"sku_id": sku, "price": price, "stock": stock, "per_user_limit": limit,
		"starts_at": now.Add(-time.Second), "ends_at": now.Add(time.Hour),
	}).Want(201).Str("id")
}

var (
	hashOnce sync.Once
	hash     string
)

// shoppers makes n signed-in users cheaply: one precomputed password hash
// and sessions opened directly, instead of n argon2 sign-ups.
func (e *env) shoppers(t testing.TB, n int) []*apitest.Client {
	t.Helper()
	hashOnce.Do(func() { hash = accounts.HashPassword("password123") })
	out := make([]*apitest.Client, n)
	// One transaction for all of them (one commit instead of n).
	err := e.App.DB.InTx(context.Background(), func(ctx context.Context) error {
		for i := range out {
			u, err := e.App.Accounts.CreateWithHash(ctx, fmt.Sprintf("shopper%d", i), "Shopper", hash, accounts.RoleUser)
			if err != nil {
				return err
			}
			tok, err := e.App.Accounts.NewSession(ctx, u.ID, "test")
			if err != nil {
				return err
			}
			out[i] = &apitest.Client{E: e.Env, Token: tok, ID: u.ID.String(), Username: u.Username}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var shipTo = map[string]any{"name": "林小红", "phone": "138 0013 8000", "region": "上海市", "city": "上海市", "district": "徐汇区", "line": "漕溪北路 88 号"}

// buy posts a purchase with an Idempotency-Key.
func buy(c *apitest.Client, sale, key string, qty int) *apitest.Response {
	return c.DoWith("POST", "/api/v1/flash-sales/"+sale+"/purchase", map[string]any{"quantity": qty, "address": shipTo}, http.Header{"Idempotency-Key": {key}})
}

// verify fails the test on any invariant violation, Redis included.
func (e *env) verify(t testing.TB) {
	t.Helper()
	bad, err := flashsale.Verify(context.Background(), e.App.DB, e.rdb, e.prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("invariants violated:\n%s", strings.Join(bad, "\n"))
	}
}

func (e *env) remaining(t testing.TB, sale string) int {
	t.Helper()
	return int(e.Anon().Do("GET", "/api/v1/flash-sales/"+sale, nil).Want(200).Num("remaining"))
}

func (e *env) skuStock(t testing.TB, sku string) int64 {
	t.Helper()
	sid, err := id.Parse(sku)
	if err != nil {
		t.Fatal(err)
	}
	items, err := e.App.Shop.Items(context.Background(), []id.ID{sid})
	if err != nil {
		t.Fatal(err)
	}
	return items[sid].Stock
}
