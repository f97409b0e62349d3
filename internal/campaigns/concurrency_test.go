package campaigns_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/id"
)

// TestConcurrentVotes: 40 voters, 160 goroutines, each voter trying twice
// their allowance with retried and duplicated keys, while some earn bonus
// votes by publishing at the same time and an operator recounts. Every key
// answers the same, nobody exceeds allowance + bonus, the tallies are the
// count of valid votes and recounting changes nothing.
func TestConcurrentVotes(t *testing.T) {
	eachMode(t, func(t *testing.T, f *fixture) {
		const voters, daily = 40, 3
		us := f.users("c", voters)
		c, noms := f.campaign(campaigns.Rules{DailyVotes: daily, PublishBonus: 1, PublishCap: 1}, "rush", 3)
		type answer struct {
			r   campaigns.Receipt
			err error
		}
		var mu sync.Mutex
		answers := map[string][]answer{}
		var wg sync.WaitGroup
		for g := range 160 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := us[g%voters]
				for k := range 2 {
					// Goroutines g and g+40 share a voter and their keys: duplicates in flight.
					key := fmt.Sprintf("%s-%d-%d", u.ID, (g/voters)%2, k)
					for range 2 { // a retry of each key
						r, err := f.c.Vote(f.ctx, u, c.ID, noms[(g+k)%len(noms)], key, campaigns.Source{IP: "10.0.0.1"})
						mu.Lock()
						answers[key] = append(answers[key], answer{r, err})
						mu.Unlock()
					}
				}
			}()
		}
		for i := range voters / 4 { // bonus votes earned during the rush
			wg.Add(1)
			go func() { defer wg.Done(); f.publish(us[i], "rush") }()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.c.Recount(f.ctx, f.op, c.ID); err != nil {
				t.Error(err)
			}
		}()
		wg.Wait()
		won := map[id.ID]int{}
		for key, as := range answers {
			var first *campaigns.Receipt
			for _, a := range as {
				if a.err != nil {
					continue
				}
				if first == nil {
					r := a.r
					first = &r
					continue
				}
				if a.r != *first {
					t.Fatalf("key %s answered %+v and %+v", key, *first, a.r)
				}
			}
			if first != nil {
				won[first.VoteID]++
			}
		}
		var total int64
		for _, n := range noms {
			total += f.tally(c.ID, n).Votes
		}
		if int(total) != len(won) {
			t.Fatalf("tally %d, distinct successful votes %d", total, len(won))
		}
		// Every voter has 4 keys: 3 land; a voter who earned a bonus during
		// the rush lands a 4th if it came in time.
		per := map[id.ID]int{}
		for key, as := range answers {
			for _, a := range as {
				if a.err == nil {
					var uid id.ID
					fmt.Sscanf(key, "%d-", &uid)
					per[uid]++
					break
				}
			}
		}
		for i, u := range us {
			if got := per[u.ID]; got != daily && !(i < voters/4 && got == daily+1) {
				t.Fatalf("voter %d landed %d votes", i, got)
			}
		}
		f.verify(c.ID)
		if n, err := f.c.Recount(f.ctx, f.op, c.ID); err != nil || n != 0 {
			t.Fatalf("recount corrected %d tallies (%v)", n, err)
		}
	})
}
