package flashsale

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/redislog"
)

// Redis mode (docs/flashsale.md has the protocol and its failure cases).
//
// Per sale, under one hash tag so a cluster keeps them on one slot:
//
//	{p}:stock     units Redis may still hand out
//	{p}:users     hash user -> units held
//	{p}:keys      hash "user|Idempotency-Key" -> "order|qty|payByMs"
//	{p}:log       stream of reservations not yet known to be in the database
//	{p}:released  set of order ids whose units were given back in Redis
//
// One script checks and takes the units and the quota, records the key and
// appends the reservation to the log atomically. The request then commits
// the order in the database (the same transaction as embedded mode, whose
// conditional updates still hold) and only then answers 201; the log entry
// is deleted after the commit. A crash in between leaves the entry in the
// log, and reconciliation commits it (or rolls it back when the database
// refuses). Units given back in the database (expiry, cancellation) are
// queued in flash_redis_releases in the same transaction and applied to
// Redis idempotently (the released set) after the commit or by
// reconciliation.

// UseRedis moves the purchase gate into Redis. Call it before serving.
func (s *Service) UseRedis(c *redis.Client) { s.rdb = c }

type rkeys struct{ stock, users, keys, log, released string }

func (s *Service) rkeys(saleID id.ID) rkeys {
	p := s.cfg.RedisPrefix + ":{" + saleID.String() + "}:"
	return rkeys{p + "stock", p + "users", p + "keys", p + "log", p + "released"}
}

// redisTTL: the keys outlive the sale by a week (late retries, releases).
func redisTTL(sl Sale) int64 { return sl.EndsAt.Add(MaxDuration).UnixMilli() }

var primeScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local nrel = tonumber(ARGV[3])
redis.call('DEL', KEYS[2], KEYS[3])
for i = 4, 3 + nrel do redis.call('SADD', KEYS[3], ARGV[i]) end
for i = 4 + nrel, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('SET', KEYS[1], ARGV[1])
for i = 1, #KEYS do redis.call('PEXPIREAT', KEYS[i], ARGV[2]) end
return 1`)

// purchaseScript returns {0, log id, stock left} | {1, stored value}
// (replay) | {2, stock} (not enough) | {3, held} (over the limit) | {-1}
// (sale not in Redis).
var purchaseScript = redis.NewScript(`
local prev = redis.call('HGET', KEYS[3], ARGV[2])
if prev then return {1, prev} end
local stock = redis.call('GET', KEYS[1])
if not stock then return {-1} end
stock = tonumber(stock)
local q = tonumber(ARGV[3])
if stock < q then return {2, stock} end
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if held + q > tonumber(ARGV[4]) then return {3, held} end
redis.call('DECRBY', KEYS[1], q)
redis.call('HINCRBY', KEYS[2], ARGV[1], q)
redis.call('HSET', KEYS[3], ARGV[2], ARGV[5])
local sid = redis.call('XADD', KEYS[4], '*', 'u', ARGV[1], 'k', ARGV[6], 'v', ARGV[5])
redis.call('PEXPIREAT', KEYS[3], ARGV[7])
redis.call('PEXPIREAT', KEYS[4], ARGV[7])
return {0, sid, stock - q}`)

// rollbackScript undoes a reservation the database refused, once: only
// while the key still maps to that reservation.
var rollbackScript = redis.NewScript(`
if ARGV[5] ~= '' then redis.call('XDEL', KEYS[4], ARGV[5]) end
if redis.call('HGET', KEYS[3], ARGV[2]) ~= ARGV[3] then return 0 end
redis.call('HDEL', KEYS[3], ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCRBY', KEYS[1], ARGV[4])
  redis.call('HINCRBY', KEYS[2], ARGV[1], -tonumber(ARGV[4]))
end
return 1`)

// releaseScript gives a cancelled order's units back, once per order.
var releaseScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('SADD', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('PEXPIREAT', KEYS[3], ARGV[4])
redis.call('INCRBY', KEYS[1], ARGV[3])
redis.call('HINCRBY', KEYS[2], ARGV[2], -tonumber(ARGV[3]))
return 1`)

