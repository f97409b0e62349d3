package httpapi_test

import (
	"testing"

	"github.com/redmark/redmark/internal/apitest"
)

func TestStores(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		op := withRole(t, e, "operator1", "operator")
		m := withRole(t, e, "merchant1", "merchant")
		brand := withRole(t, e, "brand1", "brand")
		shopper := e.SignUp("shopper")
		fls := op.Do("POST", "/api/v1/stores", map[string]any{"name": "福利社"}).Want(201)
		if fls.Str("kind") != "self_operated" || fls.Get("official") != true {
			t.Fatalf("self-operated store: %s", fls.Body)
		}
		ms := m.Do("POST", "/api/v1/stores", map[string]any{"name": "Tokyo Beauty", "description": "J-beauty"}).Want(201)
		if ms.Str("kind") != "merchant" || ms.Get("official") != false {
			t.Fatalf("merchant store: %s", ms.Body)
		}
		brand.Do("POST", "/api/v1/stores", map[string]any{"name": "Hana Flagship"}).Want(201)
		m.Do("POST", "/api/v1/stores", map[string]any{"name": "Sneaky", "kind": "self_operated"}).WantError(403, "forbidden")
		shopper.Do("POST", "/api/v1/stores", map[string]any{"name": "Mine"}).WantError(403, "forbidden")
		e.Anon().Do("POST", "/api/v1/stores", map[string]any{"name": "Anon"}).WantError(401, "unauthorized")
		m.Do("POST", "/api/v1/stores", map[string]any{"name": "Tokyo Beauty"}).WantError(409, "conflict")
		m.Do("POST", "/api/v1/stores", map[string]any{"name": "x"}).WantError(400, "invalid_input")
		m.Do("POST", "/api/v1/stores", "{\"name\":\"\xff\xfe store\"}").WantError(400, "invalid_input")
		// Only operators verify stores; verification makes a store official.
		sid := ms.Str("id")
		m.Do("POST", "/api/v1/stores/"+sid+"/verify", map[string]any{"official": true}).WantError(403, "forbidden")
		op.Do("POST", "/api/v1/stores/"+sid+"/verify", map[string]any{"official": true}).Want(200)
		if e.Anon().Do("GET", "/api/v1/stores/"+sid, nil).Want(200).Get("official") != true {
			t.Fatal("verified store is not official")
		}
		e.Anon().Do("GET", "/api/v1/stores/123", nil).WantError(404, "not_found")
		e.Anon().Do("GET", "/api/v1/stores/abc", nil).WantError(404, "not_found")
	})
}

func TestProductsAndAuthorization(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		shopper := e.SignUp("shopper")
		p := e.Anon().Do("GET", "/api/v1/products/"+f.product, nil).Want(200)
		if p.Num("price_min") != 10000 || p.Str("origin_country") != "JP" || len(p.Get("skus").([]any)) != 4 ||
			p.Str("skus.1.options.size") != "M" || p.Num("skus.1.stock") != 10 {
			t.Fatalf("product: %s", p.Body)
		}
		// Categories: operators only.
		f.m1.Do("POST", "/api/v1/categories", map[string]any{"slug": "x", "name": "X"}).WantError(403, "forbidden")
		if n := len(e.Anon().Do("GET", "/api/v1/categories", nil).Want(200).Get("items").([]any)); n != 1 {
			t.Fatalf("categories: %d", n)
		}
		// Nobody but the store's merchant edits or adds products.
		f.m2.Do("PATCH", "/api/v1/products/"+f.product, map[string]any{"title": "Mine now"}).WantError(403, "forbidden")
		shopper.Do("PATCH", "/api/v1/products/"+f.product, map[string]any{"title": "Mine now"}).WantError(403, "forbidden")
		f.op.Do("PATCH", "/api/v1/products/"+f.product, map[string]any{"title": "Mine now"}).WantError(403, "forbidden")
		e.Anon().Do("PATCH", "/api/v1/products/"+f.product, map[string]any{"title": "Mine now"}).WantError(401, "unauthorized")
		f.m2.Do("POST", "/api/v1/products", map[string]any{"store_id": f.store, "title": "Fake", "fulfilment": "domestic",
			"skus": []map[string]any{{"options": map[string]string{}, "price": 1, "stock": 1}}}).WantError(403, "forbidden")
		f.m2.Do("PATCH", "/api/v1/products/"+f.product, map[string]any{"skus": []map[string]any{{"id": f.skus[0], "price": 1}}}).
			WantError(403, "forbidden")
		if e.Anon().Do("GET", "/api/v1/products/"+f.product, nil).Str("title") != "Silk scarf" {
			t.Fatal("a refused edit changed the product")
		}
		// The owner edits: price, stock, new SKU, and a SKU of another product is refused.
		other := addProduct(t, f.m2, f.store2, "Perfume", 50000, 5, "overseas_direct")
		f.m1.Do("PATCH", "/api/v1/products/"+f.product, map[string]any{"skus": []map[string]any{{"id": other, "price": 1}}}).
			WantError(400, "invalid_input")
		r := f.m1.Do("PATCH", "/api/v1/products/"+f.product, map[string]any{
			"title": "Silk scarf 丝巾", "skus": []map[string]any{{"id": f.skus[0], "price": 9000, "add_stock": 5}},
		}).Want(200)
		if r.Str("title") != "Silk scarf 丝巾" || r.Num("price_min") != 9000 || r.Num("skus.0.stock") != 15 {
			t.Fatalf("patch: %s", r.Body)
		}
		f.m1.Do("PATCH", "/api/v1/products/"+f.product, map[string]any{"skus": []map[string]any{{"id": f.skus[0], "add_stock": -16}}}).
			WantError(409, "conflict")
		// Unlisted products disappear for everyone but the store.
		f.m1.Do("PATCH", "/api/v1/products/"+f.product, map[string]any{"listed": false}).Want(200)
		e.Anon().Do("GET", "/api/v1/products/"+f.product, nil).WantError(404, "not_found")
		shopper.Do("GET", "/api/v1/products/"+f.product, nil).WantError(404, "not_found")
		f.m1.Do("GET", "/api/v1/products/"+f.product, nil).Want(200)
		list := e.Anon().Do("GET", "/api/v1/products", nil).Want(200)
		if items := list.Get("items").([]any); len(items) != 1 || list.Str("items.0.title") != "Perfume" {
			t.Fatalf("list: %s", list.Body)
		}
		f.m1.Do("PATCH", "/api/v1/products/"+f.product, map[string]any{"listed": true}).Want(200)
		if n := len(e.Anon().Do("GET", "/api/v1/products?category="+f.category, nil).Want(200).Get("items").([]any)); n != 1 {
			t.Fatalf("category filter: %d", n)
		}
		if n := len(e.Anon().Do("GET", "/api/v1/products?store="+f.store2, nil).Want(200).Get("items").([]any)); n != 1 {
			t.Fatalf("store filter: %d", n)
		}
		e.Anon().Do("GET", "/api/v1/products?store=abc", nil).WantError(400, "invalid_input")
	})
}

