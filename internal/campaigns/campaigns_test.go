package campaigns_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/redistest"
)

type fixture struct {
	t   *testing.T
	ctx context.Context
	a   *app.App
	c   *campaigns.Service
	op  accounts.User
	seq atomic.Int64
	// Redis mode: a client of the same Redis and the campaigns' key prefix.
	rdb    *redis.Client
	prefix string
}

// eachMode runs fn on SQLite (and PostgreSQL when its suite is on), each in
// embedded mode and in Redis mode (when its suite is on; in CI a missing
// Redis fails), every run on a fresh database.
func eachMode(t *testing.T, fn func(t *testing.T, f *fixture)) {
	redistest.EachMode(t, func(t *testing.T, d *db.DB, url, prefix string) { fn(t, newFixture(t, d, url, prefix)) })
}

func newFixture(t *testing.T, d *db.DB, redisURL, prefix string) *fixture {
	a, err := app.New(app.Config{DataDir: t.TempDir(), RedisURL: redisURL, RedisPrefix: prefix}, d, []byte("test-secret"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Shutdown)
	f := &fixture{t: t, ctx: context.Background(), a: a, c: a.Campaigns}
	if redisURL != "" {
		opt, err := redis.ParseURL(redisURL)
		if err != nil {
			t.Fatal(err)
		}
		f.rdb, f.prefix = redis.NewClient(opt), prefix+":cv"
		t.Cleanup(func() { f.rdb.Close() })
	}
	f.op = f.users("op", 1)[0]
	if err := a.Accounts.SetRole(f.ctx, f.op.ID, accounts.RoleOperator); err != nil {
		t.Fatal(err)
	}
	f.op.Role = accounts.RoleOperator
	return f
}

// users creates n accounts that are 30 days old.
func (f *fixture) users(prefix string, n int) []accounts.User {
	f.t.Helper()
	out := make([]accounts.User, n)
	for i := range out {
		u, err := f.a.Accounts.CreateWithHash(f.ctx, fmt.Sprintf("%s%03d", prefix, i), "U", "", "user")
		if err != nil {
			f.t.Fatal(err)
		}
		u.CreatedAt = time.Now().Add(-30 * 24 * time.Hour)
		out[i] = u
	}
	return out
}

// campaign creates a live campaign with one category of n free nominees.
func (f *fixture) campaign(r campaigns.Rules, topic string, n int) (campaigns.Campaign, []id.ID) {
	f.t.Helper()
	c, err := f.c.Create(f.ctx, f.op, campaigns.Input{Title: "全球大赏", Topic: topic, StartsAt: time.Now().Add(-time.Minute),
		EndsAt: time.Now().Add(time.Hour), Rules: r})
	if err != nil {
		f.t.Fatal(err)
	}
	cat, err := f.c.AddCategory(f.ctx, f.op, c.ID, "彩妆榜")
	if err != nil {
		f.t.Fatal(err)
	}
	var ids []id.ID
	for i := 0; i < n; i++ {
		nm, err := f.c.AddNominee(f.ctx, f.op, c.ID, campaigns.NomineeInput{Category: cat.ID, Kind: campaigns.KindFree, Title: fmt.Sprintf("entry %d", i)})
		if err != nil {
			f.t.Fatal(err)
		}
		ids = append(ids, nm.ID)
	}
	return c, ids
}

func (f *fixture) key() string { return fmt.Sprintf("k%d", f.seq.Add(1)) }

func (f *fixture) verify(cid id.ID) {
	f.t.Helper()
	if err := campaigns.Verify(f.ctx, f.a.DB, cid); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) tally(cid, nominee id.ID) campaigns.Nominee {
	f.t.Helper()
	cats, err := f.c.Categories(f.ctx, cid)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, c := range cats {
		for _, n := range c.Nominees {
			if n.ID == nominee {
				return n
			}
		}
	}
	f.t.Fatalf("nominee %s not found", nominee)
	return campaigns.Nominee{}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}

// publish creates a published note through the notes service (with an
// image row inserted directly), so the activity hooks run.
func (f *fixture) publish(author accounts.User, topics ...string) id.ID {
	f.t.Helper()
	mid := id.New()
	if _, err := f.a.DB.Writer(f.ctx).Exec(f.ctx, `INSERT INTO media (id, owner_id, kind, storage_key, content_type, created_at)
		VALUES (?, ?, 'image', 'k', 'image/jpeg', ?)`, mid, author.ID, db.Now()); err != nil {
		f.t.Fatal(err)
	}
	n, err := f.a.Notes.Create(f.ctx, author, notes.Input{Title: "note", MediaIDs: []id.ID{mid}, Topics: topics})
	if err != nil {
		f.t.Fatal(err)
	}
	return n.ID
}

func TestSetupIsForOperators(t *testing.T) {
	eachMode(t, func(t *testing.T, f *fixture) {
		u := f.users("u", 1)[0]
		in := campaigns.Input{Title: "x", StartsAt: time.Now(), EndsAt: time.Now().Add(time.Hour), Rules: campaigns.Rules{DailyVotes: 0}}
		// Authorization before validation: the invalid input is refused with 403 for a user.
		_, err := f.c.Create(f.ctx, u, in)
		wantCode(t, err, "forbidden")
		_, err = f.c.Create(f.ctx, f.op, in)
		wantCode(t, err, "invalid_input")
		c, noms := f.campaign(campaigns.Rules{DailyVotes: 3}, "", 1)
		cats, _ := f.c.Categories(f.ctx, c.ID)
		_, err = f.c.AddCategory(f.ctx, u, c.ID, "")
		wantCode(t, err, "forbidden")
		_, err = f.c.AddNominee(f.ctx, u, c.ID, campaigns.NomineeInput{Category: cats[0].ID, Kind: "bogus"})
		wantCode(t, err, "forbidden")
		for name, err := range map[string]error{
			"exclude": func() error { _, err := f.c.Exclude(f.ctx, u, c.ID, u.ID); return err }(),
			"decide":  func() error { _, err := f.c.Decide(f.ctx, u, c.ID, 0, true); return err }(),
			"recount": func() error { _, err := f.c.Recount(f.ctx, u, c.ID); return err }(),
			"publish": func() error { _, err := f.c.Publish(f.ctx, u, c.ID); return err }(),
			"end":     func() error { _, err := f.c.End(f.ctx, u, c.ID); return err }(),
			"votes":   func() error { _, _, err := f.c.Votes(f.ctx, u, c.ID, campaigns.VoteFilter{}, 10); return err }(),
			"summary": func() error { _, err := f.c.Summary(f.ctx, u, c.ID); return err }(),
			"audit":   func() error { _, err := f.c.AuditLog(f.ctx, u, c.ID, 10); return err }(),
		} {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != "forbidden" {
				t.Errorf("%s by a user: %v", name, err)
			}
		}
		// Nominees of every kind; a reference must exist.
		note := f.publish(u)
		for _, in := range []campaigns.NomineeInput{{Kind: campaigns.KindNote, Ref: note}, {Kind: campaigns.KindCreator, Ref: u.ID}} {
			in.Category = cats[0].ID
			nm, err := f.c.AddNominee(f.ctx, f.op, c.ID, in)
			if err != nil || nm.Title == "" {
				t.Fatalf("%s nominee: %+v %v", in.Kind, nm, err)
			}
		}
		_, err = f.c.AddNominee(f.ctx, f.op, c.ID, campaigns.NomineeInput{Category: cats[0].ID, Kind: campaigns.KindProduct, Ref: id.New()})
		wantCode(t, err, "invalid_input")
		_, err = f.c.AddNominee(f.ctx, f.op, c.ID, campaigns.NomineeInput{Category: id.New(), Kind: campaigns.KindFree, Title: "x"})
		wantCode(t, err, "invalid_input")
		_ = noms
	})
}

func TestVoteRules(t *testing.T) {
	eachMode(t, func(t *testing.T, f *fixture) {
		us := f.users("v", 2)
		c, noms := f.campaign(campaigns.Rules{DailyVotes: 2}, "", 2)
		other, otherNoms := f.campaign(campaigns.Rules{DailyVotes: 2}, "", 1)
		_, err := f.c.Vote(f.ctx, us[0], c.ID, otherNoms[0], "a", campaigns.Source{})
		wantCode(t, err, "invalid_input")
		_, err = f.c.Vote(f.ctx, us[0], c.ID, noms[0], "", campaigns.Source{})
		wantCode(t, err, "invalid_input")
		r1, err := f.c.Vote(f.ctx, us[0], c.ID, noms[0], "a", campaigns.Source{})
		if err != nil || r1.Status != campaigns.Valid || r1.Weight != campaigns.FullWeight {
			t.Fatalf("vote: %+v %v", r1, err)
		}
		// A retry of the key is the same vote, even for another nominee.
		r2, err := f.c.Vote(f.ctx, us[0], c.ID, noms[1], "a", campaigns.Source{})
		if err != nil || r2 != r1 {
			t.Fatalf("replay: %+v %v, first %+v", r2, err, r1)
		}
		if _, err := f.c.Vote(f.ctx, us[0], c.ID, noms[1], "b", campaigns.Source{}); err != nil {
			t.Fatal(err)
		}
		_, err = f.c.Vote(f.ctx, us[0], c.ID, noms[1], "c", campaigns.Source{})
		wantCode(t, err, "no_votes_left")
		al, err := f.c.MyAllowance(f.ctx, c.ID, us[0].ID)
		if err != nil || al.Used != 2 || al.Left != 0 {
			t.Fatalf("allowance %+v %v", al, err)
		}
		// The allowance is per campaign.
		if _, err := f.c.Vote(f.ctx, us[0], other.ID, otherNoms[0], "c", campaigns.Source{}); err != nil {
			t.Fatal(err)
		}
		if n := f.tally(c.ID, noms[0]); n.Votes != 1 || n.Score != 100 {
			t.Fatalf("tally %+v", n)
		}
		// Not started, ended, and results frozen after publishing.
		up, err := f.c.Create(f.ctx, f.op, campaigns.Input{Title: "later", StartsAt: time.Now().Add(time.Hour), EndsAt: time.Now().Add(2 * time.Hour),
			Rules: campaigns.Rules{DailyVotes: 1}})
		if err != nil {
			t.Fatal(err)
		}
		cat, _ := f.c.AddCategory(f.ctx, f.op, up.ID, "A")
		un, _ := f.c.AddNominee(f.ctx, f.op, up.ID, campaigns.NomineeInput{Category: cat.ID, Kind: campaigns.KindFree, Title: "x"})
		_, err = f.c.Vote(f.ctx, us[1], up.ID, un.ID, "a", campaigns.Source{})
		wantCode(t, err, "not_started")
		_, err = f.c.Publish(f.ctx, f.op, c.ID)
		wantCode(t, err, "conflict")
		if _, err := f.c.End(f.ctx, f.op, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.c.Vote(f.ctx, us[1], c.ID, noms[0], "a", campaigns.Source{})
		wantCode(t, err, "ended")
		// A key that voted before the end still answers the same.
		if r, err := f.c.Vote(f.ctx, us[0], c.ID, noms[0], "a", campaigns.Source{}); err != nil || r != r1 {
			t.Fatalf("replay after end: %+v %v", r, err)
		}
		p, err := f.c.Publish(f.ctx, f.op, c.ID)
		if err != nil || p.Status != campaigns.Published {
			t.Fatalf("publish %+v %v", p, err)
		}
		_, err = f.c.Exclude(f.ctx, f.op, c.ID, us[0].ID)
		wantCode(t, err, "conflict")
		f.verify(c.ID)
		f.verify(other.ID)
	})
}

func TestNewAccounts(t *testing.T) {
	eachMode(t, func(t *testing.T, f *fixture) {
		old := f.users("o", 1)[0]
		young := f.users("y", 1)[0]
		young.CreatedAt = time.Now().Add(-time.Hour)
		w, wn := f.campaign(campaigns.Rules{DailyVotes: 5, NewDays: 7, NewMode: campaigns.NewWeight, NewWeight: 20}, "", 1)
		if _, err := f.c.Vote(f.ctx, old, w.ID, wn[0], "a", campaigns.Source{}); err != nil {
			t.Fatal(err)
		}
		r, err := f.c.Vote(f.ctx, young, w.ID, wn[0], "a", campaigns.Source{})
		if err != nil || r.Weight != 20 {
			t.Fatalf("weighted vote %+v %v", r, err)
		}
		if n := f.tally(w.ID, wn[0]); n.Votes != 2 || n.Score != 120 {
			t.Fatalf("tally %+v", n)
		}
		x, xn := f.campaign(campaigns.Rules{DailyVotes: 5, NewDays: 7, NewMode: campaigns.NewExclude}, "", 1)
		_, err = f.c.Vote(f.ctx, young, x.ID, xn[0], "a", campaigns.Source{})
		wantCode(t, err, "account_too_new")
		if _, err := f.c.Vote(f.ctx, old, x.ID, xn[0], "a", campaigns.Source{}); err != nil {
			t.Fatal(err)
		}
		f.verify(w.ID)
		f.verify(x.ID)
	})
}

func TestBonusVotes(t *testing.T) {
	eachMode(t, func(t *testing.T, f *fixture) {
		u := f.users("b", 1)[0]
		c, noms := f.campaign(campaigns.Rules{DailyVotes: 1, PublishBonus: 2, PublishCap: 3, ShareBonus: 1, ShareCap: 1}, "大赏", 1)
		f.publish(u)             // no topic: nothing
		n1 := f.publish(u, "大赏") // +2
		f.publish(u, "大赏")       // +2, capped at 3
		al, err := f.c.MyAllowance(f.ctx, c.ID, u.ID)
		if err != nil || al.Bonus != 3 || al.Left != 4 {
			t.Fatalf("after publishing: %+v %v", al, err)
		}
		for range 2 { // the same share earns once
			if _, err := f.a.Notes.Share(f.ctx, n1, u.ID, "wechat"); err != nil {
				t.Fatal(err)
			}
		}
		al, _ = f.c.MyAllowance(f.ctx, c.ID, u.ID)
		if al.Bonus != 4 || al.Left != 5 {
			t.Fatalf("after sharing: %+v", al)
		}
		for i := range 5 {
			if _, err := f.c.Vote(f.ctx, u, c.ID, noms[0], fmt.Sprint(i), campaigns.Source{}); err != nil {
				t.Fatalf("vote %d: %v", i, err)
			}
		}
		_, err = f.c.Vote(f.ctx, u, c.ID, noms[0], "x", campaigns.Source{})
		wantCode(t, err, "no_votes_left")
		f.verify(c.ID)
	})
}
