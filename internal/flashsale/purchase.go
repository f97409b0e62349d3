package flashsale

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/orders"
)

// PurchaseRequest is the body of POST /flash-sales/{id}/purchase.
type PurchaseRequest struct {
	Quantity int64 `json:"quantity"`
	// Address, or AddressID from the buyer's book; with neither the
	// buyer's default address is used, and without one the purchase is 400.
	Address   *orders.Address `json:"address"`
	AddressID id.ID           `json:"address_id,omitzero"`
}

// Receipt is the answer to a successful purchase (201); a retry with the
// same Idempotency-Key gets the same receipt.
type Receipt struct {
	OrderID  id.ID     `json:"order_id"`
	SaleID   id.ID     `json:"sale_id"`
	Quantity int64     `json:"quantity"`
	Total    int64     `json:"total"`  // fen
	PayBy    time.Time `json:"pay_by"` // the order expires unpaid after this
}

// MaxKeyLen bounds Idempotency-Key.
const MaxKeyLen = 200

func checkKey(key string) error {
	if key == "" || len(key) > MaxKeyLen {
		return apperr.Invalid("send an Idempotency-Key header of 1–%d characters", MaxKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return apperr.Invalid("Idempotency-Key must be printable ASCII without spaces")
		}
	}
	return nil
}

// attempt is one purchase on its way to the database.
type attempt struct {
	st      *state
	user    id.ID
	key     string
	qty     int64
	orderID id.ID
	payBy   time.Time
	addr    orders.Address
}

// errReplay aborts the transaction of an attempt whose key (or order id)
// is already taken.
var errReplay = errors.New("flash sale: key already used")

// Purchase buys quantity units for buyer under an Idempotency-Key. It
// answers a Receipt (201), errSoldOut (409), errOverLimit (429),
// errNotStarted or errEnded (403); a retried key gets the first answer.
// Successful answers are durable (the order is committed before the
// receipt is returned); rejections are remembered in memory, bounded — a
// rejection changed nothing, so a retry the memory no longer holds is
// simply decided afresh.
func (s *Service) Purchase(ctx context.Context, buyer accounts.User, saleID id.ID, key string, req PurchaseRequest) (Receipt, error) {
	if err := checkKey(key); err != nil {
		return Receipt{}, err
	}
	if req.Quantity < 1 || req.Quantity > MaxPerUser {
		return Receipt{}, apperr.Invalid("quantity must be 1–%d", MaxPerUser)
	}
	if req.Address != nil && req.AddressID == 0 {
		if err := orders.CheckAddress(req.Address); err != nil {
			return Receipt{}, err
		}
	}
	st, err := s.state(ctx, saleID)
	if err != nil {
		return Receipt{}, err
	}
	k := memoKey{buyer.ID, key}
	f, leader, v := st.begin(k)
	if !leader {
		select {
		case <-f.done:
			return f.rc, f.err
		case <-ctx.Done():
			return Receipt{}, ctx.Err()
		}
	}
	rc, err := s.decide(ctx, st, buyer.ID, key, req, v)
	st.end(k, f, rc, err)
	return rc, err
}

// decide answers one key, alone (see state.begin).
func (s *Service) decide(ctx context.Context, st *state, user id.ID, key string, req PurchaseRequest, v view) (Receipt, error) {
	qty := req.Quantity
	// Only a shopper who has bought can hold a successful key; for everyone
	// else the memory and the flags answer without the database.
	if v.known {
		if rc, ok, err := s.receipt(ctx, st.sale.ID, user, key, qty); ok || err != nil {
			return rc, err
		}
	}
	if v.prev != nil {
		return Receipt{}, v.prev
	}
	now := s.now()
	switch {
	case st.closed.Load():
		return Receipt{}, errEnded
	case now.Before(st.sale.StartsAt):
		return Receipt{}, errNotStarted
	case !now.Before(st.sale.EndsAt):
		return Receipt{}, errEnded
	case st.soldOut.Load():
		return Receipt{}, errSoldOut
	case qty > st.sale.PerUserLimit || v.held+qty > st.sale.PerUserLimit:
		return Receipt{}, errOverLimit
	}
	// Only a purchase that may succeed reads the address book, so a crowd
	// turned away by the flags never reaches the database.
	addr, err := s.orders.ShippingAddress(ctx, user, req.Address, req.AddressID)
	if err != nil {
		return Receipt{}, err
	}
	a := attempt{st: st, user: user, key: key, qty: qty, orderID: id.New(), payBy: now.Add(s.cfg.PaymentWindow), addr: addr}
	var rc Receipt
	if s.rdb != nil {
		rc, err = s.purchaseRedis(ctx, a)
	} else {
		rc, err = s.commit(ctx, a)
	}
	if errors.Is(err, errReplay) {
		// Another server (or Redis's memory of the key) had answered this
		// key before: answer with its order.
		rc, ok, err := s.receipt(ctx, st.sale.ID, user, key, qty)
		if err == nil && !ok {
			err = apperr.Conflict("this Idempotency-Key is in use by another request; retry")
		}
		return rc, err
	}
	return rc, err
}

