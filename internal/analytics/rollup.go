package analytics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Item types in analytics_items.
const (
	ItemNote    = 1
	ItemProduct = 2
	ItemCreator = 3
	ItemLive    = 4
)

// AttributionWindow is how long before an order a product click from a
// note still earns the note the order.
const AttributionWindow = 7 * 24 * time.Hour

// rollupGrace is how long after midnight a day waits before it is rolled up,
// so events still in a server's buffer (flushed every second) land first.
const rollupGrace = 2 * time.Minute

// maxDaysPerRun bounds one job run; the next run continues.
const maxDaysPerRun = 400

// Rollups computes the daily rollups and applies retention.
type Rollups struct {
	db *db.DB
	// Retention is how many days of raw events are kept (0: forever).
	Retention int
	// Personas are the segment rules the windows' persona counts use.
	Personas PersonaConfig
}

// NewRollups returns the rollup job over d.
func NewRollups(d *db.DB, retentionDays int) *Rollups {
	return &Rollups{db: d, Retention: retentionDays, Personas: DefaultPersonas}
}

// Rolled returns the last rolled-up day, ok false before the first.
func Rolled(ctx context.Context, q db.Querier) (Day, bool, error) {
	var v int64
	err := q.QueryRow(ctx, "SELECT value FROM analytics_state WHERE name = 'rolled'").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return Day(v), err == nil, err
}

// Run rolls up every complete day not rolled up yet, each once, in its own
// transaction with the watermark, then deletes raw events past retention.
// It returns how many days it rolled up.
func (r *Rollups) Run(ctx context.Context, now time.Time) (int, error) {
	last, ok, err := Rolled(ctx, r.db.Reader(ctx))
	if err != nil {
		return 0, err
	}
	if !ok {
		var first sql.NullInt64
		if err := r.db.Reader(ctx).QueryRow(ctx, "SELECT MIN(day) FROM analytics_events").Scan(&first); err != nil {
			return 0, err
		}
		if !first.Valid {
			return 0, nil // nothing recorded yet: start with the first event's day
		}
		last = Day(first.Int64) - 1
	}
	until := DayOf(now.Add(-rollupGrace)) - 1
	n := 0
	for d := last + 1; d <= until && n < maxDaysPerRun; d++ {
		if err := r.db.InTx(ctx, func(ctx context.Context) error { return r.rollDay(ctx, d) }); err != nil {
			return n, fmt.Errorf("roll up %s: %w", d, err)
		}
		n++
	}
	return n, r.expire(ctx, now)
}

// expire deletes raw events older than the retention period that are
// rolled up, one day per statement so the writer is never held long.
func (r *Rollups) expire(ctx context.Context, now time.Time) error {
	if r.Retention <= 0 {
		return nil
	}
	last, ok, err := Rolled(ctx, r.db.Reader(ctx))
	if err != nil || !ok {
		return err
	}
	// The attribution window reads clicks before an order: keep them.
	keep := Day(int(AttributionWindow/(24*time.Hour)) + 1)
	cut := min(DayOf(now)-Day(r.Retention), last-keep)
	var first sql.NullInt64
	if err := r.db.Reader(ctx).QueryRow(ctx, "SELECT MIN(day) FROM analytics_events").Scan(&first); err != nil || !first.Valid {
		return err
	}
	for d := Day(first.Int64); d < cut; d++ {
		if _, err := r.db.Writer(ctx).Exec(ctx, "DELETE FROM analytics_events WHERE day = ?", int(d)); err != nil {
			return err
		}
	}
	return nil
}

