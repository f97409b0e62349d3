package httpapi_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
)

var homeAddr = map[string]any{"name": "林小红", "phone": "138 0013 8000", "region": "上海市", "city": "上海市", "district": "徐汇区",
	"line": "漕溪北路 88 号 6 楼", "postcode": "200030"}

// TestAddressBook: add, default rules, edit, delete, validation, and the
// book used by checkout, with the order keeping its copy.
func TestAddressBook(t *testing.T) {
	dbtestEach(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice := e.SignUp("alice")
		first := alice.Do("POST", "/api/v1/me/addresses", homeAddr).Want(201)
		if first.Get("default") != true || first.Str("district") != "徐汇区" || first.Str("postcode") != "200030" {
			t.Fatalf("first address: %v", first.JSON())
		}
		home := first.Str("id")
		work := alice.Do("POST", "/api/v1/me/addresses", map[string]any{"name": "Lin", "phone": "+1 415-555-0100", "country": "us",
			"region": "CA", "city": "San Francisco", "line": "1 Market St", "postcode": "94105-1234"}).Want(201)
		if work.Get("default") != false || work.Str("country") != "US" {
			t.Fatalf("second address: %v", work.JSON())
		}
		alice.Do("POST", "/api/v1/me/addresses/"+work.Str("id")+"/default", nil).Want(200)
		list := alice.Do("GET", "/api/v1/me/addresses", nil).Want(200)
		if list.Str("addresses.0.id") != work.Str("id") || list.Get("addresses.1.default") != false {
			t.Fatalf("default first: %v", list.JSON())
		}
		for _, bad := range []map[string]any{
			{"name": "A", "phone": "123456", "region": "上海市", "line": "x", "postcode": "2000"}, // CN postcodes are 6 digits
			{"name": "A", "phone": "123456", "region": "上海市", "line": "x", "country": "China"}, // not ISO
			{"name": "A", "phone": "call me", "region": "上海市", "line": "x"},                    // phone
			{"name": "", "phone": "123456", "region": "上海市", "line": "x"},                      // name
			{"name": "A", "phone": "123456", "region": "上海市", "line": "x", "city": string(make([]byte, 61))},
		} {
			alice.Do("POST", "/api/v1/me/addresses", bad).WantError(400, "invalid_input")
		}

		// Checkout from the book; editing the book later leaves the order alone.
		o := alice.DoWith("POST", "/api/v1/orders", map[string]any{"items": []map[string]any{{"sku_id": f.skus[0], "quantity": 1}},
			"address_id": home}, http.Header{"Idempotency-Key": {"k1"}}).Want(201)
		if o.Str("address.district") != "徐汇区" || o.Str("address.line") != "漕溪北路 88 号 6 楼" {
			t.Fatalf("order address: %v", o.Get("address"))
		}
		edited := map[string]any{"name": "林小红", "phone": "138 0013 8000", "region": "北京市", "line": "新地址 1 号"}
		alice.Do("PATCH", "/api/v1/me/addresses/"+home, edited).Want(200)
		if got := alice.Do("GET", "/api/v1/orders/"+o.Str("id"), nil).Want(200).Str("address.region"); got != "上海市" {
			t.Fatalf("past order's address changed to %q", got)
		}
		// Deleting the default hands it to the one left.
		alice.Do("DELETE", "/api/v1/me/addresses/"+work.Str("id"), nil).Want(204)
		if got := alice.Do("GET", "/api/v1/me/addresses/"+home, nil).Want(200); got.Get("default") != true || got.Str("region") != "北京市" {
			t.Fatalf("after delete: %v", got.JSON())
		}
		alice.Do("DELETE", "/api/v1/me/addresses/"+work.Str("id"), nil).WantError(404, "not_found")
	})
}

