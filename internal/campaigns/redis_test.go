package campaigns_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/redislog"
)

// eachRedis runs fn in Redis mode only, on SQLite and PostgreSQL.
func eachRedis(t *testing.T, fn func(t *testing.T, f *fixture)) {
	eachMode(t, func(t *testing.T, f *fixture) {
		if f.rdb == nil {
			t.Skip("Redis mode only")
		}
		fn(t, f)
	})
}

func (f *fixture) rkey(cid id.ID, name string) string {
	return f.prefix + ":{" + cid.String() + "}:" + name
}

// redisTally reads a nominee's live tally in Redis.
func (f *fixture) redisTally(cid, nominee id.ID) (votes, score int64) {
	f.t.Helper()
	m, err := f.rdb.HGetAll(f.ctx, f.rkey(cid, "tally")).Result()
	if err != nil {
		f.t.Fatal(err)
	}
	votes, _ = strconv.ParseInt(m[nominee.String()], 10, 64)
	score, _ = strconv.ParseInt(m[nominee.String()+":s"], 10, 64)
	return votes, score
}

// sameTallies checks that Redis and the database agree on every nominee
// (nothing in flight).
func (f *fixture) sameTallies(cid id.ID, noms []id.ID) {
	f.t.Helper()
	if err := f.c.VerifyRedis(f.ctx, cid); err != nil {
		f.t.Fatal(err)
	}
	for _, n := range noms { // and VerifyRedis saw them
		if v, _ := f.redisTally(cid, n); v != f.tally(cid, n).Votes {
			f.t.Fatalf("nominee %s: Redis %d", n, v)
		}
	}
}

// failLanding makes every insert of a vote fail (as if the server died
// between Redis accepting votes and the database landing them); the
// returned func removes the fault.
func (f *fixture) failLanding() func() {
	f.t.Helper()
	w := f.a.DB.Writer(f.ctx)
	stmts := []string{`CREATE TRIGGER h10_fail BEFORE INSERT ON campaign_votes BEGIN SELECT RAISE(ABORT, 'landing down'); END`}
	undo := []string{"DROP TRIGGER h10_fail"}
	if f.a.DB.Dialect == db.Postgres {
		stmts = []string{`CREATE FUNCTION h10_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'landing down'; END $$`,
			`CREATE TRIGGER h10_fail BEFORE INSERT ON campaign_votes FOR EACH ROW EXECUTE FUNCTION h10_fail()`}
		undo = []string{"DROP TRIGGER h10_fail ON campaign_votes", "DROP FUNCTION h10_fail()"}
	}
	for _, q := range stmts {
		if _, err := w.Exec(f.ctx, q); err != nil {
			f.t.Fatal(err)
		}
	}
	return func() {
		for _, q := range undo {
			if _, err := w.Exec(f.ctx, q); err != nil {
				f.t.Fatal(err)
			}
		}
	}
}

// TestRedisReconcile: votes Redis accepted whose landing failed stay in the
// log, counted in Redis only; a retried key lands its vote from the log and
// answers the same vote, and reconciliation lands the rest, so that after
// it every accepted vote is in the database exactly once, the tallies are
// the count of valid votes and Redis agrees with the database.
func TestRedisReconcile(t *testing.T) {
	eachRedis(t, func(t *testing.T, f *fixture) {
		c, noms := f.campaign(campaigns.Rules{DailyVotes: 3, IPDaily: 100}, "", 2)
		us := f.users("k", 6)
		for _, u := range us[:2] { // landed normally
			if _, err := f.c.Vote(f.ctx, u, c.ID, noms[0], "a", campaigns.Source{IP: "10.1.1.1"}); err != nil {
				t.Fatal(err)
			}
		}
		restore := f.failLanding()
		for i, u := range us {
			for k := range 2 {
				if _, err := f.c.Vote(f.ctx, u, c.ID, noms[(i+k)%2], fmt.Sprint("b", k), campaigns.Source{IP: "10.1.1.1"}); err == nil {
					t.Fatal("a vote answered 201 while the database refused every landing")
				}
			}
		}
		if n := f.rdb.XLen(f.ctx, f.rkey(c.ID, "log")).Val(); n != 12 {
			t.Fatalf("log holds %d votes, want the 12 accepted but not landed", n)
		}
		v0, _ := f.redisTally(c.ID, noms[0])
		if d := f.tally(c.ID, noms[0]); v0 != d.Votes+6 {
			t.Fatalf("Redis tally %d, database %d: Redis should count the 6 votes in flight", v0, d.Votes)
		}
		// Every voter's allowance is spent in Redis already (1 + 2 of 3 for
		// the first two), so a new key is refused before the database.
		if _, err := f.c.Vote(f.ctx, us[0], c.ID, noms[0], "c", campaigns.Source{IP: "10.1.1.1"}); err == nil {
			t.Fatal("voter went over the allowance")
		} else {
			wantCode(t, err, "no_votes_left")
		}
		restore()
		f.verify(c.ID) // the database alone is consistent throughout
		// A retry of a key whose vote is still in the log lands it.
		r1, err := f.c.Vote(f.ctx, us[5], c.ID, noms[0], "b0", campaigns.Source{IP: "10.1.1.1"})
		if err != nil {
			t.Fatal(err)
		}
		// Reconciliation takes the entries older than the grace period.
		f.c.Now = func() time.Time { return time.Now().Add(redislog.Grace + time.Second) }
		if err := f.c.RunRedis(f.ctx); err != nil {
			t.Fatal(err)
		}
		f.c.Now = time.Now
		if n := f.rdb.XLen(f.ctx, f.rkey(c.ID, "log")).Val(); n != 0 {
			t.Fatalf("%d votes left in the log after reconciliation", n)
		}
		if r2, err := f.c.Vote(f.ctx, us[5], c.ID, noms[1], "b0", campaigns.Source{IP: "10.1.1.1"}); err != nil || r2 != r1 {
			t.Fatalf("retry after reconciliation: %+v %v, first %+v", r2, err, r1)
		}
		var votes int
		if err := f.a.DB.Reader(f.ctx).QueryRow(f.ctx, "SELECT COUNT(*) FROM campaign_votes WHERE campaign_id = ?", c.ID).Scan(&votes); err != nil {
			t.Fatal(err)
		}
		if votes != 14 {
			t.Fatalf("%d votes in the database, want 2 + 12 accepted", votes)
		}
		f.verify(c.ID)
		f.sameTallies(c.ID, noms)
		if n, err := f.c.Recount(f.ctx, f.op, c.ID); err != nil || n != 0 {
			t.Fatalf("recount corrected %d (%v)", n, err)
		}
	})
}

