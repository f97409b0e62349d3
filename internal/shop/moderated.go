package shop

import (
	"context"
	"database/sql"
	"errors"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/outbox"
)

// Moderation's hold on products (products.blocked): a product delisted by
// moderation, or unlisted because its store is suspended, cannot be listed
// again by its merchant.
const (
	blockedDelisted  = 1
	blockedSuspended = 2
)

var errStoreSuspended = &apperr.Error{Status: 403, Code: "store_suspended", Message: "this store is suspended by moderation"}

// mayList refuses to list a product moderation holds.
func (s *Service) mayList(ctx context.Context, productID id.ID) error {
	var blocked int
	if err := s.db.Reader(ctx).QueryRow(ctx, "SELECT blocked FROM products WHERE id = ?", productID).Scan(&blocked); err != nil {
		return err
	}
	switch blocked {
	case blockedDelisted:
		return &apperr.Error{Status: 403, Code: "product_delisted", Message: "this product was delisted by moderation"}
	case blockedSuspended:
		return errStoreSuspended
	}
	return nil
}

// ProductSnapshot is what moderation records of a product.
type ProductSnapshot struct {
	ID      id.ID  `json:"id"`
	StoreID id.ID  `json:"store_id"`
	Title   string `json:"title"`
	Listed  bool   `json:"listed"`
	Blocked int    `json:"blocked"`
}

// ProductOf reads a product for moderation.
func (s *Service) ProductOf(ctx context.Context, productID id.ID) (ProductSnapshot, error) {
	var p ProductSnapshot
	var listed int
	err := s.db.Writer(ctx).QueryRow(ctx, "SELECT id, store_id, title, listed, blocked FROM products WHERE id = ?", productID).
		Scan(&p.ID, &p.StoreID, &p.Title, &listed, &p.Blocked)
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFound("product")
	}
	p.Listed = listed == 1
	return p, err
}

// SetDelisted takes a product off sale for moderation (delist) or gives it
// back (relist), in the caller's transaction; the search index follows.
// 409 when it is not in the state the change starts from.
func (s *Service) SetDelisted(ctx context.Context, productID id.ID, delist bool) (ProductSnapshot, error) {
	p, err := s.ProductOf(ctx, productID)
	if err != nil {
		return p, err
	}
	q := "UPDATE products SET listed = 0, blocked = ?, updated_at = ? WHERE id = ? AND blocked = 0"
	if !delist {
		q = "UPDATE products SET listed = 1, blocked = 0, updated_at = ? WHERE id = ? AND blocked = ?"
	}
	args := []any{blockedDelisted, db.Now(), productID}
	if !delist {
		args = []any{db.Now(), productID, blockedDelisted}
	}
	res, err := s.db.Writer(ctx).Exec(ctx, q, args...)
	if err != nil {
		return p, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return p, apperr.Conflict("the product is not in that state")
	}
	return p, outbox.Add(ctx, s.db, outbox.Product, productID)
}

// SetSuspended suspends a store (its listed products go off sale, and it
// can list nothing) or lifts the suspension (they come back), in the
// caller's transaction. Products moderation delisted one by one stay so.
// It returns the store before the change.
func (s *Service) SetSuspended(ctx context.Context, storeID id.ID, suspend bool) (Store, error) {
	st, err := s.GetStore(ctx, storeID)
	if err != nil {
		return st, err
	}
	w := s.db.Writer(ctx)
	res, err := w.Exec(ctx, "UPDATE stores SET suspended = ?, updated_at = ? WHERE id = ? AND suspended = ?",
		b2i(suspend), db.Now(), storeID, b2i(!suspend))
	if err != nil {
		return st, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return st, apperr.Conflict("the store is not in that state")
	}
	var ids []id.ID
	if suspend {
		ids, err = db.IDs(w.Query(ctx, "SELECT id FROM products WHERE store_id = ? AND listed = 1 AND blocked = 0", storeID))
	} else {
		ids, err = db.IDs(w.Query(ctx, "SELECT id FROM products WHERE store_id = ? AND blocked = ?", storeID, blockedSuspended))
	}
	if err != nil {
		return st, err
	}
	for _, pid := range ids {
		listed, blocked := 0, blockedSuspended
		if !suspend {
			listed, blocked = 1, 0
		}
		if _, err := w.Exec(ctx, "UPDATE products SET listed = ?, blocked = ? WHERE id = ?", listed, blocked, pid); err != nil {
			return st, err
		}
		if err := outbox.Add(ctx, s.db, outbox.Product, pid); err != nil {
			return st, err
		}
	}
	return st, nil
}
