package trends_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/trends"
)

// Two servers on one database: the one that publishes computes the lists,
// the other adopts them without computing (a change published by nobody
// stays unseen on it), picks up operators' hides on its next follow, and
// computes its own once the snapshot is older than twice the interval.
func TestOneServerComputesTheOthersFollow(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := &fixture{t: t, e: e, ctx: context.Background(), now: time.Now()}
		topic := f.topic("露营")
		for i := range 5 {
			f.note(f.user(fmt.Sprintf("camper%d", i)), "tent", time.Hour, 5, 0, 0, 0, topic)
		}
		first := f.note(f.user("star"), "the best tent", time.Hour, 50, 0, 0, 0)
		leader, follower := trends.New(e.App.DB), trends.New(e.App.DB)
		if err := leader.Publish(f.ctx, f.now); err != nil {
			t.Fatal(err)
		}
		f.exec("UPDATE notes SET like_count = 500 WHERE title = 'tent'") // not published by anyone yet
		if err := follower.Follow(f.ctx, f.now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		hot, at, err := follower.Hot(f.ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		lead, leadAt, _ := leader.Hot(f.ctx, 10)
		if fmt.Sprint(hot) != fmt.Sprint(lead) || !at.Equal(leadAt.Truncate(time.Millisecond)) || hot[0].NoteID != first {
			t.Fatalf("follower %v at %v, leader %v at %v", hot, at, lead, leadAt)
		}
		top, _, _ := follower.Trending(f.ctx, 10)
		if len(top) != 1 || top[0].Name != "露营" || top[0].UsesToday != 5 || top[0].ID != topic {
			t.Fatalf("follower's trending topics %+v", top)
		}

		op, err := e.App.Accounts.CreateWithHash(f.ctx, "op", "op", "", accounts.RoleOperator)
		if err != nil {
			t.Fatal(err)
		}
		if err := leader.Moderate(f.ctx, op, trends.KindNote, first, trends.Hide, true); err != nil {
			t.Fatal(err)
		}
		if err := follower.Follow(f.ctx, f.now.Add(2*time.Second)); err != nil {
			t.Fatal(err)
		}
		if hot, _, _ := follower.Hot(f.ctx, 10); len(hot) == 0 || hot[0].NoteID == first {
			t.Fatalf("hidden note still first on the follower: %v", hot)
		}

		// Nobody publishes any more: the follower computes its own.
		if err := follower.Follow(f.ctx, f.now.Add(3*trends.RefreshInterval)); err != nil {
			t.Fatal(err)
		}
		hot, at, _ = follower.Hot(f.ctx, 10)
		if !at.Equal(f.now.Add(3*trends.RefreshInterval)) || len(hot) != 5 {
			t.Fatalf("after the leader stopped: %d entries at %v", len(hot), at)
		}
	})
}
