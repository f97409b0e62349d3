package growth_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/growth"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/points"
)

type fixture struct {
	t   *testing.T
	ctx context.Context
	a   *app.App
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	a, err := app.New(app.Config{DataDir: t.TempDir()}, d, []byte("test-secret"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Shutdown)
	return &fixture{t: t, ctx: context.Background(), a: a}
}

func (f *fixture) users(prefix string, n int) []accounts.User {
	f.t.Helper()
	out := make([]accounts.User, n)
	for i := range out {
		u, err := f.a.Accounts.CreateWithHash(f.ctx, fmt.Sprintf("%s%03d", prefix, i), "U", "", "user")
		if err != nil {
			f.t.Fatal(err)
		}
		out[i] = u
	}
	return out
}

// publish creates a published note through the notes service, with an
// image row inserted directly (no file is needed for the counters).
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

func (f *fixture) balance(u id.ID) int64 {
	f.t.Helper()
	b, err := f.a.Points.Balance(f.ctx, u)
	if err != nil {
		f.t.Fatal(err)
	}
	sum, err := f.a.Points.LedgerSum(f.ctx, u)
	if err != nil {
		f.t.Fatal(err)
	}
	if b != sum {
		f.t.Fatalf("balance %d != ledger sum %d", b, sum)
	}
	return b
}

func (f *fixture) entries(u id.ID, kind string) int64 {
	f.t.Helper()
	var n int64
	if err := f.a.DB.Reader(f.ctx).QueryRow(f.ctx, "SELECT COUNT(*) FROM point_ledger WHERE user_id = ? AND kind = ?", u, kind).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// status is the HTTP status an error maps to (0 for none or a non-app error).
func status(err error) int {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// act is one distinct countable act in the model.
type act struct {
	kind      string
	user, ref id.ID
	actor     id.ID
}

// expectLevel is the model's level: the highest level all of whose
// (and all lower levels') thresholds the counts meet.
func expectLevel(levels []growth.Level, c growth.Counts) int {
	lv := 1
	for _, l := range levels {
		for k, n := range l.Needs {
			if c[k] < n {
				return lv
			}
		}
		lv = l.Level
	}
	return lv
}

// TestTaskProgressMatchesModel does random publishing, deleting, liking,
// unliking, collecting, commenting and sharing (sequentially, then
// concurrently) and checks every user's task counts and level against a
// model: the set of distinct acts ever done on others' notes (sharing
// one's own note counts too: it is how creators promote).
func TestTaskProgressMatchesModel(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		// Low thresholds so random activity crosses several levels.
		for lv := 2; lv <= 10; lv++ {
			n := int64(lv - 1)
			if err := f.a.Growth.SetLevel(f.ctx, growth.Level{Level: lv, NameZh: "级", NameEn: "L", Needs: growth.Counts{
				activity.Publish: n, activity.Liked: 2 * n, activity.Collect: n, activity.Comment: n / 2, activity.Share: n / 3}}); err != nil {
				t.Fatal(err)
			}
		}
		us := f.users("m", 5)
		rng := rand.New(rand.NewPCG(1, 2))
		model := map[act]bool{}
		var mu sync.Mutex
		live := map[id.ID]accounts.User{} // note -> author
		var noteIDs []id.ID
		do := func(u accounts.User, nid id.ID, author id.ID, op int) {
			mu.Lock()
			defer mu.Unlock()
			var err error
			var a act
			switch op {
			case 0:
				_, err = f.a.Social.Like(f.ctx, u.ID, nid)
				a = act{activity.Liked, author, nid, u.ID}
			case 1:
				_, err = f.a.Social.Unlike(f.ctx, u.ID, nid)
			case 2:
				_, err = f.a.Social.Collect(f.ctx, u.ID, nid, 0)
				a = act{kind: activity.Collect, user: u.ID, ref: nid}
			case 3:
				_, err = f.a.Social.Uncollect(f.ctx, u.ID, nid)
			case 4:
				_, err = f.a.Social.Comment(f.ctx, u, nid, "hi", 0)
				a = act{kind: activity.Comment, user: u.ID, ref: nid}
			case 5:
				_, err = f.a.Notes.Share(f.ctx, nid, u.ID, "")
				a = act{kind: activity.Share, user: u.ID, ref: nid}
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.kind != "" && (u.ID != author || a.kind == activity.Share) {
				model[a] = true
			}
		}
		// Sequential phase with publishes and deletes.
		for range 300 {
			u := us[rng.IntN(len(us))]
			switch r := rng.IntN(10); {
			case r == 0 || len(live) == 0:
				nid := f.publish(u)
				live[nid] = u
				noteIDs = append(noteIDs, nid)
				model[act{kind: activity.Publish, user: u.ID, ref: nid}] = true
			case r == 1:
				nid := noteIDs[rng.IntN(len(noteIDs))]
				if a, ok := live[nid]; ok {
					if err := f.a.Notes.Delete(f.ctx, a, nid); err != nil {
						t.Fatal(err)
					}
					delete(live, nid)
				}
			default:
				nid := noteIDs[rng.IntN(len(noteIDs))]
				a, ok := live[nid]
				if !ok {
					continue
				}
				do(u, nid, a.ID, rng.IntN(6))
			}
		}
		// Concurrent phase on the notes still live: the order of acts does
		// not change the set, so the model stays exact.
		var pool []id.ID
		for nid := range live {
			pool = append(pool, nid)
		}
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(g), 9))
				for range 40 {
					u := us[r.IntN(len(us))]
					nid := pool[r.IntN(len(pool))]
					op := r.IntN(6)
					var err error
					var a act
					author := live[nid].ID
					switch op {
					case 0:
						_, err = f.a.Social.Like(f.ctx, u.ID, nid)
						a = act{activity.Liked, author, nid, u.ID}
					case 1:
						_, err = f.a.Social.Unlike(f.ctx, u.ID, nid)
					case 2:
						_, err = f.a.Social.Collect(f.ctx, u.ID, nid, 0)
						a = act{kind: activity.Collect, user: u.ID, ref: nid}
					case 3:
						_, err = f.a.Social.Uncollect(f.ctx, u.ID, nid)
					case 4:
						_, err = f.a.Social.Comment(f.ctx, u, nid, "hi", 0)
						a = act{kind: activity.Comment, user: u.ID, ref: nid}
					case 5:
						_, err = f.a.Notes.Share(f.ctx, nid, u.ID, "")
						a = act{kind: activity.Share, user: u.ID, ref: nid}
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if a.kind != "" && (u.ID != author || a.kind == activity.Share) {
						model[a] = true
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		levels, err := f.a.Growth.Levels(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range us {
			want := growth.Counts{}
			for a := range model {
				if a.user == u.ID {
					want[a.kind]++
				}
			}
			st, err := f.a.Growth.Status(f.ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range growth.TaskKinds {
				if st.Counts[k] != want[k] {
					t.Errorf("%s %s = %d, model %d", u.Username, k, st.Counts[k], want[k])
				}
			}
			if lv := expectLevel(levels, want); st.Level.Level != lv {
				t.Errorf("%s level %d, model %d", u.Username, st.Level.Level, lv)
			}
			if got := f.entries(u.ID, points.TaskReward); got != int64(st.Level.Level-1) {
				t.Errorf("%s has %d task rewards at level %d", u.Username, got, st.Level.Level)
			}
			f.balance(u.ID)
		}
	})
}

// TestCheckInStreaksAcrossDaysAndZones drives check-in with an injected
// clock in a user's zone: the day turns at local midnight, not UTC's, and
// a missed local day restarts the streak.
func TestCheckInStreaksAcrossDaysAndZones(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		u := f.users("c", 1)[0]
		la, _ := time.LoadLocation("America/Los_Angeles")
		now := time.Date(2026, 3, 1, 23, 30, 0, 0, la)
		f.a.Growth.Now = func() time.Time { return now }
		if err := f.a.Growth.SetTimeZone(f.ctx, u.ID, "America/Los_Angeles"); err != nil {
			t.Fatal(err)
		}
		check := func(wantDay string, wantStreak int64, wantAlready bool) growth.CheckIn {
			t.Helper()
			c, err := f.a.Growth.CheckIn(f.ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if c.Day != wantDay || c.Streak != wantStreak || c.Already != wantAlready {
				t.Fatalf("at %s: got %+v, want day %s streak %d already %v", now, c, wantDay, wantStreak, wantAlready)
			}
			return c
		}
		check("2026-03-01", 1, false)
		now = now.Add(20 * time.Minute) // 23:50 local, 07:50 UTC next day: same local day
		check("2026-03-01", 1, true)
		now = now.Add(20 * time.Minute) // 00:10 local
		check("2026-03-02", 2, false)
		now = now.Add(48 * time.Hour) // skipped 03-03
		check("2026-03-04", 1, false)
		// DST starts on 2026-03-08 in Los Angeles: the 23-hour day still counts once.
		var last growth.CheckIn
		for i := 1; i < 7; i++ {
			now = now.Add(24 * time.Hour)
			last = check(now.In(la).Format("2006-01-02"), int64(i+1), false)
		}
		if last.Points != 5+20 {
			t.Errorf("7th day paid %d, want check-in 5 + streak bonus 20", last.Points)
		}
		cal, err := f.a.Growth.Calendar(f.ctx, u.ID, 30)
		if err != nil {
			t.Fatal(err)
		}
		if !cal.Checked || cal.Streak != 7 || len(cal.Days) != 9 {
			t.Errorf("calendar %+v", cal)
		}
		if err := f.a.Growth.SetTimeZone(f.ctx, u.ID, "Nowhere/City"); status(err) != 400 {
			t.Errorf("bad zone: %v", err)
		}
		if got := f.entries(u.ID, points.CheckIn); got != 9 {
			t.Errorf("%d check-in entries, want 9", got)
		}
		f.balance(u.ID)
	})
}

// TestRewardsExactlyOnceUnder100Requests fires 100 identical check-ins and
// 100 identical shares at once: each pays once; a daily cap holds across
// distinct notes.
func TestRewardsExactlyOnceUnder100Requests(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		us := f.users("x", 2)
		author, reader := us[0], us[1]
		nid := f.publish(author)
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		for range 100 {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if _, err := f.a.Growth.CheckIn(f.ctx, reader.ID); err != nil {
					errs <- err
				}
			}()
			go func() {
				defer wg.Done()
				if _, err := f.a.Notes.Share(f.ctx, nid, reader.ID, "wechat"); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n := f.entries(reader.ID, points.CheckIn); n != 1 {
			t.Errorf("%d check-in entries", n)
		}
		if n := f.entries(reader.ID, points.ShareReward); n != 1 {
			t.Errorf("%d share rewards", n)
		}
		// share cap: 5 per day by default, one already used.
		for range 6 {
			if _, err := f.a.Notes.Share(f.ctx, f.publish(author), reader.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
		if n := f.entries(reader.ID, points.ShareReward); n != 5 {
			t.Errorf("%d share rewards after cap, want 5", n)
		}
		f.balance(reader.ID)
	})
}

// TestRefundClawsBackOrderRewards pays an order (per-order and first
// purchase rewards) and refunds it: the rewards come back out once, and
// only as far as the balance allows.
func TestRefundClawsBackOrderRewards(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		u := f.users("o", 1)[0]
		// Order rewards are off by default (the shop already earns points per yuan).
		for _, r := range []growth.Rule{{Rule: growth.RuleOrderPaid, Points: 10, DailyCap: 3}, {Rule: growth.RuleFirstPurchase, Points: 100, DailyCap: 1}} {
			if err := f.a.Growth.SetRule(f.ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		record := func(kind string, order id.ID) {
			t.Helper()
			if err := d.InTx(f.ctx, func(ctx context.Context) error {
				return f.a.Growth.Record(ctx, activity.Event{Kind: kind, User: u.ID, Ref: order, Amount: 5000})
			}); err != nil {
				t.Fatal(err)
			}
		}
		o1, o2 := id.New(), id.New()
		record(activity.OrderPaid, o1)
		record(activity.OrderPaid, o1) // webhook retried
		record(activity.OrderPaid, o2)
		if b := f.balance(u.ID); b != 10+100+10 {
			t.Fatalf("balance %d after two orders", b)
		}
		record(activity.OrderRefunded, o1)
		record(activity.OrderRefunded, o1)
		if b := f.balance(u.ID); b != 10 {
			t.Fatalf("balance %d after refunding the first order, want 10", b)
		}
		// Spent points cannot be clawed back below zero.
		if _, err := f.a.Points.Add(f.ctx, u.ID, -8, points.SpendOrder, id.New(), "spend"); err != nil {
			t.Fatal(err)
		}
		record(activity.OrderRefunded, o2)
		if b := f.balance(u.ID); b != 0 {
			t.Fatalf("balance %d, want 0", b)
		}
		if n := f.entries(u.ID, points.Clawback); n != 2 {
			t.Errorf("%d clawbacks", n)
		}
	})
}

// TestTipAuthorization: tips move the tipper's own points only, never to
// themselves, never to notes they cannot see, never beyond their balance.
func TestTipAuthorization(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		us := f.users("t", 3)
		a, b, c := us[0], us[1], us[2]
		nid := f.publish(a)
		if _, err := f.a.Points.Add(f.ctx, a.ID, 100, points.Grant, id.New(), "seed"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Points.Add(f.ctx, b.ID, 30, points.Grant, id.New(), "seed"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Growth.Tip(f.ctx, a.ID, nid, 10, ""); status(err) != 403 {
			t.Errorf("self tip: %v", err)
		}
		if _, err := f.a.Growth.Tip(f.ctx, b.ID, nid, 31, ""); status(err) != 409 {
			t.Errorf("tip beyond balance: %v", err)
		}
		if _, err := f.a.Growth.Tip(f.ctx, b.ID, nid, 0, ""); status(err) != 400 {
			t.Errorf("zero tip: %v", err)
		}
		for range 3 { // double clicks with one key
			if _, err := f.a.Growth.Tip(f.ctx, b.ID, nid, 20, "k1"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.a.Growth.Tip(f.ctx, b.ID, nid, 5, "k1"); status(err) != 409 {
			t.Errorf("reused key: %v", err)
		}
		if f.balance(b.ID) != 10 || f.balance(a.ID) != 120 {
			t.Errorf("balances a %d b %d", f.balance(a.ID), f.balance(b.ID))
		}
		if err := f.a.Social.Block(f.ctx, a.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Points.Add(f.ctx, c.ID, 30, points.Grant, id.New(), "seed"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.a.Growth.Tip(f.ctx, c.ID, nid, 5, ""); status(err) != 404 {
			t.Errorf("blocked tipper: %v", err)
		}
		if _, err := f.a.Growth.Tip(f.ctx, b.ID, id.New(), 5, ""); status(err) != 404 {
			t.Errorf("missing note: %v", err)
		}
		tot, err := f.a.Growth.NoteTotal(f.ctx, a.ID, nid)
		if err != nil || tot.Count != 1 || tot.Points != 20 {
			t.Errorf("note total %+v %v", tot, err)
		}
		if tot, _ := f.a.Growth.NoteTotal(f.ctx, b.ID, nid); tot.Count != 0 {
			t.Errorf("a reader sees the author's tips: %+v", tot)
		}
	})
}

// TestInvitesRewardActiveInviteesOnly: the inviter earns once when the
// invitee publishes in time; IP bursts and late activity earn nothing.
func TestInvitesRewardActiveInviteesOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		inviter := f.users("i", 1)[0]
		code, err := f.a.Growth.InviteCode(f.ctx, inviter.ID)
		if err != nil || len(code) != 8 {
			t.Fatalf("code %q %v", code, err)
		}
		if again, _ := f.a.Growth.InviteCode(f.ctx, inviter.ID); again != code {
			t.Fatalf("code changed: %s %s", code, again)
		}
		if err := f.a.Growth.Attribute(f.ctx, inviter.ID, growth.Source{Invite: code}, "10.0.0.9"); err != nil {
			t.Fatal(err)
		}
		invitees := f.users("j", 5)
		for _, v := range invitees {
			if err := f.a.Growth.Attribute(f.ctx, v.ID, growth.Source{Invite: code, Source: "campus", Campaign: "fall"}, "10.0.0.1"); err != nil {
				t.Fatal(err)
			}
		}
		for _, v := range invitees {
			f.publish(v)
			f.publish(v)
		}
		// Three from one IP earn; the 4th and 5th are a burst.
		if n := f.entries(inviter.ID, points.InviteReward); n != 3 {
			t.Errorf("%d invite rewards, want 3", n)
		}
		rows, err := f.a.Growth.ByChannel(f.ctx, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rows {
			if r.Key == "campus" {
				found = true
				if r.Signups != 5 || r.Active != 5 || r.Suspect != 2 {
					t.Errorf("campus row %+v", r)
				}
			}
		}
		if !found {
			t.Errorf("no campus row in %+v", rows)
		}
		by, err := f.a.Growth.ByInviter(f.ctx, time.Time{})
		if err != nil || len(by) != 1 || by[0].Key != inviter.ID.String() || by[0].Signups != 5 {
			t.Errorf("by inviter %+v %v", by, err)
		}
		// Activity after the window does not count.
		late := f.users("k", 1)[0]
		if err := f.a.Growth.Attribute(f.ctx, late.ID, growth.Source{Invite: code}, "10.0.0.2"); err != nil {
			t.Fatal(err)
		}
		f.a.Growth.Now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }
		f.publish(late)
		if n := f.entries(inviter.ID, points.InviteReward); n != 3 {
			t.Errorf("late invitee rewarded: %d", n)
		}
	})
}

// TestBackfillMatchesLiveProgress: progress derived from existing rows (what
// the seed needs after its bulk insert) equals what the live hooks counted
// for the same activity, pays nothing twice and announces nothing twice.
func TestBackfillMatchesLiveProgress(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		for lv := 2; lv <= 10; lv++ {
			n := int64(lv - 1)
			if err := f.a.Growth.SetLevel(f.ctx, growth.Level{Level: lv, NameZh: "级", NameEn: "L", Needs: growth.Counts{
				activity.Publish: n, activity.Liked: n, activity.Collect: n / 2, activity.Comment: n / 2, activity.Share: n / 3}}); err != nil {
				t.Fatal(err)
			}
		}
		us := f.users("b", 4)
		rng := rand.New(rand.NewPCG(3, 4))
		var noteIDs []id.ID
		for range 150 {
			u := us[rng.IntN(len(us))]
			if len(noteIDs) == 0 || rng.IntN(6) == 0 {
				noteIDs = append(noteIDs, f.publish(u))
				continue
			}
			nid := noteIDs[rng.IntN(len(noteIDs))]
			var err error
			switch rng.IntN(4) {
			case 0:
				_, err = f.a.Social.Like(f.ctx, u.ID, nid)
			case 1:
				_, err = f.a.Social.Collect(f.ctx, u.ID, nid, 0)
			case 2:
				_, err = f.a.Social.Comment(f.ctx, u, nid, "hi", 0)
			case 3:
				_, err = f.a.Notes.Share(f.ctx, nid, u.ID, "")
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		take := func() map[id.ID]string {
			out := map[id.ID]string{}
			for _, u := range us {
				st, err := f.a.Growth.Status(f.ctx, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				out[u.ID] = fmt.Sprint(st.Level, *st.Next, st.Counts, st.Tasks, f.balance(u.ID))
			}
			return out
		}
		notices := func() int64 {
			var n int64
			if err := d.Reader(f.ctx).QueryRow(f.ctx, "SELECT COUNT(*) FROM notifications WHERE kind = 'level_up'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before, announced := take(), notices()
		if announced == 0 {
			t.Fatal("random activity reached no level")
		}
		// Forget the counted acts, as a bulk load would never have made them.
		for _, q := range []string{"DELETE FROM growth_acts", "DELETE FROM growth_users"} {
			if _, err := d.Writer(f.ctx).Exec(f.ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		for run := range 2 {
			moved, err := f.a.Growth.Backfill(f.ctx, 0, id.ID(1<<62))
			if err != nil {
				t.Fatal(err)
			}
			if run == 1 && moved != 0 {
				t.Errorf("second backfill moved %d users", moved)
			}
			after := take()
			for _, u := range us {
				if b, a := before[u.ID], after[u.ID]; b != a {
					t.Errorf("run %d, %s: live %+v, backfilled %+v", run, u.Username, b, a)
				}
			}
			if n := notices(); n != announced {
				t.Errorf("run %d: %d level-up notifications, want %d", run, n, announced)
			}
		}
	})
}
