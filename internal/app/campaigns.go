package app

import (
	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/campaigns"
)

// initCampaigns builds voting campaigns (G4). Publishing and sharing (the
// notes service's acts) earn bonus votes, in the act's transaction after
// growth has counted it; allowances roll over at the user's local midnight
// as check-ins do.
func (a *App) initCampaigns() {
	a.Campaigns = campaigns.New(a.DB, a.Growth)
	a.Notes.Activity = activity.Chain(a.Growth.Record, a.Campaigns.Record)
}
