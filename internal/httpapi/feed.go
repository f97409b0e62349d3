package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/httpx"
)

func (a *API) registerFeed(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/feed/following", handler(a.followingFeed))
}

// followingFeed: GET /api/v1/feed/following?cursor=&limit= → {notes,
// next_cursor}: the newest published notes of the accounts the signed-in
// user follows. The cursor is the last note id of a full page.
func (a *API) followingFeed(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	before, limit, err := httpx.IDPage(r, 20, 50)
	if err != nil {
		return err
	}
	ids, err := a.app.Feed.Following(r.Context(), me.ID, before, limit)
	if err != nil {
		return err
	}
	vs, err := a.viewsOf(r, ids)
	if err != nil {
		return err
	}
	var next *string
	if len(ids) == limit {
		s := ids[len(ids)-1].String()
		next = &s
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"notes": vs, "next_cursor": next})
	return nil
}