// primeRedis loads a sale into Redis unless it is there already (first
// use, or Redis lost its data): remaining stock, units per shopper, and the
// orders already given back (so a queued release is not applied twice).
func (s *Service) primeRedis(ctx context.Context, st *state) error {
	k := s.rkeys(st.sale.ID)
	var remaining int64
	if err := s.db.Reader(ctx).QueryRow(ctx, "SELECT remaining FROM flash_sales WHERE id = ?", st.sale.ID).Scan(&remaining); err != nil {
		return err
	}
	args := []any{remaining, redisTTL(st.sale), 0}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT order_id FROM flash_orders WHERE sale_id = ? AND released = 1", st.sale.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var oid id.ID
		if err := rows.Scan(&oid); err != nil {
			rows.Close()
			return err
		}
		args = append(args, oid.String())
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	args[2] = len(args) - 3
	st.mu.Lock()
	for u, n := range st.bought {
		args = append(args, u.String(), n)
	}
	st.mu.Unlock()
	return primeScript.Run(ctx, s.rdb, []string{k.stock, k.users, k.released}, args...).Err()
}

// reservation value stored under the key and in the log.
func reservationValue(a attempt) string {
	return fmt.Sprintf("%s|%d|%d", a.orderID, a.qty, a.payBy.UnixMilli())
}

func parseReservation(v string, a *attempt) error {
	parts := strings.Split(v, "|")
	if len(parts) != 3 {
		return fmt.Errorf("flash sale: bad reservation %q", v)
	}
	oid, err := id.Parse(parts[0])
	if err != nil {
		return err
	}
	q, err1 := strconv.ParseInt(parts[1], 10, 64)
	ms, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	a.orderID, a.qty, a.payBy = oid, q, time.UnixMilli(ms).UTC()
	return nil
}

// purchaseRedis passes the attempt through the Redis gate and commits the
// winners in the database.
func (s *Service) purchaseRedis(ctx context.Context, a attempt) (Receipt, error) {
	sl := a.st.sale
	k := s.rkeys(sl.ID)
	ukey := a.user.String() + "|" + a.key
	for try := 0; ; try++ {
		res, err := purchaseScript.Run(ctx, s.rdb, []string{k.stock, k.users, k.keys, k.log},
			a.user.String(), ukey, a.qty, sl.PerUserLimit, reservationValue(a), a.key, redisTTL(sl)).Slice()
		if err != nil {
			return Receipt{}, err
		}
		switch res[0].(int64) {
		case -1:
			if try > 0 {
				return Receipt{}, errors.New("flash sale: redis lost the sale again while priming")
			}
			if err := s.primeRedis(ctx, a.st); err != nil {
				return Receipt{}, err
			}
			continue
		case 1:
			want := a.qty
			if err := parseReservation(res[1].(string), &a); err != nil {
				return Receipt{}, err
			}
			if a.qty != want {
				return Receipt{}, errReplay
			}
			return s.persist(ctx, a, "")
		case 2:
			if res[1].(int64) == 0 {
				a.st.soldOut.Store(true)
			}
			return Receipt{}, errSoldOut
		case 3:
			return Receipt{}, errOverLimit
		}
		if res[2].(int64) == 0 {
			a.st.soldOut.Store(true)
		}
		return s.persist(ctx, a, res[1].(string))
	}
}

// persist commits a reservation Redis granted. The database may refuse it
// (its own conditional updates disagree, e.g. after Redis lost data): then
// the reservation is rolled back in Redis. Other errors leave it in the log
// for reconciliation.
func (s *Service) persist(ctx context.Context, a attempt, logID string) (Receipt, error) {
	rc, err := s.commit(ctx, a)
	if errors.Is(err, errReplay) {
		var ok bool
		if rc, ok, err = s.receiptOf(ctx, a.orderID); err != nil {
			return Receipt{}, err
		}
		if !ok {
			// The key already has another order in the database: Redis
			// forgot the key. Undo this reservation; the caller answers
			// with the order the key made.
			if err := s.rollback(ctx, a, logID); err != nil {
				return Receipt{}, err
			}
			return Receipt{}, errReplay
		}
	} else if err == errSoldOut || err == errOverLimit {
		if rerr := s.rollback(ctx, a, logID); rerr != nil {
			return Receipt{}, rerr
		}
		return Receipt{}, err
	} else if err != nil {
		return Receipt{}, err
	}
	if logID != "" {
		// Best effort: a leftover entry is found committed by reconciliation.
		_ = s.rdb.XDel(ctx, s.rkeys(a.st.sale.ID).log, logID).Err()
	}
	return rc, nil
}

