package httpapi

import (
	"context"
	"net/http"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/social"
)

func (a *API) registerFollows(mux *http.ServeMux) {
	mux.Handle("PUT /api/v1/users/{username}/follow", handler(a.follow))
	mux.Handle("DELETE /api/v1/users/{username}/follow", handler(a.unfollow))
	mux.Handle("GET /api/v1/users/{username}/followers", handler(a.followers))
	mux.Handle("GET /api/v1/users/{username}/following", handler(a.following))
	mux.Handle("PUT /api/v1/users/{username}/block", handler(a.block))
	mux.Handle("DELETE /api/v1/users/{username}/block", handler(a.unblock))
	mux.Handle("GET /api/v1/users/{username}/relationship", handler(a.relationship))
}

// writer returns the signed-in user of a write request, rate limited.
func (a *API) writer(r *http.Request) (accounts.User, error) {
	me, err := httpx.Require(r)
	if err != nil {
		return me, err
	}
	return me, app.Allow(a.app.Limits.Write, me.ID.String())
}

// pathUser resolves {username} (404 when unknown).
func (a *API) pathUser(r *http.Request) (accounts.User, error) {
	return a.app.Accounts.GetByUsername(r.Context(), r.PathValue("username"))
}

// follow: PUT /api/v1/users/{username}/follow → {following, follower_count}.
func (a *API) follow(w http.ResponseWriter, r *http.Request) error {
	return a.setFollow(w, r, true)
}

// unfollow: DELETE /api/v1/users/{username}/follow → {following, follower_count}.
func (a *API) unfollow(w http.ResponseWriter, r *http.Request) error {
	return a.setFollow(w, r, false)
}

func (a *API) setFollow(w http.ResponseWriter, r *http.Request, on bool) error {
	me, err := a.writer(r)
	if err != nil {
		return err
	}
	u, err := a.pathUser(r)
	if err != nil {
		return err
	}
	var n int64
	if on {
		n, err = a.app.Social.Follow(r.Context(), me.ID, u.ID)
	} else {
		n, err = a.app.Social.Unfollow(r.Context(), me.ID, u.ID)
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"following": on, "follower_count": n})
	return nil
}

// userItem is a user in a list, with whether the viewer follows them.
type userItem struct {
	accounts.User
	Following bool `json:"following"`
}

// followers: GET /api/v1/users/{username}/followers?cursor=&limit= →
// {users, next_cursor}, most recent follower first.
func (a *API) followers(w http.ResponseWriter, r *http.Request) error {
	return a.userList(w, r, a.app.Social.Followers)
}

// following: GET /api/v1/users/{username}/following?cursor=&limit= →
// {users, next_cursor}, most recently followed first.
func (a *API) following(w http.ResponseWriter, r *http.Request) error {
	return a.userList(w, r, a.app.Social.Following)
}

// listFunc is a social list of a user: followers, following, likes, collects.
type listFunc func(ctx context.Context, userID id.ID, before social.Cursor, limit int) ([]id.ID, social.Cursor, error)

// socialPage reads ?cursor=&limit= and runs list for {username}.
func (a *API) socialPage(r *http.Request, list listFunc) ([]id.ID, *string, error) {
	cursor, limit, err := httpx.Page(r, 20, 100)
	if err != nil {
		return nil, nil, err
	}
	c, err := social.ParseCursor(cursor)
	if err != nil {
		return nil, nil, err
	}
	u, err := a.pathUser(r)
	if err != nil {
		return nil, nil, err
	}
	ids, next, err := list(r.Context(), u.ID, c, limit)
	if err != nil {
		return nil, nil, err
	}
	return ids, nextCursor(next), nil
}

// nextCursor is the next_cursor of a response: null on the last page.
func nextCursor(c social.Cursor) *string {
	if c == (social.Cursor{}) {
		return nil
	}
	s := c.String()
	return &s
}

func (a *API) userList(w http.ResponseWriter, r *http.Request, list listFunc) error {
	ids, next, err := a.socialPage(r, list)
	if err != nil {
		return err
	}
	users, err := a.app.Accounts.GetMany(r.Context(), ids)
	if err != nil {
		return err
	}
	followed, err := a.app.Social.FollowingSet(r.Context(), signedInID(r), ids)
	if err != nil {
		return err
	}
	out := make([]userItem, 0, len(ids))
	for _, uid := range ids {
		if u, ok := users[uid]; ok {
			out = append(out, userItem{User: u, Following: followed[uid]})
		}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"users": out, "next_cursor": next})
	return nil
}

// block: PUT /api/v1/users/{username}/block → {blocking: true}. Follows
// both ways end.
func (a *API) block(w http.ResponseWriter, r *http.Request) error {
	return a.setBlock(w, r, true)
}

// unblock: DELETE /api/v1/users/{username}/block → {blocking: false}.
func (a *API) unblock(w http.ResponseWriter, r *http.Request) error {
	return a.setBlock(w, r, false)
}

func (a *API) setBlock(w http.ResponseWriter, r *http.Request, on bool) error {
	me, err := a.writer(r)
	if err != nil {
		return err
	}
	u, err := a.pathUser(r)
	if err != nil {
		return err
	}
	if on {
		err = a.app.Social.Block(r.Context(), me.ID, u.ID)
	} else {
		err = a.app.Social.Unblock(r.Context(), me.ID, u.ID)
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"blocking": on})
	return nil
}

// relationship: GET /api/v1/users/{username}/relationship →
// {following, followed_by, blocking, blocked_by} for the viewer (all false
// when signed out).
func (a *API) relationship(w http.ResponseWriter, r *http.Request) error {
	u, err := a.pathUser(r)
	if err != nil {
		return err
	}
	rel, err := a.app.Social.Relationship(r.Context(), signedInID(r), u.ID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rel)
	return nil
}
