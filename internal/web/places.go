package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/places"
	"github.com/redmark/redmark/internal/shop"
)

// Destinations (C8): place pages with a map, per-trip shopping lists and
// editorial guides for offline reading. Operators' tools are in
// console_places.go.

func (w *Web) registerPlaces(mux *http.ServeMux) {
	mux.Handle("GET /places", w.h(w.placesIndex))
	mux.Handle("GET /places/{slug}", w.h(w.placePage))
	mux.Handle("GET /lists", w.h(w.listsPage))
	mux.Handle("POST /lists", w.h(w.createList))
	mux.Handle("GET /lists/add", w.h(w.chooseList))
	mux.Handle("GET /lists/{id}", w.h(w.listPage))
	mux.Handle("POST /lists/{id}/add", w.h(w.addToList))
	mux.Handle("POST /lists/{id}/import", w.h(w.importBoard))
	mux.Handle("POST /lists/{id}/share", w.h(w.shareList))
	mux.Handle("POST /lists/{id}/items/{item}/bought", w.h(w.tickItem))
	mux.Handle("POST /lists/{id}/items/{item}/remove", w.h(w.removeItem))
	mux.Handle("GET /s/lists/{token}", w.h(w.sharedList))
	mux.Handle("GET /guides/{id}", w.h(w.guidePage))
	mux.Handle("GET /guides/{id}/guide.epub", w.h(w.guideEPUB))
	mux.Handle("GET /guides/{id}/guide.pdf", w.h(w.guidePDF))
	w.registerConsolePlaces(mux)
}

type placeLink struct {
	Slug, Name string
}

func (q *req) placeLink(p places.Place) placeLink {
	return placeLink{Slug: p.Slug, Name: p.Name(q.lang)}
}

type placesIndexData struct {
	Countries []placeGroup
}

type placeGroup struct {
	placeLink
	Children []placeLink
}

func (w *Web) placesIndex(q *req) error {
	ctx := q.r.Context()
	cs, err := w.app.Places.Children(ctx, 0)
	if err != nil {
		return err
	}
	var d placesIndexData
	for _, c := range cs {
		kids, err := w.app.Places.Children(ctx, c.ID)
		if err != nil {
			return err
		}
		g := placeGroup{placeLink: q.placeLink(c)}
		for _, k := range kids {
			g.Children = append(g.Children, q.placeLink(k))
		}
		d.Countries = append(d.Countries, g)
	}
	q.render(http.StatusOK, "places", q.t("places.title"), "", d)
	return nil
}

type pinView struct {
	Name  string  `json:"name"`
	Slug  string  `json:"slug"`
	Lat   float64 `json:"lat"`
	Lng   float64 `json:"lng"`
	Notes int64   `json:"notes"`
}

type placeData struct {
	Place     placeLink
	Crumbs    []placeLink
	Children  []placeLink
	NoteCount int64
	Notes     []card
	Topics    []places.TopicCount
	Products  []productCard
	Guides    []places.GuideSummary
	Pins      []pinView
	PinsJSON  string
	Tiles     string // tile URL template; empty: the list fallback
	TileAttr  string
	MyLists   []places.List // the signed-in reader's lists, for "add to list"
}

func (w *Web) placePage(q *req) error {
	ctx := q.r.Context()
	s := w.app.Places
	p, err := s.BySlug(ctx, q.r.PathValue("slug"))
	if err != nil {
		return err
	}
	d := placeData{Place: q.placeLink(p), Tiles: w.app.Config.Places.TileURL, TileAttr: w.app.Config.Places.TileAttribution}
	anc, err := s.Ancestors(ctx, p)
	if err != nil {
		return err
	}
	for _, a := range anc {
		d.Crumbs = append(d.Crumbs, q.placeLink(a))
	}
	kids, err := s.Children(ctx, p.ID)
	if err != nil {
		return err
	}
	for _, k := range kids {
		d.Children = append(d.Children, q.placeLink(k))
	}
	if d.NoteCount, err = s.NoteCount(ctx, p); err != nil {
		return err
	}
	top, err := s.TopNotes(ctx, p, pageSize)
	if err != nil {
		return err
	}
	if d.Notes, err = q.cardsByID(top); err != nil {
		return err
	}
	if d.Topics, err = s.Topics(ctx, p, 8); err != nil {
		return err
	}
	if d.Products, err = q.productsByID(s.Products(ctx, p, 6)); err != nil {
		return err
	}
	if d.Guides, err = s.Guides(ctx, p.ID, false); err != nil {
		return err
	}
	pins, err := s.Pins(ctx, p)
	if err != nil {
		return err
	}
	for _, pin := range pins {
		d.Pins = append(d.Pins, pinView{Name: pin.Place.Name(q.lang), Slug: pin.Place.Slug, Lat: pin.Place.Lat, Lng: pin.Place.Lng, Notes: pin.Notes})
	}
	b, _ := json.Marshal(d.Pins)
	d.PinsJSON = string(b)
	if q.me != nil {
		if d.MyLists, err = s.Lists(ctx, q.me.ID); err != nil {
			return err
		}
	}
	if d.Tiles != "" {
		// Tiles come from the configured server: allow it for images only.
		// A {s} subdomain is not a valid host: parse a stand-in, allow a wildcard.
		const sub = "tile-subdomain"
		if u, err := url.Parse(strings.ReplaceAll(d.Tiles, "{s}", sub)); err == nil && u.Scheme == "https" && u.Host != "" {
			origin := "https://" + strings.ReplaceAll(u.Host, sub, "*")
			q.rw.Header().Set("Content-Security-Policy", strings.Replace(csp, "img-src 'self' data:", "img-src 'self' data: "+origin, 1))
		} else {
			d.Tiles = ""
		}
	}
	q.render(http.StatusOK, "place", p.Name(q.lang), "", d)
	return nil
}

