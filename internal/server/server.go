// Package server assembles the HTTP handler: API, web pages, health checks
// and metrics behind the shared middleware (recovery, logging, metrics,
// authentication, CSRF).
package server

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpapi"
	"github.com/redmark/redmark/internal/httpx"
)

var requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
	Name:    "redmark_http_request_duration_seconds",
	Help:    "HTTP request latency by route pattern, method and status code.",
	Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
}, []string{"route", "code"})

func init() { prometheus.MustRegister(requestDuration) }

// Route registers routes on mux; the web package provides one.
type Route func(mux *http.ServeMux)

// New builds the handler for a.
func New(a *app.App, extra ...Route) http.Handler {
	mux := http.NewServeMux()
	httpapi.New(a).Register(mux)
	for _, r := range extra {
		r(mux)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.DB.Ping(ctx); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.Handler())
	// A trivial handler: benchmarks measure it in the same run as the real
	// endpoints so their figures can be read against the machine's noise.
	mux.HandleFunc("GET /bench/baseline", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok"))
	})
	return recoverer(observe(mux, authenticate(a, mux)))
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// observe records latency per route pattern and logs slow or failed requests.
func observe(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		_, route := mux.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		requestDuration.WithLabelValues(route, strconv.Itoa(sw.status)).Observe(d.Seconds())
		// An event stream (campaign boards, live chat) is long by design.
		stream := strings.HasPrefix(sw.Header().Get("Content-Type"), "text/event-stream")
		if sw.status >= 500 || (d > time.Second && !stream) {
			slog.Warn("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", d)
		} else {
			slog.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", d)
		}
	})
}

func recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil && v != http.ErrAbortHandler {
				slog.Error("panic", "path", r.URL.Path, "panic", v)
				httpx.WriteError(w, r, &apperr.Error{Status: 500, Code: "internal", Message: "internal server error"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// MaxFormBody bounds a web form post: nine 20 MiB images and the fields.
const MaxFormBody = 9*20<<20 + 1<<20

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// authenticate resolves the bearer token or session cookie to a user. A
// request signed in by cookie must prove it comes from our own pages on
// writes (CSRF): an X-CSRF-Token header or a "csrf" form field. Cookie-less
// writes from a browser must come from our own origin.
func authenticate(a *app.App, mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, viaCookie := httpx.Token(r)
		api := strings.HasPrefix(r.URL.Path, "/api/")
		if token == "" && api && r.Header.Get("Authorization") != "" {
			httpx.WriteError(w, r, apperr.Unauthorized("Authorization must be \"Bearer <token>\""))
			return
		}
		if token != "" {
			u, err := a.Accounts.Authenticate(r.Context(), token)
			switch {
			case err == nil:
				r = r.WithContext(httpx.WithUser(r.Context(), u, viaCookie))
			case !viaCookie:
				httpx.WriteError(w, r, err)
				return
			default: // stale cookie: carry on signed out and drop it
				http.SetCookie(w, &http.Cookie{Name: httpx.SessionCookie, Path: "/", MaxAge: -1})
				viaCookie = false
			}
		}
		if unsafeMethod(r.Method) {
			if !api {
				// Web forms are read (for the csrf field) before any handler
				// can bound them: cap the whole body here. The largest form
				// is a publish with nine images.
				r.Body = http.MaxBytesReader(w, r.Body, MaxFormBody)
			}
			if viaCookie {
				if _, ok := httpx.User(r); ok {
					want := httpx.CSRF(a.Secret, token)
					got := r.Header.Get("X-CSRF-Token")
					if got == "" && !api {
						got = r.PostFormValue("csrf")
					}
					if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
						httpx.WriteError(w, r, apperr.Forbidden("missing or wrong CSRF token; reload the page"))
						return
					}
				}
			}
			if o := r.Header.Get("Origin"); o != "" && !api {
				if u, err := url.Parse(o); err != nil || u.Host != r.Host {
					httpx.WriteError(w, r, apperr.Forbidden("cross-origin form posts are not accepted"))
					return
				}
			}
		}
		mux.ServeHTTP(w, r)
	})
}
