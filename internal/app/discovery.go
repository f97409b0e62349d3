package app

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/changefeed"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/jobs"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/search"
	"github.com/redmark/redmark/internal/shop"
	"github.com/redmark/redmark/internal/trends"
)

// StartDiscovery starts the background work of search (D2): the indexer
// that applies the outbox to the search index, after rebuilding the index
// in the background if it is missing; and the refresh of the hot list and
// trending topics (D3), computed by one server and adopted by the others
// (internal/trends/shared.go). The server calls it once; Shutdown stops it. Tests that
// search call it themselves.
func (a *App) StartDiscovery() error {
	if a.changes != nil {
		if err := a.followChangefeed(); err != nil {
			return err
		}
	}
	if err := a.Search.Start(); err != nil {
		return err
	}
	a.Jobs.Every("trends", trends.RefreshInterval/2, jobs.Cluster, func(ctx context.Context) error {
		return a.Trends.Publish(ctx, time.Now())
	})
	a.Jobs.Every("trends-follow", trends.RefreshInterval/2, jobs.Local, func(ctx context.Context) error {
		return a.Trends.Follow(ctx, time.Now())
	})
	a.startSupport()
	return nil
}

// openChangefeed connects to NATS JetStream when configured.
func (a *App) openChangefeed() error {
	if a.Config.NATSURL == "" {
		return nil
	}
	prefix := a.Config.NATSPrefix
	if prefix == "" {
		prefix = "redmark"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	f, err := changefeed.Open(ctx, a.Config.NATSURL, prefix, a.DB)
	a.changes = f
	return err
}

// followChangefeed relays the outbox into the stream (once across the
// cluster) and points this server's search indexer at its own consumer.
func (a *App) followChangefeed() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Consumer names allow letters, digits, - and _ only.
	name := strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return '_'
	}, a.node)
	c, fresh, err := a.changes.Consumer(ctx, "search-"+name, search.IndexedTopics...)
	if err != nil {
		return err
	}
	a.Search.UseChanges(c, fresh)
	a.Jobs.Every("outbox-relay", changefeed.RelayInterval, jobs.Cluster, a.changes.Relay)
	return nil
}

// stopDiscovery stops the indexer (after its current batch) and closes the
// index, so the next start resumes from the outbox.
func (a *App) stopDiscovery() {
	if err := a.Search.Close(); err != nil {
		slog.Warn("close search index", "err", err)
	}
}

// SearchItem is one result with its highlights. Exactly one of Note, User,
// Topic, Product is set, by the page's type.
type SearchItem struct {
	Note    *NoteView           `json:"note,omitempty"`
	User    *accounts.User      `json:"user,omitempty"`
	Topic   *notes.Topic        `json:"topic,omitempty"`
	Product *shop.Product       `json:"product,omitempty"`
	Title   search.Highlighted  `json:"title"`
	Snippet *search.Highlighted `json:"snippet"`
}

// SearchPage is a page of results as the API and the web page show it.
type SearchPage struct {
	Type       search.Kind  `json:"type"`
	Items      []SearchItem `json:"items"`
	Total      uint64       `json:"total"`
	Fallback   bool         `json:"fallback"`
	NextCursor *string      `json:"next_cursor"`
}

