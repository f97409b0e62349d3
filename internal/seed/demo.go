package seed

import (
	"context"
	"log/slog"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/moderation"
)

// DemoOptions sizes the demo community.
type DemoOptions struct {
	Users, Notes int
	// Covers and Avatars are how many distinct pictures are drawn.
	Covers, Avatars int
	Seed            uint64
	// Shop adds the demo shop (shopdemo.go): stores, products, offers,
	// linked notes, orders and reviews.
	Shop bool
}

// DefaultDemo is what `redmark serve --demo` loads: a few hundred people and
// a few thousand notes, in well under a minute.
var DefaultDemo = DemoOptions{Users: 300, Notes: 3000, Covers: 150, Avatars: 40, Seed: 1, Shop: true}

// Demo loads DefaultDemo into an empty database; see DemoWith.
func Demo(ctx context.Context, a *app.App) error { return DemoWith(ctx, a, DefaultDemo) }

// DemoWith loads a demo community when the database has no users (and does
// nothing otherwise, so restarting with --demo keeps the data). The rows
// are written in one transaction, so a failed load leaves no half community
// behind; the following feeds are then materialised.
//
// Logins: DemoUsername/DemoPassword (an active member with notes, follows
// and boards) and AdminUsername/AdminPassword (an operator). Every other
// demo account also has DemoPassword.
func DemoWith(ctx context.Context, a *app.App, o DemoOptions) error {
	ctx = moderation.Trusted(ctx) // generated content is not screened
	n, err := userCount(ctx, a.DB)
	if err != nil {
		return err
	}
	if n > 0 {
		slog.Info("database has users: demo community not loaded", "users", n)
		return nil
	}
	slog.Info("loading the demo community", "users", o.Users, "notes", o.Notes)
	p := plan{
		users: o.Users, notes: o.Notes,
		follows:  min(o.Users*20, o.Users*(o.Users-1)/4),
		likes:    o.Notes * 8,
		collects: o.Notes * 2,
		comments: o.Notes * 3,
		covers:   o.Covers, avatars: o.Avatars,
		mediaPerNote: true, events: true,
		known: []KnownUser{
			{Username: DemoUsername, Password: DemoPassword, DisplayName: "Redmark 体验官", Role: accounts.RoleUser,
				Active: true, Notes: min(12, o.Notes), Boards: []string{"想去的地方", "Skincare routine", "穿搭灵感"}},
			{Username: AdminUsername, Password: AdminPassword, DisplayName: "Redmark 运营", Role: accounts.RoleOperator},
		},
		password: DemoPassword, seed: o.Seed, span: history,
	}
	e := newEngine(a, p)
	if err := e.images(ctx); err != nil {
		return err
	}
	if err := a.DB.InTx(ctx, e.load); err != nil {
		return err
	}
	if err := e.rebuildTimelines(ctx); err != nil {
		return err
	}
	if err := demoConversations(ctx, a); err != nil {
		return err
	}
	if err := demoGrowth(ctx, a, o.Seed); err != nil {
		return err
	}
	if o.Shop {
		if err := demoShop(ctx, a, o.Seed); err != nil {
			return err
		}
		if err := demoFlashSales(ctx, a); err != nil {
			return err
		}
	}
	// After the shop: the Tokyo guide lists products.
	if err := demoDestinations(ctx, a); err != nil {
		return err
	}
	if err := demoCampaigns(ctx, a, o.Seed); err != nil {
		return err
	}
	// After the campaigns: the finished one is the history's campaign.
	t0 := time.Now()
	nev, err := demoAnalytics(ctx, a, o.Seed, o.Users)
	if err != nil {
		return err
	}
	slog.Info("demo analytics history", "events", nev, "days", AnalyticsDays, "elapsed", time.Since(t0).Round(time.Millisecond).String())
	if err := demoFestival(ctx, a); err != nil {
		return err
	}
	// After the analytics history, which the creator centre counts.
	if err := demoCreatorDays(ctx, a); err != nil {
		return err
	}
	if err := demoSupport(ctx, a); err != nil {
		return err
	}
	if err := demoLives(ctx, a); err != nil {
		return err
	}
	for _, ph := range e.report.Phases {
		slog.Debug("demo seed phase", "phase", ph.Name, "rows", ph.Rows, "elapsed", ph.Elapsed.String())
	}
	slog.Info("demo community ready", "users", o.Users, "notes", o.Notes, "elapsed", e.report.Total.Round(1e6).String(),
		"login", DemoUsername+" / "+DemoPassword, "operator", AdminUsername+" / "+AdminPassword)
	return nil
}
