package web

import (
	"errors"
	"net/http"
	"slices"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/messages"
	"github.com/redmark/redmark/internal/notify"
)

func (w *Web) registerMessages(mux *http.ServeMux) {
	mux.Handle("GET /messages", w.h(w.inbox))
	mux.Handle("GET /messages/{username}", w.h(w.thread))
	mux.Handle("POST /messages/{username}", w.h(w.sendMessage))
	mux.Handle("GET /notifications", w.h(w.notifications))
}

type inboxRow struct {
	User   accounts.User
	Last   messages.Message
	Mine   bool
	Unread int
}

func (w *Web) inbox(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	before, err := httpx.IDCursor(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	convs, err := w.app.Messages.Conversations(q.r.Context(), me.ID, before, pageSize)
	if err != nil {
		return err
	}
	ids := make([]id.ID, len(convs))
	for i, c := range convs {
		ids[i] = c.OtherID
	}
	users, err := w.app.Accounts.GetMany(q.r.Context(), ids)
	if err != nil {
		return err
	}
	unread, err := w.app.Notify.Unread(q.r.Context(), me.ID)
	if err != nil {
		return err
	}
	d := struct {
		Tabs   []string
		Unread map[string]int
		Rows   []inboxRow
		More   string
	}{Tabs: notificationTabs, Unread: unread}
	for _, c := range convs {
		if u, ok := users[c.OtherID]; ok {
			d.Rows = append(d.Rows, inboxRow{User: u, Last: c.LastMessage, Mine: c.LastMessage.SenderID == me.ID, Unread: c.Unread})
		}
	}
	if len(convs) == pageSize {
		d.More = "?cursor=" + convs[len(convs)-1].LastMessage.ID.String()
	}
	q.render(http.StatusOK, "inbox", q.t("messages.title"), "messages", d)
	return nil
}

type threadData struct {
	User     accounts.User
	Messages []messages.Message
	Older    string
	Error    string
	Body     string
}

// threadPageSize is how many messages a thread page shows.
const threadPageSize = 50

func (q *req) loadThread(me accounts.User) (threadData, error) {
	other, err := q.w.app.Accounts.GetByUsername(q.r.Context(), q.r.PathValue("username"))
	if err != nil {
		return threadData{}, err
	}
	before, err := httpx.IDCursor(q.r.URL.Query().Get("before"))
	if err != nil {
		return threadData{}, err
	}
	ms, err := q.w.app.Messages.History(q.r.Context(), me.ID, other.ID, before, threadPageSize)
	if err != nil {
		return threadData{}, err
	}
	d := threadData{User: other.Public(), Messages: ms}
	if len(ms) == threadPageSize {
		d.Older = "?before=" + ms[len(ms)-1].ID.String()
	}
	slices.Reverse(d.Messages) // oldest at the top, like a chat
	return d, nil
}

func (w *Web) thread(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	d, err := q.loadThread(me)
	if err != nil {
		return err
	}
	if d.User.ID == me.ID {
		q.redirect("/messages")
		return nil
	}
	q.render(http.StatusOK, "thread", d.User.DisplayName, "messages", d)
	return nil
}

// sendMessage posts the form; a refusal (not following each other, a
// block, bad input) re-renders the thread with the service's reason.
func (w *Web) sendMessage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	d, err := q.loadThread(me)
	if err != nil {
		return err
	}
	body := q.r.PostFormValue("body")
	err = q.allowWrite(me)
	if err == nil {
		_, err = w.app.Messages.Send(q.r.Context(), me.ID, d.User.ID, body)
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		d.Error, d.Body = q.problem(ae), body
		switch ae.Message {
		case messages.ReasonNotFollowing:
			d.Error = q.t("messages.err.not_following")
		case messages.ReasonBlocked:
			d.Error = q.t("messages.err.blocked")
		}
		q.render(ae.Status, "thread", d.User.DisplayName, "messages", d)
		return nil
	}
	if err != nil {
		return err
	}
	q.redirect("/messages/" + d.User.Username + "#bottom")
	return nil
}

// notificationTabs are the tabs, in the order the app shows them.
var notificationTabs = notify.CategoryNames

type notificationRow struct {
	notify.Notification
	Actor   accounts.User
	Note    *noteRef
	Comment string // what was said, for comments, replies and mentions in comments
}

// noteRef is the bit of a note a notification shows.
type noteRef struct {
	ID    id.ID
	Title string
	Thumb string
}

func (w *Web) notifications(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	tab := q.r.URL.Query().Get("tab")
	if !slices.Contains(notificationTabs, tab) {
		tab = notificationTabs[0]
	}
	before, err := httpx.IDCursor(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	unread, err := w.app.Notify.Unread(ctx, me.ID)
	if err != nil {
		return err
	}
	ns, err := w.app.Notify.List(ctx, me.ID, tab, before, pageSize)
	if err != nil {
		return err
	}
	var actorIDs, noteIDs, commentIDs []id.ID
	for _, n := range ns {
		actorIDs = append(actorIDs, n.ActorID)
		if n.NoteID != 0 {
			noteIDs = append(noteIDs, n.NoteID)
		}
		if n.CommentID != 0 {
			commentIDs = append(commentIDs, n.CommentID)
		}
	}
	comments, err := w.app.Notify.Comments(ctx, commentIDs)
	if err != nil {
		return err
	}
	actors, err := w.app.Accounts.GetMany(ctx, actorIDs)
	if err != nil {
		return err
	}
	refs, err := q.noteRefs(noteIDs)
	if err != nil {
		return err
	}
	d := struct {
		Tab    string
		Tabs   []string
		Unread map[string]int
		Rows   []notificationRow
		More   string
	}{Tab: tab, Tabs: notificationTabs, Unread: unread}
	for _, n := range ns {
		a, ok := actors[n.ActorID]
		if !ok {
			continue
		}
		d.Rows = append(d.Rows, notificationRow{Notification: n, Actor: a, Note: refs[n.NoteID], Comment: comments[n.CommentID].Body})
	}
	if len(ns) == pageSize {
		d.More = "?tab=" + tab + "&cursor=" + ns[len(ns)-1].ID.String()
	}
	// Opening a tab reads it; its badge clears on the next page.
	if before == 0 && unread[tab] > 0 {
		if err := w.app.Notify.MarkRead(ctx, me.ID, tab); err != nil {
			return err
		}
	}
	q.render(http.StatusOK, "notifications", q.t("notify.title"), "messages", d)
	return nil
}
