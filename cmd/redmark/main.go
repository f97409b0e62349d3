// Command redmark runs the Redmark community: serve, migrate, seed, bench.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/moderation"
	"github.com/redmark/redmark/internal/server"
)

const usage = `redmark — a self-hostable social-commerce community

Usage:
  redmark serve   [--addr HOST:PORT] [--data DIR] [--db DSN] [--redis URL] [--demo]
  redmark migrate [--data DIR] [--db DSN]
  redmark seed    [--data DIR] [--db DSN] [--users N] [--notes N] [--interactions N] [--seed S]
  redmark recs    eval|export|train …   (discover feed: offline evaluation, export, training)
  redmark reindex [--data DIR] [--db DSN]   (rebuild the search index; stop the server first)
  redmark rebuild-feeds [--data DIR] [--db DSN]   (recompute every following timeline)
  redmark bench search [--data DIR] [--db DSN] [--queries N]   (index throughput, query latency)
  redmark admin create-operator --username NAME [--promote] [--data DIR] [--db DSN]
                                  (first operator of a fresh install; password on stdin)
  redmark live nginx-conf [--data DIR] [--live-dir DIR] [--rtmp-listen ADDR] [--callback URL]
                                  (the media server's configuration for live rooms, docs/live.md)
  redmark report  [--lang zh|en] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out report.html|report.pdf] [--data DIR] [--db DSN]
  redmark bench analytics [--events N] [--data DIR] [--db DSN]   (event ingest, rollup time, console query p95)

Flags may also come from the environment: REDMARK_ADDR, REDMARK_DATA,
REDMARK_DATABASE_URL, REDMARK_MEDIA, REDMARK_REDIS_URL, REDMARK_LIVE_RTMP, REDMARK_LIVE_DIR, REDMARK_DEMO=1, REDMARK_LOG_LEVEL=debug;
REDMARK_PPROF_ADDR=127.0.0.1:6060 serves Go's profiler on that address.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	setupLogging()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(ctx, os.Args[2:])
	case "migrate":
		err = migrate(ctx, os.Args[2:])
	case "rebuild-feeds":
		err = rebuildFeedsCmd(ctx, os.Args[2:])
	case "seed":
		err = seedCmd(ctx, os.Args[2:])
	case "recs":
		err = recsCmd(ctx, os.Args[2:])
	case "reindex":
		err = reindexCmd(ctx, os.Args[2:])
	case "bench":
		err = benchCmd(ctx, os.Args[2:])
	case "admin":
		err = adminCmd(ctx, os.Args[2:])
	case "live":
		err = liveCmd(os.Args[2:])
	case "report":
		err = reportCmd(ctx, os.Args[2:])
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		slog.Error(os.Args[1]+" failed", "err", err)
		os.Exit(1)
	}
}

func setupLogging() {
	level := slog.LevelInfo
	if os.Getenv("REDMARK_LOG_LEVEL") == "debug" {
		level = slog.LevelDebug
	}
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envBool(name string) bool {
	b, _ := strconv.ParseBool(os.Getenv(name))
	return b
}

// commonFlags are shared by every command that opens the database.
func commonFlags(fs *flag.FlagSet, cfg *app.Config) {
	fs.StringVar(&cfg.DataDir, "data", env("REDMARK_DATA", "./data"), "data directory (SQLite file, media, secret key)")
	fs.StringVar(&cfg.DatabaseURL, "db", env("REDMARK_DATABASE_URL", ""), "PostgreSQL DSN (postgres://…); SQLite in the data directory when empty")
	fs.StringVar(&cfg.Media, "media", env("REDMARK_MEDIA", ""), "media store: s3://bucket[/prefix]?endpoint=host:port[&secure=false][&public=URL][&presign=1h] (keys in REDMARK_S3_ACCESS_KEY, REDMARK_S3_SECRET_KEY); the data directory when empty")
}

// openApp opens the app for a subcommand that takes only the common flags.
func openApp(ctx context.Context, name string, args []string) (*app.App, error) {
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	var cfg app.Config
	commonFlags(fs, &cfg)
	fs.Parse(args)
	return app.Open(ctx, cfg)
}

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	cfg := app.Config{Limits: app.DefaultLimits, Moderation: moderation.DefaultConfig}
	commonFlags(fs, &cfg)
	fs.StringVar(&cfg.Addr, "addr", env("REDMARK_ADDR", "127.0.0.1:8080"), "listen address")
	fs.StringVar(&cfg.BaseURL, "base-url", env("REDMARK_BASE_URL", ""), "public URL, for share links")
	fs.StringVar(&cfg.RedisURL, "redis", env("REDMARK_REDIS_URL", ""), "Redis URL (redis://host:6379/0) for flash-sale stock and limits and campaign vote allowances and tallies; in-process when empty")
	fs.StringVar(&cfg.NATSURL, "nats", env("REDMARK_NATS_URL", ""), "NATS URL (nats://host:4222, JetStream on) to carry changes to every server's search index; several servers need it")
	fs.StringVar(&cfg.RedisPrefix, "redis-prefix", env("REDMARK_REDIS_PREFIX", ""), "prefix of this community's Redis channels (default rm), for several communities on one Redis")
	fs.StringVar(&cfg.NATSPrefix, "nats-prefix", env("REDMARK_NATS_PREFIX", ""), "name of this community's JetStream stream (default redmark), for several communities on one NATS")
	fs.DurationVar(&cfg.Commerce.Flash.PaymentWindow, "flash-payment-window", 0, "how long flash-sale orders wait for payment (default 5m)")
	fs.StringVar(&cfg.Places.TileURL, "map-tiles", os.Getenv("REDMARK_MAP_TILES"), "map tile URL template, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png (empty: no map)")
	fs.StringVar(&cfg.Places.TileAttribution, "map-attribution", env("REDMARK_MAP_ATTRIBUTION", "© OpenStreetMap contributors"), "map tile attribution")
	liveFlags(fs, &cfg)
	fs.BoolVar(&cfg.TrustProxy, "trust-proxy", envBool("REDMARK_TRUST_PROXY"), "trust X-Forwarded-For (behind a reverse proxy)")
	demo := fs.Bool("demo", envBool("REDMARK_DEMO"), "load a demo community when the database is empty")
	noLimits := fs.Bool("no-rate-limits", envBool("REDMARK_NO_RATE_LIMITS"), "disable rate limits (benchmarks only)")
	memLimit := fs.String("memory-limit", env("REDMARK_MEMORY_LIMIT", "auto"), "Go heap soft limit: a size (200MiB), auto (GOMEMLIMIT, else 80% of the cgroup limit, else 25% of RAM) or off")
	fs.Parse(args)
	limit, source, err := setMemoryLimit(*memLimit)
	if err != nil {
		return err
	}
	slog.Info("memory limit", "bytes", limit, "source", source)
	if *noLimits {
		cfg.Limits = app.LimitConfig{}
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	a.StartCommerce()
	a.StartCampaigns()
	if *demo {
		if err := loadDemo(ctx, a); err != nil {
			a.Shutdown() // stop the background jobs before the deferred Close
			return err
		}
	}
	// After the demo load: the demo is written in bulk, not through the
	// search outbox, and a fresh index is built from the database.
	if err := a.StartDiscovery(); err != nil {
		a.Shutdown()
		return err
	}
	a.StartPlaces()
	a.StartLive()
	a.StartLiveChat()
	// After the demo load, whose history the first rollup reads.
	a.StartAnalytics()
	a.Recs.Start() // discover feed: build now (in the background) and on a schedule
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           server.New(a, webRoutes(a)...),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	if addr := os.Getenv("REDMARK_PPROF_ADDR"); addr != "" {
		// Profiling on its own listener, never on the public address.
		go func() { slog.Warn("pprof stopped", "err", http.ListenAndServe(addr, pprofMux())) }()
	}
	srv.RegisterOnShutdown(a.Campaigns.EndStreams) // live vote streams end rather than hold the shutdown up
	srv.RegisterOnShutdown(a.LiveChat.EndStreams)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("redmark listening", "addr", "http://"+cfg.Addr, "db", a.DB.Dialect.String(), "data", cfg.DataDir)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.Shutdown()
	return nil
}

func migrate(ctx context.Context, args []string) error {
	a, err := openApp(ctx, "migrate", args) // Open migrates
	if err != nil {
		return err
	}
	slog.Info("database is up to date", "db", a.DB.Dialect.String())
	return a.Close()
}