// TestAddressBookAuthz: another user can neither read, edit, delete nor
// default someone's address, nor ship an order or a flash purchase to it —
// and is told 404 before their input is looked at.
func TestAddressBookAuthz(t *testing.T) {
	dbtestEach(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		aid := alice.Do("POST", "/api/v1/me/addresses", homeAddr).Want(201).Str("id")
		path := "/api/v1/me/addresses/" + aid
		bob.Do("GET", path, nil).WantError(404, "not_found")
		bob.Do("PATCH", path, homeAddr).WantError(404, "not_found")
		bob.Do("PATCH", path, map[string]any{"name": ""}).WantError(404, "not_found") // authz before validation
		bob.Do("DELETE", path, nil).WantError(404, "not_found")
		bob.Do("POST", path+"/default", nil).WantError(404, "not_found")
		if n := len(bob.Do("GET", "/api/v1/me/addresses", nil).Want(200).Get("addresses").([]any)); n != 0 {
			t.Fatalf("bob sees %d addresses", n)
		}
		bob.DoWith("POST", "/api/v1/orders", map[string]any{"items": []map[string]any{{"sku_id": f.skus[0], "quantity": 1}},
			"address_id": aid}, http.Header{"Idempotency-Key": {"b1"}}).WantError(404, "not_found")
		sale := f.op.Do("POST", "/api/v1/flash-sales", map[string]any{"sku_id": f.skus[1], "price": 100, "stock": 3, "per_user_limit": 1,
			"starts_at": time.Now().Add(-time.Second), "ends_at": time.Now().Add(time.Hour)}).Want(201).Str("id")
		bob.DoWith("POST", "/api/v1/flash-sales/"+sale+"/purchase", map[string]any{"quantity": 1, "address_id": aid},
			http.Header{"Idempotency-Key": {"b2"}}).WantError(404, "not_found")
		e.Anon().Do("GET", "/api/v1/me/addresses", nil).WantError(401, "unauthorized")
		if got := alice.Do("GET", path, nil).Want(200).Str("line"); got != homeAddr["line"] {
			t.Fatalf("alice's address changed: %q", got)
		}
	})
}

// TestFlashPurchaseAddress: a flash order ships to the address given, to
// a book entry, or to the default; with none at all the purchase is 400.
func TestFlashPurchaseAddress(t *testing.T) {
	dbtestEach(t, func(t *testing.T, e *apitest.Env) {
		f := newShopFixture(t, e)
		sale := f.op.Do("POST", "/api/v1/flash-sales", map[string]any{"sku_id": f.skus[1], "price": 100, "stock": 5, "per_user_limit": 1,
			"starts_at": time.Now().Add(-time.Second), "ends_at": time.Now().Add(time.Hour)}).Want(201).Str("id")
		buy := func(c *apitest.Client, key string, body map[string]any) *apitest.Response {
			return c.DoWith("POST", "/api/v1/flash-sales/"+sale+"/purchase", body, http.Header{"Idempotency-Key": {key}})
		}
		carol := e.SignUp("carol")
		buy(carol, "c1", map[string]any{"quantity": 1}).WantError(400, "invalid_input")
		buy(carol, "c2", map[string]any{"quantity": 1, "address": map[string]any{"name": "C"}}).WantError(400, "invalid_input")
		oid := buy(carol, "c3", map[string]any{"quantity": 1, "address": homeAddr}).Want(201).Str("order_id")
		if got := carol.Do("GET", "/api/v1/orders/"+oid, nil).Want(200).Str("address.district"); got != "徐汇区" {
			t.Fatalf("flash order address district %q", got)
		}
		dave := e.SignUp("dave")
		dave.Do("POST", "/api/v1/me/addresses", homeAddr).Want(201)
		other := dave.Do("POST", "/api/v1/me/addresses", map[string]any{"name": "D", "phone": "13900000000", "region": "浙江省",
			"city": "杭州市", "line": "西湖路 1 号"}).Want(201).Str("id")
		oid = buy(dave, "d1", map[string]any{"quantity": 1, "address_id": other}).Want(201).Str("order_id")
		if got := dave.Do("GET", "/api/v1/orders/"+oid, nil).Want(200).Str("address.city"); got != "杭州市" {
			t.Fatalf("flash order from the book: city %q", got)
		}
		erin := e.SignUp("erin")
		erin.Do("POST", "/api/v1/me/addresses", homeAddr).Want(201)
		oid = buy(erin, "e1", map[string]any{"quantity": 1}).Want(201).Str("order_id")
		if got := erin.Do("GET", "/api/v1/orders/"+oid, nil).Want(200).Str("address.postcode"); got != "200030" {
			t.Fatalf("flash order to the default: postcode %q", got)
		}
	})
}

// TestAddressDefaultRace: many goroutines moving the default and adding
// addresses at once leave exactly one default.
func TestAddressDefaultRace(t *testing.T) {
	dbtestEach(t, func(t *testing.T, e *apitest.Env) {
		alice := e.SignUp("alice")
		uid, _ := id.Parse(alice.ID)
		var ids []string
		for i := 0; i < 4; i++ {
			ids = append(ids, alice.Do("POST", "/api/v1/me/addresses", homeAddr).Want(201).Str("id"))
		}
		var wg sync.WaitGroup
		for g := 0; g < 16; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 5; i++ {
					aid, _ := id.Parse(ids[(g+i)%len(ids)])
					if err := e.App.Orders.SetDefaultAddress(context.Background(), uid, aid); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		list, err := e.App.Orders.Addresses(context.Background(), uid)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range list {
			if a.Default {
				n++
			}
		}
		if n != 1 || len(list) != 4 {
			t.Fatalf("%d defaults among %d addresses", n, len(list))
		}
	})
}
