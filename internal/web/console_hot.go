package web

import (
	"net/http"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/trends"
)

// Console area: the hot list and trending topics — pin, hide, undo.

func (w *Web) registerConsoleHot(mux *http.ServeMux) {
	mux.Handle("GET /console/hot", w.h(w.consoleHot))
	mux.Handle("POST /console/hot/notes/{id}", w.h(w.consoleModerateNote))
	mux.Handle("POST /console/hot/topics/{name}", w.h(w.consoleModerateTopic))
}

type consoleHotData struct {
	Notes  []hotRow
	Topics []trends.TopicTrend
	Hidden []trends.Hidden
}

func (w *Web) consoleHot(q *req) error { return q.renderConsoleHot(http.StatusOK, "") }

func (q *req) renderConsoleHot(status int, msg string) error {
	me, err := q.requireOperator()
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	items, _, err := q.w.app.Hot(ctx, me.ID, trends.HotSize)
	if err != nil {
		return err
	}
	d := consoleHotData{Notes: make([]hotRow, len(items))}
	for i, it := range items {
		d.Notes[i] = hotRow{Rank: it.Rank, Pinned: it.Pinned, card: noteCard(it.Note)}
	}
	if d.Topics, _, err = q.w.app.Trends.Trending(ctx, trends.TrendingSize); err != nil {
		return err
	}
	if d.Hidden, err = q.w.app.Trends.Hidden(ctx, me); err != nil {
		return err
	}
	return q.renderConsole(status, "hot", msg, d)
}

// moderation reads the form's action: pin, hide, or unpin/unhide (set false).
func (q *req) moderation() (string, bool, error) {
	switch a := q.r.PostFormValue("action"); a {
	case trends.Pin, trends.Hide:
		return a, true, nil
	case "un" + trends.Pin, "un" + trends.Hide:
		return a[2:], false, nil
	}
	return "", false, apperr.Invalid("action must be pin, hide, unpin or unhide")
}

func (w *Web) consoleModerateNote(q *req) error {
	me, nid, err := q.consoleWrite("note")
	if err != nil {
		return err
	}
	action, set, err := q.moderation()
	if err == nil && set {
		err = w.app.Trends.NoteRef(q.r.Context(), nid)
	}
	if err == nil {
		err = w.app.Trends.Moderate(q.r.Context(), me, trends.KindNote, nid, action, set)
	}
	return q.afterModerate(err)
}

func (w *Web) consoleModerateTopic(q *req) error {
	me, _, err := q.consoleWrite("topic")
	if err != nil {
		return err
	}
	action, set, err := q.moderation()
	if err != nil {
		return q.afterModerate(err)
	}
	tid, err := w.app.Trends.TopicRef(q.r.Context(), q.r.PathValue("name"))
	if err == nil {
		err = w.app.Trends.Moderate(q.r.Context(), me, trends.KindTopic, tid, action, set)
	}
	return q.afterModerate(err)
}

func (q *req) afterModerate(err error) error {
	if m, st, e := q.formProblem(err); e != nil {
		return e
	} else if m != "" {
		return q.renderConsoleHot(st, m)
	}
	q.redirect("/console/hot")
	return nil
}
