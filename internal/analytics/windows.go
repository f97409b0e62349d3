package analytics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
)

// WindowDays are the range lengths the rollup job keeps item rankings and
// persona counts for, per day they end on: the console's last week, month
// and quarter. A range of another length is aggregated from the day
// rollups (correct, slower over long ranges).
var WindowDays = []int{7, 30, 90}

// TopItems is how many items of each type a window's ranking keeps.
const TopItems = 100

// rulesID identifies persona rules, so counts kept under other rules are
// not served for these.
func (c PersonaConfig) rulesID() int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%+v", c)
	return int64(h.Sum64() >> 1)
}

// windowed reports whether the rollup job kept a ranking and persona
// counts for r: its length is one of WindowDays and it ends on a day rolled
// up since the windows exist.
func (m *Metrics) windowed(ctx context.Context, r Range) (bool, error) {
	if !slices.Contains(WindowDays, r.Days()) {
		return false, nil
	}
	rows, err := m.q(ctx).Query(ctx, "SELECT name, value FROM analytics_state WHERE name IN ('rolled', 'ranked_since')")
	if err != nil {
		return false, err
	}
	defer rows.Close()
	st := map[string]int64{}
	for rows.Next() {
		var name string
		var v int64
		if err := rows.Scan(&name, &v); err != nil {
			return false, err
		}
		st[name] = v
	}
	since, ok := st["ranked_since"]
	return ok && int64(r.To) >= since && int64(r.To) <= st["rolled"], rows.Err()
}

