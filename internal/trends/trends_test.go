package trends_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/search"
	"github.com/redmark/redmark/internal/trends"
)

var hash = accounts.HashPassword("password123")

// fixture inserts constructed rows directly (times in ms, so scores match
// to 1e-6): the formulas are tested on
// exact counts and ages, which the API cannot backdate.
type fixture struct {
	t   *testing.T
	e   *apitest.Env
	ctx context.Context
	now time.Time
}

func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.e.App.DB.Writer(f.ctx).Exec(f.ctx, q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

func (f *fixture) user(name string) id.ID {
	f.t.Helper()
	u, err := f.e.App.Accounts.CreateWithHash(f.ctx, name, name, hash, accounts.RoleUser)
	if err != nil {
		f.t.Fatal(err)
	}
	return u.ID
}

// note publishes a note by author, age ago, with the given counters and topics.
func (f *fixture) note(author id.ID, title string, age time.Duration, likes, collects, comments, shares int64, topics ...id.ID) id.ID {
	f.t.Helper()
	n := id.New()
	pub := f.now.Add(-age).UnixMilli()
	f.exec(`INSERT INTO notes (id, author_id, status, kind, title, like_count, collect_count, comment_count, share_count,
		created_at, updated_at, published_at) VALUES (?, ?, 'published', 'image', ?, ?, ?, ?, ?, ?, ?, ?)`,
		n, author, title, likes, collects, comments, shares, pub, pub, pub)
	for _, t := range topics {
		f.exec("INSERT INTO note_topics (note_id, topic_id) VALUES (?, ?)", n, t)
		f.exec("UPDATE topics SET note_count = note_count + 1 WHERE id = ?", t)
	}
	return n
}

func (f *fixture) topic(name string) id.ID {
	t := id.New()
	f.exec("INSERT INTO topics (id, name, created_at) VALUES (?, ?, ?)", t, name, db.Now())
	return t
}

func TestHotListFollowsTheFormula(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := &fixture{t: t, e: e, ctx: context.Background(), now: time.Now()}
		u := f.user("writer")
		likes := f.note(u, "likes", time.Hour, 10, 0, 0, 0)       // E 10
		collects := f.note(u, "collects", time.Hour, 0, 10, 0, 0) // E 20: a collect weighs more than a like
		comments := f.note(u, "comments", time.Hour, 0, 0, 5, 0)  // E 15
		shares := f.note(u, "shares", 3*time.Hour, 0, 0, 0, 8)    // E 24, but older
		old := f.note(u, "old but big", 48*time.Hour, 100, 0, 0, 0)
		f.note(u, "too old", 8*24*time.Hour, 10000, 0, 0, 0) // outside the window
		f.note(u, "nothing yet", time.Minute, 0, 0, 0, 0)    // no engagement: not hot
		if err := e.App.Trends.Refresh(f.ctx, f.now); err != nil {
			t.Fatal(err)
		}
		var out struct {
			Items []struct {
				Rank   int
				Score  float64
				Pinned bool
				Note   struct{ ID string }
			}
		}
		e.Anon().Do("GET", "/api/v1/hot", nil).Want(200).Decode(&out)
		want := map[id.ID]float64{
			collects: trends.HotScore(20, time.Hour), comments: trends.HotScore(15, time.Hour),
			likes: trends.HotScore(10, time.Hour), shares: trends.HotScore(24, 3*time.Hour), old: trends.HotScore(100, 48*time.Hour),
		}
		order := []id.ID{collects, comments, shares, likes, old} // 3.85, 2.89, 2.15, 1.92, 0.28
		if len(out.Items) != len(order) {
			t.Fatalf("hot list has %d items: %+v", len(out.Items), out.Items)
		}
		for i, it := range out.Items {
			if it.Note.ID != order[i].String() || it.Rank != i+1 || it.Pinned {
				t.Fatalf("position %d: %+v, want note %s", i+1, it, order[i])
			}
			if w := want[order[i]]; math.Abs(it.Score-w) > 1e-6*w {
				t.Fatalf("score of %s: %v, want %v", order[i], it.Score, w)
			}
		}
		// The formula itself: E / (hours + 2)^1.5, E weighted 1/2/3/3.
		if got, w := trends.HotScore(search.Engagement(1, 1, 1, 1), 2*time.Hour), 9/math.Pow(4, 1.5); math.Abs(got-w) > 1e-12 {
			t.Fatalf("HotScore = %v, want %v", got, w)
		}
		e.Anon().Do("GET", "/api/v1/hot?limit=2", nil).Want(200).Decode(&out)
		if len(out.Items) != 2 {
			t.Fatalf("limit: %d", len(out.Items))
		}
		e.Anon().Do("GET", "/api/v1/hot?limit=0", nil).WantError(400, "invalid_input")
	})
}

