package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/live"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/notes"
)

func (w *Web) registerNotes(mux *http.ServeMux) {
	mux.Handle("GET /{$}", w.h(w.explore))
	mux.Handle("GET /following", w.h(w.following))
	mux.Handle("GET /t/{name}", w.h(w.topic))
	mux.Handle("GET /me/drafts", w.h(w.drafts))
	mux.Handle("GET /publish", w.h(w.publishPage))
	mux.Handle("POST /publish", w.h(w.publish))
	mux.Handle("GET /n/{id}/edit", w.h(w.editPage))
	mux.Handle("POST /n/{id}/edit", w.h(w.edit))
	mux.Handle("GET /n/{id}/delete", w.h(w.deletePage))
	mux.Handle("POST /n/{id}/delete", w.h(w.deleteNote))
}

// card is a note in a masonry grid.
type card struct {
	app.NoteView
	Cover *cover
	Draft bool
	// Discover feed cards (discover.go): why the note is shown, and the
	// CSRF token of the "not interested" form (empty: no form).
	Why      string
	HideCSRF string
}

// cover is the image a card shows: the first image's thumbnail, or a
// video's poster. Width and height let the browser reserve the space
// before the image loads (no inline styles under the CSP).
type cover struct {
	Src           string
	Width, Height int
}

func coverOf(n notes.Note) *cover {
	if len(n.Media) == 0 {
		return nil
	}
	m := n.Media[0]
	src := m.ThumbnailURL
	if src == "" && m.Kind == media.Image {
		src = m.URL
	}
	if src == "" {
		src = m.PosterURL
	}
	if src == "" {
		return nil
	}
	return &cover{Src: src, Width: m.Width, Height: m.Height}
}

func (q *req) viewerID() id.ID {
	if q.me == nil {
		return 0
	}
	return q.me.ID
}

// cards decorates notes for the viewer, keeping their order.
func (q *req) cards(ns []notes.Note) ([]card, error) {
	vs, err := q.w.app.NoteViews(q.r.Context(), q.viewerID(), ns)
	if err != nil {
		return nil, err
	}
	out := make([]card, len(vs))
	for i, v := range vs {
		out[i] = card{NoteView: v, Cover: coverOf(v.Note), Draft: v.Status == notes.Draft}
	}
	return out, nil
}

// cardsByID loads published notes by id in the order given (lists that
// come as ids: feed, likes, boards).
func (q *req) cardsByID(ids []id.ID) ([]card, error) {
	m, err := q.w.app.Notes.GetMany(q.r.Context(), ids)
	if err != nil {
		return nil, err
	}
	ns := make([]notes.Note, 0, len(ids))
	for _, i := range ids {
		if n, ok := m[i]; ok {
			ns = append(ns, n)
		}
	}
	return q.cards(ns)
}

func (q *req) authorCards(uid, before id.ID) ([]card, string, error) {
	ns, err := q.w.app.Notes.ListByAuthor(q.r.Context(), uid, before, pageSize)
	if err != nil {
		return nil, "", err
	}
	cs, err := q.cards(ns)
	return cs, nextIDPage("", ns), err
}

// nextIDPage is the link to the page after a full page of notes.
func nextIDPage(prefix string, ns []notes.Note) string {
	if len(ns) < pageSize {
		return ""
	}
	return "?" + prefix + "cursor=" + ns[len(ns)-1].ID.String()
}

