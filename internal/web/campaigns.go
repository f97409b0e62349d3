package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
)

// Voting campaigns (G4): the list, a campaign's vote page with live
// leaderboards (server-sent events), the vote form (an Idempotency-Key
// minted with the page, so a double click votes once) and the results page.

func (w *Web) registerCampaigns(mux *http.ServeMux) {
	mux.Handle("GET /campaigns", w.h(w.campaignList))
	mux.Handle("GET /campaigns/{id}", w.h(w.campaignPage))
	mux.Handle("POST /campaigns/{id}/vote", w.h(w.campaignVote))
	mux.Handle("GET /campaigns/{id}/results", w.h(w.campaignResults))
	mux.Handle("GET /campaigns/{id}/live", http.HandlerFunc(w.campaignLive))
}

func (w *Web) campaignList(q *req) error {
	cs, err := w.app.Campaigns.List(q.r.Context(), 50)
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "campaigns", q.t("camp.title"), "", cs)
	return nil
}

type campaignData struct {
	Campaign   campaigns.Campaign
	Categories []campaigns.Category
	Allowance  *campaigns.Allowance
	Key        string
	Error      string
	Voted      bool
}

func (w *Web) campaignPage(q *req) error {
	return q.renderCampaign(http.StatusOK, "", q.r.URL.Query().Get("voted") == "1")
}

func (q *req) renderCampaign(status int, msg string, voted bool) error {
	cid, err := httpx.PathID(q.r, "id", "campaign")
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	d := campaignData{Key: newKey(), Error: msg, Voted: voted}
	if d.Campaign, err = q.w.app.Campaigns.Get(ctx, cid); err != nil {
		return err
	}
	if d.Categories, err = q.w.app.Campaigns.Leaderboard(ctx, cid); err != nil {
		return err
	}
	if q.me != nil {
		al, err := q.w.app.Campaigns.MyAllowance(ctx, cid, q.me.ID)
		if err != nil {
			return err
		}
		d.Allowance = &al
	}
	q.deviceCookie()
	q.render(status, "campaign", d.Campaign.Title, "", d)
	return nil
}

// deviceCookie is a random per-browser id for the per-device vote limit.
const deviceCookie = "rm_dev"

func (q *req) deviceCookie() string {
	if c, err := q.r.Cookie(deviceCookie); err == nil && len(c.Value) == 32 {
		return c.Value
	}
	v := newKey()
	http.SetCookie(q.rw, &http.Cookie{Name: deviceCookie, Value: v, Path: "/", MaxAge: 400 * 24 * 3600, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: q.r.TLS != nil})
	return v
}

// voteErrors maps the service's refusals to catalogue keys.
var voteErrors = map[string]string{
	"no_votes_left": "camp.err.no_votes", "source_limit": "camp.err.source", "not_started": "camp.err.not_started",
	"ended": "camp.err.ended", "excluded": "camp.err.excluded", "account_too_new": "camp.err.too_new",
}

func (w *Web) campaignVote(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	cid, err := httpx.PathID(q.r, "id", "campaign")
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return q.renderCampaign(http.StatusTooManyRequests, q.t("error.429"), false)
	}
	nid, err := id.Parse(q.r.PostFormValue("nominee"))
	if err != nil {
		return q.renderCampaign(http.StatusBadRequest, q.t("camp.err.nominee"), false)
	}
	_, err = w.app.Campaigns.Vote(q.r.Context(), me, cid, nid, "web-"+q.r.PostFormValue("key"),
		campaigns.Source{IP: httpx.ClientIP(q.r, w.app.Config.TrustProxy), Device: q.deviceCookie()})
	if err == nil {
		w.app.Track(analytics.Event{Kind: analytics.Vote, User: me.ID, Ref: cid})
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		if key, ok := voteErrors[ae.Code]; ok {
			return q.renderCampaign(ae.Status, q.t(key), false)
		}
		if ae.Status == http.StatusBadRequest {
			return q.renderCampaign(ae.Status, q.problem(ae), false)
		}
	}
	if err != nil {
		return err
	}
	q.redirect(fmt.Sprintf("/campaigns/%s?voted=1#nominee-%s", cid, nid))
	return nil
}

func (w *Web) campaignResults(q *req) error {
	cid, err := httpx.PathID(q.r, "id", "campaign")
	if err != nil {
		return err
	}
	c, err := w.app.Campaigns.Get(q.r.Context(), cid)
	if err != nil {
		return err
	}
	if c.Status != campaigns.Published {
		return apperr.NotFound("results")
	}
	cats, err := w.app.Campaigns.Categories(q.r.Context(), cid)
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "campaign_results", c.Title, "", campaignData{Campaign: c, Categories: cats})
	return nil
}

// liveTick is how often a stream looks for new tallies; the leaderboard
// cache makes a look cheap, so a vote shows within about this long.
const liveTick = 250 * time.Millisecond

// liveMax ends a stream after a while; the browser's EventSource reconnects.
const liveMax = 10 * time.Minute

// campaignLive streams the leaderboards as server-sent events: one event
// at once, then one whenever a tally changes, until the campaign ends.
func (w *Web) campaignLive(rw http.ResponseWriter, r *http.Request) {
	cid, err := httpx.PathID(r, "id", "campaign")
	if err != nil {
		http.Error(rw, "not found", http.StatusNotFound)
		return
	}
	ctx := r.Context()
	if _, err := w.app.Campaigns.Get(ctx, cid); err != nil {
		http.Error(rw, "not found", http.StatusNotFound)
		return
	}
	rc := http.NewResponseController(rw) // finds the Flusher through the middleware's wrappers
	hd := rw.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("X-Accel-Buffering", "no")
	rw.WriteHeader(http.StatusOK)
	var last []byte
	tick := time.NewTicker(liveTick)
	defer tick.Stop()
	stop := time.After(liveMax)
	for {
		cats, err := w.app.Campaigns.Leaderboard(ctx, cid)
		if err != nil {
			return
		}
		b, _ := json.Marshal(map[string]any{"categories": cats})
		if string(b) != string(last) {
			if _, err := fmt.Fprintf(rw, "data: %s\n\n", b); err != nil {
				return
			}
			if rc.Flush() != nil {
				return
			}
			last = b
		}
		select {
		case <-ctx.Done():
			return
		case <-stop:
			return
		case <-w.app.Campaigns.Streams():
			return
		case <-tick.C:
		}
	}
}
