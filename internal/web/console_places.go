package web

import (
	"net/http"
	"strings"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/places"
)

// The operators' destination tools under /console/places: merge duplicate
// places and compose guides.

func (w *Web) registerConsolePlaces(mux *http.ServeMux) {
	mux.Handle("GET /console/places", w.h(w.consolePlaces))
	mux.Handle("POST /console/places/merge", w.h(w.consoleMerge))
	mux.Handle("POST /console/places/guides", w.h(w.consoleSaveGuide))
	mux.Handle("POST /console/places/guides/{id}/publish", w.h(w.consolePublishGuide))
}

type consolePlacesData struct {
	Places []places.Place
	Guides []places.GuideSummary
}

func (w *Web) consolePlaces(q *req) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	ps, err := w.app.Places.All(q.r.Context())
	if err != nil {
		return err
	}
	gs, err := w.app.Places.Guides(q.r.Context(), 0, true)
	if err != nil {
		return err
	}
	return q.renderConsole(http.StatusOK, "places", "", consolePlacesData{Places: ps, Guides: gs})
}

func formID(q *req, name string) (id.ID, error) {
	v, err := id.Parse(q.r.PostFormValue(name))
	if err != nil {
		return 0, apperr.Invalid("%s: bad id", name)
	}
	return v, nil
}

func (w *Web) consoleMerge(q *req) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	keep, err := formID(q, "keep")
	if err != nil {
		return err
	}
	dup, err := formID(q, "dup")
	if err != nil {
		return err
	}
	if err := w.app.Places.Merge(q.r.Context(), keep, dup); err != nil {
		return err
	}
	q.redirect("/console/places")
	return nil
}

// parseSections reads the guide editor's text: "## title" starts a
// section, a note or product link (…/n/123, …/p/456) adds an item, any
// other line is the section's text.
func parseSections(text string) []places.Section {
	var out []places.Section
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "## "):
			out = append(out, places.Section{Title: strings.TrimSpace(line[3:])})
		case line == "" || len(out) == 0:
		default:
			sec := &out[len(out)-1]
			if m := refRE.FindStringSubmatch(line); m != nil && strings.HasSuffix(line, m[0]) {
				if kind, ref, err := parseRef("", "", line); err == nil {
					sec.Items = append(sec.Items, places.GuideItem{Kind: kind, RefID: ref})
					continue
				}
			}
			sec.Body = strings.TrimSpace(sec.Body + "\n" + line)
		}
	}
	return out
}

func (w *Web) consoleSaveGuide(q *req) error {
	me, err := q.requireOperator()
	if err != nil {
		return err
	}
	place, err := formID(q, "place")
	if err != nil {
		return err
	}
	var gid id.ID
	if v := q.r.PostFormValue("guide"); v != "" {
		if gid, err = id.Parse(v); err != nil {
			return apperr.Invalid("guide: bad id")
		}
	}
	_, err = w.app.Places.SaveGuide(q.r.Context(), me.ID, gid, places.GuideInput{PlaceID: place,
		Title: q.r.PostFormValue("title"), Intro: q.r.PostFormValue("intro"), Sections: parseSections(q.r.PostFormValue("sections"))})
	if err != nil {
		return err
	}
	q.redirect("/console/places")
	return nil
}

func (w *Web) consolePublishGuide(q *req) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	gid, err := id.Parse(q.r.PathValue("id"))
	if err != nil {
		return apperr.NotFound("guide")
	}
	if err := w.app.Places.SetPublished(q.r.Context(), gid, q.r.PostFormValue("on") == "1"); err != nil {
		return err
	}
	q.redirect("/console/places")
	return nil
}
