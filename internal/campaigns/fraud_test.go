package campaigns_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/campaigns"
)

// TestVoteFarm plants a farm: 30 fresh accounts behind one address vote for
// one nominee while 10 real, older users vote honestly. The per-IP limit
// caps the farm's address, burst detection holds the fresh votes beyond the
// threshold, new accounts count at reduced weight, and excluding the farm
// removes its votes and recomputes the tallies; the audit shows it all.
func TestVoteFarm(t *testing.T) {
	eachMode(t, func(t *testing.T, f *fixture) {
		c, noms := f.campaign(campaigns.Rules{DailyVotes: 1, IPDaily: 20, NewDays: 3, NewMode: campaigns.NewWeight, NewWeight: 50,
			BurstVotes: 5, BurstWindowSec: 600}, "", 2)
		farmed, honest := noms[0], noms[1]
		farm := f.users("farm", 30)
		for i := range farm {
			farm[i].CreatedAt = time.Now().Add(-time.Hour)
		}
		real := f.users("real", 10)
		for i, u := range real {
			if _, err := f.c.Vote(f.ctx, u, c.ID, honest, "v", campaigns.Source{IP: fmt.Sprintf("198.51.100.%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		var ok, flagged, limited int
		for _, u := range farm {
			r, err := f.c.Vote(f.ctx, u, c.ID, farmed, "v", campaigns.Source{IP: "203.0.113.7", Device: "dev-" + u.Username})
			switch {
			case err == nil && r.Status == campaigns.Valid:
				ok++
			case err == nil && r.Status == campaigns.Flagged:
				flagged++
			case err != nil:
				wantCode(t, err, "source_limit")
				limited++
			}
		}
		if ok != 5 || flagged != 15 || limited != 10 {
			t.Fatalf("farm: %d counted, %d flagged, %d refused by the IP limit", ok, flagged, limited)
		}
		if n := f.tally(c.ID, farmed); n.Votes != 5 || n.Score != 250 {
			t.Fatalf("farmed tally %+v", n)
		}
		f.verify(c.ID)
		st, err := f.c.Summary(f.ctx, f.op, c.ID)
		if err != nil || st.Flagged != 15 || st.TopIPs[0].Value != "203.0.113.7" || st.TopIPs[0].Votes != 20 {
			t.Fatalf("summary %+v %v", st, err)
		}
		// The operator bans the farm: its votes are void and the tallies recomputed.
		for _, u := range farm {
			if _, err := f.c.Exclude(f.ctx, f.op, c.ID, u.ID); err != nil {
				t.Fatal(err)
			}
		}
		if n := f.tally(c.ID, farmed); n.Votes != 0 || n.Score != 0 {
			t.Fatalf("farmed tally after the ban %+v", n)
		}
		if n := f.tally(c.ID, honest); n.Votes != 10 || n.Score != 1000 {
			t.Fatalf("honest tally %+v", n)
		}
		// Every vote is still there, as void.
		rows, _, err := f.c.Votes(f.ctx, f.op, c.ID, campaigns.VoteFilter{Status: campaigns.Void}, 100)
		if err != nil || len(rows) != 20 {
			t.Fatalf("void votes: %d %v", len(rows), err)
		}
		// An excluded account cannot vote again, even tomorrow.
		_, err = f.c.Vote(f.ctx, farm[0], c.ID, farmed, "again", campaigns.Source{})
		wantCode(t, err, "excluded")
		f.verify(c.ID)
		log, err := f.c.AuditLog(f.ctx, f.op, c.ID, 100)
		if err != nil || len(log) != 30 || log[0].Action != "exclude" {
			t.Fatalf("audit log %d %v", len(log), err)
		}
		// A tally corrupted behind the service's back is found and fixed by a recount.
		if _, err := f.a.DB.Writer(f.ctx).Exec(f.ctx, "UPDATE campaign_nominees SET votes = votes + 7 WHERE id = ?", honest); err != nil {
			t.Fatal(err)
		}
		if err := campaigns.Verify(f.ctx, f.a.DB, c.ID); err == nil {
			t.Fatal("Verify missed a corrupted tally")
		}
		if n, err := f.c.Recount(f.ctx, f.op, c.ID); err != nil || n != 1 {
			t.Fatalf("recount fixed %d (%v)", n, err)
		}
		f.verify(c.ID)
	})
}

// TestFlaggedDecisions: held votes count once approved, or never when voided.
func TestFlaggedDecisions(t *testing.T) {
	eachMode(t, func(t *testing.T, f *fixture) {
		c, noms := f.campaign(campaigns.Rules{DailyVotes: 1, NewDays: 3, BurstVotes: 1, BurstWindowSec: 60}, "", 2)
		fresh := f.users("f", 4)
		for i := range fresh {
			fresh[i].CreatedAt = time.Now()
			if _, err := f.c.Vote(f.ctx, fresh[i], c.ID, noms[i%2], "v", campaigns.Source{}); err != nil {
				t.Fatal(err)
			}
		}
		// One counted per nominee, one held.
		if a, b := f.tally(c.ID, noms[0]), f.tally(c.ID, noms[1]); a.Votes != 1 || b.Votes != 1 {
			t.Fatalf("tallies %+v %+v", a, b)
		}
		if n, err := f.c.Decide(f.ctx, f.op, c.ID, noms[0], true); err != nil || n != 1 {
			t.Fatalf("approve %d %v", n, err)
		}
		if n, err := f.c.Decide(f.ctx, f.op, c.ID, 0, false); err != nil || n != 1 {
			t.Fatalf("void %d %v", n, err)
		}
		if a, b := f.tally(c.ID, noms[0]), f.tally(c.ID, noms[1]); a.Votes != 2 || b.Votes != 1 {
			t.Fatalf("tallies after decisions %+v %+v", a, b)
		}
		f.verify(c.ID)
	})
}

// TestExcludeDuringRush: excluding voters while they vote leaves no valid
// vote of theirs and exact tallies.
func TestExcludeDuringRush(t *testing.T) {
	eachMode(t, func(t *testing.T, f *fixture) {
		c, noms := f.campaign(campaigns.Rules{DailyVotes: 20}, "", 1)
		us := f.users("r", 10)
		done := make(chan struct{})
		for _, u := range us {
			go func() {
				defer func() { done <- struct{}{} }()
				for k := range 20 {
					f.c.Vote(f.ctx, u, c.ID, noms[0], fmt.Sprint(k), campaigns.Source{})
				}
			}()
		}
		for _, u := range us[:5] {
			if _, err := f.c.Exclude(f.ctx, f.op, c.ID, u.ID); err != nil {
				t.Error(err)
			}
		}
		for range us {
			<-done
		}
		f.verify(c.ID)
		if n := f.tally(c.ID, noms[0]); n.Votes != 5*20 {
			t.Fatalf("tally %d, want the 100 votes of the 5 voters not excluded", n.Votes)
		}
	})
}
