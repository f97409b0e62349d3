package flashsale

import (
	"context"
	"log/slog"
	"time"

	"github.com/redmark/redmark/internal/id"
)

// JobInterval is how often the jobs below should run.
func (s *Service) JobInterval() time.Duration { return s.cfg.JobInterval }

// RunShared runs the jobs that change shared data, once across servers
// (the app runs it as a cluster job): in Redis mode reconcile Redis with
// the database, expire unpaid flash orders (their units go back on sale)
// and give unsold units of ended sales back to their SKU. Every step is
// idempotent, so it is also what repairs things after a crash.
func (s *Service) RunShared(ctx context.Context) error {
	if s.rdb != nil {
		if err := s.reconcileRedis(ctx); err != nil {
			return err
		}
	}
	for {
		n, err := s.orders.ExpireSource(ctx, Source)
		if err != nil {
			return err
		}
		if n > 0 {
			slog.Info("flash sale: expired unpaid orders", "count", n)
		}
		if n < 500 {
			break
		}
	}
	if s.rdb != nil {
		// Releases of the orders just expired.
		if err := s.applyRedisReleases(ctx); err != nil {
			return err
		}
	}
	return s.settle(ctx)
}

// RunOnce runs the shared jobs and this server's refresh (tests drive it).
func (s *Service) RunOnce(ctx context.Context) error {
	if err := s.RunShared(ctx); err != nil {
		return err
	}
	return s.Refresh(ctx)
}

// Refresh corrects the sold-out flags of the sales this process has
// loaded (every server runs it, as a local job): units may have come back (expiry, cancellation) through another
// process, or the flag was set by a purchase that wanted more than was left.
// It also closes sales an operator ended early through another process.
func (s *Service) Refresh(ctx context.Context) error {
	now := s.now()
	var err error
	s.states.Range(func(k, v any) bool {
		st := v.(*state)
		if now.Before(st.sale.StartsAt.Add(-time.Minute)) || !now.Before(st.sale.EndsAt) {
			return true
		}
		var left, ends int64
		if err = s.db.Reader(ctx).QueryRow(ctx, "SELECT remaining, ends_at FROM flash_sales WHERE id = ?", k.(id.ID)).Scan(&left, &ends); err != nil {
			return false
		}
		st.soldOut.Store(left == 0)
		if ends < st.sale.EndsAt.UnixMilli() {
			st.closed.Store(true) // ended early, maybe by another process
		}
		return true
	})
	return err
}

// settle gives the unsold units of ended sales back to their SKU. Units
// that come back to an ended sale later (an order expires or is cancelled)
// are given back on the next run. The conditional UPDATE makes a run on
// several servers at once harmless.
func (s *Service) settle(ctx context.Context) error {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id, sku_id, remaining FROM flash_sales WHERE ends_at <= ? AND remaining > 0 LIMIT 100",
		s.now().UnixMilli())
	if err != nil {
		return err
	}
	type unsold struct {
		sale, sku id.ID
		n         int64
	}
	var todo []unsold
	for rows.Next() {
		var u unsold
		if err := rows.Scan(&u.sale, &u.sku, &u.n); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range todo {
		err := s.db.InTx(ctx, func(ctx context.Context) error {
			res, err := s.db.Writer(ctx).Exec(ctx, "UPDATE flash_sales SET remaining = 0, returned = returned + ? WHERE id = ? AND remaining = ?",
				u.n, u.sale, u.n)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // changed meanwhile; the next run sees the new figure
			}
			return s.shop.Release(ctx, u.sku, u.n)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
