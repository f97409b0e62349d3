package festivals_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/festivals"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/promotions"
	"github.com/redmark/redmark/internal/shop"
)

type fixture struct {
	t       *testing.T
	ctx     context.Context
	a       *app.App
	op, u   accounts.User
	product id.ID
	promo   id.ID
	sale    id.ID
	camp    id.ID
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	a, err := app.New(app.Config{DataDir: t.TempDir()}, d, []byte("test-secret"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Shutdown)
	f := &fixture{t: t, ctx: context.Background(), a: a}
	if f.op, err = a.Accounts.CreateOperator(f.ctx, "boss", "password123"); err != nil {
		t.Fatal(err)
	}
	if f.u, err = a.Accounts.CreateWithHash(f.ctx, "alice", "Alice", "", "user"); err != nil {
		t.Fatal(err)
	}
	st, err := a.Shop.CreateStore(f.ctx, f.op, shop.StoreInput{Name: "福利社"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Shop.CreateProduct(f.ctx, f.op, shop.ProductInput{StoreID: st.ID, Title: "Lipstick", Fulfilment: "domestic",
		SKUs: []shop.SKUInput{{Options: map[string]string{}, Price: 19900, Stock: 50}}})
	if err != nil {
		t.Fatal(err)
	}
	f.product = p.ID
	pr, err := a.Promotions.CreatePromotion(f.ctx, f.op, promotions.Promotion{Name: "8折", Kind: promotions.Percent, Scope: promotions.ScopeAll,
		PercentOff: 20, StartsAt: time.Now().Add(-time.Hour), EndsAt: time.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	f.promo = pr.ID
	sl, err := a.Flash.Create(f.ctx, f.op, flashsale.Input{SKUID: p.SKUs[0].ID, Price: 9900, Stock: 3, PerUserLimit: 1,
		StartsAt: time.Now().Add(time.Minute), EndsAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	f.sale = sl.ID
	c, err := a.Campaigns.Create(f.ctx, f.op, campaigns.Input{Title: "年度好物", StartsAt: time.Now(), EndsAt: time.Now().Add(time.Hour),
		Rules: campaigns.Rules{DailyVotes: 3}})
	if err != nil {
		t.Fatal(err)
	}
	f.camp = c.ID
	return f
}

func (f *fixture) input(slug string, start, end time.Time) festivals.Input {
	return festivals.Input{Slug: slug, Title: "6.6 周年庆", Mark: "6.6周年庆", Topic: "周年庆", CampaignID: f.camp,
		PromotionIDs: []id.ID{f.promo}, FlashSaleIDs: []id.ID{f.sale}, StartsAt: start, EndsAt: end}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

// TestSetup: operators only (checked before validation), every field
// validated, references must exist, slugs unique; an edit replaces the
// featured items.
func TestSetup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		s := f.a.Festivals
		now := time.Now()
		_, err := s.Create(f.ctx, f.u, festivals.Input{})
		wantCode(t, err, "forbidden")
		good := f.input("anniversary-66", now.Add(-time.Hour), now.Add(time.Hour))
		for name, edit := range map[string]func(*festivals.Input){
			"slug":     func(in *festivals.Input) { in.Slug = "Bad Slug" },
			"title":    func(in *festivals.Input) { in.Title = "" },
			"mark":     func(in *festivals.Input) { in.Mark = "一二三四五六七八九十一二三" },
			"window":   func(in *festivals.Input) { in.EndsAt = in.StartsAt },
			"long":     func(in *festivals.Input) { in.EndsAt = in.StartsAt.Add(61 * 24 * time.Hour) },
			"past":     func(in *festivals.Input) { in.StartsAt, in.EndsAt = now.Add(-2*time.Hour), now.Add(-time.Hour) },
			"campaign": func(in *festivals.Input) { in.CampaignID = id.New() },
			"promo":    func(in *festivals.Input) { in.PromotionIDs = []id.ID{id.New()} },
			"sale":     func(in *festivals.Input) { in.FlashSaleIDs = []id.ID{id.New()} },
			"topic":    func(in *festivals.Input) { in.Topic = "a b" },
		} {
			in := good
			edit(&in)
			if _, err := s.Create(f.ctx, f.op, in); err == nil {
				t.Errorf("%s: accepted", name)
			} else {
				wantCode(t, err, "invalid_input")
			}
		}
		fe, err := s.Create(f.ctx, f.op, good)
		if err != nil {
			t.Fatal(err)
		}
		if fe.Status != festivals.Live || len(fe.PromotionIDs) != 1 || len(fe.FlashSaleIDs) != 1 || len(fe.FlashProductIDs) != 1 ||
			fe.FlashProductIDs[0] != f.product || fe.CampaignID != f.camp {
			t.Fatalf("created %+v", fe)
		}
		_, err = s.Create(f.ctx, f.op, good)
		wantCode(t, err, "conflict")
		_, err = s.Update(f.ctx, f.u, fe.ID, good)
		wantCode(t, err, "forbidden")
		in := good
		in.Title, in.PromotionIDs, in.FlashSaleIDs, in.CampaignID = "红色星期五", nil, nil, 0
		up, err := s.Update(f.ctx, f.op, fe.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if up.Title != "红色星期五" || len(up.PromotionIDs) != 0 || len(up.FlashSaleIDs) != 0 || up.CampaignID != 0 {
			t.Fatalf("updated %+v", up)
		}
		if got, err := s.BySlug(f.ctx, "anniversary-66"); err != nil || got.ID != fe.ID {
			t.Fatalf("by slug %v %v", got, err)
		}
		_, err = s.BySlug(f.ctx, "nope")
		wantCode(t, err, "not_found")
	})
}

// TestStartsAndEndsByItself: the status and the marks follow the clock,
// with no job: upcoming, live (marks on notes with the topic, products
// its promotions cover and its flash sale's product), ended (no mark).
func TestStartsAndEndsByItself(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		s := f.a.Festivals
		start := time.Now().Add(time.Hour)
		fe, err := s.Create(f.ctx, f.op, f.input("red-friday", start, start.Add(2*time.Hour)))
		if err != nil {
			t.Fatal(err)
		}
		if fe.Status != festivals.Upcoming || s.Current(f.ctx) != nil {
			t.Fatalf("before the start: %s, mark %v", fe.Status, s.Current(f.ctx))
		}
		clock := start.Add(time.Minute)
		s.Now = func() time.Time { return clock }
		if m := s.Current(f.ctx); m == nil || m.Slug != "red-friday" {
			t.Fatalf("live: mark %v", m)
		}
		if m := s.ForTopics(f.ctx, []string{"travel", "周年庆"}); m == nil || m.Text != "6.6周年庆" {
			t.Fatalf("topic mark %v", m)
		}
		if s.ForTopics(f.ctx, []string{"travel"}) != nil {
			t.Fatal("mark on a note without the topic")
		}
		if s.ForProduct(f.ctx, f.product, nil) == nil || s.ForProduct(f.ctx, id.New(), []id.ID{f.promo}) == nil {
			t.Fatal("no product mark")
		}
		if s.ForProduct(f.ctx, id.New(), []id.ID{id.New()}) != nil {
			t.Fatal("mark on a product it does not feature")
		}
		if got, _ := s.Get(f.ctx, fe.ID); got.Status != festivals.Live {
			t.Fatalf("status %s", got.Status)
		}
		clock = start.Add(2*time.Hour + time.Millisecond)
		if m := s.Current(f.ctx); m != nil {
			t.Fatalf("after the end: mark %v", m)
		}
		if got, _ := s.Get(f.ctx, fe.ID); got.Status != festivals.Ended {
			t.Fatalf("status %s", got.Status)
		}
	})
}
