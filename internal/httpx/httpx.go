// Package httpx holds what the JSON API and the web pages share: the signed-in
// user in the request context, CSRF tokens for cookie sessions, client
// addresses for rate limits, and JSON in and out.
package httpx

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
)

// SessionCookie carries the session token of the web app.
const SessionCookie = "rm_session"

type userKey struct{}
type viaCookieKey struct{}

// WithUser stores the authenticated user in ctx.
func WithUser(ctx context.Context, u accounts.User, viaCookie bool) context.Context {
	ctx = context.WithValue(ctx, userKey{}, u)
	return context.WithValue(ctx, viaCookieKey{}, viaCookie)
}

// User returns the signed-in user, if any.
func User(r *http.Request) (accounts.User, bool) {
	u, ok := r.Context().Value(userKey{}).(accounts.User)
	return u, ok
}

// ViaCookie reports whether the request was authenticated by the web cookie
// (and so needs a CSRF token on writes).
func ViaCookie(r *http.Request) bool {
	v, _ := r.Context().Value(viaCookieKey{}).(bool)
	return v
}

// Token returns the session token the request carries, from the
// Authorization header or the web cookie.
func Token(r *http.Request) (token string, viaCookie bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t), false
		}
		return "", false
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value, true
	}
	return "", false
}

// CSRF derives the anti-forgery token of a session: an HMAC of the session
// token under the server secret, so nothing extra is stored.
func CSRF(secret []byte, sessionToken string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("csrf:" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:32]
}

// ClientIP is the address rate limits key on. X-Forwarded-For is honoured
// only when the server is told it runs behind a proxy.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			ip, _, _ := strings.Cut(xff, ",")
			return strings.TrimSpace(ip)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// MaxJSONBody bounds JSON request bodies.
const MaxJSONBody = 1 << 20

// DecodeJSON reads a JSON body into v, refusing unknown fields, trailing
// data, invalid UTF-8 and bodies over MaxJSONBody.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &apperr.Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "send application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxJSONBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apperr.TooLarge("request body is larger than %d bytes", MaxJSONBody)
	}
	if err != nil {
		return apperr.Invalid("could not read the request body")
	}
	if !utf8.Valid(body) {
		return apperr.Invalid("request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return apperr.Invalid("request body is empty")
		case errors.As(err, &ute):
			return apperr.Invalid("field %q has the wrong type", ute.Field)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return apperr.Invalid("%s", strings.TrimPrefix(err.Error(), "json: "))
		default:
			return apperr.Invalid("malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	if dec.More() {
		return apperr.Invalid("unexpected data after the JSON value")
	}
	return nil
}

// WriteJSON writes v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Debug("write json", "err", err)
	}
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// WriteError turns err into {"error":{"code","message"}}; anything that is
// not an apperr.Error is logged and reported as 500 without details.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apperr.Error
	var b errorBody
	status := http.StatusInternalServerError
	if errors.As(err, &ae) {
		status, b.Error.Code, b.Error.Message = ae.Status, ae.Code, ae.Message
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "60")
		}
	} else if errors.Is(err, context.Canceled) {
		return
	} else {
		slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		b.Error.Code, b.Error.Message = "internal", "internal server error"
	}
	WriteJSON(w, status, b)
}

// PathID parses the {name} path value as an id, or returns 404.
func PathID(r *http.Request, name, what string) (id.ID, error) {
	v, err := id.Parse(r.PathValue(name))
	if err != nil {
		return 0, apperr.NotFound(what)
	}
	return v, nil
}

// Page reads ?cursor= and ?limit= (default def, at most max).
func Page(r *http.Request, def, max int) (cursor string, limit int, err error) {
	limit = def
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > max {
			return "", 0, apperr.Invalid("limit must be between 1 and %d", max)
		}
		limit = n
	}
	cursor = r.URL.Query().Get("cursor")
	if len(cursor) > 200 {
		return "", 0, apperr.Invalid("cursor is too long")
	}
	return cursor, limit, nil
}

// IDPage reads ?limit= (default def, at most max) and a ?cursor= that is
// a plain id (0 for the first page), for lists ordered by id.
func IDPage(r *http.Request, def, max int) (before id.ID, limit int, err error) {
	c, limit, err := Page(r, def, max)
	if err != nil {
		return 0, 0, err
	}
	before, err = IDCursor(c)
	return before, limit, err
}

// IDCursor parses a cursor that is a plain id ("" means from the start).
func IDCursor(c string) (id.ID, error) {
	if c == "" {
		return 0, nil
	}
	v, err := id.Parse(c)
	if err != nil {
		return 0, apperr.Invalid("invalid cursor")
	}
	return v, nil
}

// Require returns the signed-in user or a 401.
func Require(r *http.Request) (accounts.User, error) {
	u, ok := User(r)
	if !ok {
		return accounts.User{}, apperr.Unauthorized("sign in first: send Authorization: Bearer <token>")
	}
	return u, nil
}
