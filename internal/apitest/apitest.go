// Package apitest runs the real server (real database, real HTTP) for tests
// and gives them a small client: sign up users and call the API as them.
package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/server"
)

// Env is a running server over a fresh database.
type Env struct {
	T      testing.TB
	App    *app.App
	Server *httptest.Server
	URL    string
}

// Routes lets packages that sit above server (the web app) add their routes
// to every test server; set it from an init in a _test file.
var Routes []func(a *app.App) server.Route

// Each runs fn against a server on SQLite and, when the PostgreSQL suite is
// on, on PostgreSQL.
func Each(t *testing.T, fn func(t *testing.T, e *Env)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, d *db.DB) { fn(t, New(t, d)) })
}

// New starts a server over d with rate limits off and media in a temp dir.
func New(t testing.TB, d *db.DB) *Env {
	return NewWithConfig(t, d, app.Config{DataDir: t.TempDir()})
}

// NewWithConfig starts a server over d with cfg.
func NewWithConfig(t testing.TB, d *db.DB, cfg app.Config) *Env {
	a, err := app.New(cfg, d, []byte("test-secret"))
	if err != nil {
		t.Fatal(err)
	}
	var extra []server.Route
	for _, r := range Routes {
		extra = append(extra, r(a))
	}
	srv := httptest.NewServer(server.New(a, extra...))
	t.Cleanup(func() {
		srv.Close()
		a.Shutdown()
	})
	return &Env{T: t, App: a, Server: srv, URL: srv.URL}
}

// Client calls the API, as a user when Token is set.
type Client struct {
	E        *Env
	Token    string
	ID       string
	Username string
}

// Anon is a client without a token.
func (e *Env) Anon() *Client { return &Client{E: e} }

// SignUp creates a user (password "password123") and returns its client.
func (e *Env) SignUp(username string) *Client {
	e.T.Helper()
	r := e.Anon().Do("POST", "/api/v1/auth/signup", map[string]any{
		"username": username, "password": "password123", "display_name": strings.ToUpper(username[:1]) + username[1:],
	})
	r.Want(201)
	var out struct {
		Token string `json:"token"`
		User  struct {
			ID       string `json:"id"`
			Username string `json:"username"`
		} `json:"user"`
	}
	r.Decode(&out)
	return &Client{E: e, Token: out.Token, ID: out.User.ID, Username: out.User.Username}
}

// Response is a finished request.
type Response struct {
	t      testing.TB
	req    string
	Status int
	Header http.Header
	Body   []byte
}

// Do sends body as JSON (nil for none; a string or []byte is sent as is).
func (c *Client) Do(method, path string, body any) *Response {
	c.E.T.Helper()
	return c.DoWith(method, path, body, nil)
}

// DoWith is Do with extra request headers (e.g. Idempotency-Key).
func (c *Client) DoWith(method, path string, body any, header http.Header) *Response {
	c.E.T.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.E.T.Fatal(err)
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, c.E.URL+path, rd)
	if err != nil {
		c.E.T.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	return c.send(req)
}

// Upload posts a multipart file under field "file".
func (c *Client) Upload(path, filename string, data []byte) *Response {
	c.E.T.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		c.E.T.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest("POST", c.E.URL+path, &buf)
	if err != nil {
		c.E.T.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req)
}

func (c *Client) send(req *http.Request) *Response {
	c.E.T.Helper()
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	res, err := c.E.Server.Client().Do(req)
	if err != nil {
		c.E.T.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &Response{t: c.E.T, req: req.Method + " " + req.URL.Path, Status: res.StatusCode, Header: res.Header, Body: b}
}

// Want fails the test unless the status is one of codes.
func (r *Response) Want(codes ...int) *Response {
	r.t.Helper()
	for _, c := range codes {
		if r.Status == c {
			return r
		}
	}
	r.t.Fatalf("%s: status %d, want %v; body: %s", r.req, r.Status, codes, r.Body)
	return r
}

// WantError checks the status and the error code of a JSON error.
func (r *Response) WantError(status int, code string) *Response {
	r.t.Helper()
	r.Want(status)
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Code != code || e.Error.Message == "" {
		r.t.Fatalf("%s: want error code %q with a message, got %s", r.req, code, r.Body)
	}
	return r
}

// Decode unmarshals the body into v.
func (r *Response) Decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("%s: decode %s: %v", r.req, r.Body, err)
	}
}

// JSON returns the body as a generic map.
func (r *Response) JSON() map[string]any {
	r.t.Helper()
	var m map[string]any
	r.Decode(&m)
	return m
}

// Get walks a dotted path ("user.id", "items.0.title") in the JSON body.
func (r *Response) Get(path string) any {
	r.t.Helper()
	var v any
	r.Decode(&v)
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i < 0 || i >= len(x) {
				r.t.Fatalf("%s: no %s in %s", r.req, path, r.Body)
			}
			v = x[i]
		default:
			r.t.Fatalf("%s: no %s in %s", r.req, path, r.Body)
		}
	}
	return v
}

// Str is Get as a string.
func (r *Response) Str(path string) string {
	r.t.Helper()
	s, _ := r.Get(path).(string)
	return s
}

// Num is Get as a number.
func (r *Response) Num(path string) float64 {
	r.t.Helper()
	f, _ := r.Get(path).(float64)
	return f
}