func TestTrendingPrefersASpikeOverSteadyVolume(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := &fixture{t: t, e: e, ctx: context.Background(), now: time.Now()}
		big, tiny, lonely, fading := f.topic("coffee"), f.topic("风筝节"), f.topic("lonely"), f.topic("fading")
		users := make([]id.ID, 25)
		for i := range users {
			users[i] = f.user(fmt.Sprintf("user%02d", i))
		}
		// coffee: 20 authors every day for a week, 22 today (steady, large).
		for day := 1; day <= trends.TrendBaselineDays; day++ {
			for _, u := range users[:20] {
				f.note(u, "daily coffee", time.Duration(day)*24*time.Hour+time.Hour, 1, 0, 0, 0, big)
			}
		}
		for _, u := range users[:22] {
			f.note(u, "coffee today", time.Hour, 1, 0, 0, 0, big)
		}
		// 风筝节: never before, 6 authors today (one of them twice).
		for _, u := range users[:6] {
			f.note(u, "kites", 2*time.Hour, 0, 0, 0, 0, tiny)
		}
		f.note(users[0], "more kites", 3*time.Hour, 0, 0, 0, 0, tiny)
		// lonely: 2 authors today, below the floor.
		f.note(users[0], "a", time.Hour, 0, 0, 0, 0, lonely)
		f.note(users[1], "b", time.Hour, 0, 0, 0, 0, lonely)
		// fading: busy last week, quiet today.
		for _, u := range users[:10] {
			f.note(u, "old news", 3*24*time.Hour, 0, 0, 0, 0, fading)
		}
		f.note(users[0], "still here", time.Hour, 0, 0, 0, 0, fading)
		if err := e.App.Trends.Refresh(f.ctx, f.now); err != nil {
			t.Fatal(err)
		}
		var out struct {
			Items []struct {
				Name      string
				UsesToday int     `json:"uses_today"`
				Expected  float64 `json:"expected"`
				Score     float64
				Pinned    bool
			}
		}
		e.Anon().Do("GET", "/api/v1/topics/trending", nil).Want(200).Decode(&out)
		if len(out.Items) != 2 || out.Items[0].Name != "风筝节" || out.Items[1].Name != "coffee" {
			t.Fatalf("trending: %+v", out.Items)
		}
		k, c := out.Items[0], out.Items[1]
		if k.UsesToday != 6 || k.Expected != 0 || k.Score != 25 { // (6−1)²/1 with expected floored at 1
			t.Fatalf("风筝节: %+v", k)
		}
		if c.UsesToday != 22 || c.Expected != 20 || math.Abs(c.Score-0.2) > 1e-9 { // (22−20)²/20
			t.Fatalf("coffee: %+v", c)
		}
		if trends.TrendScore(2, 0) != 0 || trends.TrendScore(3, 0) != 4 {
			t.Fatal("the minimum-uses floor")
		}
	})
}

func TestOnlyOperatorsPinAndHide(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		f := &fixture{t: t, e: e, ctx: context.Background(), now: time.Now()}
		u := f.user("author")
		top := f.note(u, "top", time.Hour, 50, 0, 0, 0)
		second := f.note(u, "second", time.Hour, 20, 0, 0, 0)
		calm := f.note(u, "calm", 5*24*time.Hour, 1, 0, 0, 0)
		topic := f.topic("露营")
		for i := range 4 {
			f.note(f.user(fmt.Sprintf("camper%d", i)), "tent", time.Hour, 0, 0, 0, 0, topic)
		}
		if err := e.App.Trends.Refresh(f.ctx, f.now); err != nil {
			t.Fatal(err)
		}
		op, bob := e.SignUp("opal"), e.SignUp("bob")
		uid, _ := id.Parse(op.ID)
		if err := e.App.Accounts.SetRole(f.ctx, uid, accounts.RoleOperator); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/api/v1/hot/" + calm.String() + "/pin", "/api/v1/hot/" + top.String() + "/hide",
			"/api/v1/topics/露营/pin", "/api/v1/topics/露营/hide"} {
			for _, m := range []string{"PUT", "DELETE"} {
				bob.Do(m, p, nil).WantError(403, "forbidden")
				e.Anon().Do(m, p, nil).WantError(401, "unauthorized")
			}
		}
		ids := func() []string {
			var out struct {
				Items []struct {
					Pinned bool
					Note   struct{ ID string }
				}
			}
			e.Anon().Do("GET", "/api/v1/hot", nil).Want(200).Decode(&out)
			var s []string
			for _, it := range out.Items {
				mark := ""
				if it.Pinned {
					mark = "📌"
				}
				s = append(s, mark+it.Note.ID)
			}
			return s
		}
		if got := fmt.Sprint(ids()); got != fmt.Sprint([]string{top.String(), second.String(), calm.String()}) {
			t.Fatalf("before: %s", got)
		}
		op.Do("PUT", "/api/v1/hot/"+calm.String()+"/pin", nil).Want(204)
		op.Do("PUT", "/api/v1/hot/"+top.String()+"/hide", nil).Want(204)
		if got := fmt.Sprint(ids()); got != fmt.Sprint([]string{"📌" + calm.String(), second.String()}) {
			t.Fatalf("after pin and hide: %s", got)
		}
		op.Do("DELETE", "/api/v1/hot/"+top.String()+"/hide", nil).Want(204)
		op.Do("DELETE", "/api/v1/hot/"+calm.String()+"/pin", nil).Want(204)
		if got := fmt.Sprint(ids()); got != fmt.Sprint([]string{top.String(), second.String(), calm.String()}) {
			t.Fatalf("after undo: %s", got)
		}
		op.Do("PUT", "/api/v1/hot/999999/pin", nil).WantError(404, "not_found")
		op.Do("PUT", "/api/v1/topics/nosuchtopic/pin", nil).WantError(404, "not_found")

		trending := func() string {
			r := e.Anon().Do("GET", "/api/v1/topics/trending", nil).Want(200)
			return fmt.Sprint(r.Get("items"))
		}
		if got := trending(); got == "[]" {
			t.Fatal("露营 should trend")
		}
		op.Do("PUT", "/api/v1/topics/露营/hide", nil).Want(204)
		if got := trending(); got != "[]" {
			t.Fatalf("hidden topic still trends: %s", got)
		}
		op.Do("PUT", "/api/v1/topics/露营/pin", nil).Want(204) // a pin replaces the hide
		r := e.Anon().Do("GET", "/api/v1/topics/trending", nil).Want(200)
		if r.Str("items.0.name") != "露营" || r.Get("items.0.pinned") != true {
			t.Fatalf("pinned topic: %s", r.Body)
		}
	})
}