// rollWindows moves every window to end on d (in rollDay's transaction,
// after the day's rollups): the funnel sums add day d and drop the day
// that leaves, the last-seen days take d's users, then d's rankings and
// persona counts are written. Without the windows of d−1 (the first day
// rolled up with this code) they are rebuilt from the day rollups.
func (r *Rollups) rollWindows(ctx context.Context, d Day) error {
	w := r.db.Writer(ctx)
	day := int(d)
	exec := func(q string, args ...any) error {
		_, err := w.Exec(ctx, q, args...)
		return err
	}
	var prev int64
	err := w.QueryRow(ctx, "SELECT value FROM analytics_state WHERE name = 'windows'").Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	widest := slices.Max(WindowDays)
	if err == nil && prev == int64(day-1) {
		for _, n := range WindowDays {
			if err := r.addItems(ctx, n, day, day, 1); err != nil {
				return err
			}
			if err := r.addItems(ctx, n, day-n, day-n, -1); err != nil {
				return err
			}
		}
		if err := r.addLast(ctx, day, day); err != nil {
			return err
		}
	} else {
		if err := exec("DELETE FROM analytics_window_items"); err != nil {
			return err
		}
		if err := exec("DELETE FROM analytics_last"); err != nil {
			return err
		}
		for _, n := range WindowDays {
			if err := r.addItems(ctx, n, day-n+1, day, 1); err != nil {
				return err
			}
		}
		if err := r.addLast(ctx, day-widest+1, day); err != nil {
			return err
		}
	}
	// An item whose days all left the window is not in it any more.
	if err := exec("DELETE FROM analytics_window_items WHERE views = 0 AND clicks = 0 AND orders = 0 AND paid = 0"); err != nil {
		return err
	}
	old := day - widest
	if err := exec("DELETE FROM analytics_last WHERE active <= ? AND paid <= ? AND published <= ?", old, old, old); err != nil {
		return err
	}
	for _, n := range WindowDays {
		for _, typ := range []int{ItemNote, ItemProduct, ItemCreator} {
			// The same order as funnelItems: by the lead, then id.
			if err := exec(`INSERT INTO analytics_top_items (day, days, item_type, item, lead, views, clicks, orders, paid, gmv)
				SELECT ?, days, item_type, item, `+leadCol(typ)+`, views, clicks, orders, paid, gmv FROM analytics_window_items
				WHERE days = ? AND item_type = ? ORDER BY 5 DESC, item LIMIT ?`, day, n, typ, TopItems); err != nil {
				return err
			}
		}
	}
	if err := r.keepPersonas(ctx, d); err != nil {
		return err
	}
	if err := exec(`INSERT INTO analytics_state (name, value) VALUES ('windows', ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, day); err != nil {
		return err
	}
	return exec("INSERT INTO analytics_state (name, value) VALUES ('ranked_since', ?) ON CONFLICT (name) DO NOTHING", day)
}

// leadCol is what items of typ are ranked by: products have no views of
// their own, they go by clicks.
func leadCol(typ int) string {
	if typ == ItemProduct {
		return "clicks"
	}
	return "views"
}

// addItems adds sign × the funnel of days from…to to the window of n days.
func (r *Rollups) addItems(ctx context.Context, n, from, to, sign int) error {
	_, err := r.db.Writer(ctx).Exec(ctx, fmt.Sprintf(`INSERT INTO analytics_window_items (days, item_type, item, views, clicks, orders, paid, gmv)
		SELECT ?, item_type, item, %[1]d * SUM(CASE WHEN kind = %[2]d THEN events ELSE 0 END), %[1]d * SUM(CASE WHEN kind = %[3]d THEN events ELSE 0 END),
		%[1]d * SUM(CASE WHEN kind = %[4]d THEN events ELSE 0 END), %[1]d * SUM(CASE WHEN kind = %[5]d THEN events ELSE 0 END),
		%[1]d * SUM(CASE WHEN kind = %[5]d THEN amount ELSE 0 END)
		FROM analytics_items WHERE day BETWEEN ? AND ? AND item_type IN (%[6]d, %[7]d, %[8]d) AND kind IN (%[2]d, %[3]d, %[4]d, %[5]d)
		GROUP BY item_type, item
		ON CONFLICT (days, item_type, item) DO UPDATE SET views = analytics_window_items.views + excluded.views,
		clicks = analytics_window_items.clicks + excluded.clicks, orders = analytics_window_items.orders + excluded.orders,
		paid = analytics_window_items.paid + excluded.paid, gmv = analytics_window_items.gmv + excluded.gmv`,
		sign, View, ProductClick, Order, Pay, ItemNote, ItemProduct, ItemCreator), n, from, to)
	return err
}

// addLast records the last day from…to each user was active, paid and published.
func (r *Rollups) addLast(ctx context.Context, from, to int) error {
	for _, s := range []struct{ col, sel string }{
		{"active", "SELECT user_id, MAX(day) FROM analytics_active WHERE day BETWEEN ? AND ? GROUP BY user_id"},
		{"paid", "SELECT user_id, MAX(paid_day) FROM analytics_orders WHERE paid_day BETWEEN ? AND ? AND paid > 0 GROUP BY user_id"},
		{"published", fmt.Sprintf("SELECT item, MAX(day) FROM analytics_items WHERE item_type = %d AND kind = %d AND day BETWEEN ? AND ? GROUP BY item", ItemCreator, Publish)},
	} {
		if _, err := r.db.Writer(ctx).Exec(ctx, `INSERT INTO analytics_last (user_id, `+s.col+`) `+s.sel+`
			ON CONFLICT (user_id) DO UPDATE SET `+s.col+` = excluded.`+s.col, from, to); err != nil {
			return err
		}
	}
	return nil
}

// keepPersonas counts the populations of every window ending on d, joining
// the recent users to their persona fields once.
func (r *Rollups) keepPersonas(ctx context.Context, d Day) error {
	w := r.db.Writer(ctx)
	year := d.Time().Year()
	tallies := make([][]*tally, len(WindowDays))
	for i := range tallies {
		tallies[i] = []*tally{newTally(), newTally(), newTally()} // as Populations
	}
	rows, err := w.Query(ctx, `SELECT l.active, l.published, l.paid, u.gender, u.birth_year, u.region, u.follower_count, u.role
		FROM analytics_last l JOIN users u ON u.id = l.user_id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var last [3]int
		var u personaFields
		if err := rows.Scan(&last[0], &last[1], &last[2], &u.gender, &u.birthYear, &u.region, &u.followers, &u.role); err != nil {
			rows.Close()
			return err
		}
		for i, n := range WindowDays {
			for p, l := range last {
				if l > int(d)-n {
					tallies[i][p].add(u, year, r.Personas)
				}
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rules := r.Personas.rulesID()
	var vals []any
	for i, n := range WindowDays {
		for p, t := range tallies[i] {
			row := func(dim, key string, users int64) {
				vals = append(vals, int(d), n, rules, Populations[p], dim, key, users)
			}
			row("total", "", t.total)
			for k, v := range t.gender {
				row("gender", k, v)
			}
			for k, v := range t.birthYear {
				row("birth_year", strconv.Itoa(k), v)
			}
			for k, v := range t.region {
				row("region", k, v)
			}
			for k, v := range t.segments {
				row("segment", k, v)
			}
		}
	}
	const cols, chunk = 7, 200
	for len(vals) > 0 {
		k := min(len(vals)/cols, chunk)
		q := "INSERT INTO analytics_persona_days (day, days, rules, population, dim, key, users) VALUES " +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", k), ", ")
		if _, err := w.Exec(ctx, q, vals[:k*cols]...); err != nil {
			return err
		}
		vals = vals[k*cols:]
	}
	return nil
}

// windowPersonas reads the persona counts kept for r under cfg's rules, ok
// false when there are none.
func (m *Metrics) windowPersonas(ctx context.Context, r Range, cfg PersonaConfig) ([]*tally, bool, error) {
	if ok, err := m.windowed(ctx, r); !ok || err != nil {
		return nil, false, err
	}
	rows, err := m.q(ctx).Query(ctx, "SELECT population, dim, key, users FROM analytics_persona_days WHERE day = ? AND days = ? AND rules = ?",
		int(r.To), r.Days(), cfg.rulesID())
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	out := []*tally{newTally(), newTally(), newTally()}
	found := false
	for rows.Next() {
		var pop, dim, key string
		var n int64
		if err := rows.Scan(&pop, &dim, &key, &n); err != nil {
			return nil, false, err
		}
		i := slices.Index(Populations, pop)
		if i < 0 {
			continue
		}
		found = true
		t := out[i]
		switch dim {
		case "total":
			t.total = n
		case "gender":
			t.gender[key] = n
		case "birth_year":
			by, _ := strconv.Atoi(key)
			t.birthYear[by] = n
		case "region":
			t.region[key] = n
		case "segment":
			t.segments[key] = n
		}
	}
	return out, found, rows.Err()
}

// windowItems reads the ranking kept for r, ok false when there is none.
func (m *Metrics) windowItems(ctx context.Context, r Range, typ, n int) ([]FunnelItem, bool, error) {
	if n > TopItems {
		return nil, false, nil
	}
	if ok, err := m.windowed(ctx, r); !ok || err != nil {
		return nil, false, err
	}
	rows, err := m.q(ctx).Query(ctx, `SELECT item, views, clicks, orders, paid, gmv FROM analytics_top_items
		WHERE day = ? AND days = ? AND item_type = ? ORDER BY lead DESC, item LIMIT ?`, int(r.To), r.Days(), typ, n)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	out := []FunnelItem{}
	for rows.Next() {
		var it FunnelItem
		if err := rows.Scan(&it.ID, &it.Views, &it.Clicks, &it.Orders, &it.Paid, &it.GMV); err != nil {
			return nil, false, err
		}
		it.CTR, it.CVR = ratio(it.Clicks, it.Views), ratio(it.Orders, it.Clicks)
		out = append(out, it)
	}
	return out, true, rows.Err()
}
