package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/jobs"
	"github.com/redmark/redmark/internal/orders"
	"github.com/redmark/redmark/internal/payments"
	"github.com/redmark/redmark/internal/points"
	"github.com/redmark/redmark/internal/productnotes"
	"github.com/redmark/redmark/internal/promotions"
	"github.com/redmark/redmark/internal/shop"
)

// CommerceConfig holds the shop's rules; zero values take the defaults
// (payment window 30 min, 100 points per yuan, points pay at most 50%, …).
type CommerceConfig struct {
	Orders orders.Config
	Points points.Rules
	// SandboxDelay is how long after confirmation the sandbox provider
	// sends its webhook (default 1s); SandboxAutoConfirm makes every
	// sandbox intent confirm itself (demo and benchmarks).
	SandboxDelay       time.Duration
	SandboxAutoConfirm bool
	// JobInterval is how often unpaid orders expire, delivered orders
	// auto-complete and failed refunds are retried (default 15s).
	JobInterval time.Duration
	// Flash holds the flash-sale rules (payment window 5 min, jobs every 1s).
	Flash flashsale.Config
}

// initCommerce builds the shop services (E1–E7) over the app's database.
func (a *App) initCommerce() {
	cc := a.Config.Commerce
	// The sandbox signs webhooks with a key derived from the server secret,
	// so the secret itself never leaves the process.
	m := hmac.New(sha256.New, a.Secret)
	m.Write([]byte("payments:sandbox-webhook"))
	a.Sandbox = payments.NewSandbox(m.Sum(nil))
	delay := cc.SandboxDelay
	if delay <= 0 {
		delay = time.Second
	}
	a.Sandbox.Configure(sandboxWebhookURL(a.Config), delay, cc.SandboxAutoConfirm)
	a.Shop = shop.New(a.DB, a.Media)
	a.Points = points.New(a.DB, cc.Points)
	a.Promotions = promotions.New(a.DB, a.Shop)
	a.Payments = payments.New(a.DB, a.Sandbox)
	a.Orders = orders.New(a.DB, a.Shop, a.Promotions, a.Points, a.Payments, cc.Orders)
	a.ProductNotes = productnotes.New(a.DB, a.Notes, a.Shop, a.Media, a.Accounts)
}

// sandboxWebhookURL is where the sandbox posts its webhooks: the public
// base URL, or the listen address; tests set it with Sandbox.Configure.
func sandboxWebhookURL(cfg Config) string {
	const path = "/api/v1/payments/sandbox/webhook"
	switch {
	case cfg.BaseURL != "":
		return strings.TrimSuffix(cfg.BaseURL, "/") + path
	case cfg.Addr != "":
		return "http://" + cfg.Addr + path
	}
	return ""
}

// StartCommerce starts the shop's background jobs on the app's job runner:
// unpaid-order expiry, auto-completion and refund retries, and the flash
// sales' settlement, once across servers; the flash sales' sold-out
// refresh on every server. Shutdown stops them. Tests drive the jobs
// directly instead.
func (a *App) StartCommerce() {
	every := a.Config.Commerce.JobInterval
	if every <= 0 {
		every = 15 * time.Second
	}
	a.Jobs.Every("orders", every, jobs.Cluster, a.Orders.RunJobs)
	a.Jobs.Every("flash-sales", a.Flash.JobInterval(), jobs.Cluster, a.Flash.RunShared)
	a.Jobs.Every("flash-sales-refresh", a.Flash.JobInterval(), jobs.Local, a.Flash.Refresh)
}

// stopCommerce stops pending sandbox webhooks (the jobs stop with a.Jobs).
func (a *App) stopCommerce() {
	a.Sandbox.Close()
}
