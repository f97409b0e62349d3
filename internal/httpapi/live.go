package httpapi

import (
	"net/http"
	"strings"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/live"
)

// Live rooms (issue 11 part A) and the media server's callbacks; see
// docs/live.md.

func (a *API) registerLive(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/lives", handler(a.createLive))
	mux.Handle("GET /api/v1/lives", handler(a.listLives))
	mux.Handle("GET /api/v1/lives/{id}", handler(a.getLive))
	mux.Handle("PATCH /api/v1/lives/{id}", handler(a.updateLive))
	mux.Handle("POST /api/v1/lives/{id}/key", handler(a.rotateLiveKey))
	mux.Handle("DELETE /api/v1/lives/{id}/key", handler(a.revokeLiveKey))
	mux.Handle("POST /api/v1/lives/{id}/end", handler(a.endLive))
	mux.Handle("PUT /api/v1/lives/{id}/pins/{product}", handler(a.pinLive(true)))
	mux.Handle("DELETE /api/v1/lives/{id}/pins/{product}", handler(a.pinLive(false)))
	mux.Handle("GET /api/v1/lives/{id}/sales", handler(a.liveSales))
	mux.Handle("GET /api/v1/console/lives", handler(a.consoleLives))
	mux.Handle("POST /api/v1/live/hooks/{secret}/{call}", handler(a.liveHook))
}

// liveKey is a stream key, shown once, with where to push it.
type liveKey struct {
	Live      *live.Live `json:"live,omitempty"`
	StreamKey string     `json:"stream_key"`
	RTMPURL   string     `json:"rtmp_url"` // "" while live video is not configured
}

func (a *API) writeKey(w http.ResponseWriter, status int, l *live.Live, key string) {
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, status, liveKey{Live: l, StreamKey: key, RTMPURL: a.app.Live.Config().RTMPURL})
}

// liveWrite is the signed-in, rate-limited user of a write.
func (a *API) liveWrite(r *http.Request) (accounts.User, error) {
	me, err := httpx.Require(r)
	if err != nil {
		return me, err
	}
	return me, app.Allow(a.app.Limits.Write, me.ID.String())
}

func (a *API) createLive(w http.ResponseWriter, r *http.Request) error {
	me, err := a.liveWrite(r)
	if err != nil {
		return err
	}
	var in live.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	l, key, err := a.app.Live.Create(r.Context(), me, in)
	if err != nil {
		return err
	}
	a.writeKey(w, http.StatusCreated, &l, key)
	return nil
}

func (a *API) listLives(w http.ResponseWriter, r *http.Request) error {
	before, limit, err := httpx.IDPage(r, 20, 100)
	if err != nil {
		return err
	}
	f := live.ListFilter{Status: r.URL.Query().Get("status"), Before: before, Limit: limit}
	switch f.Status {
	case "", live.Scheduled, live.OnAir, live.Ended:
	default:
		return apperr.Invalid("status must be scheduled, live or ended")
	}
	if v := r.URL.Query().Get("host_id"); v != "" {
		if f.HostID, err = httpx.IDCursor(v); err != nil {
			return apperr.Invalid("invalid host_id")
		}
	}
	items, err := a.app.Live.List(r.Context(), f)
	if err != nil {
		return err
	}
	var next *string
	if len(items) == limit && f.Status != live.Scheduled {
		s := items[len(items)-1].ID.String()
		next = &s
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	return nil
}

func (a *API) getLive(w http.ResponseWriter, r *http.Request) error {
	lid, err := httpx.PathID(r, "id", "live")
	if err != nil {
		return err
	}
	l, err := a.app.Live.Get(r.Context(), lid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, l)
	return nil
}

func (a *API) updateLive(w http.ResponseWriter, r *http.Request) error {
	me, err := a.liveWrite(r)
	if err != nil {
		return err
	}
	lid, err := httpx.PathID(r, "id", "live")
	if err != nil {
		return err
	}
	var in live.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	l, err := a.app.Live.Update(r.Context(), me, lid, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, l)
	return nil
}

func (a *API) rotateLiveKey(w http.ResponseWriter, r *http.Request) error {
	me, err := a.liveWrite(r)
	if err != nil {
		return err
	}
	lid, err := httpx.PathID(r, "id", "live")
	if err != nil {
		return err
	}
	key, err := a.app.Live.RotateKey(r.Context(), me, lid)
	if err != nil {
		return err
	}
	a.writeKey(w, http.StatusOK, nil, key)
	return nil
}

func (a *API) revokeLiveKey(w http.ResponseWriter, r *http.Request) error {
	me, err := a.liveWrite(r)
	if err != nil {
		return err
	}
	lid, err := httpx.PathID(r, "id", "live")
	if err != nil {
		return err
	}
	if err := a.app.Live.RevokeKey(r.Context(), me, lid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) endLive(w http.ResponseWriter, r *http.Request) error {
	me, err := a.liveWrite(r)
	if err != nil {
		return err
	}
	lid, err := httpx.PathID(r, "id", "live")
	if err != nil {
		return err
	}
	l, err := a.app.Live.End(r.Context(), me, lid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, l)
	return nil
}

func (a *API) pinLive(pinned bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		me, err := a.liveWrite(r)
		if err != nil {
			return err
		}
		lid, err := httpx.PathID(r, "id", "live")
		if err != nil {
			return err
		}
		pid, err := httpx.PathID(r, "product", "product")
		if err != nil {
			return err
		}
		l, err := a.app.Live.Pin(r.Context(), me, lid, pid, pinned)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, l)
		return nil
	}
}

func (a *API) liveSales(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	lid, err := httpx.PathID(r, "id", "live")
	if err != nil {
		return err
	}
	s, err := a.app.Live.SalesOf(r.Context(), me, lid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, s)
	return nil
}

func (a *API) consoleLives(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	items, err := a.app.Live.Console(r.Context(), me, 100)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

// liveHook answers nginx-rtmp (form-encoded POSTs; the stream name is in
// "name"). Only the status matters to nginx: 2xx goes on, 3xx relays the
// stream to Location, 4xx drops the connection.
func (a *API) liveHook(w http.ResponseWriter, r *http.Request) error {
	if !a.app.Live.CheckHookSecret(r.PathValue("secret")) {
		return apperr.NotFound("page")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return apperr.Invalid("bad callback body")
	}
	name := r.PostFormValue("name")
	ctx := r.Context()
	switch r.PathValue("call") {
	case "publish":
		relay := r.URL.Query().Get("relay")
		if !strings.HasPrefix(relay, "rtmp://") {
			return apperr.Invalid("the on_publish URL needs ?relay=rtmp://127.0.0.1:PORT/hls (deploy/nginx-rtmp.conf)")
		}
		stream, err := a.app.Live.Publish(ctx, name)
		if err != nil {
			return err
		}
		w.Header().Set("Location", strings.TrimSuffix(relay, "/")+"/"+stream)
		w.WriteHeader(http.StatusFound)
	case "update":
		if err := a.app.Live.StillValid(ctx, name); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
	case "publish_done":
		if err := a.app.Live.PublishDone(ctx, name); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		return apperr.NotFound("page")
	}
	return nil
}
