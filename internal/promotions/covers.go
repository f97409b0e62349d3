package promotions

import "github.com/redmark/redmark/internal/shop"

// Covers reports whether the promotion applies to it, thresholds aside:
// enough for the campaign marks on product cards.
func (p Promotion) Covers(it shop.Item) bool { return p.target().covers(it) }
