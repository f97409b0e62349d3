package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/growth"
	"github.com/redmark/redmark/internal/httpx"
)

var notFound = &apperr.Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such endpoint"}

type authResponse struct {
	Token string        `json:"token"`
	User  accounts.User `json:"user"`
}

func (a *API) signup(w http.ResponseWriter, r *http.Request) error {
	if err := app.Allow(a.app.Limits.Signup, a.clientIP(r)); err != nil {
		return err
	}
	var in struct {
		Username    string `json:"username"`
		Password    string `json:"password"`
		DisplayName string `json:"display_name"`
		// Source is the invite code and campaign the client captured at first visit.
		Source growth.Source `json:"source"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	u, token, err := a.app.Accounts.SignUp(r.Context(), in.Username, in.Password, in.DisplayName, r.UserAgent())
	if err != nil {
		return err
	}
	if err := a.app.Growth.Attribute(r.Context(), u.ID, in.Source, a.clientIP(r)); err != nil {
		return err
	}
	a.app.TrackSignUp(u.ID, in.Source.Channel, in.Source.Source, in.Source.Invite)
	httpx.WriteJSON(w, http.StatusCreated, authResponse{token, u})
	return nil
}

func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	if err := app.Allow(a.app.Limits.Login, a.clientIP(r)); err != nil {
		return err
	}
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	u, token, err := a.app.Accounts.Login(r.Context(), in.Username, in.Password, r.UserAgent())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, authResponse{token, u})
	return nil
}

// logout revokes the token the request was made with.
func (a *API) logout(w http.ResponseWriter, r *http.Request) error {
	if _, err := httpx.Require(r); err != nil {
		return err
	}
	token, _ := httpx.Token(r)
	if err := a.app.Accounts.Logout(r.Context(), token); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
