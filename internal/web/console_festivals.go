package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/festivals"
	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/promotions"
)

// Console area: festivals — create one and edit it (schedule, mark, topic,
// the vote, the promotions and flash sales it features). The service
// checks the operator again.

func (w *Web) registerConsoleFestivals(mux *http.ServeMux) {
	mux.Handle("GET /console/festivals", w.h(w.consoleFestivals))
	mux.Handle("POST /console/festivals", w.h(w.consoleSaveFestival))
	mux.Handle("GET /console/festivals/{id}", w.h(w.consoleFestival))
	mux.Handle("POST /console/festivals/{id}", w.h(w.consoleSaveFestival))
}

// festivalForm is the create/edit form, kept on a validation error.
type festivalForm struct {
	ID                                                   string // "" when creating
	Slug, Title, Mark, Description, Topic, Starts, Hours string
	Campaign                                             string
	Promotions, Sales                                    []string // checked ids
	OtherPromotions                                      string   // ids typed in
}

type consoleFestivalsData struct {
	Festivals  []festivals.Festival
	Form       festivalForm
	Campaigns  []campaigns.Campaign
	Promotions []promotions.Promotion
	Sales      []flashsale.Sale
	Saved      bool
}

func (w *Web) consoleFestivals(q *req) error {
	f := festivalForm{Starts: time.Now().UTC().Format(formTime), Hours: "72"}
	return q.renderConsoleFestivals(http.StatusOK, "", f)
}

func (w *Web) consoleFestival(q *req) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	fid, err := q.pathID("festival")
	if err != nil {
		return err
	}
	fe, err := w.app.Festivals.Get(q.r.Context(), fid)
	if err != nil {
		return err
	}
	f := festivalForm{ID: fe.ID.String(), Slug: fe.Slug, Title: fe.Title, Mark: fe.Mark, Description: fe.Description,
		Topic: fe.Topic, Starts: fe.StartsAt.Format(formTime), Hours: strconv.Itoa(int(fe.EndsAt.Sub(fe.StartsAt).Hours()))}
	if fe.CampaignID != 0 {
		f.Campaign = fe.CampaignID.String()
	}
	for _, p := range fe.PromotionIDs {
		f.Promotions = append(f.Promotions, p.String())
	}
	for _, s := range fe.FlashSaleIDs {
		f.Sales = append(f.Sales, s.String())
	}
	return q.renderConsoleFestivals(http.StatusOK, "", f)
}

// renderConsoleFestivals renders the list with the form: a new festival's,
// or with f.ID set one festival's edit form.
func (q *req) renderConsoleFestivals(status int, msg string, f festivalForm) error {
	if _, err := q.requireOperator(); err != nil {
		return err
	}
	ctx := q.r.Context()
	d := consoleFestivalsData{Form: f, Saved: q.r.URL.Query().Get("saved") == "1"}
	var err error
	if d.Festivals, err = q.w.app.Festivals.List(ctx, 100); err != nil {
		return err
	}
	if d.Campaigns, err = q.w.app.Campaigns.List(ctx, 100); err != nil {
		return err
	}
	if d.Promotions, err = q.w.app.Promotions.Active(ctx, 0, time.Now()); err != nil {
		return err
	}
	sales, err := q.w.app.Flash.List(ctx, 100)
	if err != nil {
		return err
	}
	for _, s := range sales {
		if s.Status != flashsale.Ended || slices.Contains(f.Sales, s.ID.String()) {
			d.Sales = append(d.Sales, s)
		}
	}
	// Chosen promotions that are not running now stay in the typed list.
	if f.OtherPromotions == "" {
		var other []string
		for _, p := range f.Promotions {
			if !slices.ContainsFunc(d.Promotions, func(x promotions.Promotion) bool { return x.ID.String() == p }) {
				other = append(other, p)
			}
		}
		d.Form.OtherPromotions = strings.Join(other, " ")
	}
	return q.renderConsole(status, "festivals", msg, d)
}

func (w *Web) consoleSaveFestival(q *req) error {
	me, fid, err := q.consoleWrite("festival")
	if err != nil {
		return err
	}
	if err := q.r.ParseForm(); err != nil {
		return apperr.Invalid("bad form")
	}
	v := q.r.PostFormValue
	f := festivalForm{Slug: v("slug"), Title: v("title"), Mark: v("mark"), Description: v("description"), Topic: v("topic"),
		Starts: v("starts_at"), Hours: v("hours"), Campaign: v("campaign_id"), Promotions: q.r.PostForm["promotion"],
		Sales: q.r.PostForm["flash_sale"], OtherPromotions: v("promotion_ids")}
	if fid != 0 {
		f.ID = fid.String()
	}
	in, err := festivalInput(q.r, f)
	var fe festivals.Festival
	if err == nil {
		if fid == 0 {
			fe, err = w.app.Festivals.Create(q.r.Context(), me, in)
		} else {
			fe, err = w.app.Festivals.Update(q.r.Context(), me, fid, in)
		}
	}
	if m, st, e := q.formProblem(err); e != nil {
		return e
	} else if m != "" {
		return q.renderConsoleFestivals(st, m, f)
	}
	q.redirect("/console/festivals/" + fe.ID.String() + "?saved=1")
	return nil
}

// festivalInput parses the form; the service validates the rest.
func festivalInput(r *http.Request, f festivalForm) (festivals.Input, error) {
	in := festivals.Input{Slug: f.Slug, Title: f.Title, Mark: f.Mark, Description: f.Description, Topic: f.Topic}
	parse := func(field, s string) (id.ID, error) {
		x, err := id.Parse(strings.TrimSpace(s))
		if err != nil {
			return 0, apperr.Invalid("%s: %q is not an id", field, s)
		}
		return x, nil
	}
	var err error
	if strings.TrimSpace(f.Campaign) != "" {
		if in.CampaignID, err = parse("campaign_id", f.Campaign); err != nil {
			return in, err
		}
	}
	ids := append(slices.Clone(f.Promotions), strings.FieldsFunc(f.OtherPromotions, func(r rune) bool { return r == ',' || r == ' ' })...)
	for _, s := range ids {
		x, err := parse("promotion", s)
		if err != nil {
			return in, err
		}
		in.PromotionIDs = append(in.PromotionIDs, x)
	}
	for _, s := range f.Sales {
		x, err := parse("flash_sale", s)
		if err != nil {
			return in, err
		}
		in.FlashSaleIDs = append(in.FlashSaleIDs, x)
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
