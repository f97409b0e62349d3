package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/redmark/redmark/internal/jobs"
	"github.com/redmark/redmark/internal/live"
)

// initLive builds live rooms (issue 11). With a media server configured
// (Config.Live RTMPURL and Dir) the callback secret comes from
// REDMARK_LIVE_HOOK_SECRET or DataDir/live-hook.key (created on first
// start), and cart lines added and orders placed from a live are
// attributed to it (the order in its own transaction).
func (a *App) initLive() error {
	cfg := a.Config.Live
	if cfg.RTMPURL != "" && cfg.Dir != "" && cfg.HookSecret == "" {
		s, err := LiveHookSecret(a.Config.DataDir)
		if err != nil {
			return err
		}
		cfg.HookSecret = s
		a.Config.Live.HookSecret = s
	}
	if cfg.Dir != "" {
		for _, d := range []string{"hls", "rec"} {
			if err := os.MkdirAll(filepath.Join(cfg.Dir, d), 0o755); err != nil {
				return err
			}
		}
	}
	a.Live = live.New(a.DB, a.Media, cfg)
	a.Orders.Lives = a.Live
	return nil
}

// LiveHookSecret is the secret in the media server's callback URLs:
// REDMARK_LIVE_HOOK_SECRET, or dataDir/live-hook.key (created on first use).
func LiveHookSecret(dataDir string) (string, error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", err
	}
	return loadToken(os.Getenv("REDMARK_LIVE_HOOK_SECRET"), filepath.Join(dataDir, "live-hook.key"), 16)
}

// StartLive converts recordings of ended lives into replays on the server
// whose media directory holds them (a local job: the files are local);
// the media server's callback starts a conversion at once, the job
// catches up after a restart.
//
// Every server also takes part in the live-sweep cluster job, media server
// or not: a live left on air when its media server fell silent is ended
// wherever the job runs.
func (a *App) StartLive() {
	a.Jobs.Every("live-sweep", live.SweepEvery, jobs.Cluster, a.SweepLives)
	if !a.Live.Config().Configured() {
		slog.Info("live video is not configured (--live-rtmp, --live-dir)")
		return
	}
	a.Jobs.Every("live-replays", 30*time.Second, jobs.Local, a.Live.ProcessReplays)
	slog.Info("live video on", "rtmp", a.Live.Config().RTMPURL, "dir", a.Live.Config().Dir)
}

// SweepLives ends the lives on air whose media server has gone silent
// (live.Service.EndSilent) and closes their watch windows, so the silent
// stretch earns no watch time.
func (a *App) SweepLives(ctx context.Context) error {
	ended, err := a.Live.EndSilent(ctx)
	for _, lid := range ended {
		if _, werr := a.LiveChat.EndWindows(ctx, lid); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}
