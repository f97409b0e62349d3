package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/festivals"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/promotions"
	"github.com/redmark/redmark/internal/shop"
)

// Festivals (G5): the landing pages, and the mark the app shows while one
// runs — a banner on every page (but the console and the festival's own
// page), a badge on note cards and note pages carrying its topic and on
// product cards it features (its promotions and flash sales).

func (w *Web) registerFestivals(mux *http.ServeMux) {
	mux.Handle("GET /festivals", w.h(w.festivalList))
	mux.Handle("GET /festivals/{slug}", w.h(w.festivalPage))
}

// festivalBanner is the layout's banner: the first running festival.
func (q *req) festivalBanner() *festivals.Mark {
	p := q.r.URL.Path
	if strings.HasPrefix(p, "/console") {
		return nil
	}
	m := q.w.app.Festivals.Current(q.r.Context())
	if m != nil && p == "/festivals/"+m.Slug {
		return nil
	}
	return m
}

// productFestival is the mark of a running festival featuring a product,
// judged by its first SKU's catalog item.
func (q *req) productFestival(p shop.Product, items map[id.ID]shop.Item) (*festivals.Mark, error) {
	ctx := q.r.Context()
	var covering []id.ID
	if len(p.SKUs) > 0 {
		promos, err := q.w.app.Promotions.Active(ctx, p.StoreID, time.Now())
		if err != nil {
			return nil, err
		}
		for _, pr := range promos {
			if pr.Covers(items[p.SKUs[0].ID]) {
				covering = append(covering, pr.ID)
			}
		}
	}
	return q.w.app.Festivals.ForProduct(ctx, p.ID, covering), nil
}

func (w *Web) festivalList(q *req) error {
	fs, err := w.app.Festivals.List(q.r.Context(), 50)
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "festivals", q.t("fest.title"), "", fs)
	return nil
}

type festivalData struct {
	F          festivals.Festival
	Campaign   *campaigns.Campaign
	Categories []campaigns.Category // the vote's leaderboards, top 3 each
	Promotions []promotions.Promotion
	Sales      []flashsale.Sale
	Notes      []card
}

func (w *Web) festivalPage(q *req) error {
	ctx := q.r.Context()
	f, err := w.app.Festivals.BySlug(ctx, q.r.PathValue("slug"))
	if err != nil {
		return err
	}
	d := festivalData{F: f}
	if f.CampaignID != 0 {
		c, err := w.app.Campaigns.Get(ctx, f.CampaignID)
		if err != nil {
			return err
		}
		d.Campaign = &c
		cats, err := w.app.Campaigns.Leaderboard(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, cat := range cats { // the leaderboard is shared: copy, then cut
			cat.Nominees = slices.Clone(cat.Nominees[:min(3, len(cat.Nominees))])
			d.Categories = append(d.Categories, cat)
		}
	}
	// Offers show while they run; the festival may outlast some of them.
	promos, err := w.app.Promotions.Active(ctx, 0, time.Now())
	if err != nil {
		return err
	}
	for _, p := range promos {
		if slices.Contains(f.PromotionIDs, p.ID) {
			d.Promotions = append(d.Promotions, p)
		}
	}
	for _, sid := range f.FlashSaleIDs {
		sl, err := w.app.Flash.Get(ctx, sid, q.viewerID())
		if err != nil {
			return err
		}
		if sl.Status != flashsale.Ended {
			d.Sales = append(d.Sales, sl)
		}
	}
	if f.Topic != "" {
		_, ns, err := w.app.Notes.ByTopic(ctx, f.Topic, 0, 12)
		if err != nil && !errors.Is(err, apperr.ErrNotFound) { // no note has the topic yet
			return err
		}
		if d.Notes, err = q.cards(ns); err != nil {
			return err
		}
	}
	q.render(http.StatusOK, "festival", f.Title, "", d)
	return nil
}
