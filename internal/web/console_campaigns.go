package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
)

// Console area: voting campaigns — create, add categories and nominees,
// watch the tallies, audit votes, exclude voters, settle flagged votes,
// recount, end and publish. Every action is checked again by the service.

func (w *Web) registerConsoleCampaigns(mux *http.ServeMux) {
	mux.Handle("GET /console/campaigns", w.h(w.consoleCampaigns))
	mux.Handle("POST /console/campaigns", w.h(w.consoleCreateCampaign))
	mux.Handle("GET /console/campaigns/{id}", w.h(w.consoleCampaign))
	mux.Handle("POST /console/campaigns/{id}/categories", w.h(w.consoleCampaignAction("category")))
	mux.Handle("POST /console/campaigns/{id}/nominees", w.h(w.consoleCampaignAction("nominee")))
	mux.Handle("POST /console/campaigns/{id}/exclude", w.h(w.consoleCampaignAction("exclude")))
	mux.Handle("POST /console/campaigns/{id}/flagged", w.h(w.consoleCampaignAction("flagged")))
	mux.Handle("POST /console/campaigns/{id}/recount", w.h(w.consoleCampaignAction("recount")))
	mux.Handle("POST /console/campaigns/{id}/end", w.h(w.consoleCampaignAction("end")))
	mux.Handle("POST /console/campaigns/{id}/publish", w.h(w.consoleCampaignAction("publish")))
}

// campaignForm is the creation form, kept on a validation error.
type campaignForm struct {
	Title, Topic, Starts, Hours, Daily, PublishBonus, PublishCap, ShareBonus, ShareCap string
	IPDaily, DeviceDaily, NewDays, NewMode, NewWeight, BurstVotes, BurstWindow         string
}

func (w *Web) consoleCampaigns(q *req) error {
	f := campaignForm{Starts: time.Now().UTC().Format(formTime), Hours: "72", Daily: "5", PublishBonus: "2", PublishCap: "4",
		ShareBonus: "1", ShareCap: "3", IPDaily: "200", NewDays: "3", NewMode: campaigns.NewWeight, NewWeight: "50",
		BurstVotes: "20", BurstWindow: "600"}
	return q.renderConsoleCampaigns(http.StatusOK, "", f)
}

func (q *req) renderConsoleCampaigns(status int, msg string, f campaignForm) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	cs, err := q.w.app.Campaigns.List(q.r.Context(), 100)
	if err != nil {
		return err
	}
	return q.renderConsole(status, "campaigns", msg, struct {
		Campaigns []campaigns.Campaign
		Form      campaignForm
	}{cs, f})
}

func (w *Web) consoleCreateCampaign(q *req) error {
	me, _, err := q.consoleWrite("")
	if err != nil {
		return err
	}
	v := q.r.PostFormValue
	f := campaignForm{Title: v("title"), Topic: v("topic"), Starts: v("starts_at"), Hours: v("hours"), Daily: v("daily_votes"),
		PublishBonus: v("publish_bonus"), PublishCap: v("publish_cap"), ShareBonus: v("share_bonus"), ShareCap: v("share_cap"),
		IPDaily: v("ip_daily"), DeviceDaily: v("device_daily"), NewDays: v("new_days"), NewMode: v("new_mode"),
		NewWeight: v("new_weight"), BurstVotes: v("burst_votes"), BurstWindow: v("burst_window_sec")}
	in, err := campaignInput(q.r, f)
	var c campaigns.Campaign
	if err == nil {
		c, err = w.app.Campaigns.Create(q.r.Context(), me, in)
	}
	if m, st, e := q.formProblem(err); e != nil {
		return e
	} else if m != "" {
		return q.renderConsoleCampaigns(st, m, f)
	}
	q.redirect("/console/campaigns/" + c.ID.String())
	return nil
}

