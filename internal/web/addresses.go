package web

import (
	"errors"
	"net/http"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/orders"
)

// addrPick is the shipping-address picker shared by checkout and flash
// buying: Selected is a book entry's id, or "" for the address typed in
// New ("default" on a first render picks the book's default).
type addrPick struct {
	Book     []orders.BookAddress
	Selected string
	New      orders.Address
	Save     bool   // add New to the book when the order is placed
	Back     string // the page to come back to from the address book
}

func pickForm(r *http.Request) addrPick {
	f := r.PostFormValue
	return addrPick{Selected: f("address_id"), Save: f("save_address") == "1", New: orders.Address{Name: f("name"), Phone: f("phone"),
		Region: f("region"), City: f("city"), District: f("district"), Line: f("line"), Postcode: f("postcode")}}
}

// pick loads the viewer's book into p and resolves "default".
func (q *req) pick(me accounts.User, p addrPick) (addrPick, error) {
	book, err := q.w.app.Orders.Addresses(q.r.Context(), me.ID)
	if err != nil {
		return p, err
	}
	p.Book = book
	p.Back = q.r.URL.RequestURI()
	if q.r.Method != http.MethodGet {
		p.Back = localReferer(q.r, p.Back)
	}
	if p.Selected == "default" {
		p.Selected = ""
		if len(book) > 0 && book[0].Default {
			p.Selected = book[0].ID.String()
		}
	}
	return p, nil
}

// saveAddress adds a typed-in address to the book when asked to, and
// then selects it, so the order ships to the saved copy.
func (q *req) saveAddress(me accounts.User, p *addrPick) error {
	if p.Selected != "" || !p.Save {
		return nil
	}
	a, err := q.w.app.Orders.AddAddress(q.r.Context(), me.ID, orders.AddressInput{Address: p.New})
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Status < 500 {
		return ae
	}
	if err != nil {
		return err
	}
	p.Selected, p.Save = a.ID.String(), false
	return nil
}
