package app

import (
	"context"
	"time"

	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/places"
	"github.com/redmark/redmark/internal/report"
)

// Report writes the user-operations report (O3) of r in lang (zh, en) as HTML.
func (a *App) Report(ctx context.Context, r analytics.Range, lang string) ([]byte, error) {
	d, err := report.Collect(ctx, a.Analytics.Metrics, r, a.Analytics.Personas, time.Now())
	if err != nil {
		return nil, err
	}
	notes := make([]id.ID, len(d.Funnel.Notes))
	for i, n := range d.Funnel.Notes {
		notes[i] = n.ID
	}
	names, err := a.AnalyticsNames(ctx, notes, nil, nil)
	if err != nil {
		return nil, err
	}
	return report.HTML(d, lang, names)
}

// ReportPDF prints the report on A4 with headless Chromium (503 without one).
func (a *App) ReportPDF(ctx context.Context, r analytics.Range, lang string) ([]byte, error) {
	path := findChromium(a.Config.Places.Chromium)
	if path == "" {
		return nil, apperr.Unavailable("printing needs Chromium (REDMARK_CHROMIUM)")
	}
	html, err := a.Report(ctx, r, lang)
	if err != nil {
		return nil, err
	}
	return places.Chromium{Path: path, PaperW: 8.27, PaperH: 11.69}.PrintPDF(ctx, html)
}