// productsByID turns listed product ids into cards; products that are
// gone are skipped.
func (q *req) productsByID(ids []id.ID, err error) ([]productCard, error) {
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	c, _, err := q.catalog()
	if err != nil {
		return nil, err
	}
	var ps []shop.Product
	for _, pid := range ids {
		if p, err := q.w.app.Shop.GetProduct(q.r.Context(), q.me, pid); err == nil {
			ps = append(ps, p)
		}
	}
	return q.productCards(c, ps)
}

// Shopping lists.

type listsData struct {
	Lists  []places.List
	Places []places.Place
}

func (w *Web) listsPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	ls, err := w.app.Places.Lists(q.r.Context(), me.ID)
	if err != nil {
		return err
	}
	ps, err := w.app.Places.All(q.r.Context())
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "lists", q.t("lists.title"), "me", listsData{Lists: ls, Places: ps})
	return nil
}

func (w *Web) createList(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	var place id.ID
	if v := q.r.PostFormValue("place"); v != "" {
		if place, err = id.Parse(v); err != nil {
			return apperr.Invalid("place: bad id")
		}
	}
	// From the "add to list" chooser: the new list starts with that thing.
	var kind string
	var ref id.ID
	if k := q.r.PostFormValue("kind"); k != "" {
		if kind, ref, err = parseRef(k, q.r.PostFormValue("ref"), ""); err != nil {
			return err
		}
		if err := q.visibleItem(me, kind, ref); err != nil {
			return err
		}
	}
	ctx := q.r.Context()
	l, err := w.app.Places.CreateList(ctx, me.ID, q.r.PostFormValue("title"), place)
	if err != nil {
		return err
	}
	if kind != "" {
		if err := w.app.Places.AddItem(ctx, me.ID, l.ID, kind, ref); err != nil {
			return err
		}
	}
	q.redirect("/lists/" + l.ID.String())
	return nil
}

// visibleItem: only what the reader can see goes on a list.
func (q *req) visibleItem(me accounts.User, kind string, ref id.ID) (err error) {
	switch kind {
	case places.ItemNote:
		_, err = q.w.app.Notes.Get(q.r.Context(), me.ID, ref)
	case places.ItemProduct:
		_, err = q.w.app.Shop.GetProduct(q.r.Context(), &me, ref)
	default:
		err = apperr.Invalid("kind must be note or product")
	}
	return err
}

type chooseListData struct {
	Kind  string
	Ref   id.ID
	Back  string // the note or product page
	Lists []places.List
}

// chooseList is where the note and product pages' "add to list" button
// leads (so those hot pages load no lists): one of my lists, or a new one.
func (w *Web) chooseList(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	kind, ref, err := parseRef(q.r.URL.Query().Get("kind"), q.r.URL.Query().Get("ref"), "")
	if err != nil {
		return err
	}
	if err := q.visibleItem(me, kind, ref); err != nil {
		return err
	}
	d := chooseListData{Kind: kind, Ref: ref, Back: map[string]string{places.ItemNote: "/n/", places.ItemProduct: "/p/"}[kind] + ref.String()}
	if d.Lists, err = w.app.Places.Lists(q.r.Context(), me.ID); err != nil {
		return err
	}
	q.render(http.StatusOK, "list_add", q.t("lists.add_to_list"), "me", d)
	return nil
}

