package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
)

// Console area: the operations console's numbers (O1, O2) — overview,
// retention, funnel, channels, campaigns, personas — with charts (Apache
// ECharts, static/vendor), a date range and CSV export of every table.
// Each view is built once as KPIs, charts and tables; the page and the CSV
// export render the same tables. The JSON API serves the same numbers.

var analyticsViews = []string{"overview", "retention", "funnel", "channels", "campaigns", "personas"}

func (w *Web) registerConsoleAnalytics(mux *http.ServeMux) {
	mux.Handle("GET /console/analytics", w.h(func(q *req) error { return w.consoleAnalytics(q, "overview") }))
	mux.Handle("GET /console/analytics/{view}", w.h(func(q *req) error { return w.consoleAnalytics(q, q.r.PathValue("view")) }))
	mux.Handle("GET /console/analytics/{view}/csv", w.h(w.consoleAnalyticsCSV))
	mux.Handle("GET /console/analytics/report", w.h(w.consoleReport(false)))
	mux.Handle("GET /console/analytics/report.pdf", w.h(w.consoleReport(true)))
}

type aKPI struct{ Label, Value string }

type aSeries struct {
	Name string    `json:"name"`
	Data []float64 `json:"data"`
}

// aChart is one chart as static/console-analytics.js draws it.
type aChart struct {
	ID     string    `json:"id"`
	Type   string    `json:"type"` // line, bar, funnel, pie
	Title  string    `json:"title"`
	X      []string  `json:"x"`
	Series []aSeries `json:"series"`
	Pct    bool      `json:"pct,omitempty"` // values are ratios: show as %
}

type aTable struct {
	ID, Title string
	Cols      []string
	Rows      [][]string
}

type analyticsPage struct {
	View, From, To string
	Views          []string
	Rolled         string // the last day with numbers ("" before the first rollup)
	KPIs           []aKPI
	Charts         []aChart
	Tables         []aTable
}

func (w *Web) analyticsView(q *req, view string) (analyticsPage, error) {
	me, err := q.requireOperator()
	if err != nil {
		return analyticsPage{}, err
	}
	if !slices.Contains(analyticsViews, view) {
		return analyticsPage{}, apperr.NotFound("page")
	}
	ctx := q.r.Context()
	rg, err := w.app.AnalyticsRange(ctx, me, app.AnalyticsQuery{From: q.r.URL.Query().Get("from"), To: q.r.URL.Query().Get("to")})
	if err != nil {
		return analyticsPage{}, err
	}
	p := analyticsPage{View: view, Views: analyticsViews, From: rg.From.String(), To: rg.To.String()}
	if d, ok, err := w.app.Analytics.Metrics.Rolled(ctx); err != nil {
		return p, err
	} else if ok {
		p.Rolled = d.String()
	}
	b := aBuilder{q: q, w: w, m: w.app.Analytics.Metrics, r: rg, p: &p}
	switch view {
	case "overview":
		err = b.overview()
	case "retention":
		err = b.retention()
	case "funnel":
		err = b.funnel()
	case "channels":
		err = b.channels()
	case "campaigns":
		err = b.campaigns()
	case "personas":
		err = b.personas()
	}
	return p, err
}

func (w *Web) consoleAnalytics(q *req, view string) error {
	p, err := w.analyticsView(q, view)
	if err != nil {
		return err
	}
	return q.renderConsole(http.StatusOK, "analytics", "", p)
}