func (s *Service) rollback(ctx context.Context, a attempt, logID string) error {
	k := s.rkeys(a.st.sale.ID)
	return rollbackScript.Run(ctx, s.rdb, []string{k.stock, k.users, k.keys, k.log},
		a.user.String(), a.user.String()+"|"+a.key, reservationValue(a), a.qty, logID).Err()
}

// receiptOf reads the purchase of an order; ok is false when there is none.
func (s *Service) receiptOf(ctx context.Context, oid id.ID) (Receipt, bool, error) {
	var user id.ID
	var key string
	var sale id.ID
	var qty int64
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT sale_id, user_id, idempotency_key, quantity FROM flash_orders WHERE order_id = ?", oid).
		Scan(&sale, &user, &key, &qty)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Receipt{}, false, nil
		}
		return Receipt{}, false, err
	}
	return s.receipt(ctx, sale, user, key, qty)
}

// queueRedisRelease records, in the cancelling transaction, that Redis
// must get the units back, and applies it once the transaction commits.
func (s *Service) queueRedisRelease(ctx context.Context, oid, saleID, user id.ID, qty int64) error {
	if _, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO flash_redis_releases (order_id, sale_id, user_id, quantity, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, oid, saleID, user, qty, db.Now()); err != nil {
		return err
	}
	db.AfterCommit(ctx, func() {
		// A fresh context: ctx carries the finished transaction.
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.applyRedisRelease(c, oid, saleID, user, qty) // reconciliation retries it
	})
	return nil
}

func (s *Service) applyRedisRelease(ctx context.Context, oid, saleID, user id.ID, qty int64) error {
	sl, err := s.load(ctx, saleID)
	if err != nil {
		return err
	}
	k := s.rkeys(saleID)
	if err := releaseScript.Run(ctx, s.rdb, []string{k.stock, k.users, k.released}, oid.String(), user.String(), qty,
		redisTTL(sl)).Err(); err != nil {
		return err
	}
	_, err = s.db.Writer(ctx).Exec(ctx, "DELETE FROM flash_redis_releases WHERE order_id = ?", oid)
	return err
}

// applyRedisReleases applies the queued releases (after a crash, or when
// Redis was unreachable at commit time).
func (s *Service) applyRedisReleases(ctx context.Context) error {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT order_id, sale_id, user_id, quantity FROM flash_redis_releases ORDER BY created_at LIMIT 500")
	if err != nil {
		return err
	}
	type rel struct {
		oid, sale, user id.ID
		qty             int64
	}
	var todo []rel
	for rows.Next() {
		var r rel
		if err := rows.Scan(&r.oid, &r.sale, &r.user, &r.qty); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range todo {
		if err := s.applyRedisRelease(ctx, r.oid, r.sale, r.user, r.qty); err != nil {
			return err
		}
	}
	return nil
}

// reconcileRedis commits (or rolls back) reservations left in the logs of
// recent sales — those whose request died between Redis and the database.
func (s *Service) reconcileRedis(ctx context.Context) error {
	if err := s.applyRedisReleases(ctx); err != nil {
		return err
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id FROM flash_sales WHERE ends_at > ?", s.now().Add(-MaxDuration).UnixMilli())
	if err != nil {
		return err
	}
	var sales []id.ID
	for rows.Next() {
		var sid id.ID
		if err := rows.Scan(&sid); err != nil {
			rows.Close()
			return err
		}
		sales = append(sales, sid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, sid := range sales {
		entries, err := redislog.Stale(ctx, s.rdb, s.rkeys(sid).log, s.now(), 500)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			continue
		}
		st, err := s.state(ctx, sid)
		if err != nil {
			return err
		}
		for _, e := range entries {
			a := attempt{st: st}
			u, _ := e.Values["u"].(string)
			v, _ := e.Values["v"].(string)
			a.key, _ = e.Values["k"].(string)
			if a.user, err = id.Parse(u); err != nil {
				return fmt.Errorf("flash sale: bad log entry %s: %w", e.ID, err)
			}
			if err := parseReservation(v, &a); err != nil {
				return err
			}
			_, err := s.persist(ctx, a, e.ID)
			if err != nil && err != errSoldOut && err != errOverLimit && !errors.Is(err, errReplay) {
				return err
			}
		}
	}
	return nil
}
