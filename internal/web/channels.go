package web

import (
	"net/http"
	"net/url"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/notes"
)

// Discover's channel tabs: 推荐 (the personalised feed) and the topics of
// the moment — trending ones first (operator pins included, hidden ones
// left out), then the most-used — each a tab showing that topic's notes.

const maxChannels = 8

type channel struct {
	Name string // "" for the recommended feed
	On   bool
}

func (q *req) channels(current string) ([]channel, error) {
	out := []channel{{On: current == ""}}
	seen := map[string]bool{}
	add := func(name string) {
		k, err := notes.NormalizeTopic(name)
		if err != nil || seen[k] || len(out) > maxChannels {
			return
		}
		seen[k] = true
		out = append(out, channel{Name: name, On: k == current})
	}
	ts, _, err := q.w.app.Trends.Trending(q.r.Context(), maxChannels)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		add(t.Name)
	}
	if len(out) <= maxChannels {
		top, err := q.w.app.Notes.TopTopics(q.r.Context(), maxChannels)
		if err != nil {
			return nil, err
		}
		for _, n := range top {
			add(n)
		}
	}
	return out, nil
}

// channelPage is a topic's notes under the channel tabs (/?channel=…).
func (w *Web) channelPage(q *req, name string) error {
	key, err := notes.NormalizeTopic(name)
	if err != nil {
		return apperr.NotFound("topic")
	}
	before, err := httpx.IDCursor(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	t, ns, err := w.app.Notes.ByTopic(q.r.Context(), key, before, pageSize)
	if err != nil {
		return err
	}
	cs, err := q.cards(ns)
	if err != nil {
		return err
	}
	d := gridData{Cards: cs, Empty: q.t("topic.empty"), More: nextIDPage("channel="+url.QueryEscape(name)+"&", ns)}
	if d.Channels, err = q.channels(key); err != nil {
		return err
	}
	q.render(http.StatusOK, "grid", "#"+t.Name, "home", d)
	return nil
}