// receipt finds the purchase a key made; ok is false when it made none.
func (s *Service) receipt(ctx context.Context, saleID, user id.ID, key string, qty int64) (Receipt, bool, error) {
	rc := Receipt{SaleID: saleID}
	var payBy int64
	err := s.db.Reader(ctx).QueryRow(ctx, `SELECT order_id, quantity, total, pay_by FROM flash_orders
		WHERE sale_id = ? AND user_id = ? AND idempotency_key = ?`, saleID, user, key).Scan(&rc.OrderID, &rc.Quantity, &rc.Total, &payBy)
	if errors.Is(err, sql.ErrNoRows) {
		return Receipt{}, false, nil
	}
	if err != nil {
		return Receipt{}, false, err
	}
	if rc.Quantity != qty {
		return Receipt{}, false, apperr.Conflict("this Idempotency-Key was used for a different purchase")
	}
	rc.PayBy = time.UnixMilli(payBy).UTC()
	return rc, true, nil
}

// commit is the purchase transaction. Its statements each check one
// invariant and any failure rolls back all of them: the key claim (one
// order per key), the shopper's counter (the limit), the order, and the
// units (remaining >= 0). The hot row, the sale, is touched last so that on
// PostgreSQL its lock is held for the shortest time.
func (s *Service) commit(ctx context.Context, a attempt) (Receipt, error) {
	sl := a.st.sale
	rc := Receipt{OrderID: a.orderID, SaleID: sl.ID, Quantity: a.qty, Total: sl.Price * a.qty, PayBy: a.payBy.UTC().Truncate(time.Millisecond)}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		res, err := w.Exec(ctx, `INSERT INTO flash_orders (order_id, sale_id, user_id, idempotency_key, quantity, total, pay_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, a.orderID, sl.ID, a.user, a.key, a.qty, rc.Total,
			rc.PayBy.UnixMilli(), db.Now())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = errReplay
			}
			return err
		}
		res, err = w.Exec(ctx, `INSERT INTO flash_buyers (sale_id, user_id, bought) VALUES (?, ?, ?)
			ON CONFLICT (sale_id, user_id) DO UPDATE SET bought = flash_buyers.bought + excluded.bought
			WHERE flash_buyers.bought + excluded.bought <= ?`, sl.ID, a.user, a.qty, sl.PerUserLimit)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = errOverLimit
			}
			return err
		}
		err = s.orders.CreatePriced(ctx, orders.Priced{ID: a.orderID, BuyerID: a.user, Item: a.st.item, UnitPrice: sl.Price,
			Quantity: a.qty, Source: Source, Label: "Flash sale", ExpiresAt: rc.PayBy, Address: a.addr})
		if err != nil {
			return err
		}
		var left int64
		err = w.QueryRow(ctx, "UPDATE flash_sales SET remaining = remaining - ? WHERE id = ? AND remaining >= ? RETURNING remaining",
			a.qty, sl.ID, a.qty).Scan(&left)
		if errors.Is(err, sql.ErrNoRows) {
			return errSoldOut
		}
		if err != nil {
			return err
		}
		db.AfterCommit(ctx, func() {
			a.st.add(a.user, a.qty)
			if left == 0 {
				a.st.soldOut.Store(true)
			}
		})
		return nil
	})
	if err != nil {
		// A refusal does not set the sold-out flag: fewer units than asked
		// for may still be left for others.
		return Receipt{}, err
	}
	return rc, nil
}

// release gives a cancelled or expired flash order's units and quota back
// to its sale. orders calls it inside the cancelling transaction, once per
// order; the released flag makes it idempotent all the same.
func (s *Service) release(ctx context.Context, o orders.Order) error {
	var saleID, user id.ID
	var qty int64
	w := s.db.Writer(ctx)
	err := w.QueryRow(ctx, "UPDATE flash_orders SET released = 1 WHERE order_id = ? AND released = 0 RETURNING sale_id, user_id, quantity",
		o.ID).Scan(&saleID, &user, &qty)
	if errors.Is(err, sql.ErrNoRows) {
		slog.Warn("flash sale: release of an order without a flash purchase, or released twice", "order", o.ID)
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := w.Exec(ctx, "UPDATE flash_sales SET remaining = remaining + ? WHERE id = ?", qty, saleID); err != nil {
		return err
	}
	if _, err := w.Exec(ctx, "UPDATE flash_buyers SET bought = bought - ? WHERE sale_id = ? AND user_id = ?", qty, saleID, user); err != nil {
		return err
	}
	if s.rdb != nil {
		if err := s.queueRedisRelease(ctx, o.ID, saleID, user, qty); err != nil {
			return err
		}
	}
	db.AfterCommit(ctx, func() {
		s.loadMu.Lock()
		st := s.loaded(saleID)
		s.loadMu.Unlock()
		if st != nil {
			st.add(user, -qty)
			st.soldOut.Store(false)
		}
	})
	return nil
}