func TestProductPaging(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		for i := 0; i < 4; i++ {
			addProduct(t, f.m1, f.store, "Item", 100, 1, "domestic")
		}
		seen := 0
		cursor := ""
		for page := 0; page < 10; page++ {
			r := e.Anon().Do("GET", "/api/v1/products?limit=2&cursor="+cursor, nil).Want(200)
			seen += len(r.Get("items").([]any))
			if cursor = r.Str("next_cursor"); cursor == "" {
				break
			}
		}
		if seen != 5 {
			t.Fatalf("paged through %d products, want 5", seen)
		}
	})
}

func TestProductImagesAndValidation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		img := f.m1.Upload("/api/v1/media", "a.png", pngBytes(t)).Want(201).Str("id")
		foreign := f.m2.Upload("/api/v1/media", "b.png", pngBytes(t)).Want(201).Str("id")
		r := f.m1.Do("PATCH", "/api/v1/products/"+f.product, map[string]any{"image_ids": []string{img}}).Want(200)
		if r.Str("images.0.id") != img || r.Str("images.0.url") == "" {
			t.Fatalf("images: %s", r.Body)
		}
		f.m1.Do("PATCH", "/api/v1/products/"+f.product, map[string]any{"image_ids": []string{foreign}}).WantError(400, "invalid_input")
		base := func() map[string]any {
			return map[string]any{"store_id": f.store, "title": "T", "fulfilment": "domestic",
				"options": []map[string]any{{"name": "size", "values": []string{"S", "M"}}},
				"skus":    []map[string]any{{"options": map[string]string{"size": "S"}, "price": 100, "stock": 1}}}
		}
		bad := []func(m map[string]any){
			func(m map[string]any) { m["fulfilment"] = "teleport" },
			func(m map[string]any) { m["title"] = "" },
			func(m map[string]any) { m["origin_country"] = "Japan" },
			func(m map[string]any) { m["price"] = 1 },
			func(m map[string]any) { m["skus"] = []map[string]any{} },
			func(m map[string]any) {
				m["skus"] = []map[string]any{{"options": map[string]string{"size": "S"}, "price": 1, "stock": 1},
					{"options": map[string]string{"size": "S"}, "price": 2, "stock": 1}}
			},
			func(m map[string]any) {
				m["skus"] = []map[string]any{{"options": map[string]string{"size": "XL"}, "price": 1, "stock": 1}}
			},
			func(m map[string]any) {
				m["skus"] = []map[string]any{{"options": map[string]string{}, "price": 1, "stock": 1}}
			},
			func(m map[string]any) {
				m["skus"] = []map[string]any{{"options": map[string]string{"size": "S"}, "price": -1, "stock": 1}}
			},
			func(m map[string]any) {
				m["skus"] = []map[string]any{{"options": map[string]string{"size": "S"}, "price": 1, "stock": -1}}
			},
			func(m map[string]any) {
				m["skus"] = []map[string]any{{"options": map[string]string{"size": "S"}, "price": 1.5, "stock": 1}}
			},
			func(m map[string]any) { m["category_id"] = "12345" },
			func(m map[string]any) { m["image_ids"] = []string{"999"} },
		}
		for i, mod := range bad {
			m := base()
			mod(m)
			if r := f.m1.Do("POST", "/api/v1/products", m); r.Status != 400 {
				t.Errorf("case %d: status %d (%s), want 400", i, r.Status, r.Body)
			}
		}
		if n := len(e.Anon().Do("GET", "/api/v1/products?store="+f.store, nil).Get("items").([]any)); n != 1 {
			t.Fatalf("refused products were stored: %d", n)
		}
	})
}
