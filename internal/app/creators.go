package app

import (
	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/creators"
)

// initCreators builds the creator centre (G2): its daily counters move in
// the transactions of the acts they count, after the hooks already there.
func (a *App) initCreators() {
	a.Creators = creators.New(a.DB, a.Growth)
	rec := a.Creators.Record
	a.Notes.Activity = activity.Chain(a.Notes.Activity, rec)
	a.Social.Activity = activity.Chain(a.Social.Activity, rec)
	a.Orders.Activity = activity.Chain(a.Orders.Activity, rec)
	a.Growth.Tipped = rec
}
