package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
)

// A note shows each topic once, as its author wrote it: the body's #tags
// are links in place, and only topics the body does not name follow it.
func TestNotePageShowsTopicsOnceAsWritten(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		c := e.SignUp("writer")
		img := c.Upload("/api/v1/media", "a.png", pngBytes(t, 8, 6)).Want(201).Str("id")
		nid := c.Do("POST", "/api/v1/notes", map[string]any{"title": "第七天", "body": "打卡 #早C晚A 和 #OOTD",
			"topics": []string{"护肤"}, "media_ids": []string{img}}).Want(201).Str("id")
		b := newBrowser(t, e)
		p := b.get("/n/" + nid).want(200)
		body := p.Body
		for tag, want := range map[string]int{">#早C晚A<": 1, ">#OOTD<": 1, ">#护肤<": 1, "#早c晚a": 0, ">#ootd<": 0} {
			if n := strings.Count(body, tag); n != want {
				t.Errorf("note page shows %q %d times, want %d", tag, n, want)
			}
		}
		p.has(`data-testid="note-topics"`)
		// The topic row holds only the explicit topic, after the body.
		row := body[strings.Index(body, `data-testid="note-topics"`):]
		row = row[:strings.Index(row, "</p>")]
		if strings.Contains(row, "OOTD") || !strings.Contains(row, "#护肤") {
			t.Errorf("topic row: %s", row)
		}
		// The topic page shows the spelling and is reached by any casing.
		b.get("/t/" + url.PathEscape("早c晚a")).want(200).has("早C晚A")
		// A note naming all its topics in the text has no row.
		nid2 := c.Do("POST", "/api/v1/notes", map[string]any{"title": "x", "body": "#早C晚A", "media_ids": []string{img}}).Want(201).Str("id")
		b.get("/n/" + nid2).want(200).lacks(`data-testid="note-topics"`)
	})
}