func (r *Rollups) rollDay(ctx context.Context, d Day) error {
	w := r.db.Writer(ctx)
	day := int(d)
	exec := func(q string, args ...any) error {
		_, err := w.Exec(ctx, q, args...)
		return err
	}
	steps := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO analytics_daily (day, kind, events, users, amount)
			SELECT day, kind, COUNT(*), COUNT(DISTINCT NULLIF(user_id, 0)), COALESCE(SUM(amount), 0)
			FROM analytics_events WHERE day = ? GROUP BY day, kind`, []any{day}},
		// A refund is approved by the merchant: it says nothing of the buyer's activity.
		{`INSERT INTO analytics_active (day, user_id)
			SELECT DISTINCT day, user_id FROM analytics_events WHERE day = ? AND user_id <> 0 AND kind <> ?`, []any{day, int(Refund)}},
		{`INSERT INTO analytics_signups (user_id, day, channel)
			SELECT user_id, day, MIN(label) FROM analytics_events WHERE day = ? AND kind = ? AND user_id <> 0
			GROUP BY user_id, day ON CONFLICT (user_id) DO NOTHING`, []any{day, int(SignUp)}},
		{`INSERT INTO analytics_cohorts (day, channel, size)
			SELECT day, channel, COUNT(*) FROM analytics_signups WHERE day = ? GROUP BY day, channel`, []any{day}},
		{`INSERT INTO analytics_actives (day, dau, wau, mau, new_users) VALUES (?,
			(SELECT COUNT(*) FROM analytics_active WHERE day = ?),
			(SELECT COUNT(DISTINCT user_id) FROM analytics_active WHERE day BETWEEN ? AND ?),
			(SELECT COUNT(DISTINCT user_id) FROM analytics_active WHERE day BETWEEN ? AND ?),
			(SELECT COUNT(*) FROM analytics_signups WHERE day = ?))`, []any{day, day, day - 6, day, day - 29, day, day}},
		// What happened to each note, and to each creator through their notes.
		{`INSERT INTO analytics_items (day, kind, item_type, item, events, users, amount)
			SELECT day, kind, ?, ref, COUNT(*), COUNT(DISTINCT NULLIF(user_id, 0)), COALESCE(SUM(amount), 0)
			FROM analytics_events WHERE day = ? AND ref <> 0 AND kind IN (?, ?, ?, ?, ?, ?, ?) GROUP BY day, kind, ref`,
			[]any{ItemNote, day, int(View), int(Dwell), int(Like), int(Collect), int(Comment), int(Share), int(ProductClick)}},
		{`INSERT INTO analytics_items (day, kind, item_type, item, events, users, amount)
			SELECT day, kind, ?, ref2, COUNT(*), COUNT(DISTINCT NULLIF(user_id, 0)), 0
			FROM analytics_events WHERE day = ? AND kind = ? AND ref2 <> 0 GROUP BY day, kind, ref2`,
			[]any{ItemProduct, day, int(ProductClick)}},
		// Cart adds from a live (its orders are rolled up in rollOrders).
		{`INSERT INTO analytics_items (day, kind, item_type, item, events, users, amount)
			SELECT day, kind, ?, ref2, COUNT(*), COUNT(DISTINCT NULLIF(user_id, 0)), 0
			FROM analytics_events WHERE day = ? AND kind = ? AND ref2 <> 0 GROUP BY day, kind, ref2`,
			[]any{ItemLive, day, int(AddToCart)}},
		{`INSERT INTO analytics_items (day, kind, item_type, item, events, users, amount)
			SELECT e.day, e.kind, ?, n.author_id, COUNT(*), COUNT(DISTINCT NULLIF(e.user_id, 0)), COALESCE(SUM(e.amount), 0)
			FROM analytics_events e JOIN notes n ON n.id = e.ref WHERE e.day = ? AND e.kind IN (?, ?) GROUP BY e.day, e.kind, n.author_id`,
			[]any{ItemCreator, day, int(View), int(ProductClick)}},
		{`INSERT INTO analytics_items (day, kind, item_type, item, events, users, amount)
			SELECT day, kind, ?, user_id, COUNT(*), 1, 0 FROM analytics_events WHERE day = ? AND kind = ? AND user_id <> 0 GROUP BY day, kind, user_id`,
			[]any{ItemCreator, day, int(Publish)}},
		{`INSERT INTO analytics_terms (day, term, searches)
			SELECT day, label, COUNT(*) FROM analytics_events WHERE day = ? AND kind = ? AND label <> '' GROUP BY day, label`,
			[]any{day, int(Search)}},
	}
	for _, s := range steps {
		if err := exec(s.q, s.args...); err != nil {
			return err
		}
	}
	// Retention of earlier cohorts: members active today, k days after signing up.
	for _, k := range []int{1, 7, 30} {
		if err := exec(fmt.Sprintf(`UPDATE analytics_cohorts SET d%d = (SELECT COUNT(*) FROM analytics_signups s
			JOIN analytics_active a ON a.user_id = s.user_id AND a.day = ?
			WHERE s.day = analytics_cohorts.day AND s.channel = analytics_cohorts.channel) WHERE day = ?`, k), day, day-k); err != nil {
			return err
		}
	}
	if err := r.rollOrders(ctx, d); err != nil {
		return err
	}
	if err := r.rollWindows(ctx, d); err != nil {
		return err
	}
	return exec(`INSERT INTO analytics_state (name, value) VALUES ('rolled', ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, day)
}

