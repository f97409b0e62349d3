package web

import (
	"net/http"

	"github.com/redmark/redmark/internal/trends"
)

func (w *Web) registerTrends(mux *http.ServeMux) {
	mux.Handle("GET /hot", w.h(w.hotPage))
	mux.Handle("GET /trending", w.h(w.trendingPage))
}

type hotRow struct {
	Rank   int
	Pinned bool
	card
}

func (w *Web) hotPage(q *req) error {
	items, _, err := w.app.Hot(q.r.Context(), q.viewerID(), trends.HotSize)
	if err != nil {
		return err
	}
	rows := make([]hotRow, len(items))
	for i, it := range items {
		rows[i] = hotRow{Rank: it.Rank, Pinned: it.Pinned, card: noteCard(it.Note)}
	}
	q.render(http.StatusOK, "hot", q.t("hot.title"), "hot", rows)
	return nil
}

func (w *Web) trendingPage(q *req) error {
	ts, _, err := w.app.Trends.Trending(q.r.Context(), trends.TrendingSize)
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "trending", q.t("trending.title"), "hot", ts)
	return nil
}
