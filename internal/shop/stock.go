package shop

import (
	"context"
	"encoding/json"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Item is what checkout needs to know about a SKU: its live price and
// stock and the product facts promotions are scoped by.
type Item struct {
	SKUID       id.ID             `json:"sku_id"`
	ProductID   id.ID             `json:"product_id"`
	StoreID     id.ID             `json:"store_id"`
	CategoryID  id.ID             `json:"category_id,omitempty"` // 0 when none
	ParentCatID id.ID             `json:"-"`                     // the category's parent, 0 when none
	Title       string            `json:"title"`
	Options     map[string]string `json:"options"`
	Fulfilment  string            `json:"fulfilment"`
	ShippingFee int64             `json:"-"`
	Price       int64             `json:"unit_price"`
	Stock       int64             `json:"stock"`
	Buyable     bool              `json:"buyable"` // product listed and SKU active
}

// Items loads the given SKUs keyed by id; unknown ids are absent.
func (s *Service) Items(ctx context.Context, skuIDs []id.ID) (map[id.ID]Item, error) {
	out := make(map[id.ID]Item, len(skuIDs))
	if len(skuIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(skuIDs))
	for i, v := range skuIDs {
		args[i] = v
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT k.id, p.id, p.store_id, COALESCE(p.category_id, 0), COALESCE(c.parent_id, 0),
		p.title, k.options, p.fulfilment, p.shipping_fee, k.price, k.stock, p.listed, k.active
		FROM skus k JOIN products p ON p.id = k.product_id LEFT JOIN categories c ON c.id = p.category_id
		WHERE k.id IN (`+db.Placeholders(len(args))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var it Item
		var opts string
		var listed, active int
		if err := rows.Scan(&it.SKUID, &it.ProductID, &it.StoreID, &it.CategoryID, &it.ParentCatID, &it.Title, &opts,
			&it.Fulfilment, &it.ShippingFee, &it.Price, &it.Stock, &listed, &active); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(opts), &it.Options); err != nil {
			return nil, err
		}
		it.Buyable = listed == 1 && active == 1
		out[it.SKUID] = it
	}
	return out, rows.Err()
}

// Reserve takes qty units of a SKU's stock, or reports false when fewer
// are left. It is one conditional UPDATE, never read-modify-write, so
// concurrent reservations cannot oversell; call it inside the order's
// transaction so a failed checkout gives the stock back by rolling back.
func (s *Service) Reserve(ctx context.Context, skuID id.ID, qty int64) (bool, error) {
	if qty <= 0 {
		return false, apperr.Invalid("quantity must be positive")
	}
	res, err := s.db.Writer(ctx).Exec(ctx, "UPDATE skus SET stock = stock - ? WHERE id = ? AND stock >= ?", qty, skuID, qty)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Release returns qty units to a SKU (a cancelled or refunded order). The
// caller guarantees it runs once per reservation, in the transaction of the
// state change that frees the stock.
func (s *Service) Release(ctx context.Context, skuID id.ID, qty int64) error {
	if qty <= 0 {
		return nil
	}
	_, err := s.db.Writer(ctx).Exec(ctx, "UPDATE skus SET stock = stock + ? WHERE id = ?", qty, skuID)
	return err
}
