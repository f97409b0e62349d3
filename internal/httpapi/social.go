package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/social"
)

func (a *API) registerSocial(mux *http.ServeMux) {
	mux.Handle("PUT /api/v1/notes/{id}/like", handler(a.like))
	mux.Handle("DELETE /api/v1/notes/{id}/like", handler(a.unlike))
	mux.Handle("PUT /api/v1/notes/{id}/collect", handler(a.collect))
	mux.Handle("DELETE /api/v1/notes/{id}/collect", handler(a.uncollect))
	mux.Handle("GET /api/v1/me/boards", handler(a.myBoards))
	mux.Handle("POST /api/v1/me/boards", handler(a.createBoard))
	mux.Handle("GET /api/v1/users/{username}/boards", handler(a.userBoards))
	mux.Handle("GET /api/v1/boards/{id}", handler(a.getBoard))
	mux.Handle("PATCH /api/v1/boards/{id}", handler(a.updateBoard))
	mux.Handle("GET /api/v1/users/{username}/likes", handler(a.likedNotes))
	mux.Handle("GET /api/v1/users/{username}/collects", handler(a.collectedNotes))
	mux.Handle("DELETE /api/v1/boards/{id}", handler(a.deleteBoard))
}

// like: PUT /api/v1/notes/{id}/like → {liked: true, like_count}; idempotent.
func (a *API) like(w http.ResponseWriter, r *http.Request) error {
	return a.setLike(w, r, true)
}

// unlike: DELETE /api/v1/notes/{id}/like → {liked: false, like_count}; idempotent.
func (a *API) unlike(w http.ResponseWriter, r *http.Request) error {
	return a.setLike(w, r, false)
}

func (a *API) setLike(w http.ResponseWriter, r *http.Request, on bool) error {
	me, err := a.writer(r)
	if err != nil {
		return err
	}
	noteID, err := httpx.PathID(r, "id", "note")
	if err != nil {
		return err
	}
	var n int64
	if on {
		n, err = a.app.Social.Like(r.Context(), me.ID, noteID)
	} else {
		n, err = a.app.Social.Unlike(r.Context(), me.ID, noteID)
	}
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"liked": on, "like_count": n})
	return nil
}

// collect: PUT /api/v1/notes/{id}/collect, optional body {board_id} (absent:
// the default collection) → {collected: true, collect_count, board_id}.
// Idempotent; collecting into another board moves the note.
func (a *API) collect(w http.ResponseWriter, r *http.Request) error {
	me, err := a.writer(r)
	if err != nil {
		return err
	}
	noteID, err := httpx.PathID(r, "id", "note")
	if err != nil {
		return err
	}
	var in struct {
		BoardID *id.ID `json:"board_id"`
	}
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	var board id.ID
	if in.BoardID != nil {
		board = *in.BoardID
	}
	n, err := a.app.Social.Collect(r.Context(), me.ID, noteID, board)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"collected": true, "collect_count": n, "board_id": in.BoardID})
	return nil
}

// uncollect: DELETE /api/v1/notes/{id}/collect → {collected: false,
// collect_count}; idempotent.
func (a *API) uncollect(w http.ResponseWriter, r *http.Request) error {
	me, err := a.writer(r)
	if err != nil {
		return err
	}
	noteID, err := httpx.PathID(r, "id", "note")
	if err != nil {
		return err
	}
	n, err := a.app.Social.Uncollect(r.Context(), me.ID, noteID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"collected": false, "collect_count": n})
	return nil
}

// myBoards: GET /api/v1/me/boards → {boards}.
func (a *API) myBoards(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	bs, err := a.app.Social.Boards(r.Context(), me.ID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"boards": bs})
	return nil
}

// userBoards: GET /api/v1/users/{username}/boards → {boards}.
func (a *API) userBoards(w http.ResponseWriter, r *http.Request) error {
	u, err := a.pathUser(r)
	if err != nil {
		return err
	}
	bs, err := a.app.Social.Boards(r.Context(), u.ID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"boards": bs})
	return nil
}

