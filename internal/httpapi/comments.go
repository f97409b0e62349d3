package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/social"
)

func (a *API) registerComments(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/notes/{id}/comments", handler(a.listComments))
	mux.Handle("POST /api/v1/notes/{id}/comments", handler(a.postComment))
	mux.Handle("GET /api/v1/comments/{id}/replies", handler(a.listReplies))
	mux.Handle("DELETE /api/v1/comments/{id}", handler(a.deleteComment))
	mux.Handle("PUT /api/v1/comments/{id}/like", handler(a.likeComment))
	mux.Handle("DELETE /api/v1/comments/{id}/like", handler(a.unlikeComment))
}

// commentsNext is the cursor after a full page: the last comment's id.
func commentsNext(cs []social.Comment, limit int) *string {
	if len(cs) < limit {
		return nil
	}
	s := cs[len(cs)-1].ID.String()
	return &s
}

// listComments: GET /api/v1/notes/{id}/comments?cursor=&limit= →
// {comments, next_cursor}: top-level comments newest first, each with its
// first replies (oldest first) and reply_count.
func (a *API) listComments(w http.ResponseWriter, r *http.Request) error {
	noteID, err := httpx.PathID(r, "id", "note")
	if err != nil {
		return err
	}
	before, limit, err := httpx.IDPage(r, 20, 50)
	if err != nil {
		return err
	}
	cs, err := a.app.Social.Comments(r.Context(), signedInID(r), noteID, before, limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"comments": cs, "next_cursor": commentsNext(cs, limit)})
	return nil
}

// postComment: POST /api/v1/notes/{id}/comments {body, parent_id?} → 201
// comment. A reply to a reply joins the same thread.
func (a *API) postComment(w http.ResponseWriter, r *http.Request) error {
	me, err := a.writer(r)
	if err != nil {
		return err
	}
	noteID, err := httpx.PathID(r, "id", "note")
	if err != nil {
		return err
	}
	var in struct {
		Body     string `json:"body"`
		ParentID *id.ID `json:"parent_id"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	var parent id.ID
	if in.ParentID != nil {
		parent = *in.ParentID
	}
	c, err := a.app.Social.Comment(r.Context(), me, noteID, in.Body, parent)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, c)
	return nil
}

// listReplies: GET /api/v1/comments/{id}/replies?cursor=&limit= →
// {comments, next_cursor}: a thread's replies oldest first, after cursor.
func (a *API) listReplies(w http.ResponseWriter, r *http.Request) error {
	rootID, err := httpx.PathID(r, "id", "comment")
	if err != nil {
		return err
	}
	after, limit, err := httpx.IDPage(r, 20, 50)
	if err != nil {
		return err
	}
	cs, err := a.app.Social.Replies(r.Context(), signedInID(r), rootID, after, limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"comments": cs, "next_cursor": commentsNext(cs, limit)})
	return nil
}

// deleteComment: DELETE /api/v1/comments/{id} → 204; the comment's author,
// the note's author or an operator.
func (a *API) deleteComment(w http.ResponseWriter, r *http.Request) error {
	me, err := a.writer(r)
	if err != nil {
		return err
	}
	commentID, err := httpx.PathID(r, "id", "comment")
	if err != nil {
		return err
	}
	if err := a.app.Social.DeleteComment(r.Context(), me, commentID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// likeComment: PUT /api/v1/comments/{id}/like → {liked: true, like_count}.
func (a *API) likeComment(w http.ResponseWriter, r *http.Request) error {
	return a.setCommentLike(w, r, true)
}

// unlikeComment: DELETE /api/v1/comments/{id}/like → {liked: false, like_count}.
func (a *API) unlikeComment(w http.ResponseWriter, r *http.Request) error {
	return a.setCommentLike(w, r, false)
}

func (a *API) setCommentLike(w http.ResponseWriter, r *http.Request, on bool) error {
	me, err := a.writer(r)
	if err != nil {
		return err
	}
	commentID, err := httpx.PathID(r, "id", "comment")
	if err != nil {
		return err
	}
	var n int64
	if on {
		n, err = a.app.Social.LikeComment(r.Context(), me.ID, commentID)
	} else {
		n, err = a.app.Social.UnlikeComment(r.Context(), me.ID, commentID)
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"liked": on, "like_count": n})
	return nil
}
