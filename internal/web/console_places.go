package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/places"
)

// The operators' destination tools under /console/places: create and edit
// places, merge duplicates, compose and edit guides.

func (w *Web) registerConsolePlaces(mux *http.ServeMux) {
	mux.Handle("GET /console/places", w.h(w.consolePlaces))
	mux.Handle("POST /console/places/merge", w.h(w.consoleMerge))
	mux.Handle("POST /console/places/new", w.h(w.consoleSavePlace))
	mux.Handle("POST /console/places/{id}", w.h(w.consoleSavePlace))
	mux.Handle("POST /console/places/guides", w.h(w.consoleSaveGuide))
	mux.Handle("POST /console/places/guides/{id}/publish", w.h(w.consolePublishGuide))
}

type consolePlacesData struct {
	Places []places.Place
	Guides []places.GuideSummary
	Place  *places.Place // being edited (?place=ID)
	Guide  *places.Guide // being edited (?guide=ID)
	Text   string        // the edited guide's sections as editor text
	Kinds  []string
}

func (w *Web) consolePlaces(q *req) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	ctx := q.r.Context()
	ps, err := w.app.Places.All(ctx)
	if err != nil {
		return err
	}
	gs, err := w.app.Places.Guides(ctx, 0, true)
	if err != nil {
		return err
	}
	d := consolePlacesData{Places: ps, Guides: gs, Kinds: []string{places.Country, places.City, places.Area}}
	if v := q.r.URL.Query().Get("place"); v != "" {
		pid, err := id.Parse(v)
		if err != nil {
			return apperr.NotFound("place")
		}
		p, err := w.app.Places.Get(ctx, pid)
		if err != nil {
			return err
		}
		d.Place = &p
	}
	if v := q.r.URL.Query().Get("guide"); v != "" {
		gid, err := id.Parse(v)
		if err != nil {
			return apperr.NotFound("guide")
		}
		g, err := w.app.Places.Guide(ctx, gid, true)
		if err != nil {
			return err
		}
		d.Guide, d.Text = &g, sectionsText(g.Sections)
	}
	return q.renderConsole(http.StatusOK, "places", "", d)
}

// consoleSavePlace creates a place (POST /console/places/new) or edits one
// (POST /console/places/{id}: names, aliases, coordinates, parent).
func (w *Web) consoleSavePlace(q *req) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	f := q.r.PostFormValue
	in := places.Input{Kind: f("kind"), Slug: strings.TrimSpace(f("slug")), NameZh: f("name_zh"), NameEn: f("name_en"),
		Aliases: strings.Split(f("aliases"), "\n")}
	if v := f("parent"); v != "" {
		var err error
		if in.ParentID, err = id.Parse(v); err != nil {
			return apperr.Invalid("parent: bad id")
		}
	}
	for _, c := range []struct {
		name string
		to   *float64
	}{{"lat", &in.Lat}, {"lng", &in.Lng}} {
		if v := strings.TrimSpace(f(c.name)); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return apperr.Invalid("%s must be a number", c.name)
			}
			*c.to = x
		}
	}
	ctx := q.r.Context()
	var p places.Place
	var err error
	if v := q.r.PathValue("id"); v != "" {
		pid, perr := id.Parse(v)
		if perr != nil {
			return apperr.NotFound("place")
		}
		p, err = w.app.Places.Update(ctx, pid, in)
	} else {
		p, err = w.app.Places.Create(ctx, in)
	}
	if err != nil {
		return err
	}
	q.redirect("/console/places?place=" + p.ID.String())
	return nil
}

// sectionsText writes sections back as the editor's text (parseSections
// reads it), so a saved guide can be edited and its items reordered.
func sectionsText(secs []places.Section) string {
	var b strings.Builder
	for _, s := range secs {
		b.WriteString("## " + s.Title + "\n")
		if s.Body != "" {
			b.WriteString(s.Body + "\n")
		}
		for _, it := range s.Items {
			b.WriteString(map[string]string{places.ItemNote: "/n/", places.ItemProduct: "/p/"}[it.Kind] + it.RefID.String() + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
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
	gid, err = w.app.Places.SaveGuide(q.r.Context(), me.ID, gid, places.GuideInput{PlaceID: place,
		Title: q.r.PostFormValue("title"), Intro: q.r.PostFormValue("intro"), Sections: parseSections(q.r.PostFormValue("sections"))})
	if err != nil {
		return err
	}
	q.redirect("/console/places?guide=" + gid.String())
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
