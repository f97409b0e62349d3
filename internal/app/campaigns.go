package app

import (
	"time"

	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/jobs"
)

// initCampaigns builds voting campaigns (G4). Publishing and sharing (the
// notes service's acts) earn bonus votes, in the act's transaction after
// growth has counted it; allowances roll over at the user's local midnight
// as check-ins do.
func (a *App) initCampaigns() {
	a.Campaigns = campaigns.New(a.DB, a.Growth)
	a.Notes.Activity = activity.Chain(a.Growth.Record, a.Campaigns.Record)
}

// StartCampaigns starts the Redis mode's reconciliation (once across
// servers, every second and at start: votes left in the log by a server
// that died land, Redis tallies are re-established). Nothing to run in
// embedded mode. Tests drive RunRedis directly instead.
func (a *App) StartCampaigns() {
	if a.Campaigns.Redis() {
		a.Jobs.Every("campaign-votes", time.Second, jobs.Cluster, a.Campaigns.RunRedis)
	}
}
