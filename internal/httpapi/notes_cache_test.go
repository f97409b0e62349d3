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
			var wg sync.WaitGroup
			stop := make(chan struct{})
			for range 4 { // readers keep filling the cache during the edit
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
							bob.Do("GET", "/api/v1/notes/"+id, nil)
						}
					}
				}()
			}
			topic := fmt.Sprintf("t%d", round)
			media := imgs[round%2 : round%2+1]
			alice.Do("PATCH", "/api/v1/notes/"+id, map[string]any{"body": "#" + topic + " no mention",
				"media_ids": media}).Want(200)
			r := bob.Do("GET", "/api/v1/notes/"+id, nil).Want(200)
			close(stop)
			wg.Wait()
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
