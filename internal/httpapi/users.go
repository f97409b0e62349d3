package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/httpx"
)

func (a *API) getMe(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, me)
	return nil
}

func (a *API) patchMe(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	var in struct {
		accounts.ProfileUpdate
		AvatarMediaID *string `json:"avatar_media_id"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	// TODO(media): resolve avatar_media_id to the user's own image.
	u, err := a.app.Accounts.UpdateProfile(r.Context(), me.ID, in.ProfileUpdate)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, u)
	return nil
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := a.app.Accounts.GetByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, u.Public())
	return nil
}
