// Package app wires the domain services together over one database. It is
// the processing layer the HTTP API, the web pages and the CLI share.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/changefeed"
	"github.com/redmark/redmark/internal/creators"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/feed"
	"github.com/redmark/redmark/internal/festivals"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/growth"
	"github.com/redmark/redmark/internal/jobs"
	"github.com/redmark/redmark/internal/live"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/messages"
	"github.com/redmark/redmark/internal/moderation"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/notify"
	"github.com/redmark/redmark/internal/orders"
	"github.com/redmark/redmark/internal/payments"
	"github.com/redmark/redmark/internal/peers"
	"github.com/redmark/redmark/internal/places"
	"github.com/redmark/redmark/internal/points"
	"github.com/redmark/redmark/internal/productnotes"
	"github.com/redmark/redmark/internal/promotions"
	"github.com/redmark/redmark/internal/ratelimit"
	"github.com/redmark/redmark/internal/recommend"
	"github.com/redmark/redmark/internal/search"
	"github.com/redmark/redmark/internal/shop"
	"github.com/redmark/redmark/internal/social"
	"github.com/redmark/redmark/internal/support"
	"github.com/redmark/redmark/internal/trends"
)

// Config is everything the server needs to know at start.
type Config struct {
	Addr        string // listen address
	DataDir     string // SQLite file, media, secret key
	DatabaseURL string // postgres://… to use PostgreSQL instead of SQLite
	BaseURL     string // public URL for share links; derived from the request when empty
	TrustProxy  bool   // honour X-Forwarded-For for client addresses
	RedisURL    string // redis://… to run flash-sale stock and limits in Redis (flash.go)
	// NATSURL (nats://host:4222) carries the outbox to every server through
	// JetStream, so each server's search index sees every change
	// (internal/changefeed); NATSPrefix names the stream ("redmark").
	NATSURL, NATSPrefix string
	// RedisPrefix namespaces this community's Redis channels ("rm"), so
	// several communities (or test runs) can share one Redis.
	RedisPrefix string
	// Media is where uploads go: "" for DataDir/media on local disk, or
	// s3://bucket?endpoint=… (media.ParseS3URL) so several servers share them.
	Media    string
	Limits   LimitConfig
	Commerce CommerceConfig // shop rules (commerce.go); zero values take the defaults
	Growth   growth.Config  // levels, rewards and invites (growth.go)
	Places   PlacesConfig   // destinations, map tiles, guide printing (places.go)
	Live     live.Config    // the media server of live rooms (live.go); empty: live video off
	// Analytics is event retention and persona rules (analytics.go).
	Analytics AnalyticsConfig
	// Moderation sets the automatic signals and the commerce policy;
	// zero fields switch signals off (serve uses moderation.DefaultConfig).
	Moderation moderation.Config
}

// LimitConfig sets the per-minute rates (with bursts) of rate-limited
// actions; 0 disables a limit (tests and benchmarks).
type LimitConfig struct {
	SignupPerMin, LoginPerMin, PostPerMin, UploadPerMin, WritePerMin float64
}

// DefaultLimits suit a public community: a person signs up rarely, posts a
// few notes a minute, and likes or comments at human speed.
// Uploads come in bursts of up to nine images per note.
var DefaultLimits = LimitConfig{SignupPerMin: 10, LoginPerMin: 20, PostPerMin: 10, UploadPerMin: 60, WritePerMin: 240}

// Limits are the live rate limiters.
type Limits struct {
	Signup, Login, Post, Upload, Write *ratelimit.Limiter
}

// byName lists the limiters under the names they have in Redis.
func (l Limits) byName() map[string]*ratelimit.Limiter {
	return map[string]*ratelimit.Limiter{"signup": l.Signup, "login": l.Login, "post": l.Post, "upload": l.Upload, "write": l.Write}
}

// App holds the services.
type App struct {
	Config   Config
	Secret   []byte
	DB       *db.DB
	Accounts *accounts.Service
	Notify   *notify.Service
	Media    *media.Service
	Notes    *notes.Service
	Social   *social.Service
	Feed     *feed.Service
	Messages *messages.Service
	Limits   Limits
	Search   *search.Service // full-text search (D2); StartDiscovery runs its indexer
	// SearchHistory is recent searches per user and hot searches (D2).
	SearchHistory *search.History
	Trends        *trends.Service // hot list and trending topics (D3); StartDiscovery refreshes them

	// Recs is the discover feed (D1), recs.go.
	Recs *recommend.Service

	// Commerce (E1–E7), built by initCommerce in commerce.go.
	Shop       *shop.Service
	Orders     *orders.Service
	Payments   *payments.Service
	Promotions *promotions.Service
	Points     *points.Service
	Sandbox    *payments.Sandbox
	Flash      *flashsale.Service // flash sales (E6), flash.go
	redis      *redis.Client
	peers      *peers.Redis     // cache invalidations to other servers, with Redis
	changes    *changefeed.Feed // the outbox through NATS JetStream, with NATS
	node       string           // this server's name (loadNodeID)
	// ProductNotes links notes and products (E4): cards, creators' notes, reviews.
	ProductNotes *productnotes.Service
	// Growth is levels, check-in, rewards, tips and invites, growth.go.
	Growth *growth.Service

	// Places are destinations, shopping lists and guides (C8), places.go.
	Places *places.Service

	// Campaigns are voting campaigns (G4), campaigns.go.
	Campaigns *campaigns.Service

	// Creators is the creator centre's stats and disclosures (G2), creators.go.
	Creators *creators.Service

	// Support is creator support programs: feed boosts with a holdout (G2), support.go.
	Support *support.Service

	// Festivals are scheduled festivals and their marks (G5), festivals.go.
	Festivals *festivals.Service

	// Moderation is reports, cases and actions (T1), moderation.go.
	Moderation *moderation.Service

	// Live is live rooms on the media server (issue 11), live.go.
	Live *live.Service
	// LiveChat is live rooms' chat, viewers and watch-time rewards, livechat.go.
	LiveChat *LiveChat
	// Analytics is events, rollups and metrics (O1–O3), analytics.go.
	Analytics *Analytics

	// Jobs runs the background work (StartCommerce, StartDiscovery,
	// StartPlaces register theirs); cluster jobs run on one server at a time.
	Jobs *jobs.Runner
}

