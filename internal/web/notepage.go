package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/growth"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/social"
)

// commentPageSize is how many top-level comments the note page lists.
const commentPageSize = 20

// threadReplies bounds an expanded reply thread.
const threadReplies = 100

type noteData struct {
	V            app.NoteView
	Tokens       []token
	OtherTopics  []string // topics the body does not show as #tags (explicit ones), shown below it
	Published    bool
	IsAuthor     bool
	Rel          social.Relationship
	Boards       []social.Board
	Comments     []social.Comment
	Levels       map[id.ID]int // growth level of each comment author, loaded in one query
	Thread       id.ID         // the thread shown in full (?thread=)
	MoreComments string
	ShareURL     string
	Shared       bool
	CommentError string
	CommentBody  string
	Tips         growth.NoteTips // what the note received, for its author
	TipKey       string          // makes a double-clicked tip form one tip
	Tipped       bool
}

func (w *Web) notePage(q *req) error {
	nid, err := id.Parse(q.r.PathValue("id"))
	if err != nil {
		return apperr.NotFound("note")
	}
	return q.renderNote(nid, http.StatusOK, nil)
}

// renderNote renders the note page; edit adjusts the data first (a comment
// form error).
func (q *req) renderNote(nid id.ID, status int, edit func(*noteData)) error {
	ctx := q.r.Context()
	viewer := q.viewerID()
	n, err := q.w.app.Notes.Get(ctx, viewer, nid)
	if err != nil {
		return err
	}
	v, err := q.w.app.NoteView(ctx, viewer, n)
	if err != nil {
		return err
	}
	d := noteData{V: v, Tokens: tokenize(n.Body, nonNil(n.Topics), nonNil(n.Mentions)), Published: n.Status == notes.Published,
		IsAuthor: viewer == n.AuthorID, Shared: q.r.URL.Query().Get("shared") == "1"}
	d.OtherTopics = topicsNotIn(n.Topics, d.Tokens)
	d.ShareURL = q.baseURL() + "/n/" + n.ID.String()
	if d.Published {
		q.w.app.Notes.RecordView(n.ID, viewer)
		before, err := httpx.IDCursor(q.r.URL.Query().Get("cursor"))
		if err != nil {
			return err
		}
		if d.Comments, err = q.w.app.Social.Comments(ctx, viewer, n.ID, before, commentPageSize); err != nil {
			return err
		}
		if len(d.Comments) == commentPageSize {
			d.MoreComments = "?cursor=" + d.Comments[len(d.Comments)-1].ID.String() + "#comments"
		}
		if t, err := httpx.IDCursor(q.r.URL.Query().Get("thread")); err == nil && t != 0 {
			for i, c := range d.Comments {
				if c.ID == t && c.ReplyCount > int64(len(c.Replies)) {
					if d.Comments[i].Replies, err = q.w.app.Social.Replies(ctx, viewer, t, 0, threadReplies); err != nil {
						return err
					}
					d.Thread = t
				}
			}
		}
		if d.Levels, err = q.w.app.Growth.UserLevels(ctx, commentAuthors(d.Comments)); err != nil {
			return err
		}
	}
	if q.me != nil && !d.IsAuthor {
		if d.Rel, err = q.w.app.Social.Relationship(ctx, viewer, n.AuthorID); err != nil {
			return err
		}
	}
	if q.me != nil && d.Published {
		if d.Boards, err = q.w.app.Social.Boards(ctx, viewer); err != nil {
			return err
		}
	}
	if q.me != nil && d.Published {
		if d.IsAuthor {
			if d.Tips, err = q.w.app.Growth.NoteTotal(ctx, viewer, n.ID); err != nil {
				return err
			}
		} else {
			d.TipKey, d.Tipped = id.New().String(), q.r.URL.Query().Get("tipped") == "1"
		}
	}
	if edit != nil {
		edit(&d)
	}
	title := n.Title
	if title == "" {
		title = q.t("note.untitled")
	}
	q.render(status, "note", title, "", d)
	return nil
}

// commentAuthors lists the authors of comments and their shown replies once
// each, so their level badges cost one query for the whole page.
func commentAuthors(cs []social.Comment) []id.ID {
	seen := map[id.ID]bool{}
	var out []id.ID
	var add func([]social.Comment)
	add = func(cs []social.Comment) {
		for _, c := range cs {
			if c.Author != nil && !seen[c.Author.ID] {
				seen[c.Author.ID] = true
				out = append(out, c.Author.ID)
			}
			add(c.Replies)
		}
	}
	add(cs)
	return out
}

// nonNil makes an empty list mean "link nothing" to tokenize.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// baseURL is the public origin for share links: the configured one, else
// the one the request came to.
func (q *req) baseURL() string {
	if b := q.w.app.Config.BaseURL; b != "" {
		return strings.TrimSuffix(b, "/")
	}
	scheme := "http"
	if q.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + q.r.Host
}

func (w *Web) registerSocial(mux *http.ServeMux) {
	mux.Handle("GET /n/{id}", w.h(w.notePage))
	mux.Handle("POST /n/{id}/like", w.h(w.likeNote))
	mux.Handle("POST /n/{id}/collect", w.h(w.collectNote))
	mux.Handle("POST /n/{id}/share", w.h(w.shareNote))
	mux.Handle("POST /n/{id}/comments", w.h(w.comment))
	mux.Handle("POST /c/{id}/like", w.h(w.likeComment))
	mux.Handle("POST /c/{id}/delete", w.h(w.deleteComment))
	mux.Handle("GET /b/{id}", w.h(w.board))
}

