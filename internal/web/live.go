package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/live"
	"github.com/redmark/redmark/internal/media"
)

// Live rooms (issue 11 part A): the list, the live page (HLS player while
// on air, the replay afterwards, the products with the pinned ones first,
// and the slot where live chat mounts), the host's create and manage pages,
// and the HLS files nginx-rtmp writes. Buying from a live goes through the
// product page with ?live=, which checkout carries to the order.

func (w *Web) registerLive(mux *http.ServeMux) {
	mux.Handle("GET /live", w.h(w.liveList))
	mux.Handle("GET /live/new", w.h(w.liveNewPage))
	mux.Handle("POST /live/new", w.h(w.liveCreate))
	mux.Handle("GET /live/{id}", w.h(w.livePage))
	mux.Handle("GET /live/{id}/manage", w.h(w.liveManage))
	mux.Handle("POST /live/{id}/key", w.h(w.liveKey))
	mux.Handle("POST /live/{id}/end", w.h(w.liveEnd))
	mux.Handle("POST /live/{id}/pin", w.h(w.livePin))
	mux.Handle("GET /live/{id}/hls/{file}", http.HandlerFunc(w.liveHLS))
}

type liveListData struct {
	OnAir, Upcoming, Ended []live.Live
	CanHost, Configured    bool
}

func (w *Web) liveList(q *req) error {
	ctx := q.r.Context()
	d := liveListData{CanHost: q.me != nil && live.CanHost(*q.me), Configured: w.app.Live.Config().Configured()}
	var err error
	if d.OnAir, err = w.app.Live.List(ctx, live.ListFilter{Status: live.OnAir, Limit: 20}); err != nil {
		return err
	}
	if d.Upcoming, err = w.app.Live.List(ctx, live.ListFilter{Status: live.Scheduled, Limit: 20}); err != nil {
		return err
	}
	if d.Ended, err = w.app.Live.List(ctx, live.ListFilter{Status: live.Ended, Limit: 20}); err != nil {
		return err
	}
	q.render(http.StatusOK, "live_list", q.t("live.title"), "", d)
	return nil
}

// liveStrip is the discover feed's row of lives on air and coming up.
func (q *req) liveStrip() []live.Live {
	ctx := q.r.Context()
	on, err := q.w.app.Live.List(ctx, live.ListFilter{Status: live.OnAir, Limit: 6})
	if err != nil {
		return nil // the feed shows without the row
	}
	if len(on) < 6 {
		up, err := q.w.app.Live.List(ctx, live.ListFilter{Status: live.Scheduled, Limit: 6 - len(on)})
		if err == nil {
			on = append(on, up...)
		}
	}
	return on
}

type livePageData struct {
	L          live.Live
	Configured bool
	CanManage  bool
	Sales      *live.Sales
}

func (w *Web) livePage(q *req) error {
	lid, err := q.pathID("live")
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	l, err := w.app.Live.Get(ctx, lid)
	if err != nil {
		return err
	}
	d := livePageData{L: l, Configured: w.app.Live.Config().Configured()}
	if q.me != nil {
		if s, err := w.app.Live.SalesOf(ctx, *q.me, lid); err == nil {
			d.CanManage, d.Sales = true, &s
		}
	}
	q.render(http.StatusOK, "live", l.Title, "", d)
	return nil
}

type liveForm struct {
	Title, When string
	Products    []productPick
	Error       string
}

func (w *Web) liveNewPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if !live.CanHost(me) {
		return apperr.Forbidden("only creators, brands and merchants can host lives")
	}
	picks, err := q.productPicks(nil, nil)
	if err != nil {
		return err
	}
	f := liveForm{When: time.Now().UTC().Add(time.Hour).Truncate(time.Minute).Format(formTime), Products: picks}
	q.render(http.StatusOK, "live_new", q.t("live.new"), "", f)
	return nil
}

func (w *Web) liveCreate(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return err
	}
	if err := parseMultipart(q, media.MaxImageBytes+1<<20); err != nil {
		return err
	}
	f := liveForm{Title: q.r.PostFormValue("title"), When: q.r.PostFormValue("scheduled_at")}
	fail := func(err error) error {
		msg, status, err := q.formProblem(err)
		if err != nil {
			return err
		}
		chosen, _ := formProductIDs(q.r, live.MaxProducts)
		if f.Products, err = q.productPicks(nil, chosen); err != nil {
			return err
		}
		f.Error = msg
		q.render(status, "live_new", q.t("live.new"), "", f)
		return nil
	}
	in := live.Input{Title: f.Title}
	if in.ScheduledAt, err = time.Parse(formTime, strings.TrimSpace(f.When)); err != nil {
		return fail(apperr.Invalid("%s", q.t("live.err.when")))
	}
	if in.ProductIDs, err = formProductIDs(q.r, live.MaxProducts); err != nil {
		return fail(err)
	}
	if !live.CanHost(me) {
		return apperr.Forbidden("only creators, brands and merchants can host lives")
	}
	if fh := formFile(q.r, "cover"); fh != nil {
		if err := app.Allow(w.app.Limits.Upload, me.ID.String()); err != nil {
			return err
		}
		m, err := upload(q, me, fh)
		if err != nil {
			return fail(err)
		}
		in.CoverMediaID = &m.ID
	}
	l, key, err := w.app.Live.Create(q.r.Context(), me, in)
	if err != nil {
		return fail(err)
	}
	return q.renderManage(l, key)
}

