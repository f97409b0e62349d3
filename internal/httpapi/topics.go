package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/httpx"
)

func (a *API) registerTopics(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/topics/{name}/notes", handler(a.topicNotes))
}

// topicNotes: GET /api/v1/topics/{name}/notes → {topic: {name, note_count},
// notes, next_cursor}; the name is case-insensitive, '#' optional.
func (a *API) topicNotes(w http.ResponseWriter, r *http.Request) error {
	before, limit, err := httpx.IDPage(r, 20, 50)
	if err != nil {
		return err
	}
	t, ns, err := a.app.Notes.ByTopic(r.Context(), r.PathValue("name"), before, limit)
	if err != nil {
		return err
	}
	return a.writeNotes(w, r, limit, ns, map[string]any{"topic": t})
}
