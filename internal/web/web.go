// Package web is the server-rendered web app: html/template pages over the
// same services the JSON API uses, with cookie sessions, CSRF-protected
// forms (checked by the server middleware), zh-CN and English catalogs, and
// a small script that upgrades buttons to fetch calls on the JSON API.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/festivals"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/server"
	"github.com/redmark/redmark/internal/social"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// csp forbids inline scripts and styles, so injected markup can do nothing
// even if escaping were ever missed. media-src allows blob: for hls.js,
// which plays live video through Media Source Extensions.
const csp = "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; style-src 'self'; script-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// Web serves the pages.
type Web struct {
	app    *app.App
	pages  map[string]map[string]*template.Template // language → page → template
	static map[string]staticFile                    // name → file
}

type staticFile struct {
	body  []byte
	hash  string
	ctype string
}

// Routes returns the web app's routes for server.New.
func Routes(a *app.App) server.Route {
	w, err := New(a)
	if err != nil {
		// The templates are embedded: a parse error is a build defect.
		panic(err)
	}
	return w.Register
}

// New parses the embedded templates and hashes the static files.
func New(a *app.App) (*Web, error) {
	w := &Web{app: a, pages: map[string]map[string]*template.Template{}, static: map[string]staticFile{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ctype := "application/octet-stream"
		switch path.Ext(p) {
		case ".css":
			ctype = "text/css; charset=utf-8"
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".svg":
			ctype = "image/svg+xml"
		}
		w.static[strings.TrimPrefix(p, "static/")] = staticFile{body: b, hash: hex.EncodeToString(sum[:6]), ctype: ctype}
		return nil
	})
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, lang := range langs {
		w.pages[lang] = map[string]*template.Template{}
		for _, n := range names {
			base := path.Base(n)
			if base == "layout.html" || base == "partials.html" {
				continue
			}
			t, err := template.New(base).Funcs(w.funcs(lang)).ParseFS(templateFS,
				"templates/layout.html", "templates/partials.html", n)
			if err != nil {
				return nil, err
			}
			w.pages[lang][strings.TrimSuffix(base, ".html")] = t
		}
	}
	return w, nil
}

// Register adds the web routes to mux.
func (w *Web) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /static/{hash}/{name...}", w.serveStatic) // name may be vendor/…
	w.registerAuth(mux)
	w.registerNotes(mux)
	w.registerUsers(mux)
	w.registerSocial(mux)
	w.registerDiscover(mux)
	w.registerSearch(mux)
	w.registerMessages(mux)
	w.registerShop(mux)
	w.registerFlash(mux)
	w.registerAddresses(mux)
	w.registerCampaigns(mux)
	w.registerFestivals(mux)
	w.registerCreator(mux)
	w.registerConsole(mux)
	w.registerPlaces(mux)
	w.registerGrowth(mux)
	w.registerConsoleGrowth(mux)
	w.registerLive(mux)
	w.registerLiveChat(mux)
	w.registerConsoleAnalytics(mux)
	w.registerModeration(mux)
	mux.Handle("/", w.h(func(q *req) error { return apperr.NotFound("page") }))
}