// createBoard: POST /api/v1/me/boards {name, description?} → 201 board.
func (a *API) createBoard(w http.ResponseWriter, r *http.Request) error {
	me, err := a.writer(r)
	if err != nil {
		return err
	}
	var in struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	b, err := a.app.Social.CreateBoard(r.Context(), me.ID, in.Name, in.Description)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, b)
	return nil
}

// updateBoard: PATCH /api/v1/boards/{id} {name?, description?} → board;
// owner only.
func (a *API) updateBoard(w http.ResponseWriter, r *http.Request) error {
	me, err := a.writer(r)
	if err != nil {
		return err
	}
	boardID, err := httpx.PathID(r, "id", "board")
	if err != nil {
		return err
	}
	var in struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	b, err := a.app.Social.UpdateBoard(r.Context(), me.ID, boardID, in.Name, in.Description)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, b)
	return nil
}

// deleteBoard: DELETE /api/v1/boards/{id} → 204; owner only. Its notes stay
// collected, in the default collection.
func (a *API) deleteBoard(w http.ResponseWriter, r *http.Request) error {
	me, err := a.writer(r)
	if err != nil {
		return err
	}
	boardID, err := httpx.PathID(r, "id", "board")
	if err != nil {
		return err
	}
	if err := a.app.Social.DeleteBoard(r.Context(), me.ID, boardID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// viewsOf loads notes by id for the viewer, keeping the order of ids and
// skipping notes that are no longer published.
func (a *API) viewsOf(r *http.Request, ids []id.ID) ([]app.NoteView, error) {
	byID, err := a.app.Notes.GetMany(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	ns := make([]notes.Note, 0, len(ids))
	for _, i := range ids {
		if n, ok := byID[i]; ok {
			ns = append(ns, n)
		}
	}
	return a.app.NoteViews(r.Context(), signedInID(r), ns)
}

// noteList answers {notes, next_cursor} for a social list of {username}.
func (a *API) noteList(w http.ResponseWriter, r *http.Request, list listFunc) error {
	ids, next, err := a.socialPage(r, list)
	if err != nil {
		return err
	}
	vs, err := a.viewsOf(r, ids)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"notes": vs, "next_cursor": next})
	return nil
}

// likedNotes: GET /api/v1/users/{username}/likes?cursor=&limit= → {notes,
// next_cursor}, most recently liked first.
func (a *API) likedNotes(w http.ResponseWriter, r *http.Request) error {
	return a.noteList(w, r, a.app.Social.LikedNotes)
}

// collectedNotes: GET /api/v1/users/{username}/collects?cursor=&limit= →
// {notes, next_cursor}, most recently collected first (all boards).
func (a *API) collectedNotes(w http.ResponseWriter, r *http.Request) error {
	return a.noteList(w, r, a.app.Social.CollectedNotes)
}

// getBoard: GET /api/v1/boards/{id}?cursor=&limit= → {board, owner, notes,
// next_cursor}, most recently collected first.
func (a *API) getBoard(w http.ResponseWriter, r *http.Request) error {
	boardID, err := httpx.PathID(r, "id", "board")
	if err != nil {
		return err
	}
	cursor, limit, err := httpx.Page(r, 20, 100)
	if err != nil {
		return err
	}
	c, err := social.ParseCursor(cursor)
	if err != nil {
		return err
	}
	b, ids, next, err := a.app.Social.BoardNotes(r.Context(), boardID, c, limit)
	if err != nil {
		return err
	}
	owner, err := a.app.Accounts.Get(r.Context(), b.UserID)
	if err != nil {
		return err
	}
	vs, err := a.viewsOf(r, ids)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"board": b, "owner": owner.Public(), "notes": vs, "next_cursor": nextCursor(next)})
	return nil
}
