package httpapi

import (
	"net/http"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/messages"
)

func (a *API) registerMessages(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/messages/{username}", handler(a.sendMessage))
	mux.Handle("GET /api/v1/messages/{username}", handler(a.messageHistory))
	mux.Handle("GET /api/v1/conversations", handler(a.listConversations))
}

// sendMessage: POST /api/v1/messages/{username} {body} → 201 message.
func (a *API) sendMessage(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	to, err := a.app.Accounts.GetByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return err
	}
	m, err := a.app.Messages.Send(r.Context(), me.ID, to.ID, in.Body)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, m)
	return nil
}

// messageHistory: GET /api/v1/messages/{username}?cursor=&limit= → the
// signed-in user's messages with that user, newest first; reading marks them
// read. An empty history (no conversation yet) is 200 with [].
func (a *API) messageHistory(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	before, limit, err := httpx.IDPage(r, 30, 100)
	if err != nil {
		return err
	}
	other, err := a.app.Accounts.GetByUsername(r.Context(), r.PathValue("username"))
	if err != nil {
		return err
	}
	msgs, err := a.app.Messages.History(r.Context(), me.ID, other.ID, before, limit)
	if err != nil {
		return err
	}
	var next *string
	if len(msgs) == limit {
		s := msgs[len(msgs)-1].ID.String()
		next = &s
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"messages": msgs, "next_cursor": next})
	return nil
}

type conversationOut struct {
	ID          id.ID            `json:"id"`
	User        accounts.User    `json:"user"`
	LastMessage messages.Message `json:"last_message"`
	Unread      int              `json:"unread_count"`
}

// listConversations: GET /api/v1/conversations?cursor=&limit= → the inbox,
// newest message first; the cursor is the last message id of the last row.
func (a *API) listConversations(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	before, limit, err := httpx.IDPage(r, 20, 100)
	if err != nil {
		return err
	}
	convs, err := a.app.Messages.Conversations(r.Context(), me.ID, before, limit)
	if err != nil {
		return err
	}
	ids := make([]id.ID, len(convs))
	for i, c := range convs {
		ids[i] = c.OtherID
	}
	users, err := a.app.Accounts.GetMany(r.Context(), ids)
	if err != nil {
		return err
	}
	out := make([]conversationOut, 0, len(convs))
	for _, c := range convs {
		u, ok := users[c.OtherID]
		if !ok {
			continue // deleted between the two reads
		}
		out = append(out, conversationOut{ID: c.ID, User: u, LastMessage: c.LastMessage, Unread: c.Unread})
	}
	var next *string
	if len(convs) == limit {
		s := convs[len(convs)-1].LastMessage.ID.String()
		next = &s
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"conversations": out, "next_cursor": next})
	return nil
}
