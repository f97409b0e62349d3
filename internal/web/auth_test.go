package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
)

func TestSignupLoginLogout(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		b := newBrowser(t, e)
		b.get("/signup").want(200).has(`data-testid="signup-username"`, `data-testid="signup-submit"`)
		// Bad input re-renders the form with the service's reason.
		b.post("/signup", url.Values{"username": {"ab"}, "password": {"password123"}}).want(400).
			has(`data-testid="form-error"`, "用户名为 3–30 位")
		res := b.post("/signup", url.Values{"username": {"alice"}, "password": {"password123"}, "display_name": {"Alice"}, "next": {"/settings/profile"}})
		res.redirectsTo("/settings/profile")
		var session *http.Cookie
		for _, c := range (&http.Response{Header: res.Header}).Cookies() {
			if c.Name == "rm_session" {
				session = c
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.MaxAge < 89*24*3600 {
			t.Fatalf("session cookie = %+v", session)
		}
		b.get("/").want(200).has(`data-testid="me-link"`, `name="csrf-token"`)
		// Taken username.
		newBrowser(t, e).post("/signup", url.Values{"username": {"ALICE"}, "password": {"password123"}}).want(409)

		// Logout needs the CSRF token, then revokes the session.
		b.post("/logout", url.Values{"csrf": {"wrong"}}).want(403)
		b.post("/logout", nil).redirectsTo("/")
		b.get("/").want(200).has(`data-testid="login-link"`).lacks(`data-testid="me-link"`)
		if tok := session.Value; tok != "" {
			(&apitest.Client{E: e, Token: tok}).Do("GET", "/api/v1/me", nil).Want(401)
		}

		// Login: wrong password, then right, with a local next only.
		b.post("/login", url.Values{"username": {"alice"}, "password": {"nope-nope"}}).want(401).has(`data-testid="form-error"`)
		b.post("/login", url.Values{"username": {"alice"}, "password": {"password123"}, "next": {"//evil.example/x"}}).redirectsTo("/")
		b.get("/login").redirectsTo("/")
	})
}

func TestCSRFRequired(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		b := signUp(t, e, "alice", "Alice")
		b.post("/logout", url.Values{"csrf": {""}}).want(403)
		b.post("/logout", url.Values{"csrf": {strings.Repeat("x", 32)}}).want(403)
		// A cross-origin form post is refused even with the token.
		req, _ := http.NewRequest("POST", e.URL+"/logout", strings.NewReader(url.Values{"csrf": {b.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		b.do(req).want(403)
		b.get("/").want(200).has(`data-testid="me-link"`) // still signed in
	})
}

func TestLanguage(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		b := newBrowser(t, e)
		b.get("/login").want(200).has(`<html lang="zh-CN">`, "欢迎回来")
		b.lang = "en-US,en;q=0.9,zh;q=0.5"
		b.get("/login").want(200).has(`<html lang="en">`, "Welcome back")
		b.lang = "fr-FR, zh-TW;q=0.8, en;q=0.7"
		b.get("/login").want(200).has("欢迎回来")
		b.lang = "de"
		b.get("/login").want(200).has("欢迎回来")
		// The switcher sets a cookie that wins over the header.
		b.get("/lang?to=en&back=/signup").redirectsTo("/signup")
		b.lang = "zh-CN"
		b.get("/login").want(200).has("Welcome back")
		// back must be a local path.
		for _, back := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
			if l := b.get("/lang?to=zh-CN&back=" + url.QueryEscape(back)).Location; l != "/" {
				t.Errorf("back %q redirected to %q", back, l)
			}
		}
		b.get("/login").want(200).has("欢迎回来")
		b.get("/lang?to=xx").want(400)
	})
}

func TestErrorPagesAndHeaders(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		b := newBrowser(t, e)
		p := b.get("/no/such/page").want(404).has("页面不存在", `data-testid="error-page"`)
		if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Fatalf("CSP = %q", csp)
		}
		if p.Header.Get("X-Frame-Options") != "DENY" {
			t.Fatal("X-Frame-Options missing")
		}
		b.lang = "en"
		b.get("/no/such/page").want(404).has("does not exist")
		// Static files are content-addressed and cached for good.
		login := b.get("/login").want(200)
		css := regexpFind(t, login.Body, `href="(/static/[0-9a-f]+/app\.css)"`)
		s := b.get(css).want(200)
		if !strings.Contains(s.Header.Get("Cache-Control"), "immutable") || s.Header.Get("ETag") == "" {
			t.Fatalf("static headers: %v", s.Header)
		}
		req, _ := http.NewRequest("GET", e.URL+css, nil)
		req.Header.Set("If-None-Match", s.Header.Get("ETag"))
		b.do(req).want(304)
	})
}

func regexpFind(t *testing.T, s, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in:\n%.2000s", re, s)
	}
	return m[1]
}

func TestLoginAndSignupRateLimited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := apitest.NewWithConfig(t, d, app.Config{DataDir: t.TempDir(), Limits: app.LimitConfig{LoginPerMin: 1, SignupPerMin: 1}})
		b := newBrowser(t, e)
		b.post("/signup", url.Values{"username": {"alice"}, "password": {"password123"}}).redirectsTo("/onboarding")
		limited := 0
		for i := 0; i < 6; i++ {
			res := newBrowser(t, e).post("/signup", url.Values{"username": {fmt.Sprintf("user%d", i)}, "password": {"password123"}})
			if res.Status == 429 {
				limited++
				res.has(`data-testid="form-error"`)
			}
		}
		if limited == 0 {
			t.Fatal("sign-up form is not rate limited")
		}
		limited = 0
		for i := 0; i < 6; i++ {
			if newBrowser(t, e).post("/login", url.Values{"username": {"alice"}, "password": {"wrong-password"}}).Status == 429 {
				limited++
			}
		}
		if limited == 0 {
			t.Fatal("login form is not rate limited")
		}
	})
}
