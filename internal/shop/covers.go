package shop

import (
	"context"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
)

// Covers returns the first image of each given product (cart and order
// rows show it); products without images are absent.
func (s *Service) Covers(ctx context.Context, productIDs []id.ID) (map[id.ID]media.Media, error) {
	out := make(map[id.ID]media.Media, len(productIDs))
	if len(productIDs) == 0 {
		return out, nil
	}
	seen := make(map[id.ID]bool, len(productIDs))
	args := make([]any, 0, len(productIDs))
	for _, p := range productIDs {
		if !seen[p] {
			seen[p] = true
			args = append(args, p)
		}
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT pm.product_id, "+media.Columns+` FROM product_media pm
		JOIN media m ON m.id = pm.media_id WHERE pm.product_id IN (`+db.Placeholders(len(args))+") ORDER BY pm.product_id, pm.position", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pid id.ID
		m, err := media.Scan(rows, &pid)
		if err != nil {
			return nil, err
		}
		if _, ok := out[pid]; !ok {
			out[pid] = m
		}
	}
	return out, rows.Err()
}
