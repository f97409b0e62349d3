package web

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/redmark/redmark/internal/apperr"
)

// fieldProblem parses validate.Text's messages ("title must be at most 20
// characters"), which name the field first.
var fieldProblem = regexp.MustCompile(`^([a-z_]+) (is required|must be at (least|most) (\d+) characters|contains control characters|is not valid UTF-8)$`)

// problem is a service's refusal as a page shows it: always a catalogue
// line in the reader's language, never the service's message (English, for
// the API and logs). Keys are tried most specific first: the page's own
// prefix+code (flash.err.sold_out), an address field (addr.err.phone), a
// text field's length or characters (err.too_long with field.title),
// err.<code>.<subject> for the first word of the message that names a
// subject (err.not_found.coupon from "coupon not found", or from "you have
// already used coupon X"), err.<code>, then the status's line.
func (q *req) problem(ae *apperr.Error, prefixes ...string) string {
	for _, p := range prefixes {
		if k := p + ae.Code; q.has(k) {
			return q.t(k)
		}
	}
	if m, ok := q.addressProblem(ae); ok {
		return m
	}
	if m := fieldProblem.FindStringSubmatch(ae.Message); m != nil && ae.Code == "invalid_input" && q.has("field."+m[1]) {
		field := q.t("field." + m[1])
		switch {
		case m[2] == "is required":
			return q.t("err.required", field)
		case m[3] == "least":
			return q.t("err.too_short", field, m[4])
		case m[3] == "most":
			return q.t("err.too_long", field, m[4])
		}
		return q.t("err.bad_chars", field)
	}
	for _, w := range strings.Fields(strings.ToLower(ae.Message)) {
		if k := "err." + ae.Code + "." + strings.Trim(w, ".,:;'\"()"); q.has(k) {
			return q.t(k)
		}
	}
	if k := "err." + ae.Code; q.has(k) {
		return q.t(k)
	}
	switch ae.Status {
	case http.StatusForbidden:
		return q.t("error.403")
	case http.StatusNotFound:
		return q.t("error.404")
	case http.StatusTooManyRequests:
		return q.t("error.429")
	}
	return q.t("error.generic")
}

// has reports whether the reader's catalogue has key.
func (q *req) has(key string) bool {
	_, ok := catalogs[q.lang][key]
	return ok
}

// errMessage is a client error's text for a form.
func (q *req) errMessage(err error, prefixes ...string) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return q.problem(ae, prefixes...)
	}
	return q.t("error.generic")
}

// formProblem sorts a form post's error: a refusal the user can fix in the
// form (400, 409) comes back as its catalogue line and status to re-render
// with; anything else is returned for the error page.
func (q *req) formProblem(err error, prefixes ...string) (string, int, error) {
	var ae *apperr.Error
	if errors.As(err, &ae) && (ae.Status == http.StatusBadRequest || ae.Status == http.StatusConflict) {
		return q.problem(ae, prefixes...), ae.Status, nil
	}
	return "", 0, err
}
