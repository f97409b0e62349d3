package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/httpx"
)

func (a *API) registerDiscover(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/feed/discover", handler(a.discoverFeed))
	mux.Handle("POST /api/v1/events", handler(a.postEvents))
	mux.Handle("GET /api/v1/me/interests", handler(a.getInterests))
	mux.Handle("PUT /api/v1/me/interests", handler(a.putInterests))
}

// discoverFeed: GET /api/v1/feed/discover?cursor=&limit= → {notes (each
// with reasons), next_cursor}. Personalised when signed in, a cold-start
// mix otherwise. The cursor names the session: pass it back for the next
// page and no note repeats.
func (a *API) discoverFeed(w http.ResponseWriter, r *http.Request) error {
	cursor, limit, err := httpx.Page(r, 20, 50)
	if err != nil {
		return err
	}
	ns, next, err := a.app.Discover(r.Context(), signedInID(r), cursor, limit)
	if err != nil {
		return err
	}
	var nc *string
	if next != "" {
		nc = &next
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"notes": ns, "next_cursor": nc})
	return nil
}

// postEvents: POST /api/v1/events {events: [{type, note_id, dwell_ms?,
// at?}]} → 204. Signed-out readers may send events too (they count for
// popularity); the batch is rate limited per user or address.
func (a *API) postEvents(w http.ResponseWriter, r *http.Request) error {
	key := a.clientIP(r)
	me := signedInID(r)
	if me != 0 {
		key = me.String()
	}
	if err := app.Allow(a.app.Limits.Write, key); err != nil {
		return err
	}
	var in struct {
		Events []app.ClientEvent `json:"events"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.app.RecordEvents(r.Context(), me, in.Events); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getInterests: GET /api/v1/me/interests → {topics, suggested}.
func (a *API) getInterests(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	ts, err := a.app.Recs.Interests(r.Context(), me.ID)
	if err != nil {
		return err
	}
	sug, err := a.app.Recs.SuggestedTopics(r.Context(), 30)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"topics": ts, "suggested": sug})
	return nil
}

// putInterests: PUT /api/v1/me/interests {topics} → {topics} (normalised).
func (a *API) putInterests(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	var in struct {
		Topics []string `json:"topics"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Topics == nil {
		in.Topics = []string{}
	}
	ts, err := a.app.Recs.SetInterests(r.Context(), me.ID, in.Topics)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"topics": ts})
	return nil
}
