package httpapi

import (
	"net/http"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
)

// Voting campaigns (G4); see docs/campaigns.md.

func (a *API) registerCampaigns(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/campaigns", handler(a.createCampaign))
	mux.Handle("GET /api/v1/campaigns", handler(a.listCampaigns))
	mux.Handle("GET /api/v1/campaigns/{id}", handler(a.getCampaign))
	mux.Handle("GET /api/v1/campaigns/{id}/leaderboard", handler(a.campaignLeaderboard))
	mux.Handle("POST /api/v1/campaigns/{id}/categories", handler(a.addCampaignCategory))
	mux.Handle("POST /api/v1/campaigns/{id}/nominees", handler(a.addCampaignNominee))
	mux.Handle("POST /api/v1/campaigns/{id}/votes", handler(a.voteCampaign))
	mux.Handle("GET /api/v1/campaigns/{id}/votes", handler(a.campaignVotes))
	mux.Handle("POST /api/v1/campaigns/{id}/exclusions", handler(a.excludeVoter))
	mux.Handle("POST /api/v1/campaigns/{id}/flagged", handler(a.decideFlagged))
	mux.Handle("POST /api/v1/campaigns/{id}/recount", handler(a.recountCampaign))
	mux.Handle("POST /api/v1/campaigns/{id}/end", handler(a.endCampaign))
	mux.Handle("POST /api/v1/campaigns/{id}/publish", handler(a.publishCampaign))
}

// campaignOperator starts an operator action on /campaigns/{id}: the
// operator check comes before anything is parsed.
func (a *API) campaignOperator(r *http.Request, what string) (accounts.User, id.ID, error) {
	me, err := operator(r, what)
	if err != nil {
		return me, 0, err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return me, 0, err
	}
	if r.PathValue("id") == "" {
		return me, 0, nil
	}
	cid, err := httpx.PathID(r, "id", "campaign")
	return me, cid, err
}

func (a *API) createCampaign(w http.ResponseWriter, r *http.Request) error {
	me, _, err := a.campaignOperator(r, "create campaigns")
	if err != nil {
		return err
	}
	var in campaigns.Input
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := a.app.Campaigns.Create(r.Context(), me, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) listCampaigns(w http.ResponseWriter, r *http.Request) error {
	_, limit, err := httpx.Page(r, 20, 100)
	if err != nil {
		return err
	}
	items, err := a.app.Campaigns.List(r.Context(), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

// getCampaign is the campaign, its leaderboards and, signed in, what the
// viewer has left to vote today.
func (a *API) getCampaign(w http.ResponseWriter, r *http.Request) error {
	cid, err := httpx.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	c, err := a.app.Campaigns.Get(r.Context(), cid)
	if err != nil {
		return err
	}
	cats, err := a.app.Campaigns.Leaderboard(r.Context(), cid)
	if err != nil {
		return err
	}
	out := map[string]any{"campaign": c, "categories": cats, "allowance": nil}
	if me, ok := httpx.User(r); ok {
		al, err := a.app.Campaigns.MyAllowance(r.Context(), cid, me.ID)
		if err != nil {
			return err
		}
		out["allowance"] = al
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) campaignLeaderboard(w http.ResponseWriter, r *http.Request) error {
	cid, err := httpx.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	cats, err := a.app.Campaigns.Leaderboard(r.Context(), cid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"categories": cats, "server_time": time.Now().UTC()})
	return nil
}

func (a *API) addCampaignCategory(w http.ResponseWriter, r *http.Request) error {
	me, cid, err := a.campaignOperator(r, "edit campaigns")
	if err != nil {
		return err
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	cat, err := a.app.Campaigns.AddCategory(r.Context(), me, cid, in.Name)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, cat)
	return nil
}

func (a *API) addCampaignNominee(w http.ResponseWriter, r *http.Request) error {
	me, cid, err := a.campaignOperator(r, "edit campaigns")
	if err != nil {
		return err
	}
	var in campaigns.NomineeInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := a.app.Campaigns.AddNominee(r.Context(), me, cid, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, n)
	return nil
}

// voteCampaign casts a vote: 201 with the receipt, the same 201 for a
// retried Idempotency-Key.
func (a *API) voteCampaign(w http.ResponseWriter, r *http.Request) error {
	me, err := httpx.Require(r)
	if err != nil {
		return err
	}
	if err := app.Allow(a.app.Limits.Write, me.ID.String()); err != nil {
		return err
	}
	cid, err := httpx.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	var in struct {
		Nominee id.ID `json:"nominee_id"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	rc, err := a.app.Campaigns.Vote(r.Context(), me, cid, in.Nominee, r.Header.Get("Idempotency-Key"),
		campaigns.Source{IP: a.clientIP(r), Device: r.Header.Get("X-Device-ID")})
	if err != nil {
		return err
	}
	a.app.Track(analytics.Event{Kind: analytics.Vote, User: me.ID, Ref: cid})
	httpx.WriteJSON(w, http.StatusCreated, rc)
	return nil
}

func (a *API) campaignVotes(w http.ResponseWriter, r *http.Request) error {
	me, err := operator(r, "audit campaigns")
	if err != nil {
		return err
	}
	cid, err := httpx.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	before, limit, err := httpx.IDPage(r, 50, 500)
	if err != nil {
		return err
	}
	f := campaigns.VoteFilter{Status: r.URL.Query().Get("status"), Before: before}
	for name, dst := range map[string]*id.ID{"user_id": &f.User, "nominee_id": &f.Nominee} {
		if v := r.URL.Query().Get(name); v != "" {
			if *dst, err = httpx.IDCursor(v); err != nil {
				return err
			}
		}
	}
	items, next, err := a.app.Campaigns.Votes(r.Context(), me, cid, f, limit)
	if err != nil {
		return err
	}
	var cursor *string
	if next != 0 {
		s := next.String()
		cursor = &s
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": cursor})
	return nil
}

func (a *API) excludeVoter(w http.ResponseWriter, r *http.Request) error {
	me, cid, err := a.campaignOperator(r, "moderate campaigns")
	if err != nil {
		return err
	}
	var in struct {
		User id.ID `json:"user_id"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := a.app.Campaigns.Exclude(r.Context(), me, cid, in.User)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"voided": n})
	return nil
}

func (a *API) decideFlagged(w http.ResponseWriter, r *http.Request) error {
	me, cid, err := a.campaignOperator(r, "moderate campaigns")
	if err != nil {
		return err
	}
	var in struct {
		Nominee id.ID `json:"nominee_id"`
		Approve bool  `json:"approve"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := a.app.Campaigns.Decide(r.Context(), me, cid, in.Nominee, in.Approve)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"changed": n})
	return nil
}

func (a *API) recountCampaign(w http.ResponseWriter, r *http.Request) error {
	me, cid, err := a.campaignOperator(r, "recount campaigns")
	if err != nil {
		return err
	}
	n, err := a.app.Campaigns.Recount(r.Context(), me, cid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"corrected": n})
	return nil
}

func (a *API) endCampaign(w http.ResponseWriter, r *http.Request) error {
	me, cid, err := a.campaignOperator(r, "end campaigns")
	if err != nil {
		return err
	}
	c, err := a.app.Campaigns.End(r.Context(), me, cid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}

func (a *API) publishCampaign(w http.ResponseWriter, r *http.Request) error {
	me, cid, err := a.campaignOperator(r, "publish campaign results")
	if err != nil {
		return err
	}
	c, err := a.app.Campaigns.Publish(r.Context(), me, cid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, c)
	return nil
}
