package web

import (
	"net/http"
	"strings"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/productnotes"
	"github.com/redmark/redmark/internal/shop"
)

// The product picker of the publish and edit forms (E4): the products the
// note links, then the newest products on sale, as checkboxes, plus a
// field for product ids (from a product page's address). The notes service
// checks the choice (at most five, listed products only).

// pickChoices is how many recent products the picker offers.
const pickChoices = 8

type productPick struct {
	ID      id.ID
	Title   string
	Price   int64
	Checked bool
}

// formProductIDs reads the ticked products and the typed ids, in order,
// without repeats, at most max.
func formProductIDs(r *http.Request, max int) ([]id.ID, error) {
	vals := append([]string(nil), r.PostForm["product"]...)
	vals = append(vals, strings.FieldsFunc(r.PostFormValue("product_ids"), func(c rune) bool {
		return c == ',' || c == ' ' || c == '，' || c == '\n' || c == '/'
	})...)
	var out []id.ID
	seen := map[id.ID]bool{}
	for _, v := range vals {
		// Accept a pasted product address such as /p/123.
		v = strings.TrimPrefix(strings.TrimSpace(v), "p")
		if v == "" {
			continue
		}
		p, err := id.Parse(v)
		if err != nil {
			return nil, apperr.Invalid("%q is not a product id", v)
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	if len(out) > max {
		return nil, apperr.Invalid("choose at most %d products", max)
	}
	return out, nil
}

// productPicks lists the picker's choices: linked products first, then
// recent ones; chosen ones are ticked.
func (q *req) productPicks(linked []productnotes.Card, chosen []id.ID) ([]productPick, error) {
	on := map[id.ID]bool{}
	for _, c := range chosen {
		on[c] = true
	}
	var out []productPick
	seen := map[id.ID]bool{}
	for _, c := range linked {
		seen[c.ID] = true
		out = append(out, productPick{ID: c.ID, Title: c.Title, Price: c.Price, Checked: chosen == nil || on[c.ID]})
	}
	ps, _, err := q.w.app.Shop.ListProducts(q.r.Context(), shop.ListFilter{Limit: pickChoices})
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if !seen[p.ID] {
			out = append(out, productPick{ID: p.ID, Title: p.Title, Price: p.PriceMin, Checked: on[p.ID]})
		}
	}
	return out, nil
}
