package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/places"
)

// Destinations (C8): places, shopping lists and guides. Lists answer 404 to
// anyone but their owner (as on the web), so a private list does not leak.
func (a *API) registerPlaces(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/places", handler(a.listPlaces))
	mux.Handle("GET /api/v1/places/{slug}", handler(a.getPlace))
	mux.Handle("GET /api/v1/places/{slug}/notes", handler(a.placeNotes))
	mux.Handle("GET /api/v1/me/lists", handler(a.myLists))
	mux.Handle("POST /api/v1/me/lists", handler(a.createList))
	mux.Handle("GET /api/v1/lists/{id}", handler(a.getList))
	mux.Handle("DELETE /api/v1/lists/{id}", handler(a.deleteList))
	mux.Handle("POST /api/v1/lists/{id}/items", handler(a.addListItem))
	mux.Handle("PATCH /api/v1/lists/{id}/items/{item}", handler(a.tickListItem))
	mux.Handle("DELETE /api/v1/lists/{id}/items/{item}", handler(a.removeListItem))
	mux.Handle("PUT /api/v1/lists/{id}/share", handler(a.shareList))
	mux.Handle("POST /api/v1/lists/{id}/import", handler(a.importBoard))
	mux.Handle("GET /api/v1/shared-lists/{token}", handler(a.sharedList))
	mux.Handle("GET /api/v1/guides", handler(a.listGuides))
	mux.Handle("GET /api/v1/guides/{id}", handler(a.getGuide))
	mux.Handle("GET /api/v1/guides/{id}/guide.epub", handler(a.guideEPUB))
	mux.Handle("GET /api/v1/guides/{id}/guide.pdf", handler(a.guidePDF))
}

// listPlaces: the places directly under ?parent= (an id), or the countries.
func (a *API) listPlaces(w http.ResponseWriter, r *http.Request) error {
	var parent id.ID
	if v := r.URL.Query().Get("parent"); v != "" {
		var err error
		if parent, err = id.Parse(v); err != nil {
			return apperr.Invalid("parent: bad id")
		}
	}
	ps, err := a.app.Places.Children(r.Context(), parent)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"places": nonNilSlice(ps)})
	return nil
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *API) placeBySlug(r *http.Request) (places.Place, error) {
	return a.app.Places.BySlug(r.Context(), r.PathValue("slug"))
}

// getPlace: the place, its ancestors (country first), children, note count
// and published guides.
func (a *API) getPlace(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := a.placeBySlug(r)
	if err != nil {
		return err
	}
	anc, err := a.app.Places.Ancestors(ctx, p)
	if err != nil {
		return err
	}
	kids, err := a.app.Places.Children(ctx, p.ID)
	if err != nil {
		return err
	}
	n, err := a.app.Places.NoteCount(ctx, p)
	if err != nil {
		return err
	}
	gs, err := a.app.Places.Guides(ctx, p.ID, false)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"place": p, "ancestors": nonNilSlice(anc), "children": nonNilSlice(kids),
		"note_count": n, "guides": nonNilSlice(gs)})
	return nil
}

// placeNotes: published notes at the place or under it, newest first.
func (a *API) placeNotes(w http.ResponseWriter, r *http.Request) error {
	p, err := a.placeBySlug(r)
	if err != nil {
		return err
	}
	before, limit, err := httpx.IDPage(r, 20, 50)
	if err != nil {
		return err
	}
	ids, err := a.app.Places.NotesIn(r.Context(), p, before, limit)
	if err != nil {
		return err
	}
	got, err := a.app.Notes.GetMany(r.Context(), ids)
	if err != nil {
		return err
	}
	ns := make([]notes.Note, 0, len(ids))
	for _, i := range ids {
		if n, ok := got[i]; ok {
			ns = append(ns, n)
		}
	}
	return a.writeNotes(w, r, limit, ns, nil)
}

func (a *API) myLists(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	ls, err := a.app.Places.Lists(r.Context(), me.ID)
	if err != nil {
		return err
	}
	for i := range ls {
		ls[i].Items = []places.Item{}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"lists": nonNilSlice(ls)})
	return nil
}

