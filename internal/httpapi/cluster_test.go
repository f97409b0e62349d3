package httpapi_test

import (
	"slices"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/redistest"
)

// Two servers on one database and one Redis: a write on A drops the cached
// copy on B, so B's next reads see it within a bound (reported) rather than
// after the cache TTL; a session revoked on A is refused on B.
func TestWritesOnOneServerSeenOnAnother(t *testing.T) {
	url, prefix := redistest.New(t)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		cfg := func() app.Config { return app.Config{DataDir: t.TempDir(), RedisURL: url, RedisPrefix: prefix} }
		a, b := apitest.NewWithConfig(t, d, cfg()), apitest.NewWithConfig(t, d, cfg())
		alice := a.SignUp("alice")
		onB := func(c *apitest.Client) *apitest.Client { return &apitest.Client{E: b, Token: c.Token, ID: c.ID} }
		note := notesPost(t, alice, "cluster", "hello")
		var delays []time.Duration
		for i := range 20 {
			fan := a.SignUp("fan" + string(rune('a'+i)))
			want := float64(i + 1)
			if got := onB(fan).Do("GET", "/api/v1/notes/"+note, nil).Want(200).Num("like_count"); got != want-1 {
				t.Fatalf("B before the like: %v likes, want %v", got, want-1) // B has it cached now
			}
			fan.Do("PUT", "/api/v1/notes/"+note+"/like", nil).Want(200)
			delays = append(delays, seenWithin(t, func() bool {
				return onB(fan).Do("GET", "/api/v1/notes/"+note, nil).Num("like_count") == want
			}))
		}
		slices.Sort(delays)
		t.Logf("like on A seen on B after p50 %v, max %v (20 writes)", delays[len(delays)/2], delays[len(delays)-1])

		onB(alice).Do("GET", "/api/v1/me", nil).Want(200) // B caches the session
		alice.Do("POST", "/api/v1/auth/logout", nil).Want(204)
		delay := seenWithin(t, func() bool { return onB(alice).Do("GET", "/api/v1/me", nil).Status == 401 })
		t.Logf("logout on A refused on B after %v", delay)
	})
}

// With Redis the sign-up budget of an address is one across servers.
func TestRateLimitSharedAcrossServers(t *testing.T) {
	url, prefix := redistest.New(t)
	d := dbtest.SQLite(t)
	cfg := func() app.Config {
		return app.Config{DataDir: t.TempDir(), RedisURL: url, RedisPrefix: prefix, Limits: app.LimitConfig{SignupPerMin: 1}}
	}
	servers := []*apitest.Env{apitest.NewWithConfig(t, d, cfg()), apitest.NewWithConfig(t, d, cfg())}
	signup := func(e *apitest.Env, name string) *apitest.Response {
		return e.Anon().Do("POST", "/api/v1/auth/signup", map[string]any{"username": name, "password": "password123", "display_name": name})
	}
	for i, name := range []string{"ann", "ben", "cat"} { // the burst: 3
		signup(servers[i%2], name).Want(201)
	}
	signup(servers[1], "dan").WantError(429, "rate_limited")
	signup(servers[0], "eve").WantError(429, "rate_limited")
}

// Without Redis the second server keeps its cached copy until the TTL: the
// test above would fail without the invalidation channel.
func TestWithoutPeersTheOtherServerIsStale(t *testing.T) {
	d := dbtest.SQLite(t)
	a, b := apitest.New(t, d), apitest.New(t, d)
	alice, bob := a.SignUp("alice"), a.SignUp("bob")
	note := notesPost(t, alice, "cluster", "hello")
	onB := &apitest.Client{E: b, Token: bob.Token}
	onB.Do("GET", "/api/v1/notes/"+note, nil).Want(200)
	bob.Do("PUT", "/api/v1/notes/"+note+"/like", nil).Want(200)
	time.Sleep(200 * time.Millisecond)
	if n := onB.Do("GET", "/api/v1/notes/"+note, nil).Num("like_count"); n != 0 {
		t.Fatalf("B saw the like without an invalidation channel (%v): this test cannot tell the channel works", n)
	}
}

// seenWithin polls cond for up to a second and returns how long it took.
func seenWithin(t *testing.T, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > time.Second {
			t.Fatal("not seen on the other server within 1 s")
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(start)
}
