package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/httpx"
)

// The operations console's numbers (O1, O2), operators only; see
// docs/analytics.md. Every endpoint takes ?from=&to= (YYYY-MM-DD, UTC
// days; default the 30 days to the last rolled-up day).

func (a *API) registerAnalytics(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/console/analytics/overview", a.analytics(func(r *http.Request, m *analytics.Metrics, rg analytics.Range) (any, error) {
		return m.Overview(r.Context(), rg)
	}))
	mux.Handle("GET /api/v1/console/analytics/retention", a.analytics(func(r *http.Request, m *analytics.Metrics, rg analytics.Range) (any, error) {
		c, err := m.Retention(r.Context(), rg)
		return map[string]any{"range": rg, "cohorts": c}, err
	}))
	mux.Handle("GET /api/v1/console/analytics/channels", a.analytics(func(r *http.Request, m *analytics.Metrics, rg analytics.Range) (any, error) {
		c, err := m.Channels(r.Context(), rg)
		return map[string]any{"range": rg, "channels": c}, err
	}))
	mux.Handle("GET /api/v1/console/analytics/funnel", a.analytics(func(r *http.Request, m *analytics.Metrics, rg analytics.Range) (any, error) {
		return m.Funnel(r.Context(), rg, 20)
	}))
	mux.Handle("GET /api/v1/console/analytics/terms", a.analytics(func(r *http.Request, m *analytics.Metrics, rg analytics.Range) (any, error) {
		t, err := m.Terms(r.Context(), rg, 50)
		return map[string]any{"range": rg, "terms": t}, err
	}))
	mux.Handle("GET /api/v1/console/analytics/live", a.analytics(func(r *http.Request, m *analytics.Metrics, rg analytics.Range) (any, error) {
		l, err := m.Live(r.Context(), rg, 50)
		return map[string]any{"range": rg, "live": l}, err
	}))
	mux.Handle("GET /api/v1/console/analytics/campaigns", a.analytics(func(r *http.Request, m *analytics.Metrics, rg analytics.Range) (any, error) {
		c, err := m.Campaigns(r.Context(), rg)
		return map[string]any{"range": rg, "campaigns": c}, err
	}))
	mux.Handle("GET /api/v1/console/analytics/uplift", a.analytics(func(r *http.Request, m *analytics.Metrics, rg analytics.Range) (any, error) {
		metric := r.URL.Query().Get("metric")
		if metric == "" {
			metric = "dau"
		}
		return m.Uplift(r.Context(), rg, metric)
	}))
	mux.Handle("GET /api/v1/console/analytics/personas", a.analytics(func(r *http.Request, m *analytics.Metrics, rg analytics.Range) (any, error) {
		ps, err := m.Personas(r.Context(), rg, a.app.Analytics.Personas)
		return map[string]any{"range": rg, "min_cell": analytics.MinCell, "personas": ps}, err
	}))
}

// analytics wraps a console query: operators only, range from the query string.
func (a *API) analytics(fn func(*http.Request, *analytics.Metrics, analytics.Range) (any, error)) http.Handler {
	return handler(func(w http.ResponseWriter, r *http.Request) error {
		me, err := httpx.Require(r)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		rg, err := a.app.AnalyticsRange(r.Context(), me, app.AnalyticsQuery{From: q.Get("from"), To: q.Get("to")})
		if err != nil {
			return err
		}
		out, err := fn(r, a.app.Analytics.Metrics, rg)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, out)
		return nil
	})
}
