package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
)

// discoverTopics are the topics of the test community; skincare notes are
// published first, so a cold start (which favours the newest) does not
// already lead with them.
var discoverTopics = []string{"护肤", "穿搭", "美食", "旅行"}

type community struct {
	authors []*apitest.Client
	notes   map[string][]string // topic → note ids
	author  map[string]string   // note id → author id
	topic   map[string]string   // note id → topic
}

// discoverCommunity makes 12 authors with one note per topic each (48
// notes): enough that the diversity caps can always be met.
func discoverCommunity(t *testing.T, e *apitest.Env) *community {
	t.Helper()
	c := &community{notes: map[string][]string{}, author: map[string]string{}, topic: map[string]string{}}
	imgs := map[*apitest.Client]string{}
	for i := 0; i < 12; i++ {
		a := e.SignUp(fmt.Sprintf("author%02d", i))
		c.authors = append(c.authors, a)
		imgs[a] = notesUpload(t, a, 1)[0]
	}
	for _, topic := range discoverTopics {
		for i, a := range c.authors {
			n := a.Do("POST", "/api/v1/notes", map[string]any{
				"title": fmt.Sprintf("%s %d", topic, i), "body": "…", "media_ids": []string{imgs[a]}, "topics": []string{topic},
			}).Want(201).Str("id")
			c.notes[topic] = append(c.notes[topic], n)
			c.author[n], c.topic[n] = a.ID, topic
		}
	}
	return c
}

type discoverNote struct {
	ID      string `json:"id"`
	Topics  []string
	Author  struct{ ID string } `json:"author"`
	Reasons []struct {
		Source        string `json:"source"`
		Topic         string `json:"topic"`
		BecauseNoteID string `json:"because_note_id"`
		AuthorID      string `json:"author_id"`
	} `json:"reasons"`
}

type discoverPage struct {
	Notes      []discoverNote `json:"notes"`
	NextCursor *string        `json:"next_cursor"`
}

func discover(t *testing.T, c *apitest.Client, cursor string, limit int) discoverPage {
	t.Helper()
	path := fmt.Sprintf("/api/v1/feed/discover?limit=%d", limit)
	if cursor != "" {
		path += "&cursor=" + cursor
	}
	var p discoverPage
	c.Do("GET", path, nil).Want(200).Decode(&p)
	return p
}

func countTopic(ns []discoverNote, topic string) int {
	n := 0
	for _, x := range ns {
		for _, t := range x.Topics {
			if t == topic {
				n++
			}
		}
	}
	return n
}

func TestDiscoverLearnsFromLikesAtOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		c := discoverCommunity(t, e)
		reader := e.SignUp("reader")
		before := discover(t, reader, "", 20)
		if len(before.Notes) != 20 {
			t.Fatalf("cold start page has %d notes", len(before.Notes))
		}
		for _, n := range c.notes["护肤"][:3] {
			reader.Do("PUT", "/api/v1/notes/"+n+"/like", nil).Want(200)
		}
		// The next call, with no retraining in between, leads with skincare.
		after := discover(t, reader, "", 20)
		top := after.Notes[:5]
		if got, was := countTopic(top, "护肤"), countTopic(before.Notes[:5], "护肤"); got < 4 || got <= was {
			t.Fatalf("skincare in the top 5: %d after liking skincare, %d before", got, was)
		}
		found := false
		for _, r := range top[0].Reasons {
			found = found || (r.Source == "topic" && r.Topic == "护肤")
		}
		if !found {
			t.Fatalf("first note's reasons %+v do not name the topic", top[0].Reasons)
		}
		for _, n := range after.Notes {
			for _, liked := range c.notes["护肤"][:3] {
				if n.ID == liked {
					t.Fatalf("a liked note is shown again")
				}
			}
		}
	})
}