// noteRefs loads the title and thumbnail of published notes by id.
func (q *req) noteRefs(ids []id.ID) (map[id.ID]*noteRef, error) {
	m, err := q.w.app.Notes.GetMany(q.r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make(map[id.ID]*noteRef, len(m))
	for i, n := range m {
		r := &noteRef{ID: i, Title: n.Title}
		if c := coverOf(n); c != nil {
			r.Thumb = c.Src
		}
		out[i] = r
	}
	return out, nil
}

type gridData struct {
	Heading  string
	Lead     string
	Cards    []card
	More     string
	Empty    string
	Lives    []live.Live // the discover feed's row of lives (live.go)
	Channels []channel   // discover's channel tabs (channels.go)
}

func (w *Web) explore(q *req) error {
	if slug := q.r.URL.Query().Get("place"); slug != "" {
		return w.exploreIn(q, slug)
	}
	if ch := q.r.URL.Query().Get("channel"); ch != "" {
		return w.channelPage(q, ch)
	}
	cs, more, err := q.discoverCards(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	chans, err := q.channels("")
	if err != nil {
		return err
	}
	d := gridData{Heading: q.t("explore.title"), Cards: cs, More: more, Empty: q.t("explore.empty"), Channels: chans}
	if q.r.URL.Query().Get("cursor") == "" {
		d.Lives = q.liveStrip()
	}
	q.render(http.StatusOK, "grid", "", "home", d)
	return nil
}

func (w *Web) following(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	before, err := httpx.IDCursor(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	ids, err := w.app.Feed.Following(q.r.Context(), me.ID, before, pageSize)
	if err != nil {
		return err
	}
	cs, err := q.cardsByID(ids)
	if err != nil {
		return err
	}
	d := gridData{Heading: q.t("following.title"), Cards: cs, Empty: q.t("following.empty")}
	if len(ids) == pageSize {
		d.More = "?cursor=" + ids[len(ids)-1].String()
	}
	q.render(http.StatusOK, "grid", q.t("following.title"), "following", d)
	return nil
}

func (w *Web) topic(q *req) error {
	before, err := httpx.IDCursor(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	t, ns, err := w.app.Notes.ByTopic(q.r.Context(), q.r.PathValue("name"), before, pageSize)
	if err != nil {
		return err
	}
	cs, err := q.cards(ns)
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "grid", "#"+t.Name, "home", gridData{Heading: "#" + t.Name,
		Lead: q.t("topic.count", t.NoteCount), Cards: cs, More: nextIDPage("", ns), Empty: q.t("topic.empty")})
	return nil
}

func (w *Web) drafts(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	before, err := httpx.IDCursor(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	ns, err := w.app.Notes.Drafts(q.r.Context(), me.ID, before, pageSize)
	if err != nil {
		return err
	}
	cs, err := q.cards(ns)
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "grid", q.t("drafts.title"), "me",
		gridData{Heading: q.t("drafts.title"), Cards: cs, More: nextIDPage("", ns), Empty: q.t("drafts.empty")})
	return nil
}

// noteForm is the publish and edit form.
type noteForm struct {
	Note     *notes.Note // nil when publishing
	Title    string
	Body     string
	Topics   string
	Location string
	Error    string
	Products []productPick // the product picker (notepicks.go)
}

func (w *Web) publishPage(q *req) error {
	if _, err := q.requireUser(); err != nil {
		return err
	}
	picks, err := q.productPicks(nil, nil)
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "publish", q.t("publish.title"), "publish", noteForm{Products: picks})
	return nil
}

// maxNoteForm bounds a publish form: nine full-size images (or a video)
// plus the text fields.
const maxNoteForm = notes.MaxImages*media.MaxImageBytes + 1<<20

// splitTopics reads the topics field: names separated by spaces, commas or
// '#'. The notes service validates each one.
func splitTopics(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == ',' || r == '，' || r == '#' || r == '\n' || r == '\t' || r == '、'
	})
}

// formError re-renders the note form with the service's reason.
func (q *req) noteFormError(f noteForm, err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return err
	}
	f.Error = q.problem(ae)
	if f.Products == nil {
		chosen, _ := formProductIDs(q.r, notes.MaxProducts) // unreadable ids were the error shown
		if f.Products, err = q.productPicks(nil, chosen); err != nil {
			return err
		}
	}
	if ae.Status == http.StatusTooManyRequests {
		f.Error = q.t("error.429")
	}
	title := q.t("publish.title")
	if f.Note != nil {
		title = q.t("edit.title")
	}
	q.render(ae.Status, "publish", title, "publish", f)
	return nil
}

func readNoteForm(r *http.Request) noteForm {
	return noteForm{Title: r.PostFormValue("title"), Body: r.PostFormValue("body"),
		Topics: r.PostFormValue("topics"), Location: r.PostFormValue("location")}
}

