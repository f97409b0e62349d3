package httpapi_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
)

// uploadImage uploads a small PNG as c and returns its media id.
func uploadImage(t testing.TB, c *apitest.Client) string {
	t.Helper()
	return c.Upload("/api/v1/media", "p.png", pngBytes(t)).Want(201).Str("id")
}

// delivered places, pays, ships and delivers an order of qty × sku for c.
func delivered(t testing.TB, f *shopFixture, c *apitest.Client, sku string, qty int) string {
	t.Helper()
	oid := order(c, buy(sku, qty)).Want(201).Str("id")
	payNow(t, c, oid)
	f.m1.Do("POST", "/api/v1/orders/"+oid+"/ship", map[string]any{"carrier": "SF", "tracking_number": "SF100001"}).Want(200)
	f.m1.Do("POST", "/api/v1/orders/"+oid+"/tracking", map[string]any{"description": "已签收", "delivered": true}).Want(200)
	return oid
}

func TestNoteProductLinks(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		other := f.m2.Do("POST", "/api/v1/products", map[string]any{"store_id": f.store2, "title": "Beret", "fulfilment": "domestic",
			"skus": []map[string]any{{"options": map[string]string{}, "price": 5000, "stock": 3}}}).Want(201).Str("id")
		hidden := f.m2.Do("POST", "/api/v1/products", map[string]any{"store_id": f.store2, "title": "Secret", "fulfilment": "domestic",
			"listed": false, "skus": []map[string]any{{"options": map[string]string{}, "price": 5000, "stock": 3}}}).Want(201).Str("id")
		img := uploadImage(t, alice)
		n := alice.Do("POST", "/api/v1/notes", map[string]any{"title": "Scarf look", "body": "#穿搭", "media_ids": []string{img},
			"product_ids": []string{f.product, other}}).Want(201)
		nid := n.Str("id")
		if n.Str("products.0.id") != f.product || n.Str("products.0.store_name") != "Tokyo Beauty" || n.Num("products.0.price") != 10000 ||
			n.Str("products.1.id") != other || n.Get("products.0.official") != false {
			t.Fatalf("note products: %s", n.Body)
		}
		// Bad links: unknown, unlisted, repeated, too many.
		for _, ids := range [][]string{{"123"}, {hidden}, {other, other}, {f.product, other, "1", "2", "3", "4"}} {
			alice.Do("POST", "/api/v1/notes", map[string]any{"title": "x", "media_ids": []string{img}, "product_ids": ids}).
				WantError(400, "invalid_input")
		}
		// Only the author changes the links.
		bob.Do("PATCH", "/api/v1/notes/"+nid, map[string]any{"product_ids": []string{}}).WantError(403, "forbidden")
		alice.Do("PATCH", "/api/v1/notes/"+nid, map[string]any{"title": "Scarf look 2"}).Want(200).Str("products.1.id")
		r := alice.Do("PATCH", "/api/v1/notes/"+nid, map[string]any{"product_ids": []string{other}}).Want(200)
		if r.Str("products.0.id") != other || len(r.Get("products").([]any)) != 1 {
			t.Fatalf("relinked: %s", r.Body)
		}
		// Creators' notes of a product, newest first, with paging; drafts
		// and unpublished notes do not show.
		var ids []string
		for i := 0; i < 3; i++ {
			m := uploadImage(t, bob)
			ids = append(ids, bob.Do("POST", "/api/v1/notes", map[string]any{"title": fmt.Sprintf("n%d", i), "media_ids": []string{m},
				"product_ids": []string{other}}).Want(201).Str("id"))
		}
		bob.Do("POST", "/api/v1/notes", map[string]any{"title": "draft", "draft": true, "product_ids": []string{other}}).Want(201)
		l := e.Anon().Do("GET", "/api/v1/products/"+other+"/notes?limit=2", nil).Want(200)
		if l.Str("notes.0.id") != ids[2] || l.Str("notes.1.id") != ids[1] || l.Str("notes.0.products.0.id") != other {
			t.Fatalf("product notes: %s", l.Body)
		}
		l2 := e.Anon().Do("GET", "/api/v1/products/"+other+"/notes?limit=2&cursor="+l.Str("next_cursor"), nil).Want(200)
		if len(l2.Get("notes").([]any)) != 2 || l2.Str("notes.0.id") != ids[0] || l2.Str("notes.1.id") != nid {
			t.Fatalf("page 2: %s", l2.Body)
		}
		e.Anon().Do("GET", "/api/v1/products/"+hidden+"/notes", nil).WantError(404, "not_found")
		// Unlisting hides the card; deleting the note removes the link.
		f.m2.Do("PATCH", "/api/v1/products/"+other, map[string]any{"listed": false}).Want(200)
		if p := e.Anon().Do("GET", "/api/v1/notes/"+nid, nil).Want(200).Get("products").([]any); len(p) != 0 {
			t.Fatalf("unlisted product still shown: %v", p)
		}
		alice.Do("DELETE", "/api/v1/notes/"+nid, nil).Want(204)
		var links int
		ctx := context.Background()
		if err := e.App.DB.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM note_products WHERE note_id = ?", nid).Scan(&links); err != nil || links != 0 {
			t.Fatalf("links after delete: %d %v", links, err)
		}
	})
}