// campaignInput parses the form; the service validates the figures.
func campaignInput(r *http.Request, f campaignForm) (campaigns.Input, error) {
	in := campaigns.Input{Title: f.Title, Topic: f.Topic, Description: r.PostFormValue("description")}
	in.NewMode = f.NewMode
	for field, dst := range map[string]*int{"daily_votes": &in.DailyVotes, "publish_bonus": &in.PublishBonus,
		"publish_cap": &in.PublishCap, "share_bonus": &in.ShareBonus, "share_cap": &in.ShareCap, "ip_daily": &in.IPDaily,
		"device_daily": &in.DeviceDaily, "new_days": &in.NewDays, "new_weight": &in.NewWeight, "burst_votes": &in.BurstVotes,
		"burst_window_sec": &in.BurstWindowSec} {
		n, err := formInt(r, field)
		if err != nil {
			return in, err
		}
		// Clamped to int range; the service checks the real bounds.
		*dst = int(min(max(n, -1), 1<<30))
	}
	hours, err := formInt(r, "hours")
	if err != nil {
		return in, err
	}
	if in.StartsAt, err = time.Parse(formTime, strings.TrimSpace(f.Starts)); err != nil {
		return in, apperr.Invalid("starts_at must be a date and time (UTC)")
	}
	in.EndsAt = in.StartsAt.Add(time.Duration(min(max(hours, 0), 1<<20)) * time.Hour)
	return in, nil
}

type consoleCampaignData struct {
	Campaign   campaigns.Campaign
	Categories []campaigns.Category
	Stats      campaigns.Stats
	Votes      []campaigns.VoteRow
	Audit      []campaigns.AuditEntry
	Status     string // vote filter
	More       string
	Notice     string
}

func (w *Web) consoleCampaign(q *req) error {
	return q.renderConsoleCampaign(http.StatusOK, "", q.r.URL.Query().Get("done"))
}

func (q *req) renderConsoleCampaign(status int, msg, notice string) error {
	me, err := q.requireOperator()
	if err != nil {
		return err
	}
	cid, err := q.pathID("campaign")
	if err != nil {
		return err
	}
	before, err := httpx.IDCursor(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	ctx, svc := q.r.Context(), q.w.app.Campaigns
	d := consoleCampaignData{Status: q.r.URL.Query().Get("status"), Notice: notice}
	if d.Campaign, err = svc.Get(ctx, cid); err != nil {
		return err
	}
	if d.Categories, err = svc.Categories(ctx, cid); err != nil {
		return err
	}
	if d.Stats, err = svc.Summary(ctx, me, cid); err != nil {
		return err
	}
	var next id.ID
	if d.Votes, next, err = svc.Votes(ctx, me, cid, campaigns.VoteFilter{Status: d.Status, Before: before}, 50); err != nil {
		return err
	}
	if next != 0 {
		d.More = "/console/campaigns/" + cid.String() + "?status=" + d.Status + "&cursor=" + next.String()
	}
	if d.Audit, err = svc.AuditLog(ctx, me, cid, 20); err != nil {
		return err
	}
	return q.renderConsole(status, "campaign", msg, d)
}

// consoleCampaignAction runs one form action on /console/campaigns/{id}.
func (w *Web) consoleCampaignAction(action string) func(q *req) error {
	return func(q *req) error {
		me, cid, err := q.consoleWrite("campaign")
		if err != nil {
			return err
		}
		ctx, svc, v := q.r.Context(), w.app.Campaigns, q.r.PostFormValue
		parse := func(field string) (id.ID, error) {
			s := strings.TrimSpace(v(field))
			if s == "" {
				return 0, nil
			}
			x, err := id.Parse(s)
			if err != nil {
				return 0, apperr.Invalid("%s is not an id", field)
			}
			return x, nil
		}
		notice := action
		switch action {
		case "category":
			_, err = svc.AddCategory(ctx, me, cid, v("name"))
		case "nominee":
			in := campaigns.NomineeInput{Kind: v("kind"), Title: v("title")}
			if in.Category, err = parse("category_id"); err == nil {
				if in.Ref, err = parse("ref"); err == nil {
					_, err = svc.AddNominee(ctx, me, cid, in)
				}
			}
		case "exclude":
			var uid id.ID
			if uid, err = parse("user_id"); err == nil {
				if uid == 0 {
					err = apperr.Invalid("user_id is required")
				} else {
					_, err = svc.Exclude(ctx, me, cid, uid)
				}
			}
		case "flagged":
			var nid id.ID
			if nid, err = parse("nominee_id"); err == nil {
				_, err = svc.Decide(ctx, me, cid, nid, v("approve") == "1")
			}
		case "recount":
			_, err = svc.Recount(ctx, me, cid)
		case "end":
			_, err = svc.End(ctx, me, cid)
		case "publish":
			_, err = svc.Publish(ctx, me, cid)
		}
		if m, st, e := q.formProblem(err); e != nil {
			return e
		} else if m != "" {
			return q.renderConsoleCampaign(st, m, "")
		}
		q.redirect("/console/campaigns/" + cid.String() + "?done=" + notice)
		return nil
	}
}
