package seed

import (
	"context"
	"time"

	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/support"
)

// demoCreatorDays fills the creator centre from the demo's analytics
// history: each view, like, collect, comment, share and product click on a
// note (not the author's own) counts on the author's local day, as the
// activity hook would have counted it live; each follow counts for the
// followee. The history was written in bulk, past the hook.
func demoCreatorDays(ctx context.Context, a *app.App) error {
	cols := map[analytics.Kind]int{analytics.View: 0, analytics.Like: 1, analytics.Collect: 2, analytics.Comment: 3,
		analytics.Share: 4, analytics.ProductClick: 5}
	type key struct {
		note id.ID
		day  int64
	}
	type row struct {
		author id.ID
		n      [6]int64
	}
	days := map[id.ID]func(time.Time) int64{}
	dayOf := func(uid id.ID, at int64) (int64, error) {
		f, ok := days[uid]
		if !ok {
			var err error
			if f, err = a.Growth.LocalDay(ctx, uid); err != nil {
				return 0, err
			}
			days[uid] = f
		}
		return f(time.UnixMilli(at)), nil
	}
	r := a.DB.Reader(ctx)
	rows, err := r.Query(ctx, `SELECT e.kind, e.ref, n.author_id, e.at FROM analytics_events e JOIN notes n ON n.id = e.ref
		WHERE e.kind IN (?, ?, ?, ?, ?, ?) AND e.user_id <> n.author_id`, int(analytics.View), int(analytics.Like),
		int(analytics.Collect), int(analytics.Comment), int(analytics.Share), int(analytics.ProductClick))
	if err != nil {
		return err
	}
	notes := map[key]*row{}
	for rows.Next() {
		var kind int
		var note, author id.ID
		var at int64
		if err := rows.Scan(&kind, &note, &author, &at); err != nil {
			rows.Close()
			return err
		}
		day, err := dayOf(author, at)
		if err != nil {
			rows.Close()
			return err
		}
		k := key{note, day}
		if notes[k] == nil {
			notes[k] = &row{author: author}
		}
		notes[k].n[cols[analytics.Kind(kind)]]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = r.Query(ctx, "SELECT e.ref, e.at FROM analytics_events e JOIN users u ON u.id = e.ref WHERE e.kind = ?", int(analytics.Follow))
	if err != nil {
		return err
	}
	followers := map[key]int64{} // key.note is the followee
	for rows.Next() {
		var uid id.ID
		var at int64
		if err := rows.Scan(&uid, &at); err != nil {
			rows.Close()
			return err
		}
		day, err := dayOf(uid, at)
		if err != nil {
			rows.Close()
			return err
		}
		followers[key{uid, day}]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// Acts the demo made through the services already have their rows:
	// add to them.
	noteIns := newInserter(a.DB, "creator_note_days", []string{"note_id", "day", "author_id", "views", "likes", "collects",
		"comments", "shares", "clicks"}, ` ON CONFLICT (note_id, day) DO UPDATE SET views = creator_note_days.views + excluded.views,
		likes = creator_note_days.likes + excluded.likes, collects = creator_note_days.collects + excluded.collects,
		comments = creator_note_days.comments + excluded.comments, shares = creator_note_days.shares + excluded.shares,
		clicks = creator_note_days.clicks + excluded.clicks`)
	dayIns := newInserter(a.DB, "creator_days", []string{"user_id", "day", "followers"},
		" ON CONFLICT (user_id, day) DO UPDATE SET followers = creator_days.followers + excluded.followers")
	return a.DB.InTx(ctx, func(ctx context.Context) error {
		for k, v := range notes {
			if err := noteIns.add(ctx, k.note, k.day, v.author, v.n[0], v.n[1], v.n[2], v.n[3], v.n[4], v.n[5]); err != nil {
				return err
			}
		}
		for k, n := range followers {
			if err := dayIns.add(ctx, k.note, k.day, n); err != nil {
				return err
			}
		}
		if err := noteIns.flush(ctx); err != nil {
			return err
		}
		return dayIns.flush(ctx)
	})
}

// demoSupport starts a running support program: creators at growth level
// 5 (the top few) join by its rule and the demo user by the operator, enrolled
// from its start three days ago, so their notes since then are lifted. Its
// measured effect starts at zero and grows as the demo's discover feed is
// read.
func demoSupport(ctx context.Context, a *app.App) error {
	op, err := a.Accounts.GetByUsername(ctx, AdminUsername)
	if err != nil {
		return err
	}
	start := time.Now().Add(-3 * 24 * time.Hour)
	p, err := a.Support.Create(ctx, op, support.Input{Name: "创作者123计划 · 新人扶持", BoostPct: 200, HoldoutPct: 10, NoteDays: 7,
		RuleMinLevel: 5, StartsAt: start, EndsAt: start.Add(30 * 24 * time.Hour)})
	if err != nil {
		return err
	}
	if err := a.Support.Enrol(ctx, op, p.ID, DemoUsername); err != nil {
		return err
	}
	if _, err := a.DB.Writer(ctx).Exec(ctx, "UPDATE support_members SET enrolled_at = ? WHERE program_id = ?",
		start.UnixMilli(), p.ID); err != nil {
		return err
	}
	return a.Support.Refresh(ctx)
}
