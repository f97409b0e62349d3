package flashsale

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Verify checks the invariants of every flash sale in the database and
// returns the violations found (none: an empty slice). Tests, the crash
// test and the benchmark run it; an operator can too. With rdb (Redis
// mode, prefix as configured) it also checks that Redis agrees with the
// database — meaningful only when no purchase is in flight.
//
//   - live orders + remaining + returned = stock, per sale;
//   - an order's units went back (released) exactly when it is cancelled;
//   - every purchase has its order and every flash order its purchase, at
//     the sale price;
//   - each shopper's counter equals their live units and is within the limit.
func Verify(ctx context.Context, d *db.DB, rdb *redis.Client, prefix string) ([]string, error) {
	var bad []string
	add := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	r := d.Reader(ctx)
	type sale struct {
		id                                id.ID
		price, stock, remaining, returned int64
		limit                             int64
	}
	rows, err := r.Query(ctx, "SELECT id, price, stock, remaining, returned, per_user_limit FROM flash_sales ORDER BY id")
	if err != nil {
		return nil, err
	}
	var sales []sale
	for rows.Next() {
		var s sale
		if err := rows.Scan(&s.id, &s.price, &s.stock, &s.remaining, &s.returned, &s.limit); err != nil {
			rows.Close()
			return nil, err
		}
		sales = append(sales, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	count := func(q string, args ...any) (int64, error) {
		var n int64
		err := r.QueryRow(ctx, q, args...).Scan(&n)
		return n, err
	}
	n, err := count(`SELECT COUNT(*) FROM flash_orders f LEFT JOIN orders o ON o.id = f.order_id WHERE o.id IS NULL`)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		add("%d flash purchases have no order", n)
	}
	if n, err = count(`SELECT COUNT(*) FROM orders o LEFT JOIN flash_orders f ON f.order_id = o.id WHERE o.source = ? AND f.order_id IS NULL`, Source); err != nil {
		return nil, err
	}
	if n > 0 {
		add("%d flash orders have no purchase (no units behind them)", n)
	}
	for _, s := range sales {
		live, err := count(`SELECT COALESCE(SUM(f.quantity), 0) FROM flash_orders f JOIN orders o ON o.id = f.order_id
			WHERE f.sale_id = ? AND o.status <> 'cancelled'`, s.id)
		if err != nil {
			return nil, err
		}
		if live+s.remaining+s.returned != s.stock {
			add("sale %s: live orders %d + remaining %d + returned %d != stock %d", s.id, live, s.remaining, s.returned, s.stock)
		}
		if s.remaining < 0 {
			add("sale %s: remaining %d < 0", s.id, s.remaining)
		}
		if n, err = count(`SELECT COUNT(*) FROM flash_orders f JOIN orders o ON o.id = f.order_id WHERE f.sale_id = ?
			AND ((f.released = 1 AND o.status <> 'cancelled') OR (f.released = 0 AND o.status = 'cancelled'))`, s.id); err != nil {
			return nil, err
		}
		if n > 0 {
			add("sale %s: %d orders whose released flag disagrees with their status", s.id, n)
		}
		if n, err = count(`SELECT COUNT(*) FROM flash_orders f JOIN orders o ON o.id = f.order_id WHERE f.sale_id = ?
			AND (o.total <> f.quantity * ? OR f.total <> o.total)`, s.id, s.price); err != nil {
			return nil, err
		}
		if n > 0 {
			add("sale %s: %d orders not at the sale price", s.id, n)
		}
		held := map[id.ID]int64{}
		rows, err := r.Query(ctx, `SELECT user_id, COALESCE(SUM(quantity), 0) FROM flash_orders WHERE sale_id = ? AND released = 0 GROUP BY user_id`, s.id)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var u id.ID
			var q int64
			if err := rows.Scan(&u, &q); err != nil {
				rows.Close()
				return nil, err
			}
			held[u] = q
		}
		rows.Close()
		counters := map[id.ID]int64{}
		rows, err = r.Query(ctx, "SELECT user_id, bought FROM flash_buyers WHERE sale_id = ?", s.id)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var u id.ID
			var b int64
			if err := rows.Scan(&u, &b); err != nil {
				rows.Close()
				return nil, err
			}
			counters[u] = b
		}
		rows.Close()
		for u, q := range held {
			if q > s.limit {
				add("sale %s: user %s holds %d units, limit %d", s.id, u, q, s.limit)
			}
			if counters[u] != q {
				add("sale %s: user %s counter %d != live units %d", s.id, u, counters[u], q)
			}
		}
		for u, b := range counters {
			if b != held[u] {
				add("sale %s: user %s counter %d != live units %d", s.id, u, b, held[u])
			}
		}
		if rdb != nil {
			if err := verifyRedis(ctx, d, rdb, prefix, s.id, s.remaining, held, add); err != nil {
				return nil, err
			}
		}
	}
	return bad, nil
}

// verifyRedis: with nothing in flight (empty log, no queued release),
// Redis stock and counters equal the database's. Sales that ended and gave
// their stock back are skipped (Redis no longer matters for them).
func verifyRedis(ctx context.Context, d *db.DB, rdb *redis.Client, prefix string, sale id.ID, remaining int64,
	held map[id.ID]int64, add func(string, ...any)) error {
	k := (&Service{cfg: Config{RedisPrefix: prefix}}).rkeys(sale)
	stock, err := rdb.Get(ctx, k.stock).Result()
	if err == redis.Nil {
		return nil // never loaded into Redis, or expired
	}
	if err != nil {
		return err
	}
	var returned int64
	if err := d.Reader(ctx).QueryRow(ctx, "SELECT returned FROM flash_sales WHERE id = ?", sale).Scan(&returned); err != nil {
		return err
	}
	if returned > 0 {
		return nil
	}
	pending, err := rdb.XLen(ctx, k.log).Result()
	if err != nil {
		return err
	}
	var queued int64
	if err := d.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM flash_redis_releases WHERE sale_id = ?", sale).Scan(&queued); err != nil {
		return err
	}
	if pending > 0 || queued > 0 {
		add("sale %s: redis has %d unreconciled reservations and %d queued releases", sale, pending, queued)
		return nil
	}
	if stock != strconv.FormatInt(remaining, 10) {
		add("sale %s: redis stock %s != database remaining %d", sale, stock, remaining)
	}
	users, err := rdb.HGetAll(ctx, k.users).Result()
	if err != nil {
		return err
	}
	for u, v := range users {
		uid, err := id.Parse(u)
		if err != nil {
			add("sale %s: bad user %q in redis", sale, u)
			continue
		}
		if v != strconv.FormatInt(held[uid], 10) {
			add("sale %s: redis counter of %s is %s, database %d", sale, u, v, held[uid])
		}
	}
	for u, q := range held {
		if q > 0 && users[u.String()] == "" {
			add("sale %s: redis has no counter for %s (database %d)", sale, u, q)
		}
	}
	return nil
}
