package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/recommend"
)

// The discover feed on the explore page (D1): cards say why they are
// shown, signed-in readers can say "not interested", and new accounts
// pick interests at /onboarding.

func (w *Web) registerDiscover(mux *http.ServeMux) {
	mux.Handle("GET /onboarding", w.h(w.onboardingPage))
	mux.Handle("POST /onboarding", w.h(w.saveOnboarding))
	mux.Handle("POST /n/{id}/not-interested", w.h(w.notInterested))
}

// discoverCards is a page of the discover feed as cards, with the link to
// the next page of the same session.
func (q *req) discoverCards(cursor string) ([]card, string, error) {
	ctx := q.r.Context()
	ns, next, err := q.w.app.Discover(ctx, q.viewerID(), cursor, pageSize)
	if err != nil {
		return nil, "", err
	}
	var because []id.ID
	for _, n := range ns {
		if len(n.Reasons) > 0 && n.Reasons[0].BecauseNoteID != 0 {
			because = append(because, n.Reasons[0].BecauseNoteID)
		}
	}
	refs, err := q.noteRefs(because)
	if err != nil {
		return nil, "", err
	}
	csrf := q.csrf()
	out := make([]card, len(ns))
	for i, n := range ns {
		out[i] = card{NoteView: n.NoteView, Cover: coverOf(n.Note), HideCSRF: csrf}
		if len(n.Reasons) > 0 {
			out[i].Why = q.why(n.Reasons[0], n.Author.DisplayName, refs)
		}
	}
	more := ""
	if next != "" {
		more = "?cursor=" + url.QueryEscape(next)
	}
	return out, more, nil
}

// why is the card's "why am I seeing this" line.
func (q *req) why(r recommend.Reason, author string, refs map[id.ID]*noteRef) string {
	switch r.Source {
	case "similar":
		if ref := refs[r.BecauseNoteID]; ref != nil && ref.Title != "" {
			return q.t("discover.why.similar", ref.Title)
		}
		return q.t("discover.why.similar_any")
	case "topic":
		return q.t("discover.why.topic", r.Topic)
	case "author":
		return q.t("discover.why.author", author)
	}
	return q.t("discover.why." + r.Source)
}

// notInterested records a "not interested" for the note and goes back.
func (w *Web) notInterested(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	nid, err := id.Parse(q.r.PathValue("id"))
	if err != nil {
		return apperr.NotFound("note")
	}
	ev := []recommend.Event{{Type: "not_interested", NoteID: nid}}
	if err := w.app.Recs.Record(q.r.Context(), me.ID, ev); err != nil {
		return err
	}
	q.back("/")
	return nil
}

type onboardingData struct {
	Topics   []string
	Selected map[string]bool
	Next     string
	Error    string
	Max      int
}

func (w *Web) onboardingPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	mine, err := w.app.Recs.Interests(ctx, me.ID)
	if err != nil {
		return err
	}
	return q.renderOnboarding(http.StatusOK, mine, "")
}

func (q *req) renderOnboarding(status int, selected []string, msg string) error {
	sug, err := q.w.app.Recs.SuggestedTopics(q.r.Context(), 30)
	if err != nil {
		return err
	}
	d := onboardingData{Selected: map[string]bool{}, Next: nextPath(q.r), Error: msg, Max: recommend.MaxInterests}
	for _, t := range selected {
		d.Selected[t] = true
		if !slices.Contains(sug, t) {
			sug = append(sug, t)
		}
	}
	d.Topics = sug
	q.render(status, "onboarding", q.t("onboarding.title"), "home", d)
	return nil
}

func (w *Web) saveOnboarding(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := q.r.ParseForm(); err != nil {
		return apperr.Invalid("invalid form")
	}
	topics := q.r.PostForm["topic"]
	if _, err := w.app.Recs.SetInterests(q.r.Context(), me.ID, topics); err != nil {
		if ae, ok := err.(*apperr.Error); ok && ae.Status == http.StatusBadRequest {
			return q.renderOnboarding(http.StatusBadRequest, nil, q.t("onboarding.max", recommend.MaxInterests))
		}
		return err
	}
	q.redirect(nextPath(q.r))
	return nil
}
