package analytics

import (
	"context"
	"fmt"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// MaxRangeDays bounds a metrics query.
const MaxRangeDays = 400

// Range is the days From to To, both included.
type Range struct {
	From Day `json:"from"`
	To   Day `json:"to"`
}

// Days is the number of days in r.
func (r Range) Days() int { return int(r.To-r.From) + 1 }

// Check validates r.
func (r Range) Check() error {
	if r.To < r.From {
		return apperr.Invalid("the range ends before it starts")
	}
	if r.Days() > MaxRangeDays {
		return apperr.Invalid("a range spans at most %d days", MaxRangeDays)
	}
	return nil
}

// Metrics answers the console's and the report's questions from the rollups.
type Metrics struct{ db *db.DB }

// NewMetrics returns the metrics over d.
func NewMetrics(d *db.DB) *Metrics { return &Metrics{db: d} }

func (m *Metrics) q(ctx context.Context) db.Querier { return m.db.Reader(ctx) }

// Rolled is the last day with rollups (ok false before the first).
func (m *Metrics) Rolled(ctx context.Context) (Day, bool, error) { return Rolled(ctx, m.q(ctx)) }

// DayPoint is one day of the overview.
type DayPoint struct {
	Day        Day     `json:"-"`
	Date       string  `json:"date"`
	DAU        int64   `json:"dau"`
	WAU        int64   `json:"wau"`
	MAU        int64   `json:"mau"`
	Stickiness float64 `json:"stickiness"` // DAU/MAU
	NewUsers   int64   `json:"new_users"`
	Orders     int64   `json:"orders"`
	PaidOrders int64   `json:"paid_orders"`
	GMV        int64   `json:"gmv"` // paid fen
	Refunds    int64   `json:"refunds"`
	Notes      int64   `json:"notes"`    // published
	Creators   int64   `json:"creators"` // distinct publishers
	Views      int64   `json:"views"`
	Searches   int64   `json:"searches"`
}

// Overview is the day series and its summary.
type Overview struct {
	Range Range      `json:"range"`
	Days  []DayPoint `json:"days"`
	// AvgDAU over the range, MAU on its last day and Stickiness = AvgDAU/MAU.
	AvgDAU     float64 `json:"avg_dau"`
	MAU        int64   `json:"mau"`
	Stickiness float64 `json:"stickiness"`
	NewUsers   int64   `json:"new_users"`
	Orders     int64   `json:"orders"`
	PaidOrders int64   `json:"paid_orders"`
	GMV        int64   `json:"gmv"`
	Notes      int64   `json:"notes"`
	// Creators is the number of distinct users who published in the range.
	Creators int64 `json:"creators"`
}

// Overview returns every day of r (days without data are zero).
func (m *Metrics) Overview(ctx context.Context, r Range) (Overview, error) {
	if err := r.Check(); err != nil {
		return Overview{}, err
	}
	o := Overview{Range: r, Days: make([]DayPoint, r.Days())}
	for i := range o.Days {
		d := r.From + Day(i)
		o.Days[i] = DayPoint{Day: d, Date: d.String()}
	}
	at := func(day int) *DayPoint { return &o.Days[Day(day)-r.From] }
	rows, err := m.q(ctx).Query(ctx, "SELECT day, dau, wau, mau, new_users FROM analytics_actives WHERE day BETWEEN ? AND ?", int(r.From), int(r.To))
	if err != nil {
		return o, err
	}
	for rows.Next() {
		var day int
		var p DayPoint
		if err := rows.Scan(&day, &p.DAU, &p.WAU, &p.MAU, &p.NewUsers); err != nil {
			rows.Close()
			return o, err
		}
		t := at(day)
		t.DAU, t.WAU, t.MAU, t.NewUsers = p.DAU, p.WAU, p.MAU, p.NewUsers
		if p.MAU > 0 {
			t.Stickiness = float64(p.DAU) / float64(p.MAU)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return o, err
	}
	rows, err = m.q(ctx).Query(ctx, "SELECT day, kind, events, users, amount FROM analytics_daily WHERE day BETWEEN ? AND ? AND kind IN (?, ?, ?, ?, ?, ?)",
		int(r.From), int(r.To), int(Order), int(Pay), int(Refund), int(Publish), int(View), int(Search))
	if err != nil {
		return o, err
	}
	for rows.Next() {
		var day, kind int
		var events, users, amount int64
		if err := rows.Scan(&day, &kind, &events, &users, &amount); err != nil {
			rows.Close()
			return o, err
		}
		t := at(day)
		switch Kind(kind) {
		case Order:
			t.Orders = events
		case Pay:
			t.PaidOrders, t.GMV = events, amount
		case Refund:
			t.Refunds = amount
		case Publish:
			t.Notes, t.Creators = events, users
		case View:
			t.Views = events
		case Search:
			t.Searches = events
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return o, err
	}
	var dau int64
	for _, p := range o.Days {
		dau += p.DAU
		o.NewUsers += p.NewUsers
		o.Orders += p.Orders
		o.PaidOrders += p.PaidOrders
		o.GMV += p.GMV
		o.Notes += p.Notes
	}
	o.AvgDAU = float64(dau) / float64(len(o.Days))
	o.MAU = o.Days[len(o.Days)-1].MAU
	if o.MAU > 0 {
		o.Stickiness = o.AvgDAU / float64(o.MAU)
	}
	err = m.q(ctx).QueryRow(ctx, "SELECT COUNT(DISTINCT item) FROM analytics_items WHERE item_type = ? AND kind = ? AND day BETWEEN ? AND ?",
		ItemCreator, int(Publish), int(r.From), int(r.To)).Scan(&o.Creators)
	return o, err
}

// Cohort is the users who signed up on one day (under one channel, or all)
// and the share of them active 1, 7 and 30 days later; a rate is nil while
// that day is not rolled up yet.
type Cohort struct {
	Date    string   `json:"date"`
	Channel string   `json:"channel,omitempty"`
	Size    int64    `json:"size"`
	D1      int64    `json:"d1"`
	D7      int64    `json:"d7"`
	D30     int64    `json:"d30"`
	D1Rate  *float64 `json:"d1_rate"`
	D7Rate  *float64 `json:"d7_rate"`
	D30Rate *float64 `json:"d30_rate"`
}

func (c *Cohort) rates(day, rolled Day) {
	rate := func(n int64, k Day) *float64 {
		if day+k > rolled || c.Size == 0 {
			return nil
		}
		v := float64(n) / float64(c.Size)
		return &v
	}
	c.D1Rate, c.D7Rate, c.D30Rate = rate(c.D1, 1), rate(c.D7, 7), rate(c.D30, 30)
}

// Retention returns the daily sign-up cohorts of r, all channels together.
func (m *Metrics) Retention(ctx context.Context, r Range) ([]Cohort, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	rolled, _, err := m.Rolled(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := m.q(ctx).Query(ctx, `SELECT day, SUM(size), SUM(d1), SUM(d7), SUM(d30) FROM analytics_cohorts
		WHERE day BETWEEN ? AND ? GROUP BY day ORDER BY day`, int(r.From), int(r.To))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Cohort{}
	for rows.Next() {
		var day int
		var c Cohort
		if err := rows.Scan(&day, &c.Size, &c.D1, &c.D7, &c.D30); err != nil {
			return nil, err
		}
		c.Date = Day(day).String()
		c.rates(Day(day), rolled)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Channels sums the cohorts of r per sign-up channel: sign-ups and how many
// were active 1, 7 and 30 days later (rates over the cohorts whose day is
// rolled up). "" is direct, "invite" arrived by an invitation.
func (m *Metrics) Channels(ctx context.Context, r Range) ([]Cohort, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	rolled, _, err := m.Rolled(ctx)
	if err != nil {
		return nil, err
	}
	// A rate counts only the cohorts old enough for it.
	rows, err := m.q(ctx).Query(ctx, `SELECT channel, SUM(size),
		SUM(CASE WHEN day + 1 <= ? THEN size ELSE 0 END), SUM(d1),
		SUM(CASE WHEN day + 7 <= ? THEN size ELSE 0 END), SUM(d7),
		SUM(CASE WHEN day + 30 <= ? THEN size ELSE 0 END), SUM(d30)
		FROM analytics_cohorts WHERE day BETWEEN ? AND ? GROUP BY channel ORDER BY SUM(size) DESC, channel`,
		int(rolled), int(rolled), int(rolled), int(r.From), int(r.To))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Cohort{}
	for rows.Next() {
		var c Cohort
		var s1, s7, s30 int64
		if err := rows.Scan(&c.Channel, &c.Size, &s1, &c.D1, &s7, &c.D7, &s30, &c.D30); err != nil {
			return nil, err
		}
		rate := func(n, of int64) *float64 {
			if of == 0 {
				return nil
			}
			v := float64(n) / float64(of)
			return &v
		}
		c.D1Rate, c.D7Rate, c.D30Rate = rate(c.D1, s1), rate(c.D7, s7), rate(c.D30, s30)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Stage is one step of the 种草 funnel.
type Stage struct {
	Name   string   `json:"name"` // view, product_click, order, pay
	Events int64    `json:"events"`
	Amount int64    `json:"amount"` // fen, orders and payments
	Rate   *float64 `json:"rate"`   // of the step before
}

// FunnelItem is a note, product or creator with its funnel.
type FunnelItem struct {
	ID     id.ID    `json:"id"`
	Views  int64    `json:"views"`
	Clicks int64    `json:"clicks"`
	Orders int64    `json:"orders"`
	Paid   int64    `json:"paid"`
	GMV    int64    `json:"gmv"`
	CTR    *float64 `json:"click_rate"` // clicks / views
	CVR    *float64 `json:"order_rate"` // orders / clicks
}

// Funnel is the 种草 funnel over a range: note views → product clicks from
// notes → orders → paid orders, overall and for the top items. Orders of an
// item are those attributed to a click on it (AttributionWindow).
type Funnel struct {
	Stages []Stage `json:"stages"`
	// Attributed is how many of the orders came from a note click.
	Attributed int64        `json:"attributed_orders"`
	Notes      []FunnelItem `json:"notes"`
	Products   []FunnelItem `json:"products"`
	Creators   []FunnelItem `json:"creators"`
}

func ratio(a, b int64) *float64 {
	if b == 0 {
		return nil
	}
	v := float64(a) / float64(b)
	return &v
}

// Funnel returns the funnel of r with the top n items of each type by views.
func (m *Metrics) Funnel(ctx context.Context, r Range, n int) (Funnel, error) {
	if err := r.Check(); err != nil {
		return Funnel{}, err
	}
	f := Funnel{}
	for _, k := range []Kind{View, ProductClick, Order, Pay} {
		s := Stage{Name: k.String()}
		if err := m.q(ctx).QueryRow(ctx, "SELECT COALESCE(SUM(events), 0), COALESCE(SUM(amount), 0) FROM analytics_daily WHERE kind = ? AND day BETWEEN ? AND ?",
			int(k), int(r.From), int(r.To)).Scan(&s.Events, &s.Amount); err != nil {
			return f, err
		}
		if k == View || k == ProductClick {
			s.Amount = 0
		}
		if len(f.Stages) > 0 {
			s.Rate = ratio(s.Events, f.Stages[len(f.Stages)-1].Events)
		}
		f.Stages = append(f.Stages, s)
	}
	if err := m.q(ctx).QueryRow(ctx, "SELECT COALESCE(SUM(attributed), 0) FROM analytics_daily WHERE kind = ? AND day BETWEEN ? AND ?",
		int(Order), int(r.From), int(r.To)).Scan(&f.Attributed); err != nil {
		return f, err
	}
	var err error
	if f.Notes, err = m.funnelItems(ctx, r, ItemNote, n); err != nil {
		return f, err
	}
	if f.Products, err = m.funnelItems(ctx, r, ItemProduct, n); err != nil {
		return f, err
	}
	f.Creators, err = m.funnelItems(ctx, r, ItemCreator, n)
	return f, err
}

func (m *Metrics) funnelItems(ctx context.Context, r Range, typ, n int) ([]FunnelItem, error) {
	if out, ok, err := m.windowItems(ctx, r, typ, n); ok || err != nil {
		return out, err
	}
	lead := View // products have no views of their own: rank them by clicks
	if typ == ItemProduct {
		lead = ProductClick
	}
	rows, err := m.q(ctx).Query(ctx, fmt.Sprintf(`SELECT item,
		SUM(CASE WHEN kind = %d THEN events ELSE 0 END), SUM(CASE WHEN kind = %d THEN events ELSE 0 END),
		SUM(CASE WHEN kind = %d THEN events ELSE 0 END), SUM(CASE WHEN kind = %d THEN events ELSE 0 END),
		SUM(CASE WHEN kind = %d THEN amount ELSE 0 END), SUM(CASE WHEN kind = %d THEN events ELSE 0 END) AS lead
		FROM analytics_items WHERE item_type = ? AND kind IN (%d, %d, %d, %d) AND day BETWEEN ? AND ?
		GROUP BY item ORDER BY lead DESC, item LIMIT ?`, View, ProductClick, Order, Pay, Pay, lead, View, ProductClick, Order, Pay),
		typ, int(r.From), int(r.To), n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []FunnelItem{}
	for rows.Next() {
		var it FunnelItem
		var lead int64
		if err := rows.Scan(&it.ID, &it.Views, &it.Clicks, &it.Orders, &it.Paid, &it.GMV, &lead); err != nil {
			return nil, err
		}
		it.CTR, it.CVR = ratio(it.Clicks, it.Views), ratio(it.Orders, it.Clicks)
		out = append(out, it)
	}
	return out, rows.Err()
}

// Term is a search term and how often it was searched.
type Term struct {
	Term     string `json:"term"`
	Searches int64  `json:"searches"`
}

// Terms returns the n most searched terms of r.
func (m *Metrics) Terms(ctx context.Context, r Range, n int) ([]Term, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	rows, err := m.q(ctx).Query(ctx, `SELECT term, SUM(searches) FROM analytics_terms WHERE day BETWEEN ? AND ?
		GROUP BY term ORDER BY SUM(searches) DESC, term LIMIT ?`, int(r.From), int(r.To), n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Term{}
	for rows.Next() {
		var t Term
		if err := rows.Scan(&t.Term, &t.Searches); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// LiveSale is what one live session sold (orders carrying its id) and the
// cart adds made from it.
type LiveSale struct {
	Live   id.ID `json:"live_id"`
	Carts  int64 `json:"add_to_cart"`
	Orders int64 `json:"orders"`
	Paid   int64 `json:"paid"`
	GMV    int64 `json:"gmv"`
}

// Live returns the sales of live sessions in r, best first.
func (m *Metrics) Live(ctx context.Context, r Range, n int) ([]LiveSale, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	rows, err := m.q(ctx).Query(ctx, fmt.Sprintf(`SELECT item, SUM(CASE WHEN kind = %d THEN events ELSE 0 END),
		SUM(CASE WHEN kind = %d THEN events ELSE 0 END), SUM(CASE WHEN kind = %d THEN events ELSE 0 END),
		SUM(CASE WHEN kind = %d THEN amount ELSE 0 END) AS gmv
		FROM analytics_items WHERE item_type = ? AND day BETWEEN ? AND ? GROUP BY item ORDER BY gmv DESC, item LIMIT ?`, AddToCart, Order, Pay, Pay),
		ItemLive, int(r.From), int(r.To), n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LiveSale{}
	for rows.Next() {
		var s LiveSale
		if err := rows.Scan(&s.Live, &s.Carts, &s.Orders, &s.Paid, &s.GMV); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Series is one daily number of r, by name: dau, new_users, gmv, orders,
// views, notes. It is what uplift compares.
func (m *Metrics) Series(ctx context.Context, r Range, metric string) ([]float64, error) {
	o, err := m.Overview(ctx, r)
	if err != nil {
		return nil, err
	}
	pick, ok := seriesPick[metric]
	if !ok {
		return nil, apperr.Invalid("unknown metric %q", metric)
	}
	out := make([]float64, len(o.Days))
	for i, p := range o.Days {
		out[i] = pick(p)
	}
	return out, nil
}

var seriesPick = map[string]func(DayPoint) float64{
	"dau":       func(p DayPoint) float64 { return float64(p.DAU) },
	"new_users": func(p DayPoint) float64 { return float64(p.NewUsers) },
	"gmv":       func(p DayPoint) float64 { return float64(p.GMV) },
	"orders":    func(p DayPoint) float64 { return float64(p.Orders) },
	"views":     func(p DayPoint) float64 { return float64(p.Views) },
	"notes":     func(p DayPoint) float64 { return float64(p.Notes) },
}

// SeriesNames are the metrics Series knows.
var SeriesNames = []string{"dau", "new_users", "gmv", "orders", "views", "notes"}

// DefaultRangeDays is the range a query without dates covers.
const DefaultRangeDays = 30

// ParseRange reads from and to (YYYY-MM-DD, either may be empty): by
// default the DefaultRangeDays ending on the last rolled-up day (or
// yesterday before the first rollup).
func (m *Metrics) ParseRange(ctx context.Context, from, to string, now time.Time) (Range, error) {
	end, ok, err := m.Rolled(ctx)
	if err != nil {
		return Range{}, err
	}
	if !ok {
		end = DayOf(now) - 1
	}
	r := Range{From: end - DefaultRangeDays + 1, To: end}
	if to != "" {
		if r.To, err = ParseDay(to); err != nil {
			return r, apperr.Invalid("to must be a date (YYYY-MM-DD)")
		}
		r.From = r.To - DefaultRangeDays + 1
	}
	if from != "" {
		if r.From, err = ParseDay(from); err != nil {
			return r, apperr.Invalid("from must be a date (YYYY-MM-DD)")
		}
	}
	return r, r.Check()
}
