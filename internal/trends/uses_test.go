package trends_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/trends"
)

// The trending snapshot is built from hours kept between refreshes; after
// random publishing, deleting and a clock that moves on (and once back), it
// must equal the definition computed from scratch, once every kept hour has
// been re-read (a deleted note may count until then, as documented).
func TestTrendingKeptHoursMatchTheDefinition(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		r := rand.New(rand.NewPCG(7, 9))
		// Trending refreshes itself when the snapshot looks older than the
		// real clock, so the test clock starts now and moves forward.
		start := time.Now().UTC()
		f := &fixture{t: t, e: e, ctx: context.Background(), now: start}
		users := make([]id.ID, 12)
		for i := range users {
			users[i] = f.user(fmt.Sprintf("u%02d", i))
		}
		topics := make([]id.ID, 5)
		for i := range topics {
			topics[i] = f.topic(fmt.Sprintf("topic%d", i))
		}
		type row struct {
			note, author, topic id.ID
			at                  time.Time
			deleted             bool
		}
		var rows []*row
		publish := func(age time.Duration) {
			a, tp := users[r.IntN(len(users))], topics[r.IntN(len(topics))]
			n := f.note(a, "n", age, 0, 0, 0, 0, tp)
			rows = append(rows, &row{n, a, tp, f.now.Add(-age), false})
		}
		// want computes the definition: distinct authors per 24-hour bucket
		// of whole hours ending with the current one.
		want := func(now time.Time) map[string][2]float64 {
			cur := now.Unix() / 3600
			days := map[id.ID][]map[id.ID]bool{}
			for _, x := range rows {
				if x.deleted {
					continue
				}
				day := (cur - x.at.Unix()/3600) / 24
				if x.at.After(now) || day > trends.TrendBaselineDays {
					continue
				}
				if days[x.topic] == nil {
					days[x.topic] = make([]map[id.ID]bool, trends.TrendBaselineDays+1)
				}
				if days[x.topic][day] == nil {
					days[x.topic][day] = map[id.ID]bool{}
				}
				days[x.topic][day][x.author] = true
			}
			out := map[string][2]float64{}
			for i, tp := range topics {
				d := days[tp]
				if d == nil {
					continue
				}
				past := 0
				for _, s := range d[1:] {
					past += len(s)
				}
				exp := float64(past) / trends.TrendBaselineDays
				if trends.TrendScore(len(d[0]), exp) > 0 {
					out[fmt.Sprintf("topic%d", i)] = [2]float64{float64(len(d[0])), exp}
				}
			}
			return out
		}
		got := func() map[string][2]float64 {
			t.Helper()
			if err := e.App.Trends.Refresh(f.ctx, f.now); err != nil {
				t.Fatal(err)
			}
			list, _, err := e.App.Trends.Trending(f.ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string][2]float64{}
			for _, x := range list {
				out[x.Name] = [2]float64{float64(x.UsesToday), x.Expected}
			}
			return out
		}
		check := func(when string) {
			t.Helper()
			g, w := got(), want(f.now)
			if fmt.Sprint(g) != fmt.Sprint(w) {
				t.Fatalf("%s at %s: trending %v, definition %v", when, f.now, g, w)
			}
		}
		for range 300 {
			publish(time.Duration(r.Int64N(int64(9 * 24 * time.Hour))))
		}
		check("first refresh")
		for step := range 30 {
			// Notes go out between the last refresh and this one, as they
			// do on a real clock.
			advance := 1 + time.Duration(r.Int64N(int64(3*time.Hour)))
			f.now = f.now.Add(advance)
			for range 15 {
				publish(time.Duration(r.Int64N(int64(advance))))
			}
			check(fmt.Sprintf("step %d", step))
		}
		f.now = f.now.Add(-5 * time.Hour) // a clock set back
		publish(0)
		check("clock set back")

		// Deleted notes: gone once the rotation has re-read their hours.
		for _, x := range rows[:60] {
			x.deleted = true
			f.exec("UPDATE notes SET status = 'deleted' WHERE id = ?", x.note)
		}
		for range 24 * (trends.TrendBaselineDays + 1) {
			got()
		}
		check("after deletes")
	})
}
