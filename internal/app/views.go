package app

import (
	"context"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/creators"
	"github.com/redmark/redmark/internal/festivals"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/productnotes"
)

// NoteView is a note as clients see it: with its author's public profile
// and whether the viewer has liked or collected it.
type NoteView struct {
	notes.Note
	Author    accounts.User `json:"author"`
	Liked     bool          `json:"liked"`
	Collected bool          `json:"collected"`
	// Products are the listed products the note links (E4).
	Products []productnotes.Card `json:"products"`
	// CampaignMark is the running festival whose topic the note carries (G5).
	CampaignMark *festivals.Mark `json:"campaign_mark,omitempty"`
	// Disclosure is the brand collaboration the author declared (G2).
	Disclosure *creators.Disclosure `json:"disclosure,omitempty"`
}

// NoteViews decorates notes for viewer (0: signed out), keeping their
// order, with one query for all authors.
func (a *App) NoteViews(ctx context.Context, viewer id.ID, ns []notes.Note) ([]NoteView, error) {
	authorIDs := make([]id.ID, len(ns))
	for i, n := range ns {
		authorIDs[i] = n.AuthorID
	}
	authors, err := a.Accounts.GetMany(ctx, authorIDs)
	if err != nil {
		return nil, err
	}
	noteIDs := make([]id.ID, len(ns))
	for i, n := range ns {
		noteIDs[i] = n.ID
	}
	states, err := a.Social.States(ctx, viewer, noteIDs) // no query when signed out
	if err != nil {
		return nil, err
	}
	cards, err := a.ProductNotes.Cards(ctx, noteIDs)
	if err != nil {
		return nil, err
	}
	disclosed, err := a.Creators.Disclosures(ctx, noteIDs)
	if err != nil {
		return nil, err
	}
	out := make([]NoteView, len(ns))
	for i, n := range ns {
		st := states[n.ID]
		out[i] = NoteView{Note: n, Author: authors[n.AuthorID].Public(), Liked: st.Liked, Collected: st.Collected,
			Products: cards[n.ID], CampaignMark: a.Festivals.ForTopics(ctx, n.Topics)}
		if d, ok := disclosed[n.ID]; ok {
			out[i].Disclosure = &d
		}
		if out[i].Products == nil {
			out[i].Products = []productnotes.Card{}
		}
	}
	return out, nil
}

// NoteView decorates one note.
func (a *App) NoteView(ctx context.Context, viewer id.ID, n notes.Note) (NoteView, error) {
	vs, err := a.NoteViews(ctx, viewer, []notes.Note{n})
	if err != nil {
		return NoteView{}, err
	}
	return vs[0], nil
}
