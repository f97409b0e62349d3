package moderation_test

import (
	"slices"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/moderation"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/notify"
	"github.com/redmark/redmark/internal/search"
	"github.com/redmark/redmark/internal/shop"
)

// reportCase files a report by reporter and returns the case id.
func (f *fixture) reportCase(reporter accounts.User, kind string, target id.ID) id.ID {
	f.t.Helper()
	r, err := f.m.Report(f.ctx, reporter, moderation.Input{TargetKind: kind, TargetID: target, Reason: "spam"})
	if err != nil {
		f.t.Fatal(err)
	}
	return r.CaseID
}

func (f *fixture) act(actor accounts.User, cid id.ID, kind string, hours int) moderation.Action {
	f.t.Helper()
	a, err := f.m.Act(f.ctx, actor, cid, moderation.ActionInput{Kind: kind, Reason: "违反社区规范 / against the rules", Hours: hours})
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// publishText publishes a note with a body through the notes service,
// linking products.
func (f *fixture) publishText(author accounts.User, title, body string, products ...id.ID) (notes.Note, error) {
	mid := id.New()
	if _, err := f.a.DB.Writer(f.ctx).Exec(f.ctx, `INSERT INTO media (id, owner_id, kind, storage_key, content_type, created_at)
		VALUES (?, ?, 'image', 'k', 'image/jpeg', ?)`, mid, author.ID, db.Now()); err != nil {
		f.t.Fatal(err)
	}
	return f.a.Notes.Create(f.ctx, author, notes.Input{Title: title, Body: body, MediaIDs: []id.ID{mid}, ProductIDs: products})
}

// surfaces reports on which surfaces a note shows for viewer: following
// feed, the discover feed (signed out: no seen-notes session), the hot
// list, search, the linked product's page, the author's list, the note
// page.
func (f *fixture) surfaces(viewer, author accounts.User, nid, product id.ID, word string) map[string]bool {
	f.t.Helper()
	out := map[string]bool{}
	ids, err := f.a.Feed.Following(f.ctx, viewer.ID, 0, 50)
	if err != nil {
		f.t.Fatal(err)
	}
	out["feed"] = slices.Contains(ids, nid)
	disc, _, err := f.a.Discover(f.ctx, 0, "", 50)
	if err != nil {
		f.t.Fatal(err)
	}
	out["discover"] = slices.ContainsFunc(disc, func(n app.DiscoverNote) bool { return n.ID == nid })
	onProduct, err := f.a.ProductNotes.Notes(f.ctx, &viewer, product, 0, 50)
	if err != nil {
		f.t.Fatal(err)
	}
	out["product"] = slices.ContainsFunc(onProduct, func(n notes.Note) bool { return n.ID == nid })
	hot, _, err := f.a.Hot(f.ctx, viewer.ID, 50)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, h := range hot {
		if h.Note.ID == nid {
			out["hot"] = true
		}
	}
	if _, err := f.a.Search.CatchUp(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	res, err := f.a.Search.Search(f.ctx, search.Request{Text: word, Kind: search.Notes, Limit: 20})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, h := range res.IDs {
		if h == nid {
			out["search"] = true
		}
	}
	byAuthor, err := f.a.Notes.ListByAuthor(f.ctx, author.ID, 0, 50)
	if err != nil {
		f.t.Fatal(err)
	}
	out["profile"] = slices.ContainsFunc(byAuthor, func(n notes.Note) bool { return n.ID == nid })
	_, err = f.a.Notes.Get(f.ctx, viewer.ID, nid)
	out["page"] = err == nil
	return out
}

func wantSurfaces(t *testing.T, got map[string]bool, want bool) {
	t.Helper()
	for _, k := range []string{"feed", "discover", "hot", "search", "product", "profile", "page"} {
		if got[k] != want {
			t.Errorf("%s: visible %v, want %v (all: %v)", k, got[k], want, got)
		}
	}
}

// TestHideAppealRestore: a reported note is hidden and leaves every
// surface at once; the author still sees it (status hidden) and cannot
// republish it; the author appeals once; the moderator who hid it cannot
// decide; an operator overturns and the note is back everywhere. The audit
// log holds every step and refuses UPDATE and DELETE.
func TestHideAppealRestore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		op := f.user("op", accounts.RoleOperator)
		author, reader := f.user("author", accounts.RoleUser), f.user("reader", accounts.RoleUser)
		if _, err := f.a.Social.Follow(f.ctx, reader.ID, author.ID); err != nil {
			t.Fatal(err)
		}
		m := f.user("merchant", accounts.RoleMerchant)
		st, err := f.a.Shop.CreateStore(f.ctx, m, shop.StoreInput{Name: "Beach shop"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := f.a.Shop.CreateProduct(f.ctx, m, shop.ProductInput{StoreID: st.ID, Title: "Sun hat", Fulfilment: shop.Domestic,
			SKUs: []shop.SKUInput{{Price: 100, Stock: 10}}})
		if err != nil {
			t.Fatal(err)
		}
		n, err := f.publishText(author, "Zanzibar sunset", "zanzibar beach notes", p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Social.Like(f.ctx, reader.ID, n.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.a.Trends.Refresh(f.ctx, time.Now()); err != nil {
			t.Fatal(err)
		}
		wantSurfaces(t, f.surfaces(reader, author, n.ID, p.ID, "zanzibar"), true)

		cid := f.reportCase(reader, moderation.Note, n.ID)
		_, err = f.m.Act(f.ctx, reader, cid, moderation.ActionInput{Kind: moderation.Hide, Reason: "x"})
		wantCode(t, err, "forbidden")
		hide := f.act(f.mod, cid, moderation.Hide, 0)
		wantSurfaces(t, f.surfaces(reader, author, n.ID, p.ID, "zanzibar"), false)
		own, err := f.a.Notes.Get(f.ctx, author.ID, n.ID)
		if err != nil || own.Status != notes.Hidden {
			t.Fatalf("the author sees %+v, %v", own, err)
		}
		pub := true
		_, err = f.a.Notes.Update(f.ctx, author, n.ID, notes.Patch{Publish: &pub})
		wantCode(t, err, "forbidden")
		c, err := f.m.Get(f.ctx, f.mod, cid)
		if err != nil || c.Status != moderation.Actioned || len(c.Actions) != 1 {
			t.Fatalf("case %+v, %v", c, err)
		}
		ns, err := f.a.Notify.List(f.ctx, author.ID, "system", 0, 10)
		if err != nil || len(ns) != 1 || ns[0].Kind != notify.ModerationAction || ns[0].Ref != int64(hide.ID) {
			t.Fatalf("author notifications %+v, %v", ns, err)
		}
		mine, err := f.m.MyActions(f.ctx, author.ID)
		if err != nil || len(mine) != 1 || mine[0].Reason == "" {
			t.Fatalf("author's actions %+v, %v", mine, err)
		}

		_, err = f.m.FileAppeal(f.ctx, reader, hide.ID, "not mine")
		wantCode(t, err, "not_found")
		ap, err := f.m.FileAppeal(f.ctx, author, hide.ID, "这是我自己的照片")
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.m.FileAppeal(f.ctx, author, hide.ID, "again")
		wantCode(t, err, "conflict")
		queue, err := f.m.Appeals(f.ctx, op, "")
		if err != nil || len(queue) != 1 || queue[0].Action == nil || queue[0].Action.ID != hide.ID {
			t.Fatalf("appeals queue %+v, %v", queue, err)
		}
		_, err = f.m.Decide(f.ctx, f.mod, ap.ID, moderation.Overturned, "ok")
		wantCode(t, err, "forbidden")
		_, err = f.m.Decide(f.ctx, author, ap.ID, moderation.Overturned, "ok")
		wantCode(t, err, "forbidden")
		if _, err := f.m.Decide(f.ctx, op, ap.ID, moderation.Overturned, "误判，已恢复"); err != nil {
			t.Fatal(err)
		}
		_, err = f.m.Decide(f.ctx, op, ap.ID, moderation.Upheld, "again")
		wantCode(t, err, "conflict")
		wantSurfaces(t, f.surfaces(reader, author, n.ID, p.ID, "zanzibar"), true)
		a, _ := f.m.MyActions(f.ctx, author.ID)
		if a[0].State != moderation.Reverted || a[0].Appeal == nil || a[0].Appeal.Status != moderation.Overturned {
			t.Fatalf("after the appeal %+v", a[0])
		}

		log, err := f.m.Audit(f.ctx, f.mod, moderation.AuditFilter{TargetKind: moderation.Note, TargetID: n.ID})
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, e := range log {
			steps = append(steps, e.Action)
		}
		if !slices.Equal(steps, []string{"appeal_overturned", "revert_hide", "appeal", "resolve", "hide"}) {
			t.Fatalf("audit %v", steps)
		}
		if string(log[4].Before) == "{}" || log[4].ActorID != f.mod.ID {
			t.Fatalf("hide audit entry %+v", log[4])
		}
		_, err = f.m.Audit(f.ctx, author, moderation.AuditFilter{})
		wantCode(t, err, "forbidden")
		if _, err := d.Writer(f.ctx).Exec(f.ctx, "UPDATE moderation_audit SET reason = 'x'"); err == nil {
			t.Fatal("the audit log took an UPDATE")
		}
		if _, err := d.Writer(f.ctx).Exec(f.ctx, "DELETE FROM moderation_audit"); err == nil {
			t.Fatal("the audit log took a DELETE")
		}
	})
}

// TestAccountActions: mute stops notes, comments and messages with 403
// "muted"; suspend ends sessions and refuses log-in; ban likewise; each is
// lifted by a revert.
func TestAccountActions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		op := f.user("op", accounts.RoleOperator)
		bad, other := f.user("troll", accounts.RoleUser), f.user("other", accounts.RoleUser)
		if _, err := f.a.Social.Follow(f.ctx, other.ID, bad.ID); err != nil {
			t.Fatal(err)
		}
		nid := f.publish(other)
		cid := f.reportCase(other, moderation.User, bad.ID)
		mute := f.act(f.mod, cid, moderation.Mute, 24)
		if mute.TargetKind != moderation.User || mute.Until == nil {
			t.Fatalf("mute %+v", mute)
		}
		_, err := f.publishText(bad, "hello", "")
		wantCode(t, err, "muted")
		_, err = f.a.Social.Comment(f.ctx, bad, nid, "hi", 0)
		wantCode(t, err, "muted")
		_, err = f.a.Messages.Send(f.ctx, bad.ID, other.ID, "hi")
		wantCode(t, err, "muted")
		if _, err := f.m.Revert(f.ctx, op, mute.ID, "lifted early"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Social.Comment(f.ctx, bad, nid, "sorry", 0); err != nil {
			t.Fatal(err)
		}

		// Suspension: the password is right, the log-in is refused, the
		// session in hand stops working.
		hash := accounts.HashPassword("correct horse battery")
		if _, err := d.Writer(f.ctx).Exec(f.ctx, "UPDATE users SET password_hash = ? WHERE id = ?", hash, bad.ID); err != nil {
			t.Fatal(err)
		}
		_, token, err := f.a.Accounts.Login(f.ctx, bad.Username, "correct horse battery", "")
		if err != nil {
			t.Fatal(err)
		}
		cid2 := f.reportCase(other, moderation.User, bad.ID)
		susp := f.act(f.mod, cid2, moderation.Suspend, 48)
		if _, err := f.a.Accounts.Authenticate(f.ctx, token); err == nil {
			t.Fatal("a suspended account's session still works")
		}
		_, _, err = f.a.Accounts.Login(f.ctx, bad.Username, "correct horse battery", "")
		wantCode(t, err, "suspended")
		_, err = f.publishText(bad, "hello", "")
		wantCode(t, err, "suspended")
		if _, err := f.m.Revert(f.ctx, op, susp.ID, "lifted"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.a.Accounts.Login(f.ctx, bad.Username, "correct horse battery", ""); err != nil {
			t.Fatal(err)
		}
		ban := f.act(f.mod, cid2, moderation.Ban, 0) // a closed case can take more actions
		_, _, err = f.a.Accounts.Login(f.ctx, bad.Username, "correct horse battery", "")
		wantCode(t, err, "banned")
		_, err = f.m.Revert(f.ctx, f.user("plain", accounts.RoleUser), ban.ID, "x")
		wantCode(t, err, "forbidden")
		_, err = f.m.Act(f.ctx, f.mod, cid2, moderation.ActionInput{Kind: moderation.Mute, Reason: "x"})
		wantCode(t, err, "invalid_input") // hours are required
		_, err = f.m.Act(f.ctx, f.mod, cid2, moderation.ActionInput{Kind: moderation.Delist, Reason: "x"})
		wantCode(t, err, "invalid_input") // a user is not a product
	})
}

// TestCommentHide: a hidden comment leaves the note's comments and count;
// restoring brings both back.
func TestCommentHide(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		author, troll := f.user("author", accounts.RoleUser), f.user("troll", accounts.RoleUser)
		nid := f.publish(author)
		c, err := f.a.Social.Comment(f.ctx, troll, nid, "you are all idiots", 0)
		if err != nil {
			t.Fatal(err)
		}
		hide := f.act(f.mod, f.reportCase(author, moderation.Comment, c.ID), moderation.Hide, 0)
		cs, err := f.a.Social.Comments(f.ctx, author.ID, nid, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := f.a.Notes.Get(f.ctx, author.ID, nid)
		if len(cs) != 0 || n.CommentCount != 0 {
			t.Fatalf("after hiding: %+v, count %d", cs, n.CommentCount)
		}
		op := f.user("op", accounts.RoleOperator)
		if _, err := f.m.Revert(f.ctx, op, hide.ID, "context was fine"); err != nil {
			t.Fatal(err)
		}
		cs, _ = f.a.Social.Comments(f.ctx, author.ID, nid, 0, 10)
		n, _ = f.a.Notes.Get(f.ctx, author.ID, nid)
		if len(cs) != 1 || cs[0].Deleted || cs[0].Body != "you are all idiots" || n.CommentCount != 1 {
			t.Fatalf("after restoring: %+v, count %d", cs, n.CommentCount)
		}
		del := f.act(f.mod, f.reportCase(f.user("r2", accounts.RoleUser), moderation.Comment, c.ID), moderation.Delete, 0)
		_, err = f.m.Revert(f.ctx, op, del.ID, "x")
		wantCode(t, err, "conflict")
	})
}

// TestDelistAndSuspendStore: a delisted product leaves the product page,
// lists and search and its merchant cannot list it again; suspending the
// store takes every listed product off sale until the suspension lifts.
func TestDelistAndSuspendStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		op := f.user("op", accounts.RoleOperator)
		m := f.user("merchant", accounts.RoleMerchant)
		buyer := f.user("buyer", accounts.RoleUser)
		st, err := f.a.Shop.CreateStore(f.ctx, m, shop.StoreInput{Name: "Fakes"})
		if err != nil {
			t.Fatal(err)
		}
		mk := func(title string) shop.Product {
			p, err := f.a.Shop.CreateProduct(f.ctx, m, shop.ProductInput{StoreID: st.ID, Title: title, Fulfilment: shop.Domestic,
				SKUs: []shop.SKUInput{{Price: 100, Stock: 10}}})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		p1, p2 := mk("Luxury bag"), mk("Lipstick")
		listed := func(pid id.ID) bool {
			_, err := f.a.Shop.GetProduct(f.ctx, &buyer, pid)
			ps, _, lerr := f.a.Shop.ListProducts(f.ctx, shop.ListFilter{Limit: 50})
			if lerr != nil {
				t.Fatal(lerr)
			}
			inList := slices.ContainsFunc(ps, func(p shop.Product) bool { return p.ID == pid })
			if (err == nil) != inList {
				t.Fatalf("product page %v but list %v", err, inList)
			}
			return inList
		}
		cid := f.reportCase(buyer, moderation.Product, p1.ID)
		delist := f.act(f.mod, cid, moderation.Delist, 0)
		if listed(p1.ID) || !listed(p2.ID) {
			t.Fatal("delisting missed")
		}
		yes := true
		_, err = f.a.Shop.UpdateProduct(f.ctx, m, p1.ID, shop.ProductUpdate{Listed: &yes})
		wantCode(t, err, "product_delisted")

		susp := f.act(f.mod, cid, moderation.SuspendStore, 0)
		if susp.TargetKind != moderation.Store || susp.TargetID != st.ID {
			t.Fatalf("suspension acted on %s %s", susp.TargetKind, susp.TargetID)
		}
		if listed(p2.ID) {
			t.Fatal("a suspended store still sells")
		}
		_, err = f.a.Shop.UpdateProduct(f.ctx, m, p2.ID, shop.ProductUpdate{Listed: &yes})
		wantCode(t, err, "store_suspended")
		_, err = f.a.Shop.CreateProduct(f.ctx, m, shop.ProductInput{StoreID: st.ID, Title: "More", Fulfilment: shop.Domestic,
			SKUs: []shop.SKUInput{{Price: 100, Stock: 1}}})
		wantCode(t, err, "store_suspended")
		if _, err := f.m.Revert(f.ctx, op, susp.ID, "appeal upheld in person"); err != nil {
			t.Fatal(err)
		}
		if !listed(p2.ID) || listed(p1.ID) {
			t.Fatal("lifting the suspension must relist the store's products but not the delisted one")
		}
		if _, err := f.m.Revert(f.ctx, op, delist.ID, "authentic after all"); err != nil {
			t.Fatal(err)
		}
		if !listed(p1.ID) {
			t.Fatal("relisting missed")
		}
	})
}