func TestProductReviews(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		path := "/api/v1/products/" + f.product + "/reviews"
		// Nobody reviews without a delivered order: not bob, not a buyer
		// whose order is only paid.
		bob.Do("POST", path, map[string]any{"rating": 5, "body": "great"}).WantError(403, "forbidden")
		oid := order(alice, buy(f.skus[0], 1)).Want(201).Str("id")
		payNow(t, alice, oid)
		alice.Do("POST", path, map[string]any{"rating": 5, "body": "great"}).WantError(403, "forbidden")
		f.m1.Do("POST", "/api/v1/orders/"+oid+"/ship", map[string]any{"carrier": "SF", "tracking_number": "SF100001"}).Want(200)
		f.m1.Do("POST", "/api/v1/orders/"+oid+"/tracking", map[string]any{"description": "ok", "delivered": true}).Want(200)
		// Bad input.
		alice.Do("POST", path, map[string]any{"rating": 6, "body": "x"}).WantError(400, "invalid_input")
		alice.Do("POST", path, map[string]any{"rating": 0, "body": "x"}).WantError(400, "invalid_input")
		alice.Do("POST", path, map[string]any{"rating": 4, "body": ""}).WantError(400, "invalid_input")
		alice.Do("POST", path, map[string]any{"rating": 4, "body": "x", "media_ids": []string{uploadImage(t, bob)}}).WantError(400, "invalid_input")
		// Publishing a note needs an image; the failure leaves no review.
		alice.Do("POST", path, map[string]any{"rating": 4, "body": "x", "publish_as_note": true}).WantError(400, "invalid_input")
		img := uploadImage(t, alice)
		r := alice.Do("POST", path, map[string]any{"rating": 4, "body": "顺滑 #丝巾", "media_ids": []string{img}, "publish_as_note": true}).Want(201)
		if r.Num("rating") != 4 || r.Str("author.username") != "alice" || r.Str("media.0.id") != img || r.Str("note_id") == "" {
			t.Fatalf("review: %s", r.Body)
		}
		// One review per order line.
		alice.Do("POST", path, map[string]any{"rating": 1, "body": "again"}).WantError(409, "conflict")
		// The review note is a proper note: published, counted, in topics
		// and followers' feeds, linking the product.
		n := e.Anon().Do("GET", "/api/v1/notes/"+r.Str("note_id"), nil).Want(200)
		if n.Str("status") != "published" || n.Str("title") != "★★★★☆ Silk scarf" || n.Str("products.0.id") != f.product ||
			n.Str("topics.0") != "丝巾" {
			t.Fatalf("review note: %s", n.Body)
		}
		if c := e.Anon().Do("GET", "/api/v1/users/alice", nil).Want(200).Num("note_count"); c != 1 {
			t.Fatalf("note_count %v", c)
		}
		if l := e.Anon().Do("GET", "/api/v1/products/"+f.product+"/notes", nil).Want(200); l.Str("notes.0.id") != r.Str("note_id") {
			t.Fatalf("creators' notes: %s", l.Body)
		}
		// Two more delivered lines: concurrent reviews take one line each.
		delivered(t, f, alice, f.skus[1], 1)
		delivered(t, f, alice, f.skus[2], 1)
		var wg sync.WaitGroup
		codes := make([]int, 3)
		for i := range codes {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				codes[i] = alice.Do("POST", path, map[string]any{"rating": 5, "body": fmt.Sprintf("r%d", i)}).Status
			}(i)
		}
		wg.Wait()
		created := 0
		for _, c := range codes {
			if c == 201 {
				created++
			} else if c != 409 {
				t.Fatalf("codes %v", codes)
			}
		}
		if created != 2 {
			t.Fatalf("codes %v: want two reviews", codes)
		}
		l := bob.Do("GET", path, nil).Want(200)
		if len(l.Get("items").([]any)) != 3 || l.Num("rating.count") != 3 || l.Num("rating.average") != 4.6 {
			t.Fatalf("reviews: %s", l.Body)
		}
		ctx := context.Background()
		var dup int
		if err := e.App.DB.Reader(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT order_item_id FROM product_reviews
			GROUP BY order_item_id HAVING COUNT(*) > 1) d`).Scan(&dup); err != nil || dup != 0 {
			t.Fatalf("duplicate reviews: %d %v", dup, err)
		}
	})
}
