package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
)

func (w *Web) registerAuth(mux *http.ServeMux) {
	mux.Handle("GET /login", w.h(w.loginPage))
	mux.Handle("POST /login", w.h(w.login))
	mux.Handle("GET /signup", w.h(w.signupPage))
	mux.Handle("POST /signup", w.h(w.signup))
	mux.Handle("POST /logout", w.h(w.logout))
	mux.Handle("GET /lang", w.h(w.switchLang))
}

type authForm struct {
	Next        string
	Username    string
	DisplayName string
	Error       string
}

func nextPath(r *http.Request) string {
	n := r.FormValue("next")
	if !localPath(n) {
		return "/"
	}
	return n
}

func (w *Web) loginPage(q *req) error {
	if q.me != nil {
		q.redirect(nextPath(q.r))
		return nil
	}
	q.render(http.StatusOK, "login", q.t("auth.login"), "me", authForm{Next: nextPath(q.r)})
	return nil
}

func (w *Web) signupPage(q *req) error {
	if q.me != nil {
		q.redirect(nextPath(q.r))
		return nil
	}
	q.render(http.StatusOK, "signup", q.t("auth.signup"), "me", authForm{Next: nextPath(q.r)})
	return nil
}

// formError re-renders an auth form with the reason the service gave.
func (q *req) formError(name, title string, f authForm, err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.Status {
	case http.StatusTooManyRequests:
		f.Error = q.t("error.429")
	case http.StatusUnauthorized:
		f.Error = q.t("auth.wrong_password")
	case http.StatusConflict:
		f.Error = q.t("auth.username_taken")
	default:
		f.Error = q.problem(ae)
	}
	q.render(ae.Status, name, title, "me", f)
	return nil
}

func (w *Web) login(q *req) error {
	f := authForm{Next: nextPath(q.r), Username: q.r.PostFormValue("username")}
	if err := app.Allow(w.app.Limits.Login, q.clientIP()); err != nil {
		return q.formError("login", q.t("auth.login"), f, err)
	}
	u, token, err := w.app.Accounts.Login(q.r.Context(), f.Username, q.r.PostFormValue("password"), q.r.UserAgent())
	if err != nil {
		return q.formError("login", q.t("auth.login"), f, err)
	}
	q.startSession(u, token)
	q.redirect(f.Next)
	return nil
}

func (w *Web) signup(q *req) error {
	f := authForm{Next: nextPath(q.r), Username: q.r.PostFormValue("username"), DisplayName: q.r.PostFormValue("display_name")}
	if err := app.Allow(w.app.Limits.Signup, q.clientIP()); err != nil {
		return q.formError("signup", q.t("auth.signup"), f, err)
	}
	u, token, err := w.app.Accounts.SignUp(q.r.Context(), f.Username, q.r.PostFormValue("password"), f.DisplayName, q.r.UserAgent())
	if err != nil {
		return q.formError("signup", q.t("auth.signup"), f, err)
	}
	src := q.signupSource()
	if err := w.app.Growth.Attribute(q.r.Context(), u.ID, src, q.clientIP()); err != nil {
		return err
	}
	w.app.TrackSignUp(u.ID, src.Channel, src.Source, src.Invite)
	q.startSession(u, token)
	if f.Next == "/" {
		// A new account with nowhere else to go picks interests first
		// (discover.go); the page is skippable.
		f.Next = "/onboarding"
	}
	q.redirect(f.Next)
	return nil
}

// startSession sets the session cookie. HttpOnly keeps it from scripts;
// SameSite=Lax keeps it off cross-site posts (the CSRF token is the main
// defence).
func (q *req) startSession(u accounts.User, token string) {
	http.SetCookie(q.rw, &http.Cookie{
		Name: httpx.SessionCookie, Value: token, Path: "/", MaxAge: int(accounts.SessionTTL / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: q.r.TLS != nil,
	})
	// A saved language preference follows the user to this browser.
	if validLang(u.Locale) {
		q.setLangCookie(u.Locale)
	}
}

func (w *Web) logout(q *req) error {
	if q.me != nil {
		if token, viaCookie := httpx.Token(q.r); viaCookie {
			if err := w.app.Accounts.Logout(q.r.Context(), token); err != nil {
				return err
			}
		}
	}
	http.SetCookie(q.rw, &http.Cookie{Name: httpx.SessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	q.redirect("/")
	return nil
}

func (q *req) setLangCookie(lang string) {
	http.SetCookie(q.rw, &http.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		SameSite: http.SameSiteLaxMode, Secure: q.r.TLS != nil})
}

// switchLang handles /lang?to=en&back=/path. back must be a local path so
// the link cannot be used as an open redirect.
func (w *Web) switchLang(q *req) error {
	to := q.r.URL.Query().Get("to")
	if !validLang(to) {
		return apperr.Invalid("unknown language")
	}
	q.setLangCookie(to)
	back := q.r.URL.Query().Get("back")
	if u, err := url.Parse(back); err != nil || !localPath(back) || u.Host != "" {
		back = "/"
	}
	q.redirect(back)
	return nil
}
