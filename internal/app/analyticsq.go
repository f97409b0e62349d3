package app

import (
	"context"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
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

// AnalyticsNames names the notes (titles), users (display names) and
// products (titles) the console lists.
func (a *App) AnalyticsNames(ctx context.Context, notes, users, products []id.ID) (map[id.ID]string, error) {
	out := map[id.ID]string{}
	ns, err := a.Notes.GetMany(ctx, notes)
	if err != nil {
		return nil, err
	}
	for k, n := range ns {
		out[k] = n.Title
	}
	us, err := a.Accounts.GetMany(ctx, users)
	if err != nil {
		return nil, err
	}
	for k, u := range us {
		out[k] = u.DisplayName
	}
	if len(products) == 0 {
		return out, nil
	}
	args := make([]any, len(products))
	for i, p := range products {
		args[i] = p
	}
	rows, err := a.DB.Reader(ctx).Query(ctx, "SELECT id, title FROM products WHERE id IN ("+db.Placeholders(len(args))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pid id.ID
		var title string
		if err := rows.Scan(&pid, &title); err != nil {
			return nil, err
		}
		out[pid] = title
	}
	return out, rows.Err()
}
