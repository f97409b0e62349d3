package web_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
)

func addrForm(name string) url.Values {
	return url.Values{"name": {name}, "phone": {"13800000000"}, "region": {"上海市"}, "city": {"上海市"},
		"district": {"徐汇区"}, "line": {"漕溪北路 1 号"}, "postcode": {"200030"}}
}

// TestAddressBookPages: add, edit, make default and delete from the pages,
// in both languages, with form errors in the viewer's language; another
// user cannot see or touch the addresses (404), and the book is offered
// at checkout with a way back.
func TestAddressBookPages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		a := signUp(t, e, "alice", "Alice")
		a.get("/me/addresses").want(200).has(`data-testid="addr-empty"`, "收货地址")
		a.get("/me/addresses/new").want(200).has(`data-testid="address-form"`)
		a.post("/me/addresses", addrForm("张三")).redirectsTo("/me/addresses?saved=1")
		// post adds the browser's CSRF token to the values: a fresh form each time.
		bad := func() url.Values {
			v := addrForm("李四")
			v.Set("phone", "abc")
			return v
		}
		a.post("/me/addresses", bad()).want(400).has("请填写手机号").lacks("address.phone")
		a.lang = "en"
		a.post("/me/addresses", bad()).want(400).has("Enter a phone number")
		a.lang = ""
		// A second address, back to checkout after saving.
		f := addrForm("李四")
		f.Set("back", "/checkout?store=1")
		a.post("/me/addresses", f).redirectsTo("/checkout?store=1")
		f = addrForm("李四")
		f.Set("back", "//evil.example/")
		a.post("/me/addresses", f).redirectsTo("/me/addresses?saved=1")

		u, _ := e.App.Accounts.GetByUsername(ctx, "alice")
		book, err := e.App.Orders.Addresses(ctx, u.ID)
		if err != nil || len(book) != 3 || book[0].Name != "张三" || !book[0].Default {
			t.Fatalf("book %+v, %v; want 张三 default first of 3", book, err)
		}
		first, second := book[0].ID.String(), book[1].ID.String()
		a.get("/me/addresses").want(200).has("张三", "李四", `data-testid="addr-make-default"`)
		a.get("/me/addresses/" + second + "/edit").want(200).has(`value="李四"`)
		ed := addrForm("王五")
		ed.Set("default", "1")
		a.post("/me/addresses/"+second, ed).redirectsTo("/me/addresses?saved=1")
		if book, _ = e.App.Orders.Addresses(ctx, u.ID); book[0].ID.String() != second || book[0].Name != "王五" {
			t.Fatalf("after edit, book %+v: want 王五 the default", book)
		}
		a.post("/me/addresses/"+first+"/default", url.Values{"back": {"/flash/1"}}).redirectsTo("/me/addresses?back=%2Fflash%2F1")
		a.get("/me/addresses?back=/flash/1").want(200).has(`data-testid="addr-back"`, `href="/flash/1"`)

		// Bob sees none of it and changes nothing: 404 on every path, even
		// with an invalid form (ownership before validation).
		b := signUp(t, e, "bob", "Bob")
		b.get("/me/addresses").want(200).has(`data-testid="addr-empty"`).lacks("张三")
		b.get("/me/addresses/" + first + "/edit").want(404)
		b.post("/me/addresses/"+first, bad()).want(404)
		b.post("/me/addresses/"+first, addrForm("Bob")).want(404)
		b.post("/me/addresses/"+second+"/default", nil).want(404)
		b.post("/me/addresses/"+first+"/delete", nil).want(404)
		if book, _ = e.App.Orders.Addresses(ctx, u.ID); len(book) != 3 || book[0].ID.String() != first || book[0].Name != "张三" {
			t.Fatalf("bob changed alice's book: %+v", book)
		}
		newBrowser(t, e).get("/me/addresses").redirectsTo("/login")

		a.post("/me/addresses/"+first+"/delete", nil).redirectsTo("/me/addresses")
		if book, _ = e.App.Orders.Addresses(ctx, u.ID); len(book) != 2 || !book[0].Default {
			t.Fatalf("after deleting the default, book %+v: want 2 with a new default", book)
		}
		// Without a CSRF token, nothing happens.
		a.post("/me/addresses/"+second+"/delete", url.Values{"csrf": {"x"}}).want(403)

		// Checkout offers the book and a link to manage it.
		w := newShopWorld(t, e)
		a.get("/checkout?sku="+w.skus[0]).want(200).has(`data-testid="addr-opt"`, "李四", `data-testid="addr-manage"`,
			`href="/me/addresses?back=%2fcheckout%3fsku%3d`+w.skus[0]+`"`)
	})
}
