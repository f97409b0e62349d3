package httpapi

import (
	"net/http"
	"strings"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
)

func (a *API) registerNotes(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/notes", handler(a.createNote))
	mux.Handle("GET /api/v1/notes", handler(a.authorNotes))
	mux.Handle("GET /api/v1/notes/latest", handler(a.latestNotes))
	mux.Handle("GET /api/v1/me/drafts", handler(a.myDrafts))
	mux.Handle("GET /api/v1/notes/{id}", handler(a.getNote))
	mux.Handle("PATCH /api/v1/notes/{id}", handler(a.patchNote))
	mux.Handle("DELETE /api/v1/notes/{id}", handler(a.deleteNote))
	mux.Handle("POST /api/v1/notes/{id}/share", handler(a.shareNote))
}

// signedInID is the signed-in user's id, or 0.
func signedInID(r *http.Request) id.ID {
	if u, ok := httpx.User(r); ok {
		return u.ID
	}
	return 0
}

// writeNote answers with one note as its viewer sees it.
func (a *API) writeNote(w http.ResponseWriter, r *http.Request, status int, n notes.Note) error {
	v, err := a.app.NoteView(r.Context(), signedInID(r), n)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, status, v)
	return nil
}

// writeNotes answers {"notes": [...], "next_cursor": "<id>" or null}; a full
// page means there may be more.
func (a *API) writeNotes(w http.ResponseWriter, r *http.Request, limit int, ns []notes.Note, extra map[string]any) error {
	vs, err := a.app.NoteViews(r.Context(), signedInID(r), ns)
	if err != nil {
		return err
	}
	var next *string
	if len(ns) == limit && limit > 0 {
		c := ns[len(ns)-1].ID.String()
		next = &c
	}
	out := map[string]any{"notes": vs, "next_cursor": next}
	for k, v := range extra {
		out[k] = v
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) createNote(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Post, me.ID.String()); err != nil {
		return err
	}
	var in notes.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := a.app.Notes.Create(r.Context(), me, in)
	if err != nil {
		return err
	}
	return a.writeNote(w, r, http.StatusCreated, n)
}

// getNote returns a note and counts the view (not the author's own).
func (a *API) getNote(w http.ResponseWriter, r *http.Request) error {
	noteID, err := httpx.PathID(r, "id", "note")
	if err != nil {
		return err
	}
	viewer := signedInID(r)
	n, err := a.app.Notes.Get(r.Context(), viewer, noteID)
	if err != nil {
		return err
	}
	if n.Status == notes.Published {
		a.app.Notes.RecordView(n.ID, viewer)
	}
	return a.writeNote(w, r, http.StatusOK, n)
}

func (a *API) patchNote(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	noteID, err := httpx.PathID(r, "id", "note")
	if err != nil {
		return err
	}
	var p notes.Patch
	if err := httpx.DecodeJSON(w, r, &p); err != nil {
		return err
	}
	n, err := a.app.Notes.Update(r.Context(), me, noteID, p)
	if err != nil {
		return err
	}
	return a.writeNote(w, r, http.StatusOK, n)
}

func (a *API) deleteNote(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	noteID, err := httpx.PathID(r, "id", "note")
	if err != nil {
		return err
	}
	if err := a.app.Notes.Delete(r.Context(), me, noteID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// authorNotes: GET /api/v1/notes?author={username} — a profile's notes.
func (a *API) authorNotes(w http.ResponseWriter, r *http.Request) error {
	name := r.URL.Query().Get("author")
	if name == "" {
		return apperr.Invalid("author is required: /api/v1/notes?author={username}")
	}
	before, limit, err := httpx.IDPage(r, 20, 50)
	if err != nil {
		return err
	}
	u, err := a.app.Accounts.GetByUsername(r.Context(), name)
	if err != nil {
		return err
	}
	ns, err := a.app.Notes.ListByAuthor(r.Context(), u.ID, before, limit)
	if err != nil {
		return err
	}
	return a.writeNotes(w, r, limit, ns, nil)
}

func (a *API) latestNotes(w http.ResponseWriter, r *http.Request) error {
	before, limit, err := httpx.IDPage(r, 20, 50)
	if err != nil {
		return err
	}
	ns, err := a.app.Notes.Latest(r.Context(), before, limit)
	if err != nil {
		return err
	}
	return a.writeNotes(w, r, limit, ns, nil)
}

func (a *API) myDrafts(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	before, limit, err := httpx.IDPage(r, 20, 50)
	if err != nil {
		return err
	}
	ns, err := a.app.Notes.Drafts(r.Context(), me.ID, before, limit)
	if err != nil {
		return err
	}
	return a.writeNotes(w, r, limit, ns, nil)
}

// shareNote: POST /api/v1/notes/{id}/share with an optional {channel} →
// {share_count, share_url}. Signed-out readers may share too, so the limit
// is per client address.
func (a *API) shareNote(w http.ResponseWriter, r *http.Request) error {
	if err := app.Allow(a.app.Limits.Write, "share:"+a.clientIP(r)); err != nil {
		return err
	}
	noteID, err := httpx.PathID(r, "id", "note")
	if err != nil {
		return err
	}
	var in struct {
		Channel string `json:"channel"`
	}
	if r.ContentLength != 0 && r.Body != http.NoBody {
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	n, err := a.app.Notes.Share(r.Context(), noteID, signedInID(r), in.Channel)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"share_count": n, "share_url": a.baseURL(r) + "/n/" + noteID.String()})
	return nil
}

// baseURL is Config.BaseURL, or the scheme and host the request came to.
func (a *API) baseURL(r *http.Request) string {
	if b := a.app.Config.BaseURL; b != "" {
		return strings.TrimRight(b, "/")
	}
	scheme := "http"
	if r.TLS != nil || (a.app.Config.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