// staticURL is the content-addressed URL of a static file: a new build
// gets a new URL, so the files can be cached forever.
func (w *Web) staticURL(name string) string {
	f, ok := w.static[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + f.hash + "/" + name
}

func (w *Web) serveStatic(rw http.ResponseWriter, r *http.Request) {
	f, ok := w.static[r.PathValue("name")]
	if !ok {
		http.NotFound(rw, r)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", f.ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+f.hash+`"`)
	if r.PathValue("hash") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// An old hash (a page from before a deploy): serve the current file,
		// but do not let caches pin it under the stale URL.
		h.Set("Cache-Control", "no-cache")
	}
	if r.Header.Get("If-None-Match") == `"`+f.hash+`"` {
		rw.WriteHeader(http.StatusNotModified)
		return
	}
	rw.Write(f.body)
}

// page is what every template gets.
type page struct {
	Lang   string
	Me     *accounts.User
	CSRF   string
	Path   string // this request's path and query (language switch, login return)
	Title  string
	Tab    string // active bottom tab: home, following, publish, messages, me
	Unread int    // unread messages + notifications, for the badge
	// Festival is the running festival's banner (festivals.go); none in the console.
	Festival *festivals.Mark
	Data     any
}

// req carries what handlers need about the request.
type req struct {
	w    *Web
	rw   http.ResponseWriter
	r    *http.Request
	me   *accounts.User
	lang string
}

func (q *req) t(key string, args ...any) string { return translate(q.lang, key, args...) }

// h adapts a handler that returns an error and adds the page headers.
func (w *Web) h(fn func(q *req) error) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		hd := rw.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cache-Control", "private, no-cache")
		q := &req{w: w, rw: rw, r: r}
		if u, ok := httpx.User(r); ok {
			q.me = &u
			w.app.Analytics.Recorder.Visit(u.ID)
		}
		q.lang = pickLang(r, q.me)
		q.captureSource()
		if err := fn(q); err != nil {
			q.fail(err)
		}
	})
}

// fail turns an error into a page: a sign-in redirect for 401 on reads, a
// friendly error page otherwise.
func (q *req) fail(err error) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		if errors.Is(err, q.r.Context().Err()) {
			return
		}
		slog.Error("page failed", "method", q.r.Method, "path", q.r.URL.Path, "err", err)
		ae = &apperr.Error{Status: http.StatusInternalServerError, Code: "internal"}
	}
	if ae.Status == http.StatusUnauthorized && q.me == nil {
		q.redirect(loginURL(q.r))
		return
	}
	data := struct {
		Status  int
		Heading string
		Detail  string
	}{Status: ae.Status}
	switch ae.Status {
	case http.StatusNotFound:
		data.Heading = q.t("error.404")
	case http.StatusForbidden:
		data.Heading, data.Detail = q.t("error.403"), q.problem(ae)
	case http.StatusInternalServerError:
		data.Heading = q.t("error.500")
	case http.StatusTooManyRequests:
		data.Heading = q.t("error.429")
	default:
		data.Heading, data.Detail = q.t("error.generic"), q.problem(ae)
	}
	if data.Detail == data.Heading {
		data.Detail = "" // no specific line for this refusal
	}
	q.render(ae.Status, "error", data.Heading, "", data)
}

func loginURL(r *http.Request) string {
	back := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		back = r.Referer()
		if u, err := url.Parse(back); err == nil {
			back = u.RequestURI()
		}
	}
	if !localPath(back) || back == "/login" {
		return "/login"
	}
	return "/login?next=" + url.QueryEscape(back)
}

// localPath accepts only same-site paths ("/x"), never "//host" or "/\host"
// which browsers treat as another site.
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\") &&
		!strings.ContainsAny(p, "\r\n")
}

// requireUser returns the signed-in user, or a 401 that fail turns into a
// redirect to the login page.
func (q *req) requireUser() (accounts.User, error) {
	if q.me == nil {
		return accounts.User{}, apperr.Unauthorized("sign in first")
	}
	return *q.me, nil
}

// redirect answers a form post or a bare URL with 303 See Other.
func (q *req) redirect(to string) { http.Redirect(q.rw, q.r, to, http.StatusSeeOther) }

// back redirects to the local page the form came from, or to fallback.
func (q *req) back(fallback string) {
	if b := q.r.PostFormValue("back"); localPath(b) {
		q.redirect(b)
		return
	}
	q.redirect(fallback)
}

func (q *req) csrf() string {
	if q.me == nil {
		return ""
	}
	token, viaCookie := httpx.Token(q.r)
	if !viaCookie {
		return ""
	}
	return httpx.CSRF(q.w.app.Secret, token)
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (q *req) render(status int, name, title, tab string, data any) {
	p := page{Lang: q.lang, Me: q.me, CSRF: q.csrf(), Path: q.r.URL.RequestURI(), Title: title, Tab: tab, Data: data}
	if q.me != nil {
		p.Unread = q.unread()
	}
	p.Festival = q.festivalBanner()
	t := q.w.pages[q.lang][name]
	var buf bytes.Buffer
	if t == nil {
		slog.Error("web: no template", "name", name)
		http.Error(q.rw, "internal server error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		slog.Error("web: render", "page", name, "err", err)
		http.Error(q.rw, "internal server error", http.StatusInternalServerError)
		return
	}
	q.rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	q.rw.WriteHeader(status)
	q.rw.Write(buf.Bytes())
}

// unread is the badge count on the messages tab; a failure only hides it.
func (q *req) unread() int {
	ctx := q.r.Context()
	n, err := q.w.app.Messages.UnreadTotal(ctx, q.me.ID)
	if err != nil {
		return 0
	}
	if by, err := q.w.app.Notify.Unread(ctx, q.me.ID); err == nil {
		for _, c := range by {
			n += c
		}
	}
	return n
}

func (w *Web) funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"t":      func(key string, args ...any) string { return translate(lang, key, args...) },
		"ago":    func(t time.Time) string { return relTime(lang, t, time.Now()) },
		"num":    func(n int64) string { return shortNum(lang, n) },
		"static": w.staticURL,
		// staticOpt is "" for a file this build lacks (an optional script).
		"staticOpt": func(name string) string {
			if _, ok := w.static[name]; !ok {
				return ""
			}
			return w.staticURL(name)
		},
		"yuan":   yuan,                                                                 // fen → ¥12.50 (shop.go)
		"amount": func(fen int64) string { return strings.TrimPrefix(yuan(fen), "¥") }, // form value
		// Comments have no recorded topics; their @mentions all link.
		"ctokens": func(s string) []token { return tokenize(s, []string{}, nil) },
		"inc":     func(i int) int { return i + 1 },
		// Order events whose description the server wrote in English; the
		// translated kind says it all (others carry the user's own words).
		"systemEvent": func(kind string) bool {
			switch kind {
			case "pending_payment", "paid", "payment_failed", "payment_refunded", "refunded", "shipped", "delivered", "completed":
				return true
			}
			return false
		},
		"len64": func(v []social.Comment) int64 { return int64(len(v)) },
		"initial": func(s string) string {
			for _, r := range s {
				return strings.ToUpper(string(r))
			}
			return "?"
		},
		"list":    func(s ...string) []string { return s },
		"percent": func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		},
	}
}

// clientIP is the client's address (behind a trusted proxy, the one it
// forwarded).
func (q *req) clientIP() string { return httpx.ClientIP(q.r, q.w.app.Config.TrustProxy) }
