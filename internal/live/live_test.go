package live_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/live"
	"github.com/redmark/redmark/internal/orders"
	"github.com/redmark/redmark/internal/shop"
)

type fixture struct {
	a                             *app.App
	host, other, plain, op, buyer accounts.User
	product, other_product, skuIn id.ID
	skuOut                        id.ID
}

func user(t *testing.T, a *app.App, name, role string) accounts.User {
	t.Helper()
	ctx := context.Background()
	u, _, err := a.Accounts.SignUp(ctx, name, "password123", name, "test")
	if err != nil {
		t.Fatal(err)
	}
	if role != accounts.RoleUser {
		if err := a.Accounts.SetRole(ctx, u.ID, role); err != nil {
			t.Fatal(err)
		}
		u.Role = role
	}
	return u
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	a, err := app.New(app.Config{DataDir: t.TempDir()}, d, []byte("test-secret"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Shutdown)
	f := &fixture{a: a}
	f.host = user(t, a, "host1", accounts.RoleCreator)
	f.other = user(t, a, "host2", accounts.RoleCreator)
	f.plain = user(t, a, "viewer1", accounts.RoleUser)
	f.op = user(t, a, "operator1", accounts.RoleOperator)
	f.buyer = user(t, a, "buyer1", accounts.RoleUser)
	merchant := user(t, a, "merchant1", accounts.RoleMerchant)
	ctx := context.Background()
	st, err := a.Shop.CreateStore(ctx, merchant, shop.StoreInput{Name: "Live Goods"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(title string) (id.ID, id.ID) {
		p, err := a.Shop.CreateProduct(ctx, merchant, shop.ProductInput{StoreID: st.ID, Title: title, Fulfilment: "domestic",
			SKUs: []shop.SKUInput{{Options: map[string]string{}, Price: 9900, Stock: 50}}})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID, p.SKUs[0].ID
	}
	f.product, f.skuIn = mk("Lipstick")
	f.other_product, f.skuOut = mk("Scarf")
	return f
}

func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Status != status {
		t.Fatalf("want HTTP %d, got %v", status, err)
	}
}

func (f *fixture) create(t *testing.T, host accounts.User) (live.Live, string) {
	t.Helper()
	l, key, err := f.a.Live.Create(context.Background(), host, live.Input{Title: "Spring lipsticks", ProductIDs: []id.ID{f.product}})
	if err != nil {
		t.Fatal(err)
	}
	return l, key
}

func TestLifecycleAndKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		s := f.a.Live
		_, _, err := s.Create(ctx, f.plain, live.Input{Title: "x"})
		wantStatus(t, err, 403)
		_, _, err = s.Create(ctx, f.host, live.Input{Title: " "})
		wantStatus(t, err, 400)
		_, _, err = s.Create(ctx, f.host, live.Input{Title: "ok", ProductIDs: []id.ID{id.New()}})
		wantStatus(t, err, 400)
		_, _, err = s.Create(ctx, f.host, live.Input{Title: "ok", ProductIDs: []id.ID{f.product, f.product}})
		wantStatus(t, err, 400)
		_, _, err = s.Create(ctx, f.host, live.Input{Title: "ok", ScheduledAt: time.Now().AddDate(2, 0, 0)})
		wantStatus(t, err, 400)

		l, key := f.create(t, f.host)
		if l.Status != live.Scheduled || !l.HasKey || len(l.Products) != 1 || l.Products[0].ID != f.product || l.PlaybackURL != "" {
			t.Fatalf("created %+v", l)
		}
		if !strings.HasPrefix(key, "rmk_") || len(key) < 40 {
			t.Fatalf("key %q", key)
		}
		var stored string
		if err := d.Reader(ctx).QueryRow(ctx, "SELECT key_hash FROM lives WHERE id = ?", l.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, key) || stored == "" {
			t.Fatal("the stream key must be stored hashed")
		}

		_, err = s.Publish(ctx, "rmk_wrong")
		wantStatus(t, err, 403)
		_, err = s.Publish(ctx, "")
		wantStatus(t, err, 403)
		name, err := s.Publish(ctx, key)
		if err != nil || name != "live_"+l.ID.String() {
			t.Fatalf("publish: %q %v", name, err)
		}
		got, _ := s.Get(ctx, l.ID)
		if got.Status != live.OnAir || got.StartedAt == nil || got.PlaybackURL == "" {
			t.Fatalf("on air: %+v", got)
		}
		if host, status, err := s.Room(ctx, l.ID); err != nil || host != f.host.ID || status != live.OnAir {
			t.Fatalf("room: %v %q %v", host, status, err)
		}
		if _, _, err := s.Room(ctx, id.New()); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("room of a missing live: %v", err)
		}
		if err := s.StillValid(ctx, key); err != nil {
			t.Fatal(err)
		}

		// Rotating drops the old key; revoking drops every key.
		key2, err := s.RotateKey(ctx, f.host, l.ID)
		if err != nil || key2 == key {
			t.Fatalf("rotate: %v", err)
		}
		wantStatus(t, s.StillValid(ctx, key), 403)
		_, err = s.Publish(ctx, key)
		wantStatus(t, err, 403)
		if err := s.StillValid(ctx, key2); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeKey(ctx, f.host, l.ID); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, s.StillValid(ctx, key2), 403)
		_, err = s.Publish(ctx, key2)
		wantStatus(t, err, 403)
		if got, _ := s.Get(ctx, l.ID); got.HasKey {
			t.Fatal("revoked key still shown as present")
		}
		key3, _ := s.RotateKey(ctx, f.host, l.ID)

		// The stream stops: the live ends once, with a replay pending.
		wantStatus(t, s.PublishDone(ctx, "garbage"), 404)
		if err := s.PublishDone(ctx, name); err != nil {
			t.Fatal(err)
		}
		if err := s.PublishDone(ctx, name); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Get(ctx, l.ID)
		if got.Status != live.Ended || got.EndedAt == nil || got.ReplayStatus != live.ReplayPending || got.PlaybackURL != "" {
			t.Fatalf("ended: %+v", got)
		}
		_, err = s.Publish(ctx, key3)
		wantStatus(t, err, 403)
		wantStatus(t, s.StillValid(ctx, key3), 403)
		_, err = s.RotateKey(ctx, f.host, l.ID)
		wantStatus(t, err, 409)
		_, err = s.Update(ctx, f.host, l.ID, live.Input{Title: "again"})
		wantStatus(t, err, 409)

		// A scheduled live ended by hand is cancelled: no replay.
		l2, _ := f.create(t, f.host)
		got, err = s.End(ctx, f.host, l2.ID)
		if err != nil || got.Status != live.Ended || got.ReplayStatus != "" {
			t.Fatalf("cancel: %+v %v", got, err)
		}

		lst, err := s.List(ctx, live.ListFilter{Status: live.Ended})
		if err != nil || len(lst) != 2 {
			t.Fatalf("list ended: %d %v", len(lst), err)
		}
		if lst, _ := s.List(ctx, live.ListFilter{Status: live.OnAir}); len(lst) != 0 {
			t.Fatalf("nothing is on air: %d", len(lst))
		}
	})
}