type liveManageData struct {
	L          live.Live
	Key        string // only right after creation or rotation
	RTMP       string
	Configured bool
	Sales      live.Sales
}

func (w *Web) liveManage(q *req) error {
	lid, err := q.pathID("live")
	if err != nil {
		return err
	}
	if _, err := q.requireUser(); err != nil {
		return err
	}
	l, err := w.app.Live.Get(q.r.Context(), lid)
	if err != nil {
		return err
	}
	return q.renderManage(l, "")
}

func (q *req) renderManage(l live.Live, key string) error {
	s, err := q.w.app.Live.SalesOf(q.r.Context(), *q.me, l.ID) // the host's (or an operator's) only
	if err != nil {
		return err
	}
	cfg := q.w.app.Live.Config()
	if key != "" {
		q.rw.Header().Set("Cache-Control", "no-store")
	}
	q.render(http.StatusOK, "live_manage", l.Title, "", liveManageData{L: l, Key: key, RTMP: cfg.RTMPURL, Configured: cfg.Configured(), Sales: s})
	return nil
}

// liveWrite starts a host's form post: the user, the write limit, the live.
func (q *req) liveWrite() (id.ID, error) {
	me, err := q.requireUser()
	if err != nil {
		return 0, err
	}
	if err := q.allowWrite(me); err != nil {
		return 0, err
	}
	return q.pathID("live")
}

func (w *Web) liveKey(q *req) error {
	lid, err := q.liveWrite()
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	if q.r.PostFormValue("action") == "revoke" {
		if err := w.app.Live.RevokeKey(ctx, *q.me, lid); err != nil {
			return err
		}
		q.redirect("/live/" + lid.String() + "/manage")
		return nil
	}
	key, err := w.app.Live.RotateKey(ctx, *q.me, lid)
	if err != nil {
		return err
	}
	l, err := w.app.Live.Get(ctx, lid)
	if err != nil {
		return err
	}
	return q.renderManage(l, key)
}

func (w *Web) liveEnd(q *req) error {
	lid, err := q.liveWrite()
	if err != nil {
		return err
	}
	if _, err := w.app.Live.End(q.r.Context(), *q.me, lid); err != nil {
		return err
	}
	q.redirect("/live/" + lid.String() + "/manage")
	return nil
}

func (w *Web) livePin(q *req) error {
	lid, err := q.liveWrite()
	if err != nil {
		return err
	}
	pid, err := id.Parse(q.r.PostFormValue("product"))
	if err != nil {
		return apperr.NotFound("product")
	}
	if _, err := w.app.Live.Pin(q.r.Context(), *q.me, lid, pid, q.r.PostFormValue("pinned") == "1"); err != nil {
		return err
	}
	q.back("/live/" + lid.String() + "/manage")
	return nil
}

// liveHLS serves the playlist and segments nginx-rtmp writes for a live on
// air. The playlist changes every fragment, so it is never cached;
// segments never change once listed.
func (w *Web) liveHLS(rw http.ResponseWriter, r *http.Request) {
	lid, err := httpx.PathID(r, "id", "live")
	if err == nil {
		var p string
		if p, err = w.app.Live.HLSFile(r.Context(), lid, r.PathValue("file")); err == nil {
			h := rw.Header()
			h.Set("X-Content-Type-Options", "nosniff")
			if strings.HasSuffix(p, ".m3u8") {
				h.Set("Content-Type", "application/vnd.apple.mpegurl")
				h.Set("Cache-Control", "no-cache")
			} else {
				h.Set("Content-Type", "video/mp2t")
				h.Set("Cache-Control", "public, max-age=60")
			}
			http.ServeFile(rw, r, p)
			return
		}
	}
	http.NotFound(rw, r)
}

// consoleLive lists the latest lives with their orders and GMV.
func (w *Web) consoleLive(q *req) error {
	me, err := q.requireOperator()
	if err != nil {
		return err
	}
	ls, err := w.app.Live.Console(q.r.Context(), me, 100)
	if err != nil {
		return err
	}
	return q.renderConsole(http.StatusOK, "live", "", ls)
}

// liveParam is the live a buyer came from (?live= or the form's live
// field) when it is an id, else "". Whether the live really sells the
// product is the orders service's check.
func (q *req) liveParam() string {
	v := q.r.URL.Query().Get("live")
	if q.r.Method == http.MethodPost {
		v = q.r.PostFormValue("live")
	}
	if _, ok := id.ParseOK(v); !ok {
		return ""
	}
	return v
}