// TestRedisRecount: a Redis tally that drifted (here: changed behind the
// service's back) is rebuilt from the database by a recount, and the
// leaderboard reads the live Redis tallies.
func TestRedisRecount(t *testing.T) {
	eachRedis(t, func(t *testing.T, f *fixture) {
		c, noms := f.campaign(campaigns.Rules{DailyVotes: 2}, "", 2)
		for i, u := range f.users("l", 3) {
			if _, err := f.c.Vote(f.ctx, u, c.ID, noms[1], fmt.Sprint(i), campaigns.Source{}); err != nil {
				t.Fatal(err)
			}
		}
		f.sameTallies(c.ID, noms)
		if err := f.rdb.HSet(f.ctx, f.rkey(c.ID, "tally"), noms[0].String(), 50, noms[0].String()+":s", 5000).Err(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond) // past the leaderboard's cache
		cats, err := f.c.Leaderboard(f.ctx, c.ID)
		if err != nil || cats[0].Nominees[0].ID != noms[0] || cats[0].Nominees[0].Votes != 50 {
			t.Fatalf("leaderboard does not show the Redis tallies: %+v %v", cats, err)
		}
		if n, err := f.c.Recount(f.ctx, f.op, c.ID); err != nil || n != 1 {
			t.Fatalf("recount corrected %d (%v), want the one drifted tally", n, err)
		}
		f.sameTallies(c.ID, noms)
		cats, err = f.c.Leaderboard(f.ctx, c.ID)
		if err != nil || cats[0].Nominees[0].ID != noms[1] || cats[0].Nominees[0].Votes != 3 {
			t.Fatalf("leaderboard after recount: %+v %v", cats, err)
		}
	})
}

// TestRedisLostData: Redis loses the campaign (a flush, a restart without
// persistence); the next vote primes it from the database, nothing landed
// is lost and the allowance still holds.
func TestRedisLostData(t *testing.T) {
	eachRedis(t, func(t *testing.T, f *fixture) {
		c, noms := f.campaign(campaigns.Rules{DailyVotes: 2, PublishBonus: 1, PublishCap: 1}, "lost", 1)
		u := f.users("m", 1)[0]
		f.publish(u, "lost") // one bonus vote: 3 today
		for k := range 2 {
			if _, err := f.c.Vote(f.ctx, u, c.ID, noms[0], fmt.Sprint(k), campaigns.Source{}); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range []string{"ready", "keys", "used", "bonus", "src", "tally", "excl", "log"} {
			f.rdb.Del(f.ctx, f.rkey(c.ID, name))
		}
		// A retried key after the loss still answers the stored vote.
		if _, err := f.c.Vote(f.ctx, u, c.ID, noms[0], "1", campaigns.Source{}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.c.Vote(f.ctx, u, c.ID, noms[0], "2", campaigns.Source{}); err != nil {
			t.Fatal(err)
		}
		_, err := f.c.Vote(f.ctx, u, c.ID, noms[0], "3", campaigns.Source{})
		wantCode(t, err, "no_votes_left")
		f.verify(c.ID)
		f.sameTallies(c.ID, noms)
		if n := f.tally(c.ID, noms[0]); n.Votes != 3 {
			t.Fatalf("tally %d, want 3", n.Votes)
		}
	})
}
