package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/search"
	"github.com/redmark/redmark/internal/shop"
)

// registerSearch adds the search page and the hot list and trending pages
// (trends.go).
func (w *Web) registerSearch(mux *http.ServeMux) {
	mux.Handle("GET /search", w.h(w.searchPage))
	mux.Handle("POST /search/recent/clear", w.h(w.clearRecentSearches))
	w.registerTrends(mux)
}

type searchTab struct {
	Label, Href, TestID string
	On                  bool
}

// searchNote is a note card whose title shows the matched words.
type searchNote struct {
	card
	TitleSegs   []search.Segment
	SnippetSegs []search.Segment
}

type searchUser struct {
	User     accounts.User
	NameSegs []search.Segment
	BioSegs  []search.Segment
}

type searchTopic struct {
	Name     string
	Count    int64
	NameSegs []search.Segment
}

type searchProduct struct {
	Product   shop.Product
	Cover     string
	TitleSegs []search.Segment
}

type searchData struct {
	Q        string
	Type     string
	Tabs     []searchTab
	Notes    []searchNote
	Users    []searchUser
	Topics   []searchTopic
	Products []searchProduct
	Fallback bool
	More     string
	// Before a query is typed: the signed-in user's recent searches (a
	// signed-out reader's are kept by the browser, app.js) and hot ones.
	Recent []search.RecentSearch
	Hot    []search.HotSearch
}

func segs(h *search.Highlighted) []search.Segment {
	if h == nil {
		return nil
	}
	return h.Segments()
}

func (w *Web) searchPage(q *req) error {
	v := q.r.URL.Query()
	text := strings.TrimSpace(v.Get("q"))
	kind, ok := search.ParseKind(v.Get("type"))
	if !ok {
		return apperr.Invalid("unknown search type")
	}
	d := searchData{Q: text, Type: string(kind)}
	for _, k := range search.Kinds {
		d.Tabs = append(d.Tabs, searchTab{Label: q.t("search.tab." + string(k)), TestID: "search-tab-" + string(k), On: k == kind,
			Href: "/search?q=" + url.QueryEscape(text) + "&type=" + string(k)})
	}
	title := q.t("search.title")
	if text != "" {
		title = text + " · " + title
	}
	if text == "" {
		ctx := q.r.Context()
		var err error
		if q.me != nil {
			if d.Recent, err = w.app.SearchHistory.Recent(ctx, q.me.ID); err != nil {
				return err
			}
		}
		if d.Hot, err = w.app.SearchHistory.Hot(ctx); err != nil {
			return err
		}
		q.render(http.StatusOK, "search", title, "home", d)
		return nil
	}
	p, err := w.app.SearchPage(q.r.Context(), q.viewerID(), q.clientIP(), search.Request{Text: text, Kind: kind, Cursor: v.Get("cursor"), Limit: pageSize})
	if err != nil {
		return err
	}
	d.Fallback = p.Fallback
	if p.NextCursor != nil {
		d.More = "/search?q=" + url.QueryEscape(text) + "&type=" + string(kind) + "&cursor=" + url.QueryEscape(*p.NextCursor)
	}
	for _, it := range p.Items {
		switch {
		case it.Note != nil:
			d.Notes = append(d.Notes, searchNote{card: noteCard(*it.Note), TitleSegs: it.Title.Segments(), SnippetSegs: segs(it.Snippet)})
		case it.User != nil:
			d.Users = append(d.Users, searchUser{User: *it.User, NameSegs: it.Title.Segments(), BioSegs: segs(it.Snippet)})
		case it.Topic != nil:
			d.Topics = append(d.Topics, searchTopic{Name: it.Topic.Name, Count: it.Topic.NoteCount, NameSegs: it.Title.Segments()})
		case it.Product != nil:
			sp := searchProduct{Product: *it.Product, TitleSegs: it.Title.Segments()}
			if len(it.Product.Images) > 0 {
				sp.Cover = it.Product.Images[0].ThumbnailURL
				if sp.Cover == "" {
					sp.Cover = it.Product.Images[0].URL
				}
			}
			d.Products = append(d.Products, sp)
		}
	}
	q.render(http.StatusOK, "search", title, "home", d)
	return nil
}

// clearRecentSearches forgets the signed-in user's recent searches.
func (w *Web) clearRecentSearches(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return err
	}
	if err := w.app.SearchHistory.ClearRecent(q.r.Context(), me.ID); err != nil {
		return err
	}
	q.redirect("/search")
	return nil
}

// noteCard is a grid card for an already decorated note.
func noteCard(v app.NoteView) card { return card{NoteView: v, Cover: coverOf(v.Note)} }