// rollOrders attributes the day's orders to the note click that led to
// them, records the day's payments and rolls both up per note, product,
// creator and live session.
func (r *Rollups) rollOrders(ctx context.Context, d Day) error {
	w := r.db.Writer(ctx)
	day := int(d)
	type order struct {
		user, ref, live id.ID
		amount, at      int64
	}
	read := func(k Kind) ([]order, error) {
		rows, err := w.Query(ctx, "SELECT user_id, ref, ref2, amount, at FROM analytics_events WHERE day = ? AND kind = ? AND ref <> 0", day, int(k))
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []order
		for rows.Next() {
			var o order
			if err := rows.Scan(&o.user, &o.ref, &o.live, &o.amount, &o.at); err != nil {
				return nil, err
			}
			out = append(out, o)
		}
		return out, rows.Err()
	}
	placed, err := read(Order)
	if err != nil {
		return err
	}
	for _, o := range placed {
		var note, product, creator int64
		err := w.QueryRow(ctx, `SELECT e.ref, e.ref2, COALESCE(n.author_id, 0) FROM analytics_events e LEFT JOIN notes n ON n.id = e.ref
			WHERE e.user_id = ? AND e.at BETWEEN ? AND ? AND e.kind = ?
			AND (e.ref2 IN (SELECT product_id FROM order_items WHERE order_id = ?) OR NOT EXISTS (SELECT 1 FROM order_items WHERE order_id = ?))
			ORDER BY e.at DESC LIMIT 1`, o.user, o.at-AttributionWindow.Milliseconds(), o.at, int(ProductClick), o.ref, o.ref).
			Scan(&note, &product, &creator)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := w.Exec(ctx, `INSERT INTO analytics_orders (order_id, user_id, day, note_id, product_id, creator_id, live_id, total)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO NOTHING`, o.ref, o.user, day, note, product, creator, o.live, o.amount); err != nil {
			return err
		}
	}
	paid, err := read(Pay)
	if err != nil {
		return err
	}
	for _, o := range paid {
		// An order placed before analytics began is counted on its payment day.
		if _, err := w.Exec(ctx, `INSERT INTO analytics_orders (order_id, user_id, day, total, paid_day, paid) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (order_id) DO UPDATE SET paid_day = excluded.paid_day, paid = excluded.paid`,
			o.ref, o.user, day, o.amount, day, o.amount); err != nil {
			return err
		}
	}
	if _, err := w.Exec(ctx, `UPDATE analytics_daily SET attributed = (SELECT COUNT(*) FROM analytics_orders
		WHERE day = ? AND note_id <> 0) WHERE day = ? AND kind = ?`, day, day, int(Order)); err != nil {
		return err
	}
	for _, it := range []struct {
		typ int
		col string
	}{{ItemNote, "note_id"}, {ItemProduct, "product_id"}, {ItemCreator, "creator_id"}, {ItemLive, "live_id"}} {
		if _, err := w.Exec(ctx, `INSERT INTO analytics_items (day, kind, item_type, item, events, users, amount)
			SELECT day, ?, ?, `+it.col+`, COUNT(*), COUNT(DISTINCT user_id), SUM(total) FROM analytics_orders
			WHERE day = ? AND `+it.col+` <> 0 GROUP BY day, `+it.col, int(Order), it.typ, day); err != nil {
			return err
		}
		if _, err := w.Exec(ctx, `INSERT INTO analytics_items (day, kind, item_type, item, events, users, amount)
			SELECT paid_day, ?, ?, `+it.col+`, COUNT(*), COUNT(DISTINCT user_id), SUM(paid) FROM analytics_orders
			WHERE paid_day = ? AND `+it.col+` <> 0 GROUP BY paid_day, `+it.col, int(Pay), it.typ, day); err != nil {
			return err
		}
	}
	return nil
}