// SearchPage runs a search and hydrates the results for viewer (0: signed
// out, identified by the client address addr), keeping the ranked order and
// skipping rows that vanished meanwhile. A first page is recorded in the
// search history (recent and hot searches).
func (a *App) SearchPage(ctx context.Context, viewer id.ID, addr string, r search.Request) (SearchPage, error) {
	res, err := a.Search.Search(ctx, r)
	if err != nil {
		return SearchPage{}, err
	}
	if r.Cursor == "" {
		// The history is a convenience: a failure to record it is logged,
		// the search is still answered.
		if err := a.SearchHistory.Record(ctx, viewer, addr, r.Text, res.Total > 0); err != nil {
			slog.Warn("record search", "err", err)
		}
		if t := strings.ToLower(strings.TrimSpace(r.Text)); t != "" {
			a.Track(analytics.Event{Kind: analytics.Search, User: viewer, Label: t})
		}
	}
	p := SearchPage{Type: r.Kind, Items: []SearchItem{}, Total: res.Total, Fallback: res.Fallback}
	if res.Next != "" {
		p.NextCursor = &res.Next
	}
	item := func(i id.ID) SearchItem {
		it := SearchItem{Title: res.Title[i]}
		if s, ok := res.Snippet[i]; ok {
			it.Snippet = &s
		}
		return it
	}
	switch r.Kind {
	case search.Notes:
		m, err := a.Notes.GetMany(ctx, res.IDs)
		if err != nil {
			return SearchPage{}, err
		}
		ns := make([]notes.Note, 0, len(res.IDs))
		for _, i := range res.IDs {
			if n, ok := m[i]; ok {
				ns = append(ns, n)
			}
		}
		vs, err := a.NoteViews(ctx, viewer, ns)
		if err != nil {
			return SearchPage{}, err
		}
		for k := range vs {
			it := item(vs[k].ID)
			it.Note = &vs[k]
			p.Items = append(p.Items, it)
		}
	case search.Users:
		m, err := a.Accounts.GetMany(ctx, res.IDs)
		if err != nil {
			return SearchPage{}, err
		}
		for _, i := range res.IDs {
			if u, ok := m[i]; ok {
				pub := u.Public()
				it := item(i)
				it.User = &pub
				p.Items = append(p.Items, it)
			}
		}
	case search.Topics:
		m, err := a.topicsByID(ctx, res.IDs)
		if err != nil {
			return SearchPage{}, err
		}
		for _, i := range res.IDs {
			if t, ok := m[i]; ok {
				it := item(i)
				it.Topic = &t
				p.Items = append(p.Items, it)
			}
		}
	case search.Products:
		for _, i := range res.IDs {
			pr, err := a.Shop.GetProduct(ctx, nil, i)
			var ae *apperr.Error
			if errors.As(err, &ae) && ae.Status == 404 {
				continue // unlisted or deleted since the search
			}
			if err != nil {
				return SearchPage{}, err
			}
			it := item(i)
			it.Product = &pr
			p.Items = append(p.Items, it)
		}
	}
	return p, nil
}

func (a *App) topicsByID(ctx context.Context, ids []id.ID) (map[id.ID]notes.Topic, error) {
	out := map[id.ID]notes.Topic{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, v := range ids {
		args[i] = v
	}
	rows, err := a.DB.Reader(ctx).Query(ctx, "SELECT id, COALESCE(NULLIF(display, ''), name), note_count FROM topics WHERE note_count > 0 AND id IN ("+
		db.Placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var i id.ID
		var t notes.Topic
		if err := rows.Scan(&i, &t.Name, &t.NoteCount); err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, rows.Err()
}

// HotItem is a hot-list entry as the API and the web page show it.
type HotItem struct {
	Rank   int      `json:"rank"`
	Score  float64  `json:"score"`
	Pinned bool     `json:"pinned"`
	Note   NoteView `json:"note"`
}

// Hot is the hot list for viewer: the in-memory ranking, hydrated, with
// notes deleted or unpublished since the last refresh left out.
func (a *App) Hot(ctx context.Context, viewer id.ID, limit int) ([]HotItem, time.Time, error) {
	es, at, err := a.Trends.Hot(ctx, limit)
	if err != nil {
		return nil, time.Time{}, err
	}
	ids := make([]id.ID, len(es))
	for i, e := range es {
		ids[i] = e.NoteID
	}
	m, err := a.Notes.GetMany(ctx, ids)
	if err != nil {
		return nil, time.Time{}, err
	}
	var ns []notes.Note
	var kept []trends.HotEntry
	for _, e := range es {
		if n, ok := m[e.NoteID]; ok {
			ns = append(ns, n)
			kept = append(kept, e)
		}
	}
	vs, err := a.NoteViews(ctx, viewer, ns)
	if err != nil {
		return nil, time.Time{}, err
	}
	out := make([]HotItem, len(vs))
	for i, v := range vs {
		out[i] = HotItem{Rank: i + 1, Score: kept[i].Score, Pinned: kept[i].Pinned, Note: v}
	}
	return out, at, nil
}
