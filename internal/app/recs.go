package app

import (
	"context"
	"time"

	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/recommend"
	"github.com/redmark/redmark/internal/support"
)

// DiscoverNote is a note of the discover feed with why it was picked.
type DiscoverNote struct {
	NoteView
	Reasons []recommend.Reason `json:"reasons"`
}

// Discover returns a page of the discover feed (D1) for viewer (0: signed
// out), hydrated in the ranked order; notes deleted since the recommender
// saw them are skipped. next is "" at the end of the feed.
func (a *App) Discover(ctx context.Context, viewer id.ID, cursor string, limit int) ([]DiscoverNote, string, error) {
	page, err := a.Recs.Discover(ctx, viewer, cursor, limit)
	if err != nil {
		return nil, "", err
	}
	ids := make([]id.ID, len(page.Items))
	for i, it := range page.Items {
		ids[i] = it.NoteID
	}
	m, err := a.Notes.GetMany(ctx, ids)
	if err != nil {
		return nil, "", err
	}
	ns := make([]notes.Note, 0, len(ids))
	var reasons [][]recommend.Reason
	for _, it := range page.Items {
		if n, ok := m[it.NoteID]; ok {
			ns = append(ns, n)
			reasons = append(reasons, it.Reasons)
		}
	}
	vs, err := a.NoteViews(ctx, viewer, ns)
	if err != nil {
		return nil, "", err
	}
	out := make([]DiscoverNote, len(vs))
	shown := make([]support.Shown, len(vs))
	for i, v := range vs {
		out[i] = DiscoverNote{NoteView: v, Reasons: reasons[i]}
		shown[i] = support.Shown{Author: v.AuthorID, Published: v.PublishedAt}
		if v.PublishedAt.IsZero() {
			shown[i].Published = v.CreatedAt
		}
	}
	a.Support.Served(viewer, shown, time.Now())
	return out, page.Next, nil
}