func TestDiscoverHideRemovesNoteAndDemotesAuthor(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		c := discoverCommunity(t, e)
		reader := e.SignUp("reader")
		first := discover(t, reader, "", 20)
		hidden := first.Notes[0]
		reader.Do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{
			{"type": "not_interested", "note_id": hidden.ID}}}).Want(204)
		for range 3 { // new sessions: nothing of that author comes back on the first page
			p := discover(t, reader, "", 20)
			for _, n := range p.Notes {
				if n.ID == hidden.ID {
					t.Fatalf("hidden note shown again")
				}
				if n.Author.ID == hidden.Author.ID {
					t.Fatalf("the hidden note's author is not demoted: %s shown", c.topic[n.ID])
				}
			}
		}
	})
}

func TestDiscoverSessionsNeverRepeatAndDiversify(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		c := discoverCommunity(t, e)
		reader := e.SignUp("reader")
		// Some behaviour, so the page is personalised, not only cold start.
		reader.Do("PUT", "/api/v1/notes/"+c.notes["美食"][0]+"/like", nil).Want(200)
		seen := map[string]bool{}
		cursor, pages := "", 0
		for {
			p := discover(t, reader, cursor, 12)
			if pages == 0 {
				perAuthor, perTopic := map[string]int{}, map[string]int{}
				for _, n := range p.Notes {
					perAuthor[n.Author.ID]++
					for _, tp := range n.Topics {
						perTopic[tp]++
					}
					if len(n.Reasons) == 0 {
						t.Fatalf("note without reasons")
					}
				}
				for a, k := range perAuthor {
					if k > 2 {
						t.Fatalf("author %s has %d notes on the first page", a, k)
					}
				}
				for tp, k := range perTopic {
					if k > 4 {
						t.Fatalf("topic %s fills %d of 12 on the first page", tp, k)
					}
				}
			}
			for _, n := range p.Notes {
				if seen[n.ID] {
					t.Fatalf("note repeated on page %d", pages+1)
				}
				seen[n.ID] = true
			}
			pages++
			if p.NextCursor == nil || pages > 10 {
				break
			}
			cursor = *p.NextCursor
		}
		if len(seen) < 40 {
			t.Fatalf("the session showed only %d of 47 notes", len(seen))
		}
		// A cursor that is not ours is refused; an unknown one starts over.
		reader.Do("GET", "/api/v1/feed/discover?cursor=%3Cscript%3E", nil).WantError(400, "invalid_input")
		reader.Do("GET", "/api/v1/feed/discover?cursor=AAAAAAAAAAAAAAAAAAAAAA", nil).Want(200)
	})
}

func TestDiscoverAnonymousAndInterests(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		discoverCommunity(t, e)
		anon := discover(t, e.Anon(), "", 10)
		if len(anon.Notes) != 10 || anon.NextCursor == nil || len(anon.Notes[0].Reasons) == 0 {
			t.Fatalf("anonymous feed: %+v", anon)
		}
		e.Anon().Do("GET", "/api/v1/me/interests", nil).WantError(401, "unauthorized")
		e.Anon().Do("PUT", "/api/v1/me/interests", map[string]any{"topics": []string{"x"}}).WantError(401, "unauthorized")

		u := e.SignUp("newbie")
		r := u.Do("GET", "/api/v1/me/interests", nil).Want(200)
		if len(r.Get("topics").([]any)) != 0 || len(r.Get("suggested").([]any)) != 4 {
			t.Fatalf("interests: %s", r.Body)
		}
		many := make([]string, 21)
		for i := range many {
			many[i] = fmt.Sprintf("t%d", i)
		}
		u.Do("PUT", "/api/v1/me/interests", map[string]any{"topics": many}).WantError(400, "invalid_input")
		u.Do("PUT", "/api/v1/me/interests", map[string]any{"topics": []string{"no spaces"}}).WantError(400, "invalid_input")
		u.Do("PUT", "/api/v1/me/interests", map[string]any{"topics": []string{strings.Repeat("长", 40)}}).WantError(400, "invalid_input")
		u.Do("PUT", "/api/v1/me/interests", `{"topics": "美食"}`).WantError(400, "invalid_input")
		r = u.Do("PUT", "/api/v1/me/interests", map[string]any{"topics": []string{"#美食", "美食", "Baking"}}).Want(200)
		if fmt.Sprint(r.Get("topics")) != "[baking 美食]" {
			t.Fatalf("normalised interests: %s", r.Body)
		}
		if fmt.Sprint(u.Do("GET", "/api/v1/me/interests", nil).Want(200).Get("topics")) != "[baking 美食]" {
			t.Fatal("interests not stored")
		}
		// A brand-new user's first page follows the interests picked.
		p := discover(t, u, "", 20)
		if countTopic(p.Notes[:3], "美食") < 3 {
			t.Fatalf("new user with interest 美食: first notes %+v", p.Notes[:3])
		}
	})
}