// consoleAnalyticsCSV exports one table of a view (?table=) as CSV.
func (w *Web) consoleAnalyticsCSV(q *req) error {
	p, err := w.analyticsView(q, q.r.PathValue("view"))
	if err != nil {
		return err
	}
	name := q.r.URL.Query().Get("table")
	for _, t := range p.Tables {
		if t.ID != name {
			continue
		}
		h := q.rw.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="redmark-%s-%s-%s.csv"`, t.ID, p.From, p.To))
		q.rw.Write([]byte("\ufeff")) // a BOM, so spreadsheet programs read the Chinese right
		cw := csv.NewWriter(q.rw)
		_ = cw.Write(t.Cols)
		_ = cw.WriteAll(t.Rows)
		return nil
	}
	return apperr.NotFound("table")
}

// aBuilder fills a page from the metrics.
type aBuilder struct {
	q *req
	w *Web
	m *analytics.Metrics
	r analytics.Range
	p *analyticsPage
}

func (b *aBuilder) t(key string, args ...any) string { return b.q.t(key, args...) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func pct(f *float64) string {
	if f == nil {
		return "–"
	}
	return strconv.FormatFloat(*f*100, 'f', 1, 64) + "%"
}

func pctv(f float64) string { return pct(&f) }

func (b *aBuilder) cell(n *int64) string {
	if n == nil {
		return b.t("can.suppressed", analytics.MinCell)
	}
	return itoa(*n)
}

func (b *aBuilder) overview() error {
	ctx := b.q.r.Context()
	o, err := b.m.Overview(ctx, b.r)
	if err != nil {
		return err
	}
	b.p.KPIs = []aKPI{
		{b.t("can.avg_dau"), strconv.FormatFloat(o.AvgDAU, 'f', 1, 64)}, {b.t("can.mau"), itoa(o.MAU)},
		{b.t("can.stickiness"), pctv(o.Stickiness)}, {b.t("can.new_users"), itoa(o.NewUsers)},
		{b.t("can.orders"), itoa(o.Orders)}, {b.t("can.gmv"), yuan(o.GMV)},
		{b.t("can.notes"), itoa(o.Notes)}, {b.t("can.creators"), itoa(o.Creators)},
	}
	x := make([]string, len(o.Days))
	series := func(f func(analytics.DayPoint) float64) []float64 {
		out := make([]float64, len(o.Days))
		for i, d := range o.Days {
			out[i] = f(d)
		}
		return out
	}
	for i, d := range o.Days {
		x[i] = d.Date
	}
	b.p.Charts = []aChart{
		{ID: "active", Type: "line", Title: b.t("can.chart.active"), X: x, Series: []aSeries{
			{b.t("can.dau"), series(func(d analytics.DayPoint) float64 { return float64(d.DAU) })},
			{b.t("can.wau"), series(func(d analytics.DayPoint) float64 { return float64(d.WAU) })},
			{b.t("can.mau"), series(func(d analytics.DayPoint) float64 { return float64(d.MAU) })}}},
		{ID: "new", Type: "bar", Title: b.t("can.chart.new"), X: x, Series: []aSeries{
			{b.t("can.new_users"), series(func(d analytics.DayPoint) float64 { return float64(d.NewUsers) })}}},
		{ID: "gmv", Type: "bar", Title: b.t("can.chart.gmv"), X: x, Series: []aSeries{
			{b.t("can.gmv_yuan"), series(func(d analytics.DayPoint) float64 { return float64(d.GMV) / 100 })}}},
		{ID: "content", Type: "line", Title: b.t("can.chart.content"), X: x, Series: []aSeries{
			{b.t("can.notes"), series(func(d analytics.DayPoint) float64 { return float64(d.Notes) })},
			{b.t("can.creators"), series(func(d analytics.DayPoint) float64 { return float64(d.Creators) })}}},
	}
	days := aTable{ID: "days", Title: b.t("can.table.days"), Cols: []string{b.t("can.date"), b.t("can.dau"), b.t("can.wau"), b.t("can.mau"),
		b.t("can.stickiness"), b.t("can.new_users"), b.t("can.orders"), b.t("can.paid_orders"), b.t("can.gmv"), b.t("can.notes"),
		b.t("can.creators"), b.t("can.views"), b.t("can.searches")}}
	for i := len(o.Days) - 1; i >= 0; i-- {
		d := o.Days[i]
		days.Rows = append(days.Rows, []string{d.Date, itoa(d.DAU), itoa(d.WAU), itoa(d.MAU), pctv(d.Stickiness), itoa(d.NewUsers),
			itoa(d.Orders), itoa(d.PaidOrders), yuan(d.GMV), itoa(d.Notes), itoa(d.Creators), itoa(d.Views), itoa(d.Searches)})
	}
	terms, err := b.m.Terms(ctx, b.r, 20)
	if err != nil {
		return err
	}
	tt := aTable{ID: "terms", Title: b.t("can.table.terms"), Cols: []string{b.t("can.term"), b.t("can.searches")}}
	for _, t := range terms {
		tt.Rows = append(tt.Rows, []string{t.Term, itoa(t.Searches)})
	}
	live, err := b.m.Live(ctx, b.r, 20)
	if err != nil {
		return err
	}
	lt := aTable{ID: "live", Title: b.t("can.table.live"), Cols: []string{b.t("can.live"), b.t("can.carts"), b.t("can.orders"), b.t("can.paid_orders"), b.t("can.gmv")}}
	for _, l := range live {
		lt.Rows = append(lt.Rows, []string{l.Live.String(), itoa(l.Carts), itoa(l.Orders), itoa(l.Paid), yuan(l.GMV)})
	}
	b.p.Tables = []aTable{days, tt, lt}
	return nil
}

func (b *aBuilder) retention() error {
	cs, err := b.m.Retention(b.q.r.Context(), b.r)
	if err != nil {
		return err
	}
	t := aTable{ID: "cohorts", Title: b.t("can.table.cohorts"), Cols: []string{b.t("can.cohort"), b.t("can.size"), "D1", "D7", "D30"}}
	x := []string{}
	var d1, d7, d30 []float64
	val := func(f *float64) float64 {
		if f == nil {
			return -1 // not known yet: the chart leaves a gap
		}
		return *f
	}
	for _, c := range cs {
		t.Rows = append(t.Rows, []string{c.Date, itoa(c.Size), pct(c.D1Rate), pct(c.D7Rate), pct(c.D30Rate)})
		x = append(x, c.Date)
		d1, d7, d30 = append(d1, val(c.D1Rate)), append(d7, val(c.D7Rate)), append(d30, val(c.D30Rate))
	}
	b.p.Charts = []aChart{{ID: "retention", Type: "line", Title: b.t("can.chart.retention"), X: x, Pct: true,
		Series: []aSeries{{"D1", d1}, {"D7", d7}, {"D30", d30}}}}
	b.p.Tables = []aTable{t}
	return nil
}

func (b *aBuilder) funnel() error {
	ctx := b.q.r.Context()
	f, err := b.m.Funnel(ctx, b.r, 20)
	if err != nil {
		return err
	}
	ch := aChart{ID: "funnel", Type: "funnel", Title: b.t("can.chart.funnel"), Series: []aSeries{{b.t("can.funnel"), nil}}}
	for _, s := range f.Stages {
		ch.X = append(ch.X, b.t("can.stage."+s.Name))
		ch.Series[0].Data = append(ch.Series[0].Data, float64(s.Events))
		b.p.KPIs = append(b.p.KPIs, aKPI{b.t("can.stage." + s.Name), itoa(s.Events)})
	}
	b.p.KPIs = append(b.p.KPIs, aKPI{b.t("can.attributed"), itoa(f.Attributed)})
	b.p.Charts = []aChart{ch}
	var notes, users, products []id.ID
	for _, it := range f.Notes {
		notes = append(notes, it.ID)
	}
	for _, it := range f.Creators {
		users = append(users, it.ID)
	}
	for _, it := range f.Products {
		products = append(products, it.ID)
	}
	names, err := b.w.app.AnalyticsNames(ctx, notes, users, products)
	if err != nil {
		return err
	}
	table := func(tid, title string, items []analytics.FunnelItem) aTable {
		t := aTable{ID: tid, Title: title, Cols: []string{b.t("can.item"), "ID", b.t("can.stage.view"), b.t("can.stage.product_click"),
			b.t("can.click_rate"), b.t("can.stage.order"), b.t("can.order_rate"), b.t("can.stage.pay"), b.t("can.gmv")}}
		for _, it := range items {
			t.Rows = append(t.Rows, []string{names[it.ID], it.ID.String(), itoa(it.Views), itoa(it.Clicks), pct(it.CTR), itoa(it.Orders),
				pct(it.CVR), itoa(it.Paid), yuan(it.GMV)})
		}
		return t
	}
	b.p.Tables = []aTable{table("notes", b.t("can.table.notes"), f.Notes), table("creators", b.t("can.table.creators"), f.Creators),
		table("products", b.t("can.table.products"), f.Products)}
	return nil
}

func (b *aBuilder) channels() error {
	cs, err := b.m.Channels(b.q.r.Context(), b.r)
	if err != nil {
		return err
	}
	t := aTable{ID: "channels", Title: b.t("can.table.channels"), Cols: []string{b.t("can.channel"), b.t("can.signups"), "D1", "D7", "D30"}}
	ch := aChart{ID: "channels", Type: "bar", Title: b.t("can.chart.channels"), Series: []aSeries{{b.t("can.signups"), nil}}}
	for _, c := range cs {
		name := c.Channel
		switch name {
		case "":
			name = b.t("can.direct")
		case "invite":
			name = b.t("can.invite")
		}
		t.Rows = append(t.Rows, []string{name, itoa(c.Size), pct(c.D1Rate), pct(c.D7Rate), pct(c.D30Rate)})
		ch.X = append(ch.X, name)
		ch.Series[0].Data = append(ch.Series[0].Data, float64(c.Size))
	}
	b.p.Charts = []aChart{ch}
	b.p.Tables = []aTable{t}
	return nil
}

func (b *aBuilder) campaigns() error {
	ctx := b.q.r.Context()
	cs, err := b.m.Campaigns(ctx, b.r)
	if err != nil {
		return err
	}
	t := aTable{ID: "campaigns", Title: b.t("can.table.campaigns"), Cols: []string{b.t("can.campaign"), b.t("can.days"), b.t("can.baseline"),
		b.t("can.metric"), b.t("can.baseline_mean"), b.t("can.campaign_mean"), b.t("can.lift"), b.t("can.interval"), b.t("can.significant")}}
	for i, c := range cs {
		for _, u := range c.Effects {
			sig := b.t("can.no")
			if u.Significant {
				sig = b.t("can.yes")
			}
			t.Rows = append(t.Rows, []string{c.Title, c.Range.From.String() + " – " + c.Range.To.String(),
				u.Baseline.From.String() + " – " + u.Baseline.To.String(), b.t("can.metric." + u.Metric),
				strconv.FormatFloat(u.BaselineMean, 'f', 1, 64), strconv.FormatFloat(u.CampaignMean, 'f', 1, 64),
				pctv(u.Lift), pctv(u.Low) + " … " + pctv(u.High), sig})
		}
		if i > 0 || len(c.Effects) == 0 {
			continue
		}
		// The newest campaign's DAU, baseline and campaign days side by side.
		span := analytics.Range{From: c.Effects[0].Baseline.From, To: c.Range.To}
		o, err := b.m.Overview(ctx, span)
		if err != nil {
			return err
		}
		ch := aChart{ID: "campaign", Type: "bar", Title: b.t("can.chart.campaign", c.Title),
			Series: []aSeries{{b.t("can.baseline"), nil}, {b.t("can.campaign"), nil}}}
		for _, d := range o.Days {
			ch.X = append(ch.X, d.Date)
			base, camp := float64(d.DAU), 0.0
			if d.Day >= c.Range.From {
				base, camp = 0, float64(d.DAU)
			}
			ch.Series[0].Data = append(ch.Series[0].Data, base)
			ch.Series[1].Data = append(ch.Series[1].Data, camp)
		}
		b.p.Charts = append(b.p.Charts, ch)
	}
	b.p.Tables = []aTable{t}
	return nil
}

func (b *aBuilder) personas() error {
	ps, err := b.m.Personas(b.q.r.Context(), b.r, b.w.app.Analytics.Personas)
	if err != nil {
		return err
	}
	for _, p := range ps {
		pop := b.t("can.pop." + p.Population)
		b.p.KPIs = append(b.p.KPIs, aKPI{pop, b.cell(p.Users)})
		t := aTable{ID: p.Population, Title: pop, Cols: []string{b.t("can.dimension"), b.t("can.group"), b.t("can.users")}}
		for _, dim := range []struct {
			key   string
			cells []analytics.Cell
			label func(string) string
		}{
			{"gender", p.Gender, func(k string) string { return b.t("can.gender." + k) }},
			{"age", p.Age, func(k string) string { return b.t("can.age." + k) }},
			{"region", p.Region, func(k string) string {
				if k == "unknown" {
					return b.t("can.unknown")
				}
				return k
			}},
			{"segments", p.Segments, func(k string) string {
				if v := b.t("can.seg." + k); v != "can.seg."+k {
					return v
				}
				return k // an operator's own segment keeps its name
			}},
		} {
			ch := aChart{ID: p.Population + "-" + dim.key, Type: "pie", Title: pop + " · " + b.t("can.dim."+dim.key),
				Series: []aSeries{{b.t("can.users"), nil}}}
			if dim.key == "segments" || dim.key == "region" {
				ch.Type = "bar"
			}
			for _, c := range dim.cells {
				t.Rows = append(t.Rows, []string{b.t("can.dim." + dim.key), dim.label(c.Key), b.cell(c.Users)})
				if c.Users != nil && *c.Users > 0 {
					ch.X = append(ch.X, dim.label(c.Key))
					ch.Series[0].Data = append(ch.Series[0].Data, float64(*c.Users))
				}
			}
			if len(ch.X) > 0 && dim.key != "region" {
				b.p.Charts = append(b.p.Charts, ch)
			}
		}
		b.p.Tables = append(b.p.Tables, t)
	}
	return nil
}

// consoleReport serves the user-operations report (O3) of the range in
// the page's language: HTML, or PDF at /console/analytics/report.pdf.
func (w *Web) consoleReport(pdf bool) func(q *req) error {
	return func(q *req) error {
		me, err := q.requireOperator()
		if err != nil {
			return err
		}
		ctx := q.r.Context()
		rg, err := w.app.AnalyticsRange(ctx, me, app.AnalyticsQuery{From: q.r.URL.Query().Get("from"), To: q.r.URL.Query().Get("to")})
		if err != nil {
			return err
		}
		lang := "zh"
		if q.lang == langEN {
			lang = "en"
		}
		h := q.rw.Header()
		if pdf {
			b, err := w.app.ReportPDF(ctx, rg, lang)
			if err != nil {
				return err
			}
			h.Set("Content-Type", "application/pdf")
			h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="redmark-report-%s-%s.pdf"`, rg.From, rg.To))
			q.rw.Write(b)
			return nil
		}
		b, err := w.app.Report(ctx, rg, lang)
		if err != nil {
			return err
		}
		// The report styles itself inline (it is also a file on its own).
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
		h.Set("Content-Type", "text/html; charset=utf-8")
		q.rw.Write(b)
		return nil
	}
}