// B cannot edit, re-key, revoke, end or pin A's live, nor see its sales;
// operators can; the console is for operators only.
func TestAuthorization(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		s := f.a.Live
		l, key := f.create(t, f.host)
		for _, u := range []accounts.User{f.other, f.plain} {
			_, err := s.Update(ctx, u, l.ID, live.Input{Title: "mine now"})
			wantStatus(t, err, 403)
			_, err = s.RotateKey(ctx, u, l.ID)
			wantStatus(t, err, 403)
			wantStatus(t, s.RevokeKey(ctx, u, l.ID), 403)
			_, err = s.End(ctx, u, l.ID)
			wantStatus(t, err, 403)
			_, err = s.Pin(ctx, u, l.ID, f.product, true)
			wantStatus(t, err, 403)
			_, err = s.SalesOf(ctx, u, l.ID)
			wantStatus(t, err, 403)
			_, err = s.Console(ctx, u, 10)
			wantStatus(t, err, 403)
		}
		if err := s.StillValid(ctx, key); err != nil {
			t.Fatalf("the key must survive B's attempts: %v", err)
		}
		if got, _ := s.Get(ctx, l.ID); got.Title != "Spring lipsticks" || got.Status != live.Scheduled {
			t.Fatalf("changed by B: %+v", got)
		}
		// A host cannot put someone else's cover image on a live.
		_, err := s.Update(ctx, f.host, l.ID, live.Input{Title: "x", CoverMediaID: ptr(id.New())})
		wantStatus(t, err, 400)
		if _, err := s.Update(ctx, f.op, l.ID, live.Input{Title: "Checked by ops", ProductIDs: []id.ID{f.product}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Console(ctx, f.op, 10); err != nil {
			t.Fatal(err)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestPins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		s := f.a.Live
		l, _, err := s.Create(ctx, f.host, live.Input{Title: "Two things", ProductIDs: []id.ID{f.product, f.other_product}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Pin(ctx, f.host, l.ID, f.other_product, true)
		if err != nil || got.Products[0].ID != f.other_product || !got.Products[0].Pinned || got.Products[1].Pinned {
			t.Fatalf("pin: %+v %v", got.Products, err)
		}
		// Editing the list keeps the pins of products that stay.
		got, err = s.Update(ctx, f.host, l.ID, live.Input{Title: "Two things", ProductIDs: []id.ID{f.product, f.other_product}})
		if err != nil || !got.Products[0].Pinned {
			t.Fatalf("update lost the pin: %+v %v", got.Products, err)
		}
		got, err = s.Pin(ctx, f.host, l.ID, f.other_product, false)
		if err != nil || got.Products[0].ID != f.product || got.Products[0].Pinned || got.Products[1].Pinned {
			t.Fatalf("unpin: %+v %v", got.Products, err)
		}
		_, err = s.Pin(ctx, f.host, l.ID, id.New(), true)
		wantStatus(t, err, 404)
	})
}

// Orders carry the live only when it exists and sells an ordered product.
func TestAttributionAndSales(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		s := f.a.Live
		l, _ := f.create(t, f.host)
		addr := orders.Address{Name: "Li Lei", Phone: "13800000000", Region: "Beijing", Line: "1 Chang'an Ave", Postcode: "100000"}
		buy := func(key string, sku, liveID id.ID) orders.Order {
			t.Helper()
			o, _, err := f.a.Orders.Create(ctx, f.buyer, key, orders.CreateRequest{Items: []orders.LineRequest{{SKUID: sku, Quantity: 1}},
				Address: addr, LiveID: liveID})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		in := buy("k1", f.skuIn, l.ID)
		out := buy("k2", f.skuOut, l.ID)      // not one of the live's products
		ghost := buy("k3", f.skuIn, id.New()) // no such live
		plain := buy("k4", f.skuIn, 0)
		for o, want := range map[id.ID]id.ID{in.ID: l.ID, out.ID: 0, ghost.ID: 0, plain.ID: 0} {
			got, err := s.LiveOf(ctx, o)
			if err != nil || got != want {
				t.Fatalf("order %s: live %s, want %s (%v)", o, got, want, err)
			}
		}
		// The same request again (same key) is the same order, attributed once.
		if again := buy("k1", f.skuIn, l.ID); again.ID != in.ID {
			t.Fatal("idempotent replay made a new order")
		}
		if _, err := d.Writer(ctx).Exec(ctx, "UPDATE orders SET paid_amount = total WHERE id = ?", in.ID); err != nil {
			t.Fatal(err)
		}
		sales, err := s.SalesOf(ctx, f.host, l.ID)
		if err != nil || sales.Orders != 1 || sales.PaidOrders != 1 || sales.GMV != in.Total || in.Total <= 0 {
			t.Fatalf("sales %+v (total %d) %v", sales, in.Total, err)
		}
		cs, err := s.Console(ctx, f.op, 10)
		if err != nil || len(cs) != 1 || cs[0].GMV != in.Total || cs[0].ID != l.ID {
			t.Fatalf("console %+v %v", cs, err)
		}
	})
}

// The HLS files served are only a live's own, by their exact names.
func TestHLSFile(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dir := t.TempDir()
		a, err := app.New(app.Config{DataDir: t.TempDir(), Live: live.Config{RTMPURL: "rtmp://127.0.0.1/live", Dir: dir}}, d, []byte("s"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.Shutdown)
		if !a.Live.Config().Configured() || len(a.Live.Config().HookSecret) != 32 {
			t.Fatalf("hook secret not loaded: %+v", a.Live.Config())
		}
		host := user(t, a, "host1", accounts.RoleCreator)
		ctx := context.Background()
		l, key, err := a.Live.Create(ctx, host, live.Input{Title: "HLS"})
		if err != nil {
			t.Fatal(err)
		}
		hls := dir + "/hls/live_" + l.ID.String()
		os.MkdirAll(hls, 0o755)
		os.WriteFile(hls+"/index.m3u8", []byte("#EXTM3U\n"), 0o644)
		_, err = a.Live.HLSFile(ctx, l.ID, "index.m3u8")
		wantStatus(t, err, 404) // not on air yet
		if _, err := a.Live.Publish(ctx, key); err != nil {
			t.Fatal(err)
		}
		if p, err := a.Live.HLSFile(ctx, l.ID, "index.m3u8"); err != nil || p != hls+"/index.m3u8" {
			t.Fatalf("%q %v", p, err)
		}
		for _, bad := range []string{"../index.m3u8", "x.m3u8", "1.ts/../../a", "..", "7.ts"} {
			_, err := a.Live.HLSFile(ctx, l.ID, bad)
			wantStatus(t, err, 404)
		}
		if !a.Live.CheckHookSecret(a.Live.Config().HookSecret) || a.Live.CheckHookSecret("") || a.Live.CheckHookSecret("x") {
			t.Fatal("hook secret check")
		}
	})
}

// deploy/nginx-rtmp.conf is the template NginxConfig renders.
func TestNginxTemplateShipped(t *testing.T) {
	shipped, err := os.ReadFile("../../deploy/nginx-rtmp.conf")
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := os.ReadFile("nginx-rtmp.conf")
	if err != nil {
		t.Fatal(err)
	}
	if string(shipped) != string(embedded) {
		t.Fatal("deploy/nginx-rtmp.conf differs from internal/live/nginx-rtmp.conf: copy one over the other")
	}
	conf, err := live.NginxConfig(live.NginxParams{Dir: "/srv/live", Listen: "127.0.0.1:1935", Callback: "http://127.0.0.1:8080/", HookSecret: "abc"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"listen 127.0.0.1:1935;", "on_publish http://127.0.0.1:8080/api/v1/live/hooks/abc/publish?relay=rtmp://127.0.0.1:1935/hls;",
		"hls_path /srv/live/hls;", "record_path /srv/live/rec;", "on_publish_done http://127.0.0.1:8080/api/v1/live/hooks/abc/publish_done;"} {
		if !strings.Contains(conf, want) {
			t.Errorf("config lacks %q", want)
		}
	}
}

// Callbacks and orders race: nginx may retry, several buyers check out at
// once. The live goes on air and ends once, every order is attributed.
func TestConcurrentCallbacksAndOrders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		s := f.a.Live
		l, key := f.create(t, f.host)
		const n = 16
		errs := make(chan error, 3*n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Publish(ctx, key)
				errs <- err
			}()
		}
		wg.Wait()
		var started time.Time
		for i := 0; i < n; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		got, _ := s.Get(ctx, l.ID)
		started = *got.StartedAt
		addr := orders.Address{Name: "Li Lei", Phone: "13800000000", Region: "Beijing", Line: "1 Road", Postcode: "100000"}
		buyers := make([]accounts.User, n)
		for i := range buyers {
			buyers[i] = user(t, f.a, fmt.Sprintf("buyer%d", 10+i), accounts.RoleUser)
		}
		for _, b := range buyers {
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, _, err := f.a.Orders.Create(ctx, b, "k", orders.CreateRequest{Items: []orders.LineRequest{{SKUID: f.skuIn, Quantity: 1}},
					Address: addr, LiveID: l.ID})
				errs <- err
			}()
			go func() {
				defer wg.Done()
				errs <- s.StillValid(ctx, key)
			}()
		}
		wg.Wait()
		for i := 0; i < 2*n; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.PublishDone(ctx, "live_"+l.ID.String())
			}()
		}
		wg.Wait()
		for i := 0; i < n; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		got, _ = s.Get(ctx, l.ID)
		if got.Status != live.Ended || !got.StartedAt.Equal(started) || got.ReplayStatus != live.ReplayPending {
			t.Fatalf("after the races: %+v", got)
		}
		sales, err := s.SalesOf(ctx, f.host, l.ID)
		if err != nil || sales.Orders != n {
			t.Fatalf("sales %+v %v", sales, err)
		}
	})
}
