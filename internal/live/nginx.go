package live

import (
	_ "embed"
	"strings"
	"text/template"
)

//go:embed nginx-rtmp.conf
var nginxTemplate string

var nginxConf = template.Must(template.New("nginx-rtmp.conf").Parse(nginxTemplate))

// NginxParams fill the nginx-rtmp configuration template.
type NginxParams struct {
	Module     string // path of ngx_rtmp_module.so ("" for Debian's)
	Dir        string // Config.Dir
	Listen     string // RTMP listen address, e.g. 1935 or 127.0.0.1:1935
	Callback   string // Redmark's base URL as nginx reaches it, e.g. http://127.0.0.1:8080
	HookSecret string // Config.HookSecret
	Fragment   string // HLS fragment length ("" for 2s)
	LogLevel   string // nginx error_log level ("" for notice)
	Foreground bool   // daemon off, one process (tests, containers, systemd Type=simple)
	User       string // the user nginx's workers run as (when started as root); "" leaves nginx's default
}

// HookPath is where the callbacks are served, under the secret.
func HookPath(secret string) string { return "/api/v1/live/hooks/" + secret }

// NginxConfig renders deploy/nginx-rtmp.conf with p.
func NginxConfig(p NginxParams) (string, error) {
	if p.Module == "" {
		p.Module = "/usr/lib/nginx/modules/ngx_rtmp_module.so"
	}
	if p.Fragment == "" {
		p.Fragment = "2s"
	}
	if p.LogLevel == "" {
		p.LogLevel = "notice"
	}
	port := p.Listen
	if i := strings.LastIndexByte(port, ':'); i >= 0 {
		port = port[i+1:]
	}
	var b strings.Builder
	err := nginxConf.Execute(&b, map[string]any{
		"Module": p.Module, "Dir": p.Dir, "Listen": p.Listen, "Fragment": p.Fragment, "LogLevel": p.LogLevel,
		"Foreground": p.Foreground, "User": p.User, "Hooks": strings.TrimSuffix(p.Callback, "/") + HookPath(p.HookSecret),
		"Relay": "rtmp://127.0.0.1:" + port + "/hls",
	})
	return b.String(), err
}
