package support_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/recommend"
	"github.com/redmark/redmark/internal/support"
)

type fixture struct {
	t   *testing.T
	ctx context.Context
	a   *app.App
	op  accounts.User
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
	return f
}

func (f *fixture) user(name string) accounts.User {
	f.t.Helper()
	u, err := f.a.Accounts.CreateWithHash(f.ctx, name, name, "", accounts.RoleUser)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *fixture) publish(author accounts.User, n int) {
	f.t.Helper()
	for i := 0; i < n; i++ {
		mid := id.New()
		if _, err := f.a.DB.Writer(f.ctx).Exec(f.ctx, `INSERT INTO media (id, owner_id, kind, storage_key, content_type, created_at)
			VALUES (?, ?, 'image', 'k', 'image/jpeg', ?)`, mid, author.ID, db.Now()); err != nil {
			f.t.Fatal(err)
		}
		if _, err := f.a.Notes.Create(f.ctx, author, notes.Input{Title: fmt.Sprintf("%s %d", author.Username, i), MediaIDs: []id.ID{mid}}); err != nil {
			f.t.Fatal(err)
		}
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

func program(boost, holdout int) support.Input {
	return support.Input{Name: "新人扶持", BoostPct: boost, HoldoutPct: holdout, NoteDays: 7,
		StartsAt: time.Now().Add(-time.Minute), EndsAt: time.Now().Add(24 * time.Hour)}
}

// TestProgramSetup: operators only, validated; a rule enrols creators at a
// level (only new accounts when set), an operator enrols by username; a
// reader's arm is stable and the holdout share is about as set.
func TestProgramSetup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		s := f.a.Support
		u := f.user("alice")
		_, err := s.Create(f.ctx, u, support.Input{})
		wantCode(t, err, "forbidden")
		for _, in := range []support.Input{program(100, 10), program(150, 0), program(150, 51),
			{Name: "x", BoostPct: 150, HoldoutPct: 10, NoteDays: 0, StartsAt: time.Now(), EndsAt: time.Now().Add(time.Hour)}} {
			_, err := s.Create(f.ctx, f.op, in)
			wantCode(t, err, "invalid_input")
		}
		veteran, newbie := f.user("veteran"), f.user("newbie")
		if _, err := d.Writer(f.ctx).Exec(f.ctx, "UPDATE users SET created_at = ? WHERE id = ?",
			time.Now().Add(-400*24*time.Hour).UnixMilli(), veteran.ID); err != nil {
			t.Fatal(err)
		}
		for _, uid := range []id.ID{veteran.ID, newbie.ID} {
			if _, err := d.Writer(f.ctx).Exec(f.ctx, "INSERT INTO growth_users (user_id, level) VALUES (?, 3)", uid); err != nil {
				t.Fatal(err)
			}
		}
		in := program(200, 10)
		in.RuleMinLevel, in.RuleNewDays = 3, 30
		p, err := s.Create(f.ctx, f.op, in)
		if err != nil {
			t.Fatal(err)
		}
		if p.Members != 1 || p.Status != "live" {
			t.Fatalf("program %+v", p)
		}
		wantCode(t, s.Enrol(f.ctx, u, p.ID, "alice"), "forbidden")
		wantCode(t, s.Enrol(f.ctx, f.op, p.ID, "nobody"), "invalid_input")
		if err := s.Enrol(f.ctx, f.op, p.ID, "@alice"); err != nil {
			t.Fatal(err)
		}
		_, members, err := s.Effect(f.ctx, f.op, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(members) != 2 || members[0].Username != "newbie" || members[0].Source != "rule" || members[1].Source != "operator" {
			t.Fatalf("members %+v", members)
		}
		_, _, err = s.Effect(f.ctx, u, p.ID)
		wantCode(t, err, "forbidden")
		wantCode(t, s.Remove(f.ctx, u, p.ID, u.ID), "forbidden")
		if err := s.Remove(f.ctx, f.op, p.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		if b := s.Boosts(id.New(), time.Now()); len(b) > 1 {
			t.Fatalf("boosts %v", b)
		}
		held := 0
		for i := 0; i < 2000; i++ {
			v := id.ID(int64(i + 1))
			if support.Arm(p.ID, v, 10) != support.Arm(p.ID, v, 10) {
				t.Fatal("arm not stable")
			}
			if support.Arm(p.ID, v, 10) == support.Holdout {
				held++
			}
		}
		if held < 140 || held > 260 {
			t.Fatalf("holdout %d of 2000 at 10%%", held)
		}
		if support.Arm(p.ID, 0, 50) != support.Boosted {
			t.Fatal("signed-out readers are held out")
		}
	})
}

// TestBoostInFeed: an enrolled creator's new notes rank higher in the
// discover feed for boosted readers than for held-out ones (whose feed is
// the unboosted ranking), and the counted impressions per page show it.
func TestBoostInFeed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		s := f.a.Support
		star := f.user("star")
		for i := 0; i < 15; i++ {
			f.publish(f.user(fmt.Sprintf("author%02d", i)), 4)
		}
		f.publish(star, 4)
		p, err := s.Create(f.ctx, f.op, program(400, 50))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Enrol(f.ctx, f.op, p.ID, "star"); err != nil {
			t.Fatal(err)
		}
		if err := f.a.Recs.Build(f.ctx, nil); err != nil {
			t.Fatal(err)
		}
		seen := map[string][2]int{} // arm → pages, star impressions
		for i := 0; i < 40; i++ {
			r := f.user(fmt.Sprintf("reader%02d", i))
			page, _, err := f.a.Discover(f.ctx, r.ID, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			arm := support.Arm(p.ID, r.ID, 50)
			c := seen[arm]
			c[0]++
			for _, n := range page {
				if n.AuthorID == star.ID {
					c[1]++
				}
			}
			seen[arm] = c
		}
		b, h := seen[support.Boosted], seen[support.Holdout]
		if b[0] == 0 || h[0] == 0 {
			t.Fatalf("arms %v", seen)
		}
		boostRate, holdRate := float64(b[1])/float64(b[0]), float64(h[1])/float64(h[0])
		if boostRate < 0.9*recommend.MaxPerAuthor || boostRate <= holdRate*1.5 { // the boost fills the per-author cap
			t.Fatalf("star's notes per page: boosted %.2f, held out %.2f", boostRate, holdRate)
		}
		if err := s.Flush(f.ctx); err != nil {
			t.Fatal(err)
		}
		e, members, err := s.Effect(f.ctx, f.op, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if e.Boost.Pages != int64(b[0]) || e.Boost.Impressions != int64(b[1]) || e.Holdout.Pages != int64(h[0]) ||
			e.Holdout.Impressions != int64(h[1]) || len(members) != 1 || members[0].Effect.Boost.Impressions != int64(b[1]) {
			t.Fatalf("effect %+v members %+v, counted %v", e, members, seen)
		}
		if e.LiftPct != nil && *e.LiftPct <= 50 {
			t.Fatalf("lift %.0f%%", *e.LiftPct)
		}
		mine, err := s.ForCreator(f.ctx, star.ID)
		if err != nil || len(mine) != 1 || mine[0].Effect.Boost.Impressions != int64(b[1]) {
			t.Fatalf("creator's programs %+v %v", mine, err)
		}
		t.Logf("star's notes per 10-note page: boosted %.2f (%d readers), held out %.2f (%d readers)", boostRate, b[0], holdRate, h[0])
	})
}