func TestEventsValidation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		c := discoverCommunity(t, e)
		reader := e.SignUp("reader")
		n := c.notes["旅行"][0]
		ev := func(fields map[string]any) map[string]any {
			return map[string]any{"events": []map[string]any{fields}}
		}
		tooMany := make([]map[string]any, 101)
		for i := range tooMany {
			tooMany[i] = map[string]any{"type": "impression", "note_id": n}
		}
		bad := []struct {
			name string
			body any
		}{
			{"invalid json", `{"events": [`},
			{"unknown field", `{"events": [], "user_id": "1"}`},
			{"empty batch", map[string]any{"events": []any{}}},
			{"bad type", ev(map[string]any{"type": "purchase", "note_id": n})},
			{"too many", map[string]any{"events": tooMany}},
			{"no note", ev(map[string]any{"type": "open"})},
			{"unknown note", ev(map[string]any{"type": "open", "note_id": "123456789"})},
			{"note id not a string", `{"events": [{"type": "open", "note_id": {}}]}`},
			{"future", ev(map[string]any{"type": "open", "note_id": n, "at": time.Now().Add(time.Hour)})},
			{"too old", ev(map[string]any{"type": "open", "note_id": n, "at": time.Now().Add(-48 * time.Hour)})},
			{"dwell without ms", ev(map[string]any{"type": "dwell", "note_id": n})},
			{"dwell negative", ev(map[string]any{"type": "dwell", "note_id": n, "dwell_ms": -1})},
			{"dwell too long", ev(map[string]any{"type": "dwell", "note_id": n, "dwell_ms": 7 * 3600 * 1000})},
			{"ms on a like", ev(map[string]any{"type": "like", "note_id": n, "dwell_ms": 10})},
		}
		for _, b := range bad {
			if r := reader.Do("POST", "/api/v1/events", b.body); r.Status != 400 {
				t.Errorf("%s: status %d %s", b.name, r.Status, r.Body)
			}
		}
		if got := notesCount(t, e, "SELECT COUNT(*) FROM rec_events"); got != 0 {
			t.Fatalf("refused batches stored %d events", got)
		}
		reader.Do("POST", "/api/v1/events", map[string]any{"events": []map[string]any{
			{"type": "impression", "note_id": n}, {"type": "open", "note_id": n},
			{"type": "dwell", "note_id": n, "dwell_ms": 42_000, "at": time.Now().Add(-time.Minute)},
		}}).Want(204)
		e.Anon().Do("POST", "/api/v1/events", ev(map[string]any{"type": "impression", "note_id": n})).Want(204)
		if got := notesCount(t, e, "SELECT COUNT(*) FROM rec_events WHERE note_id = ?", n); got != 4 {
			t.Fatalf("stored %d events, want 4", got)
		}
		if got := notesCount(t, e, "SELECT COUNT(*) FROM rec_events WHERE user_id = ?", reader.ID); got != 3 {
			t.Fatalf("reader's events: %d", got)
		}
	})
}

func TestEventsRateLimited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := apitest.NewWithConfig(t, d, app.Config{DataDir: t.TempDir(), Limits: app.LimitConfig{WritePerMin: 6}})
		a := e.SignUp("writer")
		n := notesPost(t, a, "hello", "body")
		ev := map[string]any{"events": []map[string]any{{"type": "impression", "note_id": n}}}
		r := e.SignUp("reader")
		for range 3 { // the burst
			r.Do("POST", "/api/v1/events", ev).Want(204)
		}
		r.Do("POST", "/api/v1/events", ev).WantError(429, "rate_limited")
		// Per user: someone else is not affected.
		e.SignUp("other").Do("POST", "/api/v1/events", ev).Want(204)
	})
}
