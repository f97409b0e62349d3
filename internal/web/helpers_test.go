package web_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/server"
	"github.com/redmark/redmark/internal/web"
)

func init() {
	apitest.Routes = append(apitest.Routes, func(a *app.App) server.Route { return web.Routes(a) })
}

// browser is a cookie-keeping client that does not follow redirects, so
// tests can check where a form sends the user.
type browser struct {
	t    *testing.T
	e    *apitest.Env
	c    *http.Client
	csrf string // from the last page's <meta name="csrf-token">
	lang string // Accept-Language to send
}

func newBrowser(t *testing.T, e *apitest.Env) *browser {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: t, e: e, c: c}
}

type page struct {
	t        *testing.T
	Status   int
	Body     string
	Header   http.Header
	Location string
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	p := &page{t: b.t, Status: res.StatusCode, Body: string(body), Header: res.Header, Location: res.Header.Get("Location")}
	if m := csrfMeta.FindStringSubmatch(p.Body); m != nil {
		b.csrf = m[1]
	}
	return p
}

func (b *browser) get(path string) *page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.e.URL+path, nil)
	return b.do(req)
}

// post sends a form with the current CSRF token (unless csrf is set in v).
func (b *browser) post(path string, v url.Values) *page {
	b.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	if _, ok := v["csrf"]; !ok && b.csrf != "" {
		v.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest("POST", b.e.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

type file struct {
	field, name string
	data        []byte
}

// multipart posts fields and files as multipart/form-data, with the CSRF token.
func (b *browser) multipart(path string, v url.Values, files ...file) *page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if b.csrf != "" {
		mw.WriteField("csrf", b.csrf)
	}
	for k, vs := range v {
		for _, x := range vs {
			mw.WriteField(k, x)
		}
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile(f.field, f.name)
		fw.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.e.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func (p *page) want(status int) *page {
	p.t.Helper()
	if p.Status != status {
		p.t.Fatalf("status %d, want %d; location %q; body:\n%.3000s", p.Status, status, p.Location, p.Body)
	}
	return p
}

func (p *page) redirectsTo(prefix string) *page {
	p.t.Helper()
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, prefix) {
		p.t.Fatalf("status %d location %q, want 303 to %s; body:\n%.2000s", p.Status, p.Location, prefix, p.Body)
	}
	return p
}

func (p *page) has(parts ...string) *page {
	p.t.Helper()
	for _, s := range parts {
		if !strings.Contains(p.Body, s) {
			p.t.Fatalf("page lacks %q:\n%.4000s", s, p.Body)
		}
	}
	return p
}

func (p *page) lacks(parts ...string) *page {
	p.t.Helper()
	for _, s := range parts {
		if strings.Contains(p.Body, s) {
			p.t.Fatalf("page must not contain %q:\n%.4000s", s, p.Body)
		}
	}
	return p
}

// signUp registers through the form and returns the signed-in browser.
func signUp(t *testing.T, e *apitest.Env, username, display string) *browser {
	t.Helper()
	b := newBrowser(t, e)
	b.get("/signup").want(200)
	b.post("/signup", url.Values{"username": {username}, "password": {"password123"}, "display_name": {display}}).redirectsTo("/onboarding")
	b.get("/").want(200)
	if b.csrf == "" {
		t.Fatal("no CSRF token on the page after sign-up")
	}
	return b
}

func pngBytes(t testing.TB, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
