package web

import (
	"bytes"
	"log/slog"
	"net/http"

	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
)

// Live chat (issue 11, part B). The live page (internal/live's template)
// holds <section id="live-chat" data-live="…"> and loads livechat.js, which
// fetches the panel below (markup and strings in the reader's language)
// and drives it over the JSON API and its event stream. /livechat/{id} is
// the chat on a page of its own, for a host's second screen.

func (w *Web) registerLiveChat(mux *http.ServeMux) {
	mux.Handle("GET /livechat/{id}", w.h(w.liveChatPage))
	mux.Handle("GET /livechat/{id}/panel", w.h(w.liveChatPanel))
}

type liveChatData struct {
	Live        id.ID
	CanModerate bool
}

func (q *req) liveChat() (liveChatData, error) {
	live, err := httpx.PathID(q.r, "id", "live")
	if err != nil {
		return liveChatData{}, err
	}
	lc := q.w.app.LiveChat
	if _, err := lc.StateOf(q.r.Context(), live); err != nil {
		return liveChatData{}, err
	}
	d := liveChatData{Live: live}
	if q.me != nil {
		if d.CanModerate, err = lc.CanModerate(q.r.Context(), *q.me, live); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (w *Web) liveChatPage(q *req) error {
	d, err := q.liveChat()
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "livechat", q.t("lc.title"), "", d)
	return nil
}

// liveChatPanel renders only the panel, for livechat.js to mount.
func (w *Web) liveChatPanel(q *req) error {
	d, err := q.liveChat()
	if err != nil {
		return err
	}
	p := page{Lang: q.lang, Me: q.me, CSRF: q.csrf(), Path: q.r.URL.RequestURI(), Data: d}
	var buf bytes.Buffer
	if err := w.pages[q.lang]["livechat"].ExecuteTemplate(&buf, "livechat_panel", p); err != nil {
		slog.Error("web: render live chat panel", "err", err)
		http.Error(q.rw, "internal server error", http.StatusInternalServerError)
		return nil
	}
	q.rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	q.rw.Write(buf.Bytes())
	return nil
}
