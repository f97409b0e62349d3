package httpapi_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
)

// Media, topics and mentions are cached per note; an edit must show in
// every read that starts after it returns, even while other reads race it.
func TestNoteEditsVisibleThroughCache(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		e.SignUp("carol")
		imgs := notesUpload(t, alice, 2)
		id := alice.Do("POST", "/api/v1/notes", map[string]any{"title": "v0", "body": "#first hi @carol",
			"media_ids": imgs[:1]}).Want(201).Str("id")
		for round := 1; round <= 5; round++ {
			stop := keepReading(bob, "/api/v1/notes/"+id, 4) // readers keep filling the cache during the edit
			topic := fmt.Sprintf("t%d", round)
			media := imgs[round%2 : round%2+1]
			alice.Do("PATCH", "/api/v1/notes/"+id, map[string]any{"body": "#" + topic + " no mention",
				"media_ids": media}).Want(200)
			r := bob.Do("GET", "/api/v1/notes/"+id, nil).Want(200)
			stop()
			if r.Str("topics.0") != topic || r.Str("media.0.id") != media[0] || len(r.Get("mentions").([]any)) != 0 {
				t.Fatalf("round %d: read after the edit shows %s", round, r.Body)
			}
			if r := bob.Do("GET", "/api/v1/notes/"+id, nil).Want(200); r.Str("topics.0") != topic {
				t.Fatalf("round %d: later read shows %s", round, r.Body)
			}
		}
		alice.Do("DELETE", "/api/v1/notes/"+id, nil).Want(204)
		bob.Do("GET", "/api/v1/notes/"+id, nil).WantError(404, "not_found")
	})
}

// Notes are cached with their counters: likes, collects, comments, shares
// and unlikes racing with reads must leave every read after the writes
// returned showing the exact count, for each kind of write on its own.
func TestCountersExactThroughCache(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := e.SignUp("alice")
		id := alice.Do("POST", "/api/v1/notes", map[string]any{"title": "count me", "body": "hi",
			"media_ids": notesUpload(t, alice, 1)}).Want(201).Str("id")
		var users []*apitest.Client
		for i := range 10 {
			users = append(users, e.SignUp(fmt.Sprintf("user%d", i)))
		}
		phases := []struct {
			field, method, path string
			body                map[string]any
			status              int
			who                 []*apitest.Client
			want                float64
		}{
			{"like_count", "PUT", "/like", nil, 200, users, 10},
			{"collect_count", "PUT", "/collect", map[string]any{}, 200, users, 10},
			{"comment_count", "POST", "/comments", map[string]any{"body": "nice"}, 201, users, 10},
			{"share_count", "POST", "/share", map[string]any{}, 200, users, 10},
			{"like_count", "DELETE", "/like", nil, 200, users[:4], 6},
		}
		for _, ph := range phases {
			stop := keepReading(alice, "/api/v1/notes/"+id, 3) // readers keep refilling the cache
			var writers sync.WaitGroup
			for _, c := range ph.who {
				writers.Add(1)
				go func() {
					defer writers.Done()
					c.Do(ph.method, "/api/v1/notes/"+id+ph.path, ph.body).Want(ph.status)
				}()
			}
			writers.Wait()
			r := alice.Do("GET", "/api/v1/notes/"+id, nil).Want(200)
			stop()
			if got := r.Num(ph.field); got != ph.want {
				t.Fatalf("after %s %s: %s = %v, want %v", ph.method, ph.path, ph.field, got, ph.want)
			}
		}
	})
}

// Authors are cached too: a profile edit, a new follower and a like (which
// moves the author's likes-and-collects count) show in the next note read.
func TestAuthorChangesVisibleThroughCache(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		id := alice.Do("POST", "/api/v1/notes", map[string]any{"title": "t", "body": "b",
			"media_ids": notesUpload(t, alice, 1)}).Want(201).Str("id")
		read := func() *apitest.Response { return bob.Do("GET", "/api/v1/notes/"+id, nil).Want(200) }
		read() // cached
		alice.Do("PATCH", "/api/v1/me", map[string]any{"display_name": "Alice Two"}).Want(200)
		if r := read(); r.Str("author.display_name") != "Alice Two" {
			t.Fatalf("profile edit not visible: %s", r.Body)
		}
		bob.Do("PUT", "/api/v1/users/alice/follow", nil).Want(200)
		if r := read(); r.Num("author.follower_count") != 1 {
			t.Fatalf("new follower not visible: %s", r.Body)
		}
		bob.Do("PUT", "/api/v1/notes/"+id+"/like", nil).Want(200)
		if r := read(); r.Num("author.liked_collected_count") != 1 || r.Num("like_count") != 1 {
			t.Fatalf("like not visible on the author: %s", r.Body)
		}
	})
}

// keepReading has n goroutines GET path as c until the returned stop is
// called (stop waits for them).
func keepReading(c *apitest.Client, path string, n int) (stop func()) {
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
					c.Do("GET", path, nil)
				}
			}
		}()
	}
	return func() { close(done); wg.Wait() }
}