// uploadAll stores every chosen file of the "media" field, in order.
func (q *req) uploadAll(me accounts.User) ([]id.ID, error) {
	if q.r.MultipartForm == nil {
		return nil, nil
	}
	var ids []id.ID
	for _, fh := range q.r.MultipartForm.File["media"] {
		if fh.Size == 0 {
			continue
		}
		m, err := upload(q, me, fh)
		if err != nil {
			return nil, err
		}
		ids = append(ids, m.ID)
	}
	return ids, nil
}

// publish uploads the files to the media service, then creates the note;
// the services check counts, types, sizes and texts.
func (w *Web) publish(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := parseMultipart(q, maxNoteForm); err != nil {
		return q.noteFormError(noteForm{}, err)
	}
	f := readNoteForm(q.r)
	if err := app.Allow(w.app.Limits.Post, me.ID.String()); err != nil {
		return q.noteFormError(f, err)
	}
	ids, err := q.uploadAll(me)
	if err != nil {
		return q.noteFormError(f, err)
	}
	products, err := formProductIDs(q.r, notes.MaxProducts)
	if err != nil {
		return q.noteFormError(f, err)
	}
	n, err := w.app.Notes.Create(q.r.Context(), me, notes.Input{
		Title: f.Title, Body: f.Body, MediaIDs: ids, Topics: splitTopics(f.Topics), Location: f.Location,
		Draft: q.r.PostFormValue("action") == "draft", ProductIDs: products,
	})
	if err != nil {
		return q.noteFormError(f, err)
	}
	q.redirect("/n/" + n.ID.String())
	return nil
}

// ownNote loads a note the signed-in user may edit. Others get the
// service's answer: drafts are 404, and Update/Delete refuse with 403.
func (q *req) ownNote(me accounts.User) (notes.Note, error) {
	nid, err := id.Parse(q.r.PathValue("id"))
	if err != nil {
		return notes.Note{}, apperr.NotFound("note")
	}
	return q.w.app.Notes.Get(q.r.Context(), me.ID, nid)
}

func (w *Web) editPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	n, err := q.ownNote(me)
	if err != nil {
		return err
	}
	if n.AuthorID != me.ID {
		return apperr.Forbidden("only the author can edit this note")
	}
	v, err := w.app.NoteView(q.r.Context(), me.ID, n)
	if err != nil {
		return err
	}
	picks, err := q.productPicks(v.Products, nil)
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "publish", q.t("edit.title"), "publish", noteForm{Note: &n, Title: n.Title, Body: n.Body,
		Topics: strings.Join(n.Topics, " "), Location: n.Location, Products: picks})
	return nil
}

func (w *Web) edit(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	n, err := q.ownNote(me)
	if err != nil {
		return err
	}
	if err := parseMultipart(q, maxNoteForm); err != nil {
		return q.noteFormError(noteForm{Note: &n}, err)
	}
	f := readNoteForm(q.r)
	f.Note = &n
	if err := q.allowWrite(me); err != nil {
		return q.noteFormError(f, err)
	}
	topics := splitTopics(f.Topics)
	products, err := formProductIDs(q.r, notes.MaxProducts)
	if err != nil {
		return q.noteFormError(f, err)
	}
	p := notes.Patch{Title: &f.Title, Body: &f.Body, Topics: &topics, Location: &f.Location, ProductIDs: &products}
	ids, err := q.uploadAll(me)
	if err != nil {
		return q.noteFormError(f, err)
	}
	if len(ids) > 0 { // new files replace the old ones
		p.MediaIDs = &ids
	}
	if q.r.PostFormValue("action") == "publish" {
		yes := true
		p.Publish = &yes
	}
	if _, err := w.app.Notes.Update(q.r.Context(), me, n.ID, p); err != nil {
		return q.noteFormError(f, err)
	}
	q.redirect("/n/" + n.ID.String())
	return nil
}

func (w *Web) deletePage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	n, err := q.ownNote(me)
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "delete", q.t("delete.title"), "", n)
	return nil
}

func (w *Web) deleteNote(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return err
	}
	nid, err := id.Parse(q.r.PathValue("id"))
	if err != nil {
		return apperr.NotFound("note")
	}
	if err := w.app.Notes.Delete(q.r.Context(), me, nid); err != nil {
		return err
	}
	q.redirect("/u/" + me.Username)
	return nil
}
