package httpapi

import (
	"net/http"
	"strconv"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/search"
)

func (a *API) registerSearch(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/search", handler(a.search))
	mux.Handle("GET /api/v1/search/suggest", handler(a.suggest))
	mux.Handle("GET /api/v1/search/hot", handler(a.hotSearches))
	mux.Handle("GET /api/v1/me/searches", handler(a.recentSearches))
	mux.Handle("DELETE /api/v1/me/searches", handler(a.clearRecentSearches))
	a.registerTrends(mux)
}

// search: GET /api/v1/search?q=&type=notes|products|users|topics&cursor=&limit=
// → {type, items: [{note|user|topic|product, title, snippet}], total,
// fallback, next_cursor}. Highlights are code-point ranges into plain text.
func (a *API) search(w http.ResponseWriter, r *http.Request) error {
	kind, ok := search.ParseKind(r.URL.Query().Get("type"))
	if !ok {
		return apperr.Invalid("type must be notes, products, users or topics")
	}
	cursor, limit, err := httpx.Page(r, 20, search.MaxLimit)
	if err != nil {
		return err
	}
	p, err := a.app.SearchPage(r.Context(), signedInID(r), a.clientIP(r), search.Request{Text: r.URL.Query().Get("q"), Kind: kind,
		Cursor: cursor, Limit: limit})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, p)
	return nil
}

// suggest: GET /api/v1/search/suggest?q=&limit= → {items: [{type, id, text}]}:
// note titles, topics and users starting with q, most popular first.
func (a *API) suggest(w http.ResponseWriter, r *http.Request) error {
	limit := 8
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return apperr.Invalid("limit must be a number")
		}
		limit = n
	}
	cs, err := a.app.Search.Suggest(r.Context(), r.URL.Query().Get("q"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": cs})
	return nil
}

// hotSearches: GET /api/v1/search/hot → {items: [{query, searchers}]}.
func (a *API) hotSearches(w http.ResponseWriter, r *http.Request) error {
	hs, err := a.app.SearchHistory.Hot(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": hs})
	return nil
}

// recentSearches: GET /api/v1/me/searches → {items: [{query, searched_at}]}.
func (a *API) recentSearches(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	rs, err := a.app.SearchHistory.Recent(r.Context(), me.ID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": rs})
	return nil
}

// clearRecentSearches: DELETE /api/v1/me/searches → 204.
func (a *API) clearRecentSearches(w http.ResponseWriter, r *http.Request) error {
	me, err := a.writer(r)
	if err != nil {
		return err
	}
	if err := a.app.SearchHistory.ClearRecent(r.Context(), me.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
