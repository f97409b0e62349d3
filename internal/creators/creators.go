// Package creators is the creator centre (G2): what a creator's notes get
// per day — views, likes, collects, comments, shares, tips, product clicks
// and the sales those clicks led to — and their new followers, plus brand
// collaborations declared on notes (disclosure.go).
//
// The daily rows move in the transaction of each act, through the activity
// hook (Record): the like, collect, comment, share, follow, tip, paid order
// or view flush commits exactly when its count does. Days are the
// creator's local days (growth's time zone, the same midnight as
// check-ins). See docs/creators.md.
package creators

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// AttributionWindow is how long after a click from a note a purchase of
// the product is credited to the note.
const AttributionWindow = 7 * 24 * time.Hour

// MaxDays is the longest period the stats cover.
const MaxDays = 90

// Days gives a user's local day (growth implements it).
type Days interface {
	Today(ctx context.Context, uid id.ID) (int64, error)
}

// Service keeps and reads creator statistics.
type Service struct {
	db   *db.DB
	days Days
	// Now is the clock (tests inject one).
	Now func() time.Time
}

func New(d *db.DB, days Days) *Service { return &Service{db: d, days: days, Now: time.Now} }

// column is the daily counter an act moves (a fixed set, never input).
var column = map[string]string{
	activity.Liked: "likes", activity.Collect: "collects", activity.Comment: "comments", activity.Share: "shares",
	activity.Viewed: "views",
}

// Record is the activity hook; it runs in the act's transaction.
func (s *Service) Record(ctx context.Context, e activity.Event) error {
	switch e.Kind {
	case activity.Liked, activity.Viewed: // User is the author
		return s.bump(ctx, e.Ref, e.User, max(e.Amount, 1), column[e.Kind])
	case activity.Collect, activity.Comment, activity.Share: // User is the reader
		author, err := s.author(ctx, e.Ref)
		if err != nil || author == e.User {
			return err
		}
		return s.bump(ctx, e.Ref, author, 1, column[e.Kind])
	case activity.Tipped:
		return s.bump(ctx, e.Ref, e.User, 1, "tips", e.Amount, "tip_points")
	case activity.Followed:
		day, err := s.days.Today(ctx, e.User)
		if err != nil {
			return err
		}
		_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO creator_days (user_id, day, followers) VALUES (?, ?, 1)
			ON CONFLICT (user_id, day) DO UPDATE SET followers = creator_days.followers + 1`, e.User, day)
		return err
	case activity.OrderPaid:
		return s.attribute(ctx, e.User, e.Ref)
	}
	return nil
}

func (s *Service) author(ctx context.Context, noteID id.ID) (id.ID, error) {
	var a id.ID
	err := s.db.Writer(ctx).QueryRow(ctx, "SELECT author_id FROM notes WHERE id = ?", noteID).Scan(&a)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return a, err
}

// bump adds to counters of a note's row for the author's today: pairs of
// (amount, column), the first pair given apart.
func (s *Service) bump(ctx context.Context, noteID, author id.ID, n int64, col string, more ...any) error {
	if author == 0 {
		return nil
	}
	day, err := s.days.Today(ctx, author)
	if err != nil {
		return err
	}
	cols, vals, sets := col, []any{noteID, day, author, n}, col+" = creator_note_days."+col+" + excluded."+col
	for i := 0; i+1 < len(more); i += 2 {
		c := more[i+1].(string)
		cols += ", " + c
		vals = append(vals, more[i])
		sets += ", " + c + " = creator_note_days." + c + " + excluded." + c
	}
	_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO creator_note_days (note_id, day, author_id, `+cols+`)
		VALUES (?, ?, ?, `+db.Placeholders(len(vals)-3)+`) ON CONFLICT (note_id, day) DO UPDATE SET `+sets, vals...)
	return err
}

// Click records a signed-in reader's click from a note to a product the
// note links, once per reader, product, note and day. It is what credits
// the note with a later purchase.
func (s *Service) Click(ctx context.Context, reader, noteID, productID id.ID) error {
	if reader == 0 {
		return apperr.Unauthorized("sign in")
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		var author id.ID
		err := w.QueryRow(ctx, `SELECT n.author_id FROM notes n JOIN note_products np ON np.note_id = n.id AND np.product_id = ?
			WHERE n.id = ? AND n.status = 'published'`, productID, noteID).Scan(&author)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("product on this note")
		}
		if err != nil || author == reader {
			return err
		}
		day, err := s.days.Today(ctx, reader)
		if err != nil {
			return err
		}
		res, err := w.Exec(ctx, `INSERT INTO creator_clicks (user_id, product_id, note_id, day, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, reader, productID, noteID, day, s.Now().UnixMilli())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.bump(ctx, noteID, author, 1, "clicks")
	})
}

// attribute credits a paid order's products to the notes the buyer last
// clicked them from (within AttributionWindow): one order and the paid
// amount of its lines per note.
func (s *Service) attribute(ctx context.Context, buyer, orderID id.ID) error {
	w := s.db.Writer(ctx)
	since := s.Now().Add(-AttributionWindow).UnixMilli()
	rows, err := w.Query(ctx, `SELECT oi.product_id, SUM(oi.paid), (SELECT c.note_id FROM creator_clicks c
		WHERE c.user_id = ? AND c.product_id = oi.product_id AND c.created_at >= ? ORDER BY c.created_at DESC, c.note_id LIMIT 1)
		FROM order_items oi WHERE oi.order_id = ? AND oi.gift = 0 GROUP BY oi.product_id`, buyer, since, orderID)
	if err != nil {
		return err
	}
	credit := map[id.ID]int64{}
	var order []id.ID
	for rows.Next() {
		var product id.ID
		var paid int64
		var note sql.NullInt64
		if err := rows.Scan(&product, &paid, &note); err != nil {
			rows.Close()
			return err
		}
		if note.Valid {
			n := id.ID(note.Int64)
			if _, ok := credit[n]; !ok {
				order = append(order, n)
			}
			credit[n] += paid
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range order {
		res, err := w.Exec(ctx, "INSERT INTO creator_sales (order_id, note_id, amount, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
			orderID, n, credit[n], s.Now().UnixMilli())
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			continue // this order was credited already
		}
		author, err := s.author(ctx, n)
		if err != nil {
			return err
		}
		if err := s.bump(ctx, n, author, 1, "orders", credit[n], "sales"); err != nil {
			return err
		}
	}
	return nil
}