type listItemView struct {
	places.Item
	Title  string
	Href   string
	Cover  string
	Price  int64
	InShop bool
}

type listData struct {
	List      places.List
	Owner     bool
	Place     *placeLink
	Items     []listItemView
	Bought    int
	ShareURL  string
	Boards    []boardOption
	ShareBack string
}

type boardOption struct {
	ID   id.ID
	Name string
}

func (w *Web) listPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	lid, err := id.Parse(q.r.PathValue("id"))
	if err != nil {
		return apperr.NotFound("list")
	}
	l, err := w.app.Places.List(q.r.Context(), me.ID, lid)
	if err != nil {
		return err
	}
	d, err := q.listData(l, true)
	if err != nil {
		return err
	}
	bs, err := w.app.Social.Boards(q.r.Context(), me.ID)
	if err != nil {
		return err
	}
	for _, b := range bs {
		d.Boards = append(d.Boards, boardOption{ID: b.ID, Name: b.Name})
	}
	if l.Shared() {
		d.ShareURL = q.baseURL() + "/s/lists/" + l.ShareToken
	}
	q.render(http.StatusOK, "list", l.Title, "me", d)
	return nil
}

func (w *Web) sharedList(q *req) error {
	l, err := w.app.Places.SharedList(q.r.Context(), q.r.PathValue("token"))
	if err != nil {
		return err
	}
	d, err := q.listData(l, q.me != nil && q.me.ID == l.UserID)
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "list", l.Title, "", d)
	return nil
}

// listData resolves a list's items into titles, links and shop prices.
func (q *req) listData(l places.List, owner bool) (listData, error) {
	ctx := q.r.Context()
	d := listData{List: l, Owner: owner}
	if l.PlaceID != 0 {
		if p, err := q.w.app.Places.Get(ctx, l.PlaceID); err == nil {
			pl := q.placeLink(p)
			d.Place = &pl
		}
	}
	var noteIDs []id.ID
	for _, it := range l.Items {
		if it.Kind == places.ItemNote {
			noteIDs = append(noteIDs, it.RefID)
		}
	}
	ns, err := q.w.app.Notes.GetMany(ctx, noteIDs)
	if err != nil {
		return d, err
	}
	for _, it := range l.Items {
		v := listItemView{Item: it}
		switch it.Kind {
		case places.ItemNote:
			n, ok := ns[it.RefID]
			if !ok || n.Status != "published" {
				continue
			}
			v.Title, v.Href = n.Title, "/n/"+n.ID.String()
			if c := coverOf(n); c != nil {
				v.Cover = c.Src
			}
		case places.ItemProduct:
			p, err := q.w.app.Shop.GetProduct(ctx, q.me, it.RefID)
			if err != nil {
				continue // no longer in the shop
			}
			v.Title, v.Href, v.Price, v.InShop = p.Title, "/p/"+p.ID.String(), p.PriceMin, true
			if len(p.Images) > 0 {
				v.Cover = thumbOf(p.Images[0])
			}
		}
		if it.Bought {
			d.Bought++
		}
		d.Items = append(d.Items, v)
	}
	return d, nil
}

// refRE reads what a reader pastes into "add to list": a note or product
// link (…/n/123, …/p/456) or the form's own kind and ref fields.
var refRE = regexp.MustCompile(`/(n|p)/([0-9]+)`)

func parseRef(kind, ref, link string) (string, id.ID, error) {
	if m := refRE.FindStringSubmatch(link); m != nil {
		kind, ref = map[string]string{"n": places.ItemNote, "p": places.ItemProduct}[m[1]], m[2]
	}
	r, err := id.Parse(ref)
	if err != nil {
		return "", 0, apperr.Invalid("paste a note or product link")
	}
	return kind, r, nil
}

func (q *req) listID() (id.ID, error) {
	lid, err := id.Parse(q.r.PathValue("id"))
	if err != nil {
		return 0, apperr.NotFound("list")
	}
	return lid, nil
}

func (w *Web) addToList(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	lid, err := q.listID()
	if err != nil {
		return err
	}
	// The list must be mine before anything about the item is looked at.
	if _, err := w.app.Places.List(q.r.Context(), me.ID, lid); err != nil {
		return err
	}
	kind, ref, err := parseRef(q.r.PostFormValue("kind"), q.r.PostFormValue("ref"), q.r.PostFormValue("link"))
	if err != nil {
		return err
	}
	if err := q.visibleItem(me, kind, ref); err != nil {
		return err
	}
	if err := w.app.Places.AddItem(q.r.Context(), me.ID, lid, kind, ref); err != nil {
		return err
	}
	q.back("/lists/" + lid.String())
	return nil
}