func (a *API) createList(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	var in struct {
		Title   string `json:"title"`
		PlaceID id.ID  `json:"place_id"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	l, err := a.app.Places.CreateList(r.Context(), me.ID, in.Title, in.PlaceID)
	if err != nil {
		return err
	}
	l.Items = []places.Item{}
	httpx.WriteJSON(w, http.StatusCreated, l)
	return nil
}

// listWrite is the start of every list write: signed in, within the write
// limit, and the list id; ownership is checked by places in the write's
// transaction (404 for others).
func (a *API) listWrite(r *http.Request) (id.ID, id.ID, error) {
	me, err := httpx.Require(r)
	if err != nil {
		return 0, 0, err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return 0, 0, err
	}
	lid, err := httpx.PathID(r, "id", "list")
	return me.ID, lid, err
}

func (a *API) writeList(w http.ResponseWriter, r *http.Request, status int, user, lid id.ID) error {
	l, err := a.app.Places.List(r.Context(), user, lid)
	if err != nil {
		return err
	}
	if l.Items == nil {
		l.Items = []places.Item{}
	}
	httpx.WriteJSON(w, status, l)
	return nil
}

func (a *API) getList(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	lid, err := httpx.PathID(r, "id", "list")
	if err != nil {
		return err
	}
	return a.writeList(w, r, http.StatusOK, me.ID, lid)
}

func (a *API) deleteList(w http.ResponseWriter, r *http.Request) error {
	me, lid, err := a.listWrite(r)
	if err != nil {
		return err
	}
	if err := a.app.Places.DeleteList(r.Context(), me, lid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// addListItem: {kind: note|product, ref_id}. The list must be the caller's
// before anything about the item is looked at; the item must be something
// the caller can see.
func (a *API) addListItem(w http.ResponseWriter, r *http.Request) error {
	me, lid, err := a.listWrite(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := a.app.Places.List(ctx, me, lid); err != nil {
		return err
	}
	var in struct {
		Kind  string `json:"kind"`
		RefID id.ID  `json:"ref_id"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	user, _ := httpx.User(r)
	switch in.Kind {
	case places.ItemNote:
		_, err = a.app.Notes.Get(ctx, me, in.RefID)
	case places.ItemProduct:
		_, err = a.app.Shop.GetProduct(ctx, &user, in.RefID)
	default:
		err = apperr.Invalid("kind must be note or product")
	}
	if err != nil {
		return err
	}
	if err := a.app.Places.AddItem(ctx, me, lid, in.Kind, in.RefID); err != nil {
		return err
	}
	return a.writeList(w, r, http.StatusOK, me, lid)
}

func (a *API) tickListItem(w http.ResponseWriter, r *http.Request) error {
	me, lid, err := a.listWrite(r)
	if err != nil {
		return err
	}
	item, err := httpx.PathID(r, "item", "item")
	if err != nil {
		return err
	}
	var in struct {
		Bought *bool `json:"bought"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Bought == nil {
		// Someone else's list is 404 whatever the body.
		if _, err := a.app.Places.List(r.Context(), me, lid); err != nil {
			return err
		}
		return apperr.Invalid("bought is required")
	}
	if err := a.app.Places.SetBought(r.Context(), me, lid, item, *in.Bought); err != nil {
		return err
	}
	return a.writeList(w, r, http.StatusOK, me, lid)
}

func (a *API) removeListItem(w http.ResponseWriter, r *http.Request) error {
	me, lid, err := a.listWrite(r)
	if err != nil {
		return err
	}
	item, err := httpx.PathID(r, "item", "item")
	if err != nil {
		return err
	}
	if err := a.app.Places.RemoveItem(r.Context(), me, lid, item); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// shareList: {on: true} makes a read-only link (a new one each time it is
// switched on again), {on: false} revokes it.
func (a *API) shareList(w http.ResponseWriter, r *http.Request) error {
	me, lid, err := a.listWrite(r)
	if err != nil {
		return err
	}
	var in struct {
		On bool `json:"on"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	tok, err := a.app.Places.Share(r.Context(), me, lid, in.On)
	if err != nil {
		return err
	}
	out := map[string]any{"share_token": tok, "share_url": nil}
	if tok != "" {
		out["share_url"] = a.baseURL(r) + "/s/lists/" + tok
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) importBoard(w http.ResponseWriter, r *http.Request) error {
	me, lid, err := a.listWrite(r)
	if err != nil {
		return err
	}
	var in struct {
		BoardID id.ID `json:"board_id"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := a.app.Places.ImportBoard(r.Context(), me, lid, in.BoardID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"added": n})
	return nil
}

func (a *API) sharedList(w http.ResponseWriter, r *http.Request) error {
	l, err := a.app.Places.SharedList(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	if l.Items == nil {
		l.Items = []places.Item{}
	}
	httpx.WriteJSON(w, http.StatusOK, l)
	return nil
}

// listGuides: published guides, of ?place=slug (or all), newest first.
func (a *API) listGuides(w http.ResponseWriter, r *http.Request) error {
	var place id.ID
	if slug := r.URL.Query().Get("place"); slug != "" {
		p, err := a.app.Places.BySlug(r.Context(), slug)
		if err != nil {
			return err
		}
		place = p.ID
	}
	gs, err := a.app.Places.Guides(r.Context(), place, false)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"guides": nonNilSlice(gs)})
	return nil
}

// publishedGuide: readers never see drafts (404), operators included.
func (a *API) publishedGuide(r *http.Request) (places.Guide, error) {
	gid, err := httpx.PathID(r, "id", "guide")
	if err != nil {
		return places.Guide{}, err
	}
	return a.app.Places.Guide(r.Context(), gid, false)
}

func (a *API) getGuide(w http.ResponseWriter, r *http.Request) error {
	g, err := a.publishedGuide(r)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, g)
	return nil
}

// guideLang is the download's language: ?lang=en, else Chinese.
func guideLang(r *http.Request) string {
	if r.URL.Query().Get("lang") == "en" {
		return "en"
	}
	return "zh"
}

func (a *API) guideEPUB(w http.ResponseWriter, r *http.Request) error {
	g, err := a.publishedGuide(r)
	if err != nil {
		return err
	}
	b, err := a.app.GuideBook(r.Context(), g, guideLang(r), a.baseURL(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/epub+zip")
	w.Header().Set("Content-Disposition", `attachment; filename="guide-`+g.ID.String()+`.epub"`)
	return b.WriteEPUB(w)
}

func (a *API) guidePDF(w http.ResponseWriter, r *http.Request) error {
	g, err := a.publishedGuide(r)
	if err != nil {
		return err
	}
	pdf, err := a.app.GuidePDF(r.Context(), g, guideLang(r), a.baseURL(r))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="guide-`+g.ID.String()+`.pdf"`)
	_, err = w.Write(pdf)
	return err
}
