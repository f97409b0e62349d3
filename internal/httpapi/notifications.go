package httpapi

import (
	"cmp"
	"net/http"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notify"
)

func (a *API) registerNotifications(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/notifications", handler(a.listNotifications))
	mux.Handle("GET /api/v1/notifications/unread", handler(a.unreadCounts))
	mux.Handle("POST /api/v1/notifications/read", handler(a.markNotificationsRead))
}

type notificationOut struct {
	ID        id.ID                  `json:"id"`
	Kind      string                 `json:"kind"`
	Actor     accounts.User          `json:"actor"`
	Note      *notificationNote      `json:"note"`
	Comment   *notify.CommentSnippet `json:"comment"`
	Ref       int64                  `json:"ref,omitempty"` // level_up: the level reached
	CreatedAt time.Time              `json:"created_at"`
	Read      bool                   `json:"read"`
}

type notificationNote struct {
	ID           id.ID  `json:"id"`
	Title        string `json:"title"`
	ThumbnailURL string `json:"thumbnail_url"`
}

// listNotifications: GET /api/v1/notifications?category=likes|follows|comments|system&cursor=&limit=
// → one tab of the notification page, newest first; without category, all
// three tabs merged. Actors, notes and comments are fetched in one batch each.
func (a *API) listNotifications(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	before, limit, err := httpx.IDPage(r, 20, 100)
	if err != nil {
		return err
	}
	ctx := r.Context()
	list, err := a.app.Notify.List(ctx, me.ID, r.URL.Query().Get("category"), before, limit)
	if err != nil {
		return err
	}
	var actorIDs, noteIDs, commentIDs []id.ID
	for _, n := range list {
		actorIDs = append(actorIDs, n.ActorID)
		if n.NoteID != 0 {
			noteIDs = append(noteIDs, n.NoteID)
		}
		if n.CommentID != 0 {
			commentIDs = append(commentIDs, n.CommentID)
		}
	}
	actors, err := a.app.Accounts.GetMany(ctx, actorIDs)
	if err != nil {
		return err
	}
	// Only published notes come back, so a note taken back to drafts shows
	// as null rather than leaking its title.
	notes, err := a.app.Notes.GetMany(ctx, noteIDs)
	if err != nil {
		return err
	}
	comments, err := a.app.Notify.Comments(ctx, commentIDs)
	if err != nil {
		return err
	}
	out := make([]notificationOut, 0, len(list))
	for _, n := range list {
		actor, ok := actors[n.ActorID]
		if !ok {
			continue // deleted between the two reads
		}
		o := notificationOut{ID: n.ID, Kind: n.Kind, Actor: actor, Ref: n.Ref, CreatedAt: n.CreatedAt, Read: n.Read}
		if note, ok := notes[n.NoteID]; ok {
			o.Note = &notificationNote{ID: note.ID, Title: note.Title}
			if len(note.Media) > 0 {
				// The first medium is the cover; a video without a thumbnail
				// shows its poster frame.
				o.Note.ThumbnailURL = cmp.Or(note.Media[0].ThumbnailURL, note.Media[0].PosterURL)
			}
		}
		if c, ok := comments[n.CommentID]; ok {
			o.Comment = &c
		}
		out = append(out, o)
	}
	unread, err := a.app.Notify.Unread(ctx, me.ID)
	if err != nil {
		return err
	}
	var next *string
	if len(list) == limit {
		s := list[len(list)-1].ID.String()
		next = &s
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"notifications": out, "unread": unread, "next_cursor": next})
	return nil
}

// unreadCounts: GET /api/v1/notifications/unread → {likes, follows,
// comments, system, messages}: unread notifications per tab and unread direct messages.
func (a *API) unreadCounts(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	unread, err := a.app.Notify.Unread(r.Context(), me.ID)
	if err != nil {
		return err
	}
	dms, err := a.app.Messages.UnreadTotal(r.Context(), me.ID)
	if err != nil {
		return err
	}
	unread["messages"] = dms
	httpx.WriteJSON(w, http.StatusOK, unread)
	return nil
}

// markNotificationsRead: POST /api/v1/notifications/read {category?} → 204;
// without a category (or with an empty body) every tab is marked read.
func (a *API) markNotificationsRead(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	var in struct {
		Category string `json:"category"`
	}
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	if err := a.app.Notify.MarkRead(r.Context(), me.ID, in.Category); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
