package httpapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/natstest"
	"github.com/redmark/redmark/internal/redistest"
	"github.com/redmark/redmark/internal/s3test"
)

// The core journey across two servers configured as in docs/cluster.md
// (one database, Redis, NATS JetStream, media in S3): sign up on A, post
// with an image on B, like on A and read on B with no stale count, search
// on A, a session revoked on A refused on both, and a flash sale sold from
// both servers at once that never oversells.
func TestCoreJourneyAcrossServers(t *testing.T) {
	redisURL, redisPrefix := redistest.New(t)
	natsURL, natsPrefix := natstest.New(t)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		mediaURL, _ := s3test.New(t, "presign=0")
		cfg := func() app.Config {
			c := app.Config{DataDir: t.TempDir(), RedisURL: redisURL, RedisPrefix: redisPrefix,
				NATSURL: natsURL, NATSPrefix: natsPrefix, Media: mediaURL}
			c.Commerce.Flash.RedisPrefix = redisPrefix
			return c
		}
		a, b := apitest.NewWithConfig(t, d, cfg()), apitest.NewWithConfig(t, d, cfg())
		for _, e := range []*apitest.Env{a, b} {
			if err := e.App.StartDiscovery(); err != nil {
				t.Fatal(err)
			}
		}
		on := func(e *apitest.Env, c *apitest.Client) *apitest.Client {
			return &apitest.Client{E: e, Token: c.Token, ID: c.ID}
		}

		alice := a.SignUp("alice")
		aliceB := on(b, alice)
		img := aliceB.Upload("/api/v1/media", "IMG_0001.PNG", mdPNG(t, 64, 48)).Want(201)
		note := aliceB.Do("POST", "/api/v1/notes", map[string]any{
			"title": "Kyoto matcha walk", "body": "three tea houses #matcha", "media_ids": []string{img.Str("id")},
		}).Want(201).Str("id")
		if res, body := mdGet(t, a, img.Str("url"), nil); res.StatusCode != 200 || len(body) == 0 {
			t.Fatalf("B's upload served by A: %d, %d bytes", res.StatusCode, len(body))
		}

		bob := a.SignUp("bob")
		if n := on(b, bob).Do("GET", "/api/v1/notes/"+note, nil).Want(200).Num("like_count"); n != 0 {
			t.Fatalf("like count on B before the like: %v", n)
		}
		bob.Do("PUT", "/api/v1/notes/"+note+"/like", nil).Want(200)
		delay := seenWithin(t, func() bool {
			return on(b, bob).Do("GET", "/api/v1/notes/"+note, nil).Num("like_count") == 1
		})
		t.Logf("like on A read on B after %v", delay)

		start := time.Now()
		for bob.Do("GET", "/api/v1/search?type=notes&q=matcha", nil).Want(200).Num("total") != 1 {
			if time.Since(start) > 10*time.Second {
				t.Fatal("B's note not found by A's search within 10 s")
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("note posted on B found by search on A after %v", time.Since(start))

		aliceB.Do("GET", "/api/v1/me", nil).Want(200) // both servers have the session cached
		alice.Do("GET", "/api/v1/me", nil).Want(200)
		alice.Do("POST", "/api/v1/auth/logout", nil).Want(204)
		alice.Do("GET", "/api/v1/me", nil).WantError(401, "unauthorized")
		delay = seenWithin(t, func() bool { return aliceB.Do("GET", "/api/v1/me", nil).Status == 401 })
		t.Logf("session revoked on A refused on B after %v", delay)

		// The flash sale: each shopper sends one purchase to each server
		// at once; the stock is half the demand.
		f := newShopFixture(t, a)
		const stock = 6
		sale := f.op.Do("POST", "/api/v1/flash-sales", map[string]any{"sku_id": f.skus[1], "price": 100, "stock": stock,
			"per_user_limit": 1, "starts_at": time.Now().Add(-time.Second), "ends_at": time.Now().Add(time.Hour)}).Want(201).Str("id")
		var (
			mu   sync.Mutex
			paid = map[string]bool{}
			wg   sync.WaitGroup
		)
		for i := range 2 * stock {
			c := a.SignUp(fmt.Sprintf("shopper%d", i))
			for _, srv := range []*apitest.Env{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := on(srv, c).DoWith("POST", "/api/v1/flash-sales/"+sale+"/purchase",
						map[string]any{"quantity": 1, "address": homeAddr}, http.Header{"Idempotency-Key": {"k" + c.ID}})
					switch r.Status {
					case 201:
						mu.Lock()
						paid[c.ID] = true
						mu.Unlock()
					case 409, 429:
					default:
						t.Errorf("purchase on a server: %d %s", r.Status, r.Body)
					}
				}()
			}
		}
		wg.Wait()
		orders := notesCount(t, a, "SELECT COUNT(*) FROM flash_orders WHERE sale_id = ?", mustID(t, sale))
		if len(paid) != stock || orders != stock {
			t.Fatalf("%d shoppers got an order, %d flash orders, for a stock of %d", len(paid), orders, stock)
		}
	})
}