func (w *Web) importBoard(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	lid, err := q.listID()
	if err != nil {
		return err
	}
	bid, err := id.Parse(q.r.PostFormValue("board"))
	if err != nil {
		return apperr.Invalid("pick a board")
	}
	if _, err := w.app.Places.ImportBoard(q.r.Context(), me.ID, lid, bid); err != nil {
		return err
	}
	q.redirect("/lists/" + lid.String())
	return nil
}

func (w *Web) shareList(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	lid, err := q.listID()
	if err != nil {
		return err
	}
	if _, err := w.app.Places.Share(q.r.Context(), me.ID, lid, q.r.PostFormValue("on") == "1"); err != nil {
		return err
	}
	q.redirect("/lists/" + lid.String())
	return nil
}

func (q *req) itemID() (id.ID, error) {
	iid, err := id.Parse(q.r.PathValue("item"))
	if err != nil {
		return 0, apperr.NotFound("item")
	}
	return iid, nil
}

func (w *Web) tickItem(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	lid, err := q.listID()
	if err != nil {
		return err
	}
	iid, err := q.itemID()
	if err != nil {
		return err
	}
	if err := w.app.Places.SetBought(q.r.Context(), me.ID, lid, iid, q.r.PostFormValue("bought") == "1"); err != nil {
		return err
	}
	q.redirect("/lists/" + lid.String())
	return nil
}

func (w *Web) removeItem(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	lid, err := q.listID()
	if err != nil {
		return err
	}
	iid, err := q.itemID()
	if err != nil {
		return err
	}
	if err := w.app.Places.RemoveItem(q.r.Context(), me.ID, lid, iid); err != nil {
		return err
	}
	q.redirect("/lists/" + lid.String())
	return nil
}

// Guides.

type guideData struct {
	Guide places.Guide
	Place placeLink
	Book  places.Book
}

func (q *req) publishedGuide() (places.Guide, error) {
	gid, err := id.Parse(q.r.PathValue("id"))
	if err != nil {
		return places.Guide{}, apperr.NotFound("guide")
	}
	return q.w.app.Places.Guide(q.r.Context(), gid, false)
}

func (w *Web) guidePage(q *req) error {
	g, err := q.publishedGuide()
	if err != nil {
		return err
	}
	p, err := w.app.Places.Get(q.r.Context(), g.PlaceID)
	if err != nil {
		return err
	}
	b, err := w.app.GuideBook(q.r.Context(), g, q.lang, "")
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "guide", g.Title, "", guideData{Guide: g, Place: q.placeLink(p), Book: b})
	return nil
}

func (w *Web) guideEPUB(q *req) error {
	g, err := q.publishedGuide()
	if err != nil {
		return err
	}
	b, err := w.app.GuideBook(q.r.Context(), g, q.lang, q.baseURL())
	if err != nil {
		return err
	}
	h := q.rw.Header()
	h.Set("Content-Type", "application/epub+zip")
	h.Set("Content-Disposition", `attachment; filename="guide-`+g.ID.String()+`.epub"`)
	return b.WriteEPUB(q.rw)
}

func (w *Web) guidePDF(q *req) error {
	g, err := q.publishedGuide()
	if err != nil {
		return err
	}
	pdf, err := w.app.GuidePDF(q.r.Context(), g, q.lang, q.baseURL())
	if err != nil {
		return err
	}
	h := q.rw.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="guide-`+g.ID.String()+`.pdf"`)
	_, err = q.rw.Write(pdf)
	return err
}

// exploreIn is the explore page filtered by destination (/?place=tokyo):
// the notes at or under the place, newest first.
func (w *Web) exploreIn(q *req, slug string) error {
	p, err := w.app.Places.BySlug(q.r.Context(), slug)
	if err != nil {
		return err
	}
	before, err := httpx.IDCursor(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	ids, err := w.app.Places.NotesIn(q.r.Context(), p, before, pageSize)
	if err != nil {
		return err
	}
	cs, err := q.cardsByID(ids)
	if err != nil {
		return err
	}
	d := gridData{Heading: p.Name(q.lang), Lead: q.t("places.explore"), Cards: cs, Empty: q.t("places.no_notes")}
	if len(ids) == pageSize {
		d.More = "?place=" + url.QueryEscape(slug) + "&cursor=" + ids[len(ids)-1].String()
	}
	q.render(http.StatusOK, "grid", p.Name(q.lang), "home", d)
	return nil
}
