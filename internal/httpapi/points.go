package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/httpx"
)

func (a *API) registerPoints(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/me/points", handler(a.myPoints))
}

// myPoints returns the balance, the rules, and a page of the ledger.
func (a *API) myPoints(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	before, limit, err := httpx.IDPage(r, 20, 100)
	if err != nil {
		return err
	}
	bal, err := a.app.Points.Balance(r.Context(), me.ID)
	if err != nil {
		return err
	}
	entries, next, err := a.app.Points.Ledger(r.Context(), me.ID, before, limit)
	if err != nil {
		return err
	}
	rules := a.app.Points.Rules
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"balance": bal, "ledger": entries, "next_cursor": next,
		"rules": map[string]int64{"points_per_yuan": rules.PointsPerYuan, "max_share_percent": rules.MaxSharePct,
			"earn_per_yuan": rules.EarnPerYuan},
	})
	return nil
}
