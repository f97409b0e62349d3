package notes

import (
	"context"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// MaxProducts is how many products a note may link (E4).
const MaxProducts = 5

// checkProductIDs refuses too many or repeated product ids before any query.
func checkProductIDs(ids []id.ID) error {
	if len(ids) > MaxProducts {
		return apperr.Invalid("a note links at most %d products", MaxProducts)
	}
	seen := map[id.ID]bool{}
	for _, p := range ids {
		if seen[p] {
			return apperr.Invalid("product %s is listed twice", p)
		}
		seen[p] = true
	}
	return nil
}

// setProducts makes the note link exactly ids, in order. Only listed
// products can be linked: an unlisted one is as good as absent to the
// author.
func (s *Service) setProducts(ctx context.Context, noteID id.ID, ids []id.ID) error {
	w := s.db.Writer(ctx)
	if len(ids) > 0 {
		args := make([]any, len(ids))
		for i, p := range ids {
			args[i] = p
		}
		var n int
		if err := w.QueryRow(ctx, "SELECT COUNT(*) FROM products WHERE listed = 1 AND id IN ("+db.Placeholders(len(ids))+")",
			args...).Scan(&n); err != nil {
			return err
		}
		if n != len(ids) {
			return apperr.Invalid("product_ids may name only products on sale")
		}
	}
	if _, err := w.Exec(ctx, "DELETE FROM note_products WHERE note_id = ?", noteID); err != nil {
		return err
	}
	for i, p := range ids {
		if _, err := w.Exec(ctx, "INSERT INTO note_products (note_id, product_id, position) VALUES (?, ?, ?)", noteID, p, i); err != nil {
			return err
		}
	}
	return nil
}
