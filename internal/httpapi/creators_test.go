package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/payments"
	"github.com/redmark/redmark/internal/points"
)

// TestCreatorCentre: every act on a creator's note lands in today's row in
// the act's transaction — a view (after the flush), like, collect,
// comment, share, follow, tip, a click to the linked product and the
// purchase it led to — and only the creator sees them: another user's
// centre is their own, and another's note is not found. Disclosures are
// the author's to declare, with a brand account, and show on the note.
func TestCreatorCentre(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		f := newShopFixture(t, e)
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		img := alice.Upload("/api/v1/media", "a.png", pngBytes(t)).Want(201).Str("id")
		note := alice.Do("POST", "/api/v1/notes", map[string]any{"title": "围巾推荐", "body": "好看", "media_ids": []string{img},
			"product_ids": []string{f.product}}).Want(201).Str("id")
		n := "/api/v1/notes/" + note

		bob.Do("GET", n, nil).Want(200)
		if err := e.App.Notes.FlushViews(ctx); err != nil {
			t.Fatal(err)
		}
		bob.Do("PUT", n+"/like", nil).Want(200)
		bob.Do("PUT", n+"/collect", nil).Want(200)
		bob.Do("POST", n+"/comments", map[string]any{"body": "求链接"}).Want(201)
		bob.Do("POST", n+"/share", map[string]any{"channel": "wechat"}).Want(200)
		bob.Do("PUT", "/api/v1/users/alice/follow", nil).Want(200)
		bid, _ := id.Parse(bob.ID)
		if _, err := e.App.Points.Add(ctx, bid, 100, points.Grant, id.New(), "test"); err != nil {
			t.Fatal(err)
		}
		bob.DoWith("POST", n+"/tips", map[string]any{"points": 30}, http.Header{"Idempotency-Key": {"tip1"}}).Want(201)
		e.Anon().Do("POST", n+"/products/"+f.product+"/click", nil).WantError(401, "unauthorized")
		bob.Do("POST", n+"/products/"+id.New().String()+"/click", nil).WantError(404, "not_found")
		bob.Do("POST", n+"/products/"+f.product+"/click", nil).Want(204)
		bob.Do("POST", n+"/products/"+f.product+"/click", nil).Want(204) // the same day: once
		oid := order(bob, buy(f.skus[0], 2)).Want(201).Str("id")
		payNow(t, bob, oid)

		st := alice.Do("GET", "/api/v1/me/creator?days=7", nil).Want(200)
		for field, want := range map[string]float64{"views": 1, "likes": 1, "collects": 1, "comments": 1, "shares": 1, "new_followers": 1,
			"tips": 1, "tip_points": 30, "clicks": 1, "orders": 1, "sales": 20000} {
			if got := st.Num("totals." + field); got != want {
				t.Errorf("totals.%s = %v, want %v", field, got, want)
			}
			if got := st.Num("days.6." + field); got != want {
				t.Errorf("today's %s = %v, want %v", field, got, want)
			}
		}
		if st.Str("notes.0.note_id") != note || st.Num("notes.0.sales") != 20000 || len(st.Get("days").([]any)) != 7 {
			t.Fatalf("stats %s", st.Body)
		}
		// The act's own author and repeated acts add nothing.
		alice.Do("PUT", n+"/like", nil).Want(200)
		bob.Do("PUT", n+"/like", nil).Want(200)
		if alice.Do("GET", "/api/v1/me/creator", nil).Want(200).Num("totals.likes") != 1 {
			t.Fatal("likes moved without a new like")
		}
		// Only their own.
		if bob.Do("GET", "/api/v1/me/creator", nil).Want(200).Num("totals.views") != 0 {
			t.Fatal("bob sees alice's stats")
		}
		bob.Do("GET", "/api/v1/me/creator/notes/"+note, nil).WantError(404, "not_found")
		e.Anon().Do("GET", "/api/v1/me/creator", nil).WantError(401, "unauthorized")
		alice.Do("GET", "/api/v1/me/creator?days=91", nil).WantError(400, "invalid_input")
		if alice.Do("GET", "/api/v1/me/creator/notes/"+note+"?days=3", nil).Want(200).Num("days.2.clicks") != 1 {
			t.Fatal("note days")
		}

		// Disclosures: the author with a brand account only.
		withRole(t, e, "hana", "brand")
		bob.Do("PUT", n+"/disclosure", map[string]any{"kind": "sponsored", "brand": "hana"}).WantError(403, "forbidden")
		alice.Do("PUT", n+"/disclosure", map[string]any{"kind": "paid", "brand": "hana"}).WantError(400, "invalid_input")
		alice.Do("PUT", n+"/disclosure", map[string]any{"kind": "sponsored", "brand": "bob"}).WantError(400, "invalid_input")
		alice.Do("PUT", n+"/disclosure", map[string]any{"kind": "sponsored", "brand": "@hana"}).Want(200)
		if got := e.Anon().Do("GET", n, nil).Want(200); got.Str("disclosure.kind") != "sponsored" || got.Str("disclosure.brand") != "hana" {
			t.Fatalf("note %s", got.Body)
		}
		bob.Do("DELETE", n+"/disclosure", nil).WantError(403, "forbidden")
		alice.Do("DELETE", n+"/disclosure", nil).Want(204)
		if e.Anon().Do("GET", n, nil).Want(200).Get("disclosure") != nil {
			t.Fatal("disclosure stays")
		}
	})
}

