package livechat

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/growth"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/points"
)

func (f *fixture) beat(uid, live id.ID, tab string, playing bool) Beat {
	f.t.Helper()
	b, err := f.s.Heartbeat(f.ctx, uid, live, tab, playing)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

func (f *fixture) ledger(uid id.ID) (rows, sum int64) {
	f.t.Helper()
	if err := f.d.Reader(f.ctx).QueryRow(f.ctx, "SELECT COUNT(*), COALESCE(SUM(delta), 0) FROM point_ledger WHERE user_id = ? AND kind = ?",
		uid, points.LiveWatch).Scan(&rows, &sum); err != nil {
		f.t.Fatal(err)
	}
	return rows, sum
}

func TestWatchTimeCredits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		host, u := f.user("creator"), f.user("user")
		live := f.rooms.Add(host.ID, Live)
		other := f.rooms.Add(host.ID, Live)
		if err := f.growth.SetRule(f.ctx, growth.Rule{Rule: growth.RuleLiveWatch, Points: 2, DailyCap: 8}); err != nil {
			t.Fatal(err)
		}
		const tabA, tabB = "tab-aaaaaaaa", "tab-bbbbbbbb"
		if b := f.beat(u.ID, live, tabA, true); !b.Counted || b.Minutes != 0 {
			t.Fatalf("first beat %+v", b)
		}
		// 5 minutes of beats every 30 s, with a second tab beating in between.
		var minutes, pts int64
		for range 10 {
			f.clock.add(15 * time.Second)
			if b := f.beat(u.ID, live, tabB, true); !b.Busy || b.Counted {
				t.Fatalf("second tab %+v", b)
			}
			if b := f.beat(u.ID, other, tabA, true); !b.Busy {
				t.Fatalf("same tab, other live %+v", b)
			}
			f.clock.add(15 * time.Second)
			b := f.beat(u.ID, live, tabA, true)
			minutes, pts = minutes+b.Minutes, pts+b.Points
		}
		if minutes != 5 || pts != 10 {
			t.Fatalf("5 minutes watched: credited %d minutes, %d points", minutes, pts)
		}
		// Beats faster than plausible move nothing…
		for range 3 {
			f.clock.add(5 * time.Second)
			if b := f.beat(u.ID, live, tabA, true); b.Counted {
				t.Fatalf("a beat 5 s after the last counted %+v", b)
			}
		}
		// …the next plausible one counts the 40 s since the last counted.
		f.clock.add(25 * time.Second)
		if b := f.beat(u.ID, live, tabA, true); !b.Counted || b.Minutes != 0 {
			t.Fatalf("beat after 40 s %+v", b)
		}
		// 35 s more, closed by a pause: 75 s, so one minute.
		f.clock.add(35 * time.Second)
		if b := f.beat(u.ID, live, tabA, false); !b.Counted || b.Minutes != 1 {
			t.Fatalf("pause beat %+v", b)
		}
		// Paused for 50 s: a new window starts with nothing carried over.
		f.clock.add(50 * time.Second)
		if b := f.beat(u.ID, live, tabB, true); !b.Counted || b.Minutes != 0 {
			t.Fatalf("resume in another tab %+v", b)
		}
		// A gap longer than beatMax ends the window without credit.
		f.clock.add(50 * time.Second)
		f.beat(u.ID, live, tabB, true)
		f.clock.add(5 * time.Minute)
		if b := f.beat(u.ID, live, tabB, true); b.Minutes != 0 {
			t.Fatalf("after a 5-minute gap %+v", b)
		}
		// Watch until past the daily cap (8 minutes paid); minutes still count.
		for range 20 {
			f.clock.add(30 * time.Second)
			f.beat(u.ID, live, tabB, true)
		}
		rows, sum := f.ledger(u.ID)
		if rows != 8 || sum != 16 {
			t.Fatalf("ledger: %d rows, %d points; want the cap of 8 minutes × 2", rows, sum)
		}
		if bal, _ := f.points.Balance(f.ctx, u.ID); bal != 16 {
			t.Fatalf("balance %d", bal)
		}
		// Not on air: no credit; closing beats still accepted.
		f.rooms.Set(live, host.ID, Ended)
		_, err := f.s.Heartbeat(f.ctx, u.ID, live, tabB, true)
		wantCode(t, err, apperr.ErrConflict)
		f.beat(u.ID, live, tabB, false)
		_, err = f.s.Heartbeat(f.ctx, u.ID, live, "short", true)
		wantCode(t, err, apperr.ErrInvalid)
	})
}

// TestWatchTimeConcurrentTabs: 40 goroutines (tabs) of one user beat at
// once, again and again, as the clock moves; the minutes credited never
// exceed the time that passed and each is paid once.
func TestWatchTimeConcurrentTabs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		if err := f.growth.SetRule(f.ctx, growth.Rule{Rule: growth.RuleLiveWatch, Points: 1, DailyCap: 1000}); err != nil {
			t.Fatal(err)
		}
		host, u := f.user("creator"), f.user("user")
		live := f.rooms.Add(host.ID, Live)
		const tabs, rounds = 40, 12
		var mu sync.Mutex
		var minutes, pts int64
		for range rounds {
			var wg sync.WaitGroup
			for g := range tabs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// Half the goroutines share one tab id, as a forged client could.
					tab := fmt.Sprintf("tab-%08d", g%2*g)
					b, err := f.s.Heartbeat(f.ctx, u.ID, live, tab, true)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					minutes, pts = minutes+b.Minutes, pts+b.Points
					mu.Unlock()
				}()
			}
			wg.Wait()
			f.clock.add(30 * time.Second)
		}
		// 11 intervals of 30 s after the first beat: at most 5 minutes.
		if minutes > 5 || minutes < 4 {
			t.Fatalf("credited %d minutes for 5.5 minutes of wall time", minutes)
		}
		rows, sum := f.ledger(u.ID)
		if rows != minutes || sum != pts || pts != minutes {
			t.Fatalf("ledger %d rows / %d points, beats reported %d minutes / %d points", rows, sum, minutes, pts)
		}
		var distinct int64
		f.d.Reader(f.ctx).QueryRow(f.ctx, "SELECT COUNT(DISTINCT ref_id) FROM point_ledger WHERE user_id = ? AND kind = ?", u.ID, points.LiveWatch).Scan(&distinct)
		if distinct != rows {
			t.Fatalf("%d ledger rows, %d distinct refs", rows, distinct)
		}
	})
}
