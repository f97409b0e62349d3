package httpapi

import (
	"net/http"
	"strconv"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/trends"
)

func (a *API) registerTrends(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/hot", handler(a.hot))
	mux.Handle("GET /api/v1/topics/trending", handler(a.trending))
	mux.Handle("PUT /api/v1/hot/{id}/pin", handler(a.moderateNote(trends.Pin, true)))
	mux.Handle("DELETE /api/v1/hot/{id}/pin", handler(a.moderateNote(trends.Pin, false)))
	mux.Handle("PUT /api/v1/hot/{id}/hide", handler(a.moderateNote(trends.Hide, true)))
	mux.Handle("DELETE /api/v1/hot/{id}/hide", handler(a.moderateNote(trends.Hide, false)))
	mux.Handle("PUT /api/v1/topics/{name}/pin", handler(a.moderateTopic(trends.Pin, true)))
	mux.Handle("DELETE /api/v1/topics/{name}/pin", handler(a.moderateTopic(trends.Pin, false)))
	mux.Handle("PUT /api/v1/topics/{name}/hide", handler(a.moderateTopic(trends.Hide, true)))
	mux.Handle("DELETE /api/v1/topics/{name}/hide", handler(a.moderateTopic(trends.Hide, false)))
}

func smallLimit(r *http.Request, def, max int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, apperr.Invalid("limit must be between 1 and %d", max)
	}
	return n, nil
}

// hot: GET /api/v1/hot?limit= → {items: [{rank, score, pinned, note}], updated_at}.
func (a *API) hot(w http.ResponseWriter, r *http.Request) error {
	limit, err := smallLimit(r, 20, trends.HotSize)
	if err != nil {
		return err
	}
	items, at, err := a.app.Hot(r.Context(), signedInID(r), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items, "updated_at": at.UTC()})
	return nil
}

// trending: GET /api/v1/topics/trending?limit= → {items: [{name, uses_today,
// expected, score, pinned}], updated_at}.
func (a *API) trending(w http.ResponseWriter, r *http.Request) error {
	limit, err := smallLimit(r, 10, trends.TrendingSize)
	if err != nil {
		return err
	}
	ts, at, err := a.app.Trends.Trending(r.Context(), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": ts, "updated_at": at.UTC()})
	return nil
}

// operator checks the role before anything else, so nobody else learns
// which entries exist.
func operator(r *http.Request, what string) (accounts.User, error) {
	me, err := httpx.Require(r)
	if err != nil {
		return me, err
	}
	if me.Role != accounts.RoleOperator {
		return me, apperr.Forbidden("only operators can %s", what)
	}
	return me, nil
}

func (a *API) moderateNote(action string, set bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		me, err := operator(r, "pin or hide hot-list entries")
		if err != nil {
			return err
		}
		noteID, err := httpx.PathID(r, "id", "note")
		if err != nil {
			return err
		}
		if set {
			if err := a.app.Trends.NoteRef(r.Context(), noteID); err != nil {
				return err
			}
		}
		if err := a.app.Trends.Moderate(r.Context(), me, trends.KindNote, noteID, action, set); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (a *API) moderateTopic(action string, set bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		me, err := operator(r, "pin or hide hot-list entries")
		if err != nil {
			return err
		}
		var tid id.ID
		if tid, err = a.app.Trends.TopicRef(r.Context(), r.PathValue("name")); err != nil {
			return err
		}
		if err := a.app.Trends.Moderate(r.Context(), me, trends.KindTopic, tid, action, set); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
