package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/live"
)

// liveFlags configure live rooms' media server (docs/live.md).
func liveFlags(fs *flag.FlagSet, cfg *app.Config) {
	fs.StringVar(&cfg.Live.RTMPURL, "live-rtmp", env("REDMARK_LIVE_RTMP", ""), "RTMP ingest URL shown to hosts, e.g. rtmp://live.example.com:1935/live (empty: live video off)")
	fs.StringVar(&cfg.Live.Dir, "live-dir", env("REDMARK_LIVE_DIR", ""), "nginx-rtmp's working directory: HLS in DIR/hls, recordings in DIR/rec")
}

// liveCmd prints the nginx-rtmp configuration for this server: the
// deploy/nginx-rtmp.conf template filled with the data directory's callback
// secret.
func liveCmd(args []string) error {
	if len(args) == 0 || args[0] != "nginx-conf" {
		return fmt.Errorf("usage: redmark live nginx-conf [--data DIR] [--live-dir DIR] [--rtmp-listen ADDR] [--callback URL]")
	}
	fs := flag.NewFlagSet("live nginx-conf", flag.ExitOnError)
	var cfg app.Config
	fs.StringVar(&cfg.DataDir, "data", env("REDMARK_DATA", "./data"), "data directory (holds live-hook.key)")
	liveFlags(fs, &cfg)
	listen := fs.String("rtmp-listen", "1935", "RTMP listen address of nginx")
	callback := fs.String("callback", "http://"+env("REDMARK_ADDR", "127.0.0.1:8080"), "Redmark's URL as nginx reaches it")
	foreground := fs.Bool("foreground", false, "daemon off (systemd Type=simple, containers)")
	user := fs.String("user", "", "user nginx's workers run as when started as root (the user Redmark runs as)")
	fs.Parse(args[1:])
	if cfg.Live.Dir == "" {
		return fmt.Errorf("--live-dir (REDMARK_LIVE_DIR) is required")
	}
	for _, d := range []string{"hls", "rec"} {
		if err := os.MkdirAll(filepath.Join(cfg.Live.Dir, d), 0o755); err != nil {
			return err
		}
	}
	secret, err := app.LiveHookSecret(cfg.DataDir)
	if err != nil {
		return err
	}
	conf, err := live.NginxConfig(live.NginxParams{Dir: cfg.Live.Dir, Listen: *listen, Callback: *callback,
		HookSecret: secret, Foreground: *foreground, User: *user})
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(os.Stdout, conf)
	return err
}
