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

// A warm hot list (kept hours) equals one computed from scratch: at once
// for notes of the last HotFreshHours, and for every note once the rotation
// has re-read the older hours.
func TestHotListKeptHoursMatchAFullScan(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		r := rand.New(rand.NewPCG(3, 4))
		f := &fixture{t: t, e: e, ctx: context.Background(), now: time.Now().UTC()}
		u := f.user("author")
		var old, fresh []id.ID
		for range 150 {
			age := time.Duration(r.Int64N(int64(trends.HotWindow + 12*time.Hour)))
			n := f.note(u, "n", age, r.Int64N(40), r.Int64N(10), r.Int64N(5), 0)
			if age > (trends.HotFreshHours-1)*time.Hour {
				old = append(old, n)
			} else {
				fresh = append(fresh, n)
			}
		}
		warm := trends.New(e.App.DB)
		same := func(when string) {
			t.Helper()
			cold := trends.New(e.App.DB)
			for _, s := range []*trends.Service{warm, cold} {
				if err := s.Refresh(f.ctx, f.now); err != nil {
					t.Fatal(err)
				}
			}
			a, _, err := warm.Hot(f.ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			b, _, _ := cold.Hot(f.ctx, 100)
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("%s: warm %v\ncold %v", when, a, b)
			}
		}
		same("first refresh")
		f.now = f.now.Add(20 * time.Minute)
		for _, n := range fresh {
			f.exec("UPDATE notes SET like_count = like_count + ? WHERE id = ?", r.Int64N(100), n)
		}
		same("fresh notes liked")
		for _, n := range old {
			f.exec("UPDATE notes SET like_count = like_count + ?, status = ? WHERE id = ?",
				r.Int64N(1000), []string{"published", "deleted"}[r.IntN(2)], n)
		}
		for range int(trends.HotWindow/time.Hour)/trends.HotRotate + 1 {
			f.now = f.now.Add(time.Second)
			if err := warm.Refresh(f.ctx, f.now); err != nil {
				t.Fatal(err)
			}
		}
		same("older notes changed, after the rotation")
	})
}