// Open connects to the database, applies migrations and builds the services.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, err
	}
	dsn := cfg.DatabaseURL
	if dsn == "" {
		dsn = filepath.Join(cfg.DataDir, "redmark.db")
	}
	d, err := db.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	secret, err := loadSecret(cfg.DataDir)
	if err != nil {
		d.Close()
		return nil, err
	}
	a, err := New(cfg, d, secret)
	if err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

// New builds the services over an open, migrated database.
func New(cfg Config, d *db.DB, secret []byte) (*App, error) {
	node, err := loadNodeID(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	store, err := media.OpenStore(context.Background(), cfg.Media, filepath.Join(cfg.DataDir, "media"))
	if err != nil {
		return nil, err
	}
	acc := accounts.New(d)
	nt := notify.New(d)
	fd := feed.New(d)
	md := media.New(d, store)
	ns := notes.New(d, acc, nt, fd, md)
	a := &App{
		Config:   cfg,
		Secret:   secret,
		DB:       d,
		Accounts: acc,
		Notify:   nt,
		Media:    md,
		Notes:    ns,
		Social:   social.New(d, acc, nt, fd, ns),
		Feed:     fd,
		Messages: messages.New(d),
		Limits: Limits{
			Signup: ratelimit.New(cfg.Limits.SignupPerMin, burst(cfg.Limits.SignupPerMin)),
			Login:  ratelimit.New(cfg.Limits.LoginPerMin, burst(cfg.Limits.LoginPerMin)),
			Post:   ratelimit.New(cfg.Limits.PostPerMin, burst(cfg.Limits.PostPerMin)),
			Upload: ratelimit.New(cfg.Limits.UploadPerMin, burst(cfg.Limits.UploadPerMin)),
			Write:  ratelimit.New(cfg.Limits.WritePerMin, burst(cfg.Limits.WritePerMin)),
		},
	}
	a.initCommerce()
	a.initGrowth()
	a.initCampaigns()
	a.initFestivals()
	a.initCreators()
	a.initModeration()
	a.initAnalytics()
	if err := a.initFlash(); err != nil {
		return nil, err
	}
	a.node = node
	if err := a.shareWithPeers(node); err != nil {
		return nil, err
	}
	if err := a.openChangefeed(); err != nil {
		return nil, err
	}
	a.Search = search.New(d, filepath.Join(cfg.DataDir, "search"))
	a.SearchHistory = search.NewHistory(d, secret)
	a.Trends = trends.New(d)
	a.Jobs = jobs.New(d, node)
	a.Recs = recommend.New(d, recommend.Options{})
	a.initPlaces()
	if err := a.initLive(); err != nil {
		return nil, err
	}
	if err := a.initLiveChat(a.Live); err != nil {
		return nil, err
	}
	a.initSupport()
	return a, nil
}

func burst(perMin float64) int { return max(3, int(perMin/2)) }

// Close releases the database.
func (a *App) Close() error {
	a.LiveChat.Close()
	a.closeFlash()
	if a.changes != nil {
		a.changes.Close()
	}
	return a.DB.Close()
}

// Allow returns a 429 error when key has used up l.
func Allow(l *ratelimit.Limiter, key string) error {
	if !l.Allow(key) {
		return apperr.RateLimited()
	}
	return nil
}

// loadSecret reads the server secret (CSRF tokens, signed links) from
// REDMARK_SECRET or DataDir/secret.key, creating the file on first start so
// sessions survive restarts. Servers of one cluster share REDMARK_SECRET.
func loadSecret(dir string) ([]byte, error) {
	s, err := loadToken(os.Getenv("REDMARK_SECRET"), filepath.Join(dir, "secret.key"), 32)
	return []byte(s), err
}

// loadNodeID names this server in the job leases (REDMARK_NODE_ID or
// DataDir/node.id): a server restarted after a crash takes its own leases
// back at once instead of waiting for them to lapse.
func loadNodeID(dir string) (string, error) {
	return loadToken(os.Getenv("REDMARK_NODE_ID"), filepath.Join(dir, "node.id"), 8)
}

// loadToken returns set if not empty, else the token in file, creating the
// file with n random bytes (hex) on first use.
func loadToken(set, file string, n int) (string, error) {
	if set != "" {
		return set, nil
	}
	b, err := os.ReadFile(file)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	k := make([]byte, n)
	_, _ = rand.Read(k)
	s := hex.EncodeToString(k)
	if err := os.WriteFile(file, []byte(s+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", filepath.Base(file), err)
	}
	return s, nil
}

// Shutdown flushes buffered work (e.g. view counters) before exit.
func (a *App) Shutdown() {
	a.Jobs.Stop()
	a.flushAnalytics()
	a.Live.Close()
	a.stopCommerce()
	a.Campaigns.Close()
	a.stopDiscovery()
	a.Recs.Close()
	a.flushSupport()
	if err := a.Notes.Close(); err != nil {
		slog.Warn("flush note views at shutdown", "err", err)
	}
}
