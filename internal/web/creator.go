package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/creators"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/support"
)

// The creator centre (/creator, G2): the signed-in creator's own notes per
// day with small bar charts drawn here as inline SVG (no script, no
// charting library), and the per-note table; and the disclosure form a
// note's author declares a brand collaboration with.

func (w *Web) registerCreator(mux *http.ServeMux) {
	mux.Handle("GET /creator", w.h(w.creatorPage))
	mux.Handle("GET /n/{id}/disclosure", w.h(w.disclosurePage))
	mux.Handle("POST /n/{id}/disclosure", w.h(w.saveDisclosure))
}

// metric is one chart of the page: a catalogue key and how to read a day.
type metric struct {
	key   string
	value func(creators.Counts) int64
	money bool
}

var creatorMetrics = []metric{
	{"creator.m.views", func(c creators.Counts) int64 { return c.Views }, false},
	{"creator.m.likes", func(c creators.Counts) int64 { return c.Likes }, false},
	{"creator.m.collects", func(c creators.Counts) int64 { return c.Collects }, false},
	{"creator.m.comments", func(c creators.Counts) int64 { return c.Comments }, false},
	{"creator.m.shares", func(c creators.Counts) int64 { return c.Shares }, false},
	{"creator.m.followers", func(c creators.Counts) int64 { return c.Followers }, false},
	{"creator.m.tips", func(c creators.Counts) int64 { return c.TipPoints }, false},
	{"creator.m.clicks", func(c creators.Counts) int64 { return c.Clicks }, false},
	{"creator.m.orders", func(c creators.Counts) int64 { return c.Orders }, false},
	{"creator.m.sales", func(c creators.Counts) int64 { return c.Sales }, true},
}

// chart is a bar chart in SVG user units (viewBox 0 0 W H).
type chart struct {
	Label string
	Total string
	W, H  int
	Bars  []bar
}

type bar struct {
	X, Y, W, H int
	Title      string // the day and its value (the bar's tooltip)
}

const chartW, chartH = 280, 64

func (q *req) chart(m metric, days []creators.Day) chart {
	c := chart{Label: q.t(m.key), W: chartW, H: chartH}
	var top, total int64
	for _, d := range days {
		v := m.value(d.Counts)
		top, total = max(top, v), total+v
	}
	show := func(v int64) string {
		if m.money {
			return yuan(v)
		}
		return strconv.FormatInt(v, 10)
	}
	c.Total = show(total)
	slot := chartW / max(1, len(days))
	for i, d := range days {
		v := m.value(d.Counts)
		h := 0
		if top > 0 {
			h = int(int64(chartH-2) * v / top)
		}
		if v > 0 {
			h = max(h, 2)
		}
		c.Bars = append(c.Bars, bar{X: i*slot + 1, Y: chartH - h, W: max(1, slot-2), H: h, Title: fmt.Sprintf("%s: %s", d.Date, show(v))})
	}
	return c
}

type creatorData struct {
	Days     int
	Charts   []chart
	Stats    creators.Stats
	Programs []support.CreatorProgram // support programs the creator is in, with the boost's effect
}

func (w *Web) creatorPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	days := 30
	if q.r.URL.Query().Get("days") == "7" {
		days = 7
	}
	st, err := w.app.Creators.Stats(q.r.Context(), me.ID, days)
	if err != nil {
		return err
	}
	d := creatorData{Days: days, Stats: st}
	if d.Programs, err = w.app.Support.ForCreator(q.r.Context(), me.ID); err != nil {
		return err
	}
	for _, m := range creatorMetrics {
		d.Charts = append(d.Charts, q.chart(m, st.Days))
	}
	q.render(http.StatusOK, "creator", q.t("creator.title"), "me", d)
	return nil
}

type disclosureData struct {
	NoteID  id.ID
	Title   string
	Current *creators.Disclosure
	Kind    string
	Brand   string
	Error   string
}

func (w *Web) disclosurePage(q *req) error { return q.renderDisclosure(http.StatusOK, "", "", "") }

// renderDisclosure shows the form to the note's author only (the note
// view says who wrote it; others get 403 as from the service).
func (q *req) renderDisclosure(status int, msg, kind, brand string) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	nid, err := q.pathID("note")
	if err != nil {
		return err
	}
	n, err := q.w.app.Notes.Get(q.r.Context(), me.ID, nid)
	if err != nil {
		return err
	}
	if n.AuthorID != me.ID {
		return apperr.Forbidden("only the author can declare a collaboration")
	}
	v, err := q.w.app.NoteView(q.r.Context(), me.ID, n)
	if err != nil {
		return err
	}
	d := disclosureData{NoteID: nid, Title: n.Title, Current: v.Disclosure, Kind: kind, Brand: brand, Error: msg}
	if d.Kind == "" && v.Disclosure != nil {
		d.Kind, d.Brand = v.Disclosure.Kind, v.Disclosure.Brand
	}
	q.render(status, "disclosure", q.t("disclose.title"), "", d)
	return nil
}

func (w *Web) saveDisclosure(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return err
	}
	nid, err := q.pathID("note")
	if err != nil {
		return err
	}
	kind, brand := q.r.PostFormValue("kind"), q.r.PostFormValue("brand")
	if kind == "none" {
		err = w.app.Creators.Withdraw(q.r.Context(), me, nid)
	} else {
		_, err = w.app.Creators.Disclose(q.r.Context(), me, nid, kind, brand)
	}
	if m, st, e := q.formProblem(err); e != nil {
		return e
	} else if m != "" {
		return q.renderDisclosure(st, m, kind, brand)
	}
	q.redirect("/n/" + nid.String())
	return nil
}

// noteClick records the signed-in reader's click from a note's product
// card (/p/{id}?from={note}); a failure never fails the product page.
// The page is a GET, so only a navigation from this site counts: a link or
// image planted elsewhere, or a browser's prefetch, does not credit a note.
func (q *req) noteClick(productID id.ID) {
	from := q.r.URL.Query().Get("from")
	if from == "" || q.me == nil || !ownNavigation(q.r) {
		return
	}
	nid, err := id.Parse(from)
	if err != nil {
		return
	}
	if err := q.w.app.Creators.Click(q.r.Context(), q.me.ID, nid, productID); err != nil && !errors.Is(err, apperr.ErrNotFound) {
		slog.Warn("web: note click", "note", nid, "product", productID, "err", err)
	}
}

// ownNavigation reports whether r is a user's navigation from one of this
// site's pages, going by the Fetch Metadata headers browsers send (a client
// that sends none, like an older browser, is taken at its word).
func ownNavigation(r *http.Request) bool {
	if r.Header.Get("Sec-Purpose") != "" || r.Header.Get("Purpose") == "prefetch" {
		return false
	}
	site := r.Header.Get("Sec-Fetch-Site")
	return site == "" || site == "same-origin"
}
