package moderation_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/moderation"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/notify"
)

type fixture struct {
	t   *testing.T
	ctx context.Context
	a   *app.App
	m   *moderation.Service
	mod accounts.User
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	a, err := app.New(app.Config{DataDir: t.TempDir()}, d, []byte("test-secret"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Shutdown)
	f := &fixture{t: t, ctx: context.Background(), a: a, m: a.Moderation}
	f.mod = f.user("mod", accounts.RoleModerator)
	return f
}

func (f *fixture) user(name, role string) accounts.User {
	f.t.Helper()
	u, err := f.a.Accounts.CreateWithHash(f.ctx, name, name, "", role)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

// publish creates a published note through the notes service.
func (f *fixture) publish(author accounts.User) id.ID {
	f.t.Helper()
	mid := id.New()
	if _, err := f.a.DB.Writer(f.ctx).Exec(f.ctx, `INSERT INTO media (id, owner_id, kind, storage_key, content_type, created_at)
		VALUES (?, ?, 'image', 'k', 'image/jpeg', ?)`, mid, author.ID, db.Now()); err != nil {
		f.t.Fatal(err)
	}
	n, err := f.a.Notes.Create(f.ctx, author, notes.Input{Title: "note", MediaIDs: []id.ID{mid}})
	if err != nil {
		f.t.Fatal(err)
	}
	return n.ID
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}

// TestReportsFoldIntoOneCase: three users report one note; one reports it
// twice. There is one case with three reports; the moderator resolves it
// and every reporter sees the outcome and gets a system notification.
// After that, a new report opens a new case.
func TestReportsFoldIntoOneCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		author := f.user("author", accounts.RoleUser)
		nid := f.publish(author)
		var reporters []accounts.User
		for i := range 3 {
			r := f.user(fmt.Sprintf("rep%d", i), accounts.RoleUser)
			reporters = append(reporters, r)
			if _, err := f.m.Report(f.ctx, r, moderation.Input{TargetKind: moderation.Note, TargetID: nid, Reason: "spam", Details: "加微信"}); err != nil {
				t.Fatal(err)
			}
		}
		again, err := f.m.Report(f.ctx, reporters[0], moderation.Input{TargetKind: moderation.Note, TargetID: nid, Reason: "fraud"})
		if err != nil {
			t.Fatal(err)
		}
		if again.Reason != "spam" {
			t.Fatalf("a repeated report changed the first: %+v", again)
		}
		q, err := f.m.Queue(f.ctx, f.mod, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(q) != 1 || q[0].ReportCount != 3 || q[0].TargetUserID != author.ID || q[0].TargetID != nid {
			t.Fatalf("queue = %+v", q)
		}
		c, err := f.m.Resolve(f.ctx, f.mod, q[0].ID, moderation.Actioned, "笔记已隐藏")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Reports) != 3 || c.ResolvedBy != f.mod.ID || c.ResolvedAt == nil {
			t.Fatalf("resolved case = %+v", c)
		}
		_, err = f.m.Resolve(f.ctx, f.mod, q[0].ID, moderation.Dismissed, "again")
		wantCode(t, err, "conflict")
		for _, r := range reporters {
			mine, err := f.m.MyReports(f.ctx, r.ID, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(mine) != 1 || mine[0].Status != moderation.Actioned || mine[0].Outcome != "笔记已隐藏" {
				t.Fatalf("%s sees %+v", r.Username, mine)
			}
			ns, err := f.a.Notify.List(f.ctx, r.ID, "system", 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(ns) != 1 || ns[0].Kind != notify.ReportResolved || ns[0].Ref != int64(c.ID) {
				t.Fatalf("%s notifications %+v", r.Username, ns)
			}
		}
		if _, err := f.m.Report(f.ctx, reporters[0], moderation.Input{TargetKind: moderation.Note, TargetID: nid, Reason: "spam"}); err != nil {
			t.Fatal(err)
		}
		q, _ = f.m.Queue(f.ctx, f.mod, moderation.Open, 10)
		if len(q) != 1 || q[0].ID == c.ID || q[0].ReportCount != 1 {
			t.Fatalf("after resolution a report opens a new case: %+v", q)
		}
	})
}

// TestReportTargets: every kind resolves its owner; missing targets are
// 404; a message is reportable only by its conversation's parties; nobody
// reports themselves; input is validated.
func TestReportTargets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		a, b, c := f.user("usera", accounts.RoleUser), f.user("userb", accounts.RoleUser), f.user("userc", accounts.RoleUser)
		if _, err := f.a.Social.Follow(f.ctx, a.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		msg, err := f.a.Messages.Send(f.ctx, a.ID, b.ID, "hello")
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.m.Report(f.ctx, b, moderation.Input{TargetKind: moderation.Message, TargetID: msg.ID, Reason: "harassment"})
		if err != nil {
			t.Fatal(err)
		}
		q, _ := f.m.Queue(f.ctx, f.mod, "", 10)
		if len(q) != 1 || q[0].TargetUserID != a.ID || q[0].ID != r.CaseID {
			t.Fatalf("message case %+v", q)
		}
		_, err = f.m.Report(f.ctx, c, moderation.Input{TargetKind: moderation.Message, TargetID: msg.ID, Reason: "harassment"})
		wantCode(t, err, "not_found")
		_, err = f.m.Report(f.ctx, c, moderation.Input{TargetKind: moderation.User, TargetID: a.ID, Reason: "fraud"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.m.Report(f.ctx, a, moderation.Input{TargetKind: moderation.User, TargetID: a.ID, Reason: "fraud"})
		wantCode(t, err, "invalid_input")
		for _, k := range moderation.Kinds {
			_, err = f.m.Report(f.ctx, c, moderation.Input{TargetKind: k, TargetID: id.New(), Reason: "spam"})
			wantCode(t, err, "not_found")
		}
		for _, in := range []moderation.Input{
			{TargetKind: "planet", TargetID: a.ID, Reason: "spam"},
			{TargetKind: moderation.User, TargetID: a.ID, Reason: "boring"},
			{TargetKind: moderation.User, Reason: "spam"},
			{TargetKind: moderation.User, TargetID: a.ID, Reason: "spam", Details: string(make([]rune, moderation.DetailsMax+1))},
		} {
			_, err = f.m.Report(f.ctx, c, in)
			wantCode(t, err, "invalid_input")
		}
	})
}

// TestReasons: the reasons (undisclosed ad, prohibited item) are
// accepted, and so is every reason reports were ever stored with, so old
// reports keep validating and rendering.
func TestReasons(t *testing.T) {
	for _, r := range []string{"spam", "harassment", "undisclosed_ad", "counterfeit", "prohibited_item", "other",
		"sexual", "violence", "fraud", "illegal", "privacy"} {
		if _, err := moderation.CheckReport(moderation.Input{TargetKind: moderation.Product, TargetID: 1, Reason: r}); err != nil {
			t.Errorf("reason %q: %v", r, err)
		}
	}
	if len(moderation.Reasons) != 11 {
		t.Fatalf("reasons %v: a reason was dropped or added without this test", moderation.Reasons)
	}
}

// TestQueueIsForModerators: ordinary users and merchants cannot read or
// resolve cases; the check comes before the input is looked at.
func TestQueueIsForModerators(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		author, rep := f.user("author", accounts.RoleUser), f.user("rep", accounts.RoleUser)
		r, err := f.m.Report(f.ctx, rep, moderation.Input{TargetKind: moderation.User, TargetID: author.ID, Reason: "spam"})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []accounts.User{author, rep, f.user("shop", accounts.RoleMerchant)} {
			_, err := f.m.Queue(f.ctx, u, "bogus", 10)
			wantCode(t, err, "forbidden")
			_, err = f.m.Get(f.ctx, u, r.CaseID)
			wantCode(t, err, "forbidden")
			_, err = f.m.Resolve(f.ctx, u, r.CaseID, "bogus", "")
			wantCode(t, err, "forbidden")
		}
		op := f.user("op", accounts.RoleOperator)
		if _, err := f.m.Resolve(f.ctx, op, r.CaseID, moderation.Dismissed, "没有发现问题"); err != nil {
			t.Fatalf("operators moderate too: %v", err)
		}
	})
}

// TestConcurrentReportsOneCase: many users report one new target at once;
// exactly one case opens and its count equals the reports stored.
func TestConcurrentReportsOneCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		target := f.user("target", accounts.RoleUser)
		const n = 12
		users := make([]accounts.User, n)
		for i := range users {
			users[i] = f.user(fmt.Sprintf("r%02d", i), accounts.RoleUser)
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for _, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.m.Report(f.ctx, u, moderation.Input{TargetKind: moderation.User, TargetID: target.ID, Reason: "spam"})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		q, err := f.m.Queue(f.ctx, f.mod, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		var stored int
		if err := d.Reader(f.ctx).QueryRow(f.ctx, "SELECT COUNT(*) FROM moderation_reports").Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if len(q) != 1 || q[0].ReportCount != n || stored != n {
			t.Fatalf("cases %+v, %d reports stored", q, stored)
		}
	})
}
