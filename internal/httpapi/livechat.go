package httpapi

import (
	"net/http"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/livechat"
	"github.com/redmark/redmark/internal/ratelimit"
)

// Live chat (issue 11, part B); see docs/live-chat.md.

func (a *API) registerLiveChat(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/lives/{id}/chat", handler(a.liveChatState))
	mux.Handle("GET /api/v1/lives/{id}/chat/stream", handler(a.liveChatStream))
	mux.Handle("GET /api/v1/lives/{id}/chat/messages", handler(a.liveChatHistory))
	mux.Handle("POST /api/v1/lives/{id}/chat/messages", handler(a.liveChatSend))
	mux.Handle("DELETE /api/v1/lives/{id}/chat/messages/{msg}", handler(a.liveChatDelete))
	mux.Handle("POST /api/v1/lives/{id}/chat/hearts", handler(a.liveChatHearts))
	mux.Handle("PUT /api/v1/lives/{id}/chat/mutes/{user}", handler(a.liveChatMute))
	mux.Handle("DELETE /api/v1/lives/{id}/chat/mutes/{user}", handler(a.liveChatUnmute))
	mux.Handle("PUT /api/v1/lives/{id}/chat/bans/{user}", handler(a.liveChatBan))
	mux.Handle("DELETE /api/v1/lives/{id}/chat/bans/{user}", handler(a.liveChatUnban))
	mux.Handle("POST /api/v1/lives/{id}/watch", handler(a.liveWatch))
}

// chatWrite starts a write on /lives/{id}: signed in, within limit.
func (a *API) chatWrite(r *http.Request, limit *ratelimit.Limiter) (accounts.User, id.ID, error) {
	me, err := httpx.Require(r)
	if err != nil {
		return me, 0, err
	}
	if err := app.Allow(limit, me.ID.String()); err != nil {
		return me, 0, err
	}
	live, err := httpx.PathID(r, "id", "live")
	return me, live, err
}

