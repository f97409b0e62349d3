package httpapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/apitest"
)

// A reader sees a note, clicks its product, buys and pays; the console
// shows the funnel the next day, to operators only.
func TestAnalyticsEventsToConsole(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice := e.SignUp("alice")
		img := uploadImage(t, alice)
		note := alice.Do("POST", "/api/v1/notes", map[string]any{"title": "Scarf look", "media_ids": []string{img},
			"product_ids": []string{f.product}}).Want(201).Str("id")
		other := alice.Do("POST", "/api/v1/notes", map[string]any{"title": "No product", "media_ids": []string{img}}).Want(201).Str("id")
		bob := e.Anon().Do("POST", "/api/v1/auth/signup", map[string]any{"username": "bob", "password": "password123",
			"display_name": "Bob", "source": map[string]any{"channel": "weibo"}}).Want(201)
		bc := &apitest.Client{E: e, Token: bob.Str("token"), ID: bob.Str("user.id")}
		rec := e.App.Analytics.Recorder
		before := rec.Pending()

		// Bad batches are refused whole: nothing of them is recorded.
		for _, bad := range []map[string]any{
			{"type": "product_click", "note_id": other, "product_id": f.product}, // the note does not link it
			{"type": "product_click", "note_id": note},                           // no product
			{"type": "open", "note_id": note, "product_id": f.product},           // product on a view
			{"type": "warp", "note_id": note},
		} {
			bc.Do("POST", "/api/v1/events", map[string]any{"events": []any{map[string]any{"type": "open", "note_id": note}, bad}}).
				WantError(400, "invalid_input")
		}
		if rec.Pending() != before {
			t.Fatalf("a refused batch recorded %d events", rec.Pending()-before)
		}
		bc.Do("POST", "/api/v1/events", map[string]any{"events": []any{
			map[string]any{"type": "open", "note_id": note},
			map[string]any{"type": "dwell", "note_id": note, "dwell_ms": 42000},
			map[string]any{"type": "product_click", "note_id": note, "product_id": f.product},
		}}).Want(204)
		bc.Do("PUT", "/api/v1/notes/"+note+"/like", nil).Want(200)
		bc.Do("GET", "/api/v1/search?q=Scarf", nil).Want(200)
		bc.Do("PUT", "/api/v1/cart/items", map[string]any{"sku_id": f.skus[0], "quantity": 1}).Want(200)
		oid := order(bc, buy(f.skus[0], 1)).Want(201).Str("id")
		payNow(t, bc, oid)

		ctx := context.Background()
		if err := rec.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Analytics.Rollups.Run(ctx, time.Now().Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		today := analytics.DayOf(time.Now()).String()
		q := "?from=" + today + "&to=" + today

		// Operators only: 401 signed out, 403 for everyone else.
		for _, path := range []string{"overview", "retention", "channels", "funnel", "terms", "live", "campaigns", "uplift", "personas"} {
			e.Anon().Do("GET", "/api/v1/console/analytics/"+path+q, nil).WantError(401, "unauthorized")
			bc.Do("GET", "/api/v1/console/analytics/"+path+q, nil).WantError(403, "forbidden")
			f.m1.Do("GET", "/api/v1/console/analytics/"+path+q, nil).WantError(403, "forbidden")
		}
		f.op.Do("GET", "/api/v1/console/analytics/overview?from=2026-13-01", nil).WantError(400, "invalid_input")
		f.op.Do("GET", "/api/v1/console/analytics/overview?from=2020-01-01&to=2026-01-01", nil).WantError(400, "invalid_input")

		fn := f.op.Do("GET", "/api/v1/console/analytics/funnel"+q, nil).Want(200)
		if fn.Num("stages.0.events") != 1 || fn.Num("stages.1.events") != 1 || fn.Num("stages.2.events") != 1 ||
			fn.Num("stages.3.events") != 1 || fn.Num("attributed_orders") != 1 || fn.Str("notes.0.id") != note ||
			fn.Num("notes.0.paid") != 1 || fn.Str("creators.0.id") != alice.ID || fn.Str("products.0.id") != f.product {
			t.Fatalf("funnel: %s", fn.Body)
		}
		ov := f.op.Do("GET", "/api/v1/console/analytics/overview"+q, nil).Want(200)
		// Everyone who signed up today (fixture's operator, merchants, alice, bob) is new.
		if ov.Num("new_users") != 5 || ov.Num("paid_orders") != 1 || ov.Num("gmv") <= 0 || ov.Num("notes") != 2 || ov.Num("days.0.dau") < 2 {
			t.Fatalf("overview: %s", ov.Body)
		}
		ch := f.op.Do("GET", "/api/v1/console/analytics/channels"+q, nil).Want(200)
		if ch.Str("channels.0.channel") != "" || ch.Num("channels.0.size") != 4 || ch.Str("channels.1.channel") != "weibo" {
			t.Fatalf("channels: %s", ch.Body)
		}
		if tm := f.op.Do("GET", "/api/v1/console/analytics/terms"+q, nil).Want(200); tm.Str("terms.0.term") != "scarf" {
			t.Fatalf("terms: %s", tm.Body)
		}
		// Five users: every persona cell is suppressed.
		ps := f.op.Do("GET", "/api/v1/console/analytics/personas"+q, nil).Want(200)
		if ps.Get("personas.0.users") != nil || ps.Num("min_cell") != 10 {
			t.Fatalf("personas: %s", ps.Body)
		}
	})
}
