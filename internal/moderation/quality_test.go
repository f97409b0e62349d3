package moderation_test

import (
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/moderation"
	"github.com/redmark/redmark/internal/shop"
)

func (f *fixture) store(owner accounts.User, name string, products ...string) (shop.Store, []shop.Product) {
	f.t.Helper()
	st, err := f.a.Shop.CreateStore(f.ctx, owner, shop.StoreInput{Name: name})
	if err != nil {
		f.t.Fatal(err)
	}
	var ps []shop.Product
	for _, title := range products {
		p, err := f.a.Shop.CreateProduct(f.ctx, owner, shop.ProductInput{StoreID: st.ID, Title: title, Fulfilment: shop.Domestic,
			SKUs: []shop.SKUInput{{Price: 100, Stock: 10}}})
		if err != nil {
			f.t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return st, ps
}

func (f *fixture) onSale(pid id.ID) bool {
	p, err := f.a.Shop.ProductOf(f.ctx, pid)
	if err != nil {
		f.t.Fatal(err)
	}
	return p.Listed
}

// TestSpotChecksDelistByPolicy: operators only; two failures change
// nothing, the third delists the product and (policy on) suspends the
// store; a recorded check cannot be recorded again.
func TestSpotChecksDelistByPolicy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.m.Config.SuspendStoreOnDelist = true
		op := f.user("op", accounts.RoleOperator)
		m := f.user("merchant", accounts.RoleMerchant)
		st, ps := f.store(m, "Bags", "Bag", "Belt")
		due := time.Now().Add(24 * time.Hour)
		_, err := f.m.ScheduleSpotCheck(f.ctx, f.mod, ps[0].ID, due)
		wantCode(t, err, "forbidden")
		_, err = f.m.ScheduleSpotCheck(f.ctx, m, ps[0].ID, due)
		wantCode(t, err, "forbidden")
		for i := range 3 {
			c, err := f.m.ScheduleSpotCheck(f.ctx, op, ps[0].ID, due)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.m.RecordSpotCheck(f.ctx, op, c.ID, false, "stitching does not match the brand"); err != nil {
				t.Fatal(err)
			}
			_, err = f.m.RecordSpotCheck(f.ctx, op, c.ID, true, "again")
			wantCode(t, err, "conflict")
			if want := i < 2; f.onSale(ps[0].ID) != want || f.onSale(ps[1].ID) != want {
				t.Fatalf("after %d failures on sale %v/%v", i+1, f.onSale(ps[0].ID), f.onSale(ps[1].ID))
			}
		}
		s, _ := f.a.Shop.GetStore(f.ctx, st.ID)
		if !s.Suspended {
			t.Fatal("the policy did not suspend the store")
		}
		acts, err := f.m.MyActions(f.ctx, m.ID)
		if err != nil || len(acts) != 2 || acts[0].Kind != moderation.SuspendStore || acts[1].Kind != moderation.Delist {
			t.Fatalf("merchant's actions %+v, %v", acts, err)
		}
		list, err := f.m.SpotChecks(f.ctx, op, ps[0].ID)
		if err != nil || len(list) != 3 || list[0].Status != moderation.Failed {
			t.Fatalf("spot checks %+v, %v", list, err)
		}
		lv, err := f.m.ServiceLevels(f.ctx, st.ID)
		if err != nil || lv.SpotFailed != 3 {
			t.Fatalf("levels %+v, %v", lv, err)
		}
	})
}

// TestCounterfeitAndServiceLevels: a confirmed counterfeit report delists
// the product; with the policy off the store keeps selling. Service levels
// come from the store's orders and after-sales requests.
func TestCounterfeitAndServiceLevels(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		m, buyer := f.user("merchant", accounts.RoleMerchant), f.user("buyer", accounts.RoleUser)
		st, ps := f.store(m, "Watches", "Watch", "Strap")
		r, err := f.m.Report(f.ctx, buyer, moderation.Input{TargetKind: moderation.Product, TargetID: ps[0].ID, Reason: "counterfeit", Details: "序列号查不到"})
		if err != nil {
			t.Fatal(err)
		}
		a := f.act(f.mod, r.CaseID, moderation.Counterfeit, 0)
		if a.Kind != moderation.Counterfeit || f.onSale(ps[0].ID) || !f.onSale(ps[1].ID) {
			t.Fatalf("counterfeit %+v: on sale %v/%v", a, f.onSale(ps[0].ID), f.onSale(ps[1].ID))
		}
		_, err = f.m.Act(f.ctx, f.mod, f.reportCase(buyer, moderation.User, m.ID), moderation.ActionInput{Kind: moderation.Counterfeit, Reason: "x"})
		wantCode(t, err, "invalid_input")

		// Four paid orders: shipped after 10 h and 20 h, one after-sales
		// request decided after 6 h.
		now, hour := db.Now(), time.Hour.Milliseconds()
		for i, ship := range []int64{10, 20, 0, 0} {
			oid := id.New()
			shipped := int64(0)
			if ship > 0 {
				shipped = now - 48*hour + ship*hour
			}
			if _, err := d.Writer(f.ctx).Exec(f.ctx, `INSERT INTO orders (id, user_id, store_id, status, subtotal, total, address, expires_at,
				paid_at, shipped_at, created_at, updated_at) VALUES (?, ?, ?, 'paid', 100, 100, '{}', ?, ?, ?, ?, ?)`,
				oid, buyer.ID, st.ID, now, now-48*hour, shipped, now, now); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				if _, err := d.Writer(f.ctx).Exec(f.ctx, `INSERT INTO after_sales (id, order_id, user_id, status, reason, amount, created_at, decided_at)
					VALUES (?, ?, ?, 'refunded', 'broken', 100, ?, ?)`, id.New(), oid, buyer.ID, now-10*hour, now-4*hour); err != nil {
					t.Fatal(err)
				}
			}
		}
		lv, err := f.m.ServiceLevels(f.ctx, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if lv.Orders != 4 || lv.ShipHours != 15 || lv.RefundHours != 6 || lv.DisputeRate != 0.25 {
			t.Fatalf("service levels %+v", lv)
		}
	})
}
