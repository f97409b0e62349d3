package growth

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/points"
)

// Earning rules (rows of growth_rules, operator-configurable).
const (
	RuleCheckIn       = "checkin"        // each daily check-in
	RuleStreak7       = "streak7"        // bonus on every 7th day of a streak
	RuleShare         = "share"          // sharing a note (once per note)
	RuleFirstPurchase = "first_purchase" // a user's first paid order
	RuleOrderPaid     = "order_paid"     // each paid order
	RuleTask          = "task"           // each level reached
	RuleInvite        = "invite"         // an invitee became active
	RuleLiveWatch     = "live_watch"     // each minute of a live watched (internal/livechat)
)

// Rules lists the rules in display order.
var Rules = []string{RuleCheckIn, RuleStreak7, RuleShare, RuleFirstPurchase, RuleOrderPaid, RuleTask, RuleInvite, RuleLiveWatch}

// Rule is how many points an event pays and how many events pay per day.
type Rule struct {
	Rule     string `json:"rule"`
	Points   int64  `json:"points"`
	DailyCap int64  `json:"daily_cap"`
}

// RuleList returns every rule.
func (s *Service) RuleList(ctx context.Context) ([]Rule, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT rule, points, daily_cap FROM growth_rules")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byName := map[string]Rule{}
	for rows.Next() {
		var r Rule
		if err := rows.Scan(&r.Rule, &r.Points, &r.DailyCap); err != nil {
			return nil, err
		}
		byName[r.Rule] = r
	}
	out := make([]Rule, 0, len(Rules))
	for _, name := range Rules {
		out = append(out, byName[name])
	}
	return out, rows.Err()
}

// SetRule changes a rule (operator).
func (s *Service) SetRule(ctx context.Context, r Rule) error {
	known := false
	for _, name := range Rules {
		known = known || name == r.Rule
	}
	if !known {
		return apperr.Invalid("unknown rule %q", r.Rule)
	}
	if r.Points < 0 || r.Points > 100_000 || r.DailyCap < 0 || r.DailyCap > 1000 {
		return apperr.Invalid("points must be 0 to 100000 and daily_cap 0 to 1000")
	}
	_, err := s.db.Writer(ctx).Exec(ctx, "UPDATE growth_rules SET points = ?, daily_cap = ? WHERE rule = ?", r.Points, r.DailyCap, r.Rule)
	return err
}

// earn pays rule's points to uid as ledger kind/ref, at most once per
// (kind, ref) and at most daily_cap times per local day, and returns the
// points paid. The day's counter row is taken (and, on PostgreSQL, locked)
// before the ledger insert, so concurrent earners queue on it; if the
// ledger already holds (kind, ref) the count is given back.
func (s *Service) earn(ctx context.Context, uid id.ID, rule, kind string, ref id.ID, note string) (int64, error) {
	var paid int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		var r Rule
		if err := w.QueryRow(ctx, "SELECT points, daily_cap FROM growth_rules WHERE rule = ?", rule).Scan(&r.Points, &r.DailyCap); err != nil {
			return err
		}
		if r.Points == 0 || r.DailyCap == 0 {
			return nil
		}
		day, err := s.today(ctx, uid)
		if err != nil {
			return err
		}
		res, err := w.Exec(ctx, `INSERT INTO growth_daily (user_id, rule, day, n) VALUES (?, ?, ?, 1)
			ON CONFLICT (user_id, rule, day) DO UPDATE SET n = growth_daily.n + 1 WHERE growth_daily.n < ?`, uid, rule, day, r.DailyCap)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // capped for today
		}
		posted, err := s.points.Add(ctx, uid, r.Points, kind, ref, note)
		if err != nil {
			return err
		}
		if !posted {
			_, err = w.Exec(ctx, "UPDATE growth_daily SET n = n - 1 WHERE user_id = ? AND rule = ? AND day = ?", uid, rule, day)
			return err
		}
		paid = r.Points
		return nil
	})
	return paid, err
}

// EarnWatchMinute pays the live_watch rule for uid's nth credited minute of
// watching lives (livechat.Rewarder): once per n, within the daily cap.
func (s *Service) EarnWatchMinute(ctx context.Context, uid id.ID, n int64) (int64, error) {
	return s.earn(ctx, uid, RuleLiveWatch, points.LiveWatch, id.ID(n), "watched a live")
}

// orderPaid pays the per-order and first-purchase rewards, remembers them
// for a refund, and counts the buyer as active for their inviter.
func (s *Service) orderPaid(ctx context.Context, e activity.Event) error {
	per, err := s.earn(ctx, e.User, RuleOrderPaid, points.OrderReward, e.Ref, "paid an order")
	if err != nil {
		return err
	}
	first, err := s.earn(ctx, e.User, RuleFirstPurchase, points.FirstPurchase, e.User, "first purchase")
	if err != nil {
		return err
	}
	if per+first > 0 {
		if _, err := s.db.Writer(ctx).Exec(ctx, "INSERT INTO growth_order_rewards (order_id, user_id, points) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			e.Ref, e.User, per+first); err != nil {
			return err
		}
	}
	return s.activate(ctx, e.User)
}

// orderRefunded claws back what the order earned, once per order. Only what
// the user still holds is taken: a refund must never fail because the
// points were spent. The first-purchase reward is not paid again later.
func (s *Service) orderRefunded(ctx context.Context, e activity.Event) error {
	var pts int64
	err := s.db.Writer(ctx).QueryRow(ctx, "SELECT points FROM growth_order_rewards WHERE order_id = ?", e.Ref).Scan(&pts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.points.Clawback(ctx, e.User, pts, points.Clawback, e.Ref, "order refunded")
	return err
}

// location is a user's time zone.
func (s *Service) location(ctx context.Context, uid id.ID) (*time.Location, error) {
	var tz string
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT tz FROM growth_users WHERE user_id = ?", uid).Scan(&tz)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && tz == "") {
		return s.defTZ, nil
	}
	if err != nil {
		return nil, err
	}
	if loc, err := time.LoadLocation(tz); err == nil {
		return loc, nil
	}
	return s.defTZ, nil
}

// dayOf numbers the local calendar day of t in loc (days since 1970-01-01).
func dayOf(t time.Time, loc *time.Location) int64 {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// today is the user's local day now.
func (s *Service) today(ctx context.Context, uid id.ID) (int64, error) {
	loc, err := s.location(ctx, uid)
	if err != nil {
		return 0, err
	}
	return dayOf(s.Now(), loc), nil
}

// SetTimeZone sets the zone check-in days and daily caps are counted in.
func (s *Service) SetTimeZone(ctx context.Context, uid id.ID, tz string) error {
	if _, err := time.LoadLocation(tz); err != nil || tz == "" || tz == "Local" {
		return apperr.Invalid("unknown time zone %q", tz)
	}
	_, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO growth_users (user_id, tz) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET tz = excluded.tz`, uid, tz)
	return err
}

// Today is the user's local day now (days since 1970-01-01 in their zone),
// the day check-ins and other daily allowances count in.
func (s *Service) Today(ctx context.Context, uid id.ID) (int64, error) { return s.today(ctx, uid) }

// LocalDay numbers uid's local days for any time, their zone read once
// (the demo counts a history of acts with it).
func (s *Service) LocalDay(ctx context.Context, uid id.ID) (func(time.Time) int64, error) {
	loc, err := s.location(ctx, uid)
	if err != nil {
		return nil, err
	}
	return func(t time.Time) int64 { return dayOf(t, loc) }, nil
}
