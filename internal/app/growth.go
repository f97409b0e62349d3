package app

import (
	"context"

	"github.com/redmark/redmark/internal/growth"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/notify"
)

// growthNotes is what tipping needs to decide who may tip which note.
type growthNotes struct{ a *App }

func (g growthNotes) Get(ctx context.Context, viewer, noteID id.ID) (notes.Note, error) {
	return g.a.Notes.Get(ctx, viewer, noteID)
}

func (g growthNotes) Blocked(ctx context.Context, x, y id.ID) (bool, error) {
	return g.a.Social.Blocked(ctx, x, y)
}

// initGrowth builds levels, rewards, tips and invites (G1, E7, G3, G6) and
// hooks them into the acts they count, inside those acts' transactions.
func (a *App) initGrowth() {
	a.Growth = growth.New(a.DB, a.Points, growthNotes{a}, a.Config.Growth)
	a.Growth.Notify = func(ctx context.Context, uid id.ID, level int) error {
		return a.Notify.AddSystem(ctx, uid, notify.LevelUp, int64(level))
	}
	a.Notes.Activity = a.Growth.Record
	a.Social.Activity = a.Growth.Record
	a.Orders.Activity = a.Growth.Record
}
