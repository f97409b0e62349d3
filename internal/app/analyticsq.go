package app

import (
	"context"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/apperr"
)

// AnalyticsQuery is an operator's question to the console: a range and,
// for uplift, a metric.
type AnalyticsQuery struct {
	From, To, Metric string
}

// AnalyticsRange checks that u is an operator (403 otherwise) and reads
// the range of q. Every console number goes through it.
func (a *App) AnalyticsRange(ctx context.Context, u accounts.User, q AnalyticsQuery) (analytics.Range, error) {
	if u.Role != accounts.RoleOperator {
		return analytics.Range{}, apperr.Forbidden("operators only")
	}
	return a.Analytics.Metrics.ParseRange(ctx, q.From, q.To, time.Now())
}