// TestCreatorCountsConcurrent: readers act on one creator's two notes all
// at once — like and collect the first, comment twice on the second, click
// the product from both (each click sent three times at once), buy it and
// have the payment's webhook delivered twice at once. Every counter is the
// number of distinct acts, and each order is credited once, to the note
// the buyer clicked last.
func TestCreatorCountsConcurrent(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice := e.SignUp("alice")
		var notes [2]string
		for i := range notes {
			img := alice.Upload("/api/v1/media", "a.png", pngBytes(t)).Want(201).Str("id")
			notes[i] = "/api/v1/notes/" + alice.Do("POST", "/api/v1/notes", map[string]any{"title": fmt.Sprintf("好物 %d", i),
				"body": "推荐", "media_ids": []string{img}, "product_ids": []string{f.product}}).Want(201).Str("id")
		}
		const readers = 12
		prices := []int64{10000, 12000, 10000, 12000} // the fixture's SKUs
		clients := make([]*apitest.Client, readers)
		for i := range clients {
			clients[i] = e.SignUp(fmt.Sprintf("reader%02d", i))
		}
		var wg sync.WaitGroup
		errs := make(chan string, readers*32)
		want := func(r *apitest.Response, code int) *apitest.Response {
			if r.Status != code {
				errs <- fmt.Sprintf("%s: %d %s", r.Header.Get("X-Request-Id"), r.Status, r.Body)
			}
			return r
		}
		var sales atomic.Int64
		for i, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var acts sync.WaitGroup
				for _, a := range []func(){
					func() { want(c.Do("PUT", notes[0]+"/like", nil), 200) },
					func() { want(c.Do("PUT", notes[0]+"/collect", nil), 200) },
					func() { want(c.Do("POST", notes[1]+"/comments", map[string]any{"body": "求链接"}), 201) },
					func() { want(c.Do("POST", notes[1]+"/comments", map[string]any{"body": "已下单"}), 201) },
					func() { want(c.Do("POST", notes[0]+"/products/"+f.product+"/click", nil), 204) },
					func() { want(c.Do("POST", notes[0]+"/products/"+f.product+"/click", nil), 204) },
					func() { want(c.Do("POST", notes[0]+"/products/"+f.product+"/click", nil), 204) },
				} {
					acts.Add(1)
					go func() { defer acts.Done(); a() }()
				}
				acts.Wait()
				// The last click, from the second note, is the one credited.
				want(c.Do("POST", notes[1]+"/products/"+f.product+"/click", nil), 204)
				oid := want(order(c, buy(f.skus[i%4], 1)), 201).Str("id")
				it := intentOf(want(c.Do("POST", "/api/v1/orders/"+oid+"/pay", nil), 200))
				var pay sync.WaitGroup
				for range 2 {
					pay.Add(1)
					go func() { defer pay.Done(); want(deliver(t, e, it, payments.EventSucceeded, time.Now()), 200) }()
				}
				pay.Wait()
				sales.Add(prices[i%4])
			}()
		}
		wg.Wait()
		close(errs)
		for m := range errs {
			t.Error(m)
		}
		st := alice.Do("GET", "/api/v1/me/creator?days=1", nil).Want(200)
		for field, want := range map[string]float64{"likes": readers, "collects": readers, "comments": 2 * readers,
			"clicks": 2 * readers, "orders": readers, "sales": float64(sales.Load())} {
			if got := st.Num("totals." + field); got != want {
				t.Errorf("totals.%s = %v, want %v", field, got, want)
			}
		}
		second := strings.TrimPrefix(notes[1], "/api/v1/notes/")
		nd := alice.Do("GET", "/api/v1/me/creator/notes/"+second+"?days=1", nil).Want(200)
		if nd.Num("note.orders") != readers || nd.Num("note.clicks") != readers || nd.Num("note.sales") != float64(sales.Load()) {
			t.Fatalf("second note %s", nd.Body)
		}
	})
}
