package shop

import (
	"context"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/id"
)

const storeCols = "id, owner_id, kind, name, description, official, created_at"

func scanStores(ctx context.Context, s *Service, q string, args ...any) ([]Store, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+storeCols+" FROM stores "+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Store{}
	for rows.Next() {
		var st Store
		var official int
		var created int64
		if err := rows.Scan(&st.ID, &st.OwnerID, &st.Kind, &st.Name, &st.Description, &official, &created); err != nil {
			return nil, err
		}
		st.Official, st.CreatedAt = official == 1, time.UnixMilli(created).UTC()
		out = append(out, st)
	}
	return out, rows.Err()
}

// Stores lists stores for the shop front: official ones first (the
// self-operated store leading), then by age.
func (s *Service) Stores(ctx context.Context, limit int) ([]Store, error) {
	return scanStores(ctx, s, `ORDER BY official DESC, CASE WHEN kind = ? THEN 0 ELSE 1 END, id LIMIT ?`, SelfOperated, limit)
}

// ManagedStores lists the stores actor manages: their own, and for
// operators every self-operated store.
func (s *Service) ManagedStores(ctx context.Context, actor accounts.User) ([]Store, error) {
	if actor.Role == accounts.RoleOperator {
		return scanStores(ctx, s, "WHERE owner_id = ? OR kind = ? ORDER BY id", actor.ID, SelfOperated)
	}
	return scanStores(ctx, s, "WHERE owner_id = ? ORDER BY id", actor.ID)
}

// StoreProducts lists a store's products for its managers, unlisted ones
// included, newest first, with the cursor of the next page.
func (s *Service) StoreProducts(ctx context.Context, actor accounts.User, storeID, before id.ID, limit int) ([]Product, string, error) {
	if _, err := s.ManagedStore(ctx, actor, storeID); err != nil {
		return nil, "", err
	}
	if before == 0 {
		before = id.ID(1<<63 - 1)
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+productCols+" FROM products p WHERE p.store_id = ? AND p.id < ? ORDER BY p.id DESC LIMIT ?",
		storeID, before, limit+1)
	if err != nil {
		return nil, "", err
	}
	out := []Product{}
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			rows.Close()
			return nil, "", err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID.String()
	}
	ptrs := make([]*Product, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, next, s.loadImages(ctx, ptrs)
}