// interaction is the common start of a signed-in write on a note or comment.
func (q *req) interaction(what string) (me accounts.User, target id.ID, err error) {
	u, err := q.requireUser()
	if err != nil {
		return u, 0, err
	}
	if err := q.allowWrite(u); err != nil {
		return u, 0, err
	}
	target, err = id.Parse(q.r.PathValue("id"))
	if err != nil {
		return u, 0, apperr.NotFound(what)
	}
	return u, target, nil
}

func (w *Web) likeNote(q *req) error {
	me, nid, err := q.interaction("note")
	if err != nil {
		return err
	}
	if q.r.PostFormValue("action") == "unlike" {
		_, err = w.app.Social.Unlike(q.r.Context(), me.ID, nid)
	} else {
		_, err = w.app.Social.Like(q.r.Context(), me.ID, nid)
	}
	if err != nil {
		return err
	}
	q.back("/n/" + nid.String())
	return nil
}

// collectNote collects into the chosen board, or into a new board named in
// the form; "uncollect" removes it.
func (w *Web) collectNote(q *req) error {
	me, nid, err := q.interaction("note")
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	if q.r.PostFormValue("action") == "uncollect" {
		if _, err := w.app.Social.Uncollect(ctx, me.ID, nid); err != nil {
			return err
		}
		q.back("/n/" + nid.String())
		return nil
	}
	var board id.ID
	if name := strings.TrimSpace(q.r.PostFormValue("new_board")); name != "" {
		b, err := w.app.Social.CreateBoard(ctx, me.ID, name, "")
		if err != nil {
			return err
		}
		board = b.ID
	} else if s := q.r.PostFormValue("board_id"); s != "" && s != "0" {
		if board, err = id.Parse(s); err != nil {
			return apperr.Invalid("unknown board")
		}
	}
	if _, err := w.app.Social.Collect(ctx, me.ID, nid, board); err != nil {
		return err
	}
	q.back("/n/" + nid.String())
	return nil
}

// shareNote counts a share and shows the link to copy; signed-out readers
// may share too.
func (w *Web) shareNote(q *req) error {
	nid, err := id.Parse(q.r.PathValue("id"))
	if err != nil {
		return apperr.NotFound("note")
	}
	if _, err := w.app.Notes.Share(q.r.Context(), nid, q.viewerID(), "link"); err != nil {
		return err
	}
	q.redirect("/n/" + nid.String() + "?shared=1#share")
	return nil
}

func (w *Web) comment(q *req) error {
	me, nid, err := q.interaction("note")
	if err != nil {
		return err
	}
	body := q.r.PostFormValue("body")
	var parent id.ID
	if s := q.r.PostFormValue("parent_id"); s != "" {
		if parent, err = id.Parse(s); err != nil {
			return apperr.Invalid("unknown comment")
		}
	}
	c, err := w.app.Social.Comment(q.r.Context(), me, nid, body, parent)
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
		return q.renderNote(nid, ae.Status, func(d *noteData) { d.CommentError, d.CommentBody = q.problem(ae), body })
	}
	if err != nil {
		return err
	}
	to := "/n/" + nid.String()
	if c.RootID != 0 {
		to += "?thread=" + c.RootID.String()
	}
	q.redirect(to + "#c" + c.ID.String())
	return nil
}

func (w *Web) likeComment(q *req) error {
	me, cid, err := q.interaction("comment")
	if err != nil {
		return err
	}
	if q.r.PostFormValue("action") == "unlike" {
		_, err = w.app.Social.UnlikeComment(q.r.Context(), me.ID, cid)
	} else {
		_, err = w.app.Social.LikeComment(q.r.Context(), me.ID, cid)
	}
	if err != nil {
		return err
	}
	q.back("/")
	return nil
}

func (w *Web) deleteComment(q *req) error {
	me, cid, err := q.interaction("comment")
	if err != nil {
		return err
	}
	if err := w.app.Social.DeleteComment(q.r.Context(), me, cid); err != nil {
		return err
	}
	q.back("/")
	return nil
}

func (w *Web) board(q *req) error {
	bid, err := id.Parse(q.r.PathValue("id"))
	if err != nil {
		return apperr.NotFound("board")
	}
	c, err := social.ParseCursor(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	b, ids, next, err := w.app.Social.BoardNotes(q.r.Context(), bid, c, pageSize)
	if err != nil {
		return err
	}
	owner, err := w.app.Accounts.Get(q.r.Context(), b.UserID)
	if err != nil {
		return err
	}
	cs, err := q.cardsByID(ids)
	if err != nil {
		return err
	}
	d := gridData{Heading: b.Name, Lead: q.t("board.by", owner.DisplayName, b.NoteCount), Cards: cs, Empty: q.t("board.empty")}
	if next.String() != "" {
		d.More = "?cursor=" + next.String()
	}
	q.render(http.StatusOK, "grid", b.Name, "", d)
	return nil
}