// liveChatState is the room's counters and, signed in, the viewer's standing.
func (a *API) liveChatState(w http.ResponseWriter, r *http.Request) error {
	live, err := httpx.PathID(r, "id", "live")
	if err != nil {
		return err
	}
	lc := a.app.LiveChat
	st, err := lc.StateOf(r.Context(), live)
	if err != nil {
		return err
	}
	out := map[string]any{"state": st, "me": nil, "beat_every_s": int(livechat.BeatEvery / time.Second)}
	if me, ok := httpx.User(r); ok {
		standing, err := lc.StandingOf(r.Context(), me, live)
		if err != nil {
			return err
		}
		out["me"] = standing
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) liveChatHistory(w http.ResponseWriter, r *http.Request) error {
	live, err := httpx.PathID(r, "id", "live")
	if err != nil {
		return err
	}
	before, limit, err := httpx.IDPage(r, 50, 100)
	if err != nil {
		return err
	}
	items, err := a.app.LiveChat.History(r.Context(), live, before, limit)
	if err != nil {
		return err
	}
	var next *string
	if len(items) == limit {
		c := items[len(items)-1].ID.String()
		next = &c
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
	return nil
}

func (a *API) liveChatSend(w http.ResponseWriter, r *http.Request) error {
	me, live, err := a.chatWrite(r, a.app.LiveChat.SendLimit)
	if err != nil {
		return err
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := a.app.LiveChat.Send(r.Context(), me, live, in.Body)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, m)
	return nil
}

func (a *API) liveChatDelete(w http.ResponseWriter, r *http.Request) error {
	me, live, err := a.chatWrite(r, a.app.Limits.Write)
	if err != nil {
		return err
	}
	msg, err := httpx.PathID(r, "msg", "message")
	if err != nil {
		return err
	}
	if err := a.app.LiveChat.Delete(r.Context(), me, live, msg); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) liveChatHearts(w http.ResponseWriter, r *http.Request) error {
	me, live, err := a.chatWrite(r, a.app.LiveChat.HeartLimit)
	if err != nil {
		return err
	}
	var in struct {
		Count int `json:"count"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := a.app.LiveChat.Heart(r.Context(), me, live, in.Count); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// sanctionTarget starts a moderation action on /lives/{id}/chat/…/{user}.
func (a *API) sanctionTarget(r *http.Request) (me accounts.User, live, uid id.ID, err error) {
	if me, live, err = a.chatWrite(r, a.app.Limits.Write); err != nil {
		return
	}
	uid, err = httpx.PathID(r, "user", "user")
	return
}

func (a *API) liveChatMute(w http.ResponseWriter, r *http.Request) error {
	me, live, uid, err := a.sanctionTarget(r)
	if err != nil {
		return err
	}
	var in struct {
		Minutes int `json:"minutes"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	until, err := a.app.LiveChat.Mute(r.Context(), me, live, uid, time.Duration(in.Minutes)*time.Minute)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"muted_until": until})
	return nil
}

func (a *API) liveChatUnmute(w http.ResponseWriter, r *http.Request) error {
	me, live, uid, err := a.sanctionTarget(r)
	if err == nil {
		err = a.app.LiveChat.Unmute(r.Context(), me, live, uid)
	}
	return noContent(w, err)
}

func (a *API) liveChatBan(w http.ResponseWriter, r *http.Request) error {
	me, live, uid, err := a.sanctionTarget(r)
	if err == nil {
		err = a.app.LiveChat.Ban(r.Context(), me, live, uid)
	}
	return noContent(w, err)
}

func (a *API) liveChatUnban(w http.ResponseWriter, r *http.Request) error {
	me, live, uid, err := a.sanctionTarget(r)
	if err == nil {
		err = a.app.LiveChat.Unban(r.Context(), me, live, uid)
	}
	return noContent(w, err)
}

func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// liveWatch is a watch-time heartbeat.
func (a *API) liveWatch(w http.ResponseWriter, r *http.Request) error {
	me, live, err := a.chatWrite(r, a.app.LiveChat.BeatLimit)
	if err != nil {
		return err
	}
	var in struct {
		Tab     string `json:"tab"`
		Playing bool   `json:"playing"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	b, err := a.app.LiveChat.Heartbeat(r.Context(), me.ID, live, in.Tab, in.Playing)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, b)
	return nil
}

// Chat streams: a keep-alive comment now and then so proxies keep the
// connection, and a write deadline so a client that stopped reading
// costs one goroutine for at most that long.
const (
	streamPing  = 25 * time.Second
	streamWrite = 10 * time.Second
	streamMax   = 30 * time.Minute // then the browser reconnects (and may land elsewhere)
)

// liveChatStream is the room's events as server-sent events: state, then
// message, delete, hearts and viewers events. Last-Event-ID (or ?after=)
// replays the messages missed since that id. Banned viewers get 403.
func (a *API) liveChatStream(w http.ResponseWriter, r *http.Request) error {
	live, err := httpx.PathID(r, "id", "live")
	if err != nil {
		return err
	}
	lc := a.app.LiveChat
	ctx := r.Context()
	if me, ok := httpx.User(r); ok {
		if banned, err := lc.Banned(ctx, live, me.ID); err != nil {
			return err
		} else if banned {
			return apperr.Forbidden("you are banned from this live's chat")
		}
	}
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("after")
	}
	after, err := httpx.IDCursor(last)
	if err != nil {
		return err
	}
	// Subscribe before reading what was missed, so nothing falls between;
	// a message in both is shown once (clients key messages by id).
	sub := lc.Hub().Subscribe(live)
	defer sub.Close()
	frames, err := lc.Opening(ctx, live, after)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	write := func(frames [][]byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWrite))
		for _, f := range frames {
			if _, err := w.Write(f); err != nil {
				return false
			}
		}
		return rc.Flush() == nil
	}
	if !write(append([][]byte{[]byte("retry: 3000\n\n")}, frames...)) {
		return nil
	}
	ping := time.NewTicker(streamPing)
	defer ping.Stop()
	stop := time.NewTimer(streamMax)
	defer stop.Stop()
	var buf [][]byte
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-stop.C:
			return nil
		case <-lc.Streams():
			return nil
		case <-ping.C:
			if !write([][]byte{[]byte(": ping\n\n")}) {
				return nil
			}
		case <-sub.Wait():
			var ok bool
			if buf, ok = sub.Next(buf[:0]); !ok {
				return nil // lapped: the browser reconnects with Last-Event-ID
			}
			if !write(buf) {
				return nil
			}
		}
	}
}
