package web

import (
	"net/http"

	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/points"
)

// The points page: the balance and the ledger, newest first (the same data
// as GET /api/v1/me/points). Ledger notes are server text, so a row shows
// its kind from the catalogue instead.

type pointsData struct {
	Balance int64
	Entries []points.Entry
	More    string
}

func (w *Web) pointsPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	before, err := httpx.IDCursor(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	d := pointsData{}
	if d.Balance, err = w.app.Points.Balance(q.r.Context(), me.ID); err != nil {
		return err
	}
	var next string
	if d.Entries, next, err = w.app.Points.Ledger(q.r.Context(), me.ID, before, 30); err != nil {
		return err
	}
	if next != "" {
		d.More = "?cursor=" + next
	}
	q.render(http.StatusOK, "points", q.t("points.title"), "shop", d)
	return nil
}
