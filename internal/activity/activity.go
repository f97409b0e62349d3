// Package activity carries what users do (publish, like, collect, comment,
// share, pay, get refunded) from the domains where it happens to the growth
// system, inside the transaction of the act, so progress commits exactly
// when the act does. The domains only call a Hook; they know nothing of
// levels or points.
package activity

import (
	"context"

	"github.com/redmark/redmark/internal/id"
)

// Kinds of events.
const (
	Publish       = "publish"        // User published note Ref
	Liked         = "liked"          // User's note Ref was liked by Actor
	Collect       = "collect"        // User collected note Ref
	Comment       = "comment"        // User commented on note Ref
	Share         = "share"          // User shared note Ref
	OrderPaid     = "order_paid"     // User paid order Ref (Amount fen)
	OrderRefunded = "order_refunded" // a refund of User's order Ref was approved
	OrderPlaced   = "order_placed"   // User placed order Ref (Amount fen, Live: the live session it came from)
	Viewed        = "viewed"         // User's note Ref was opened Amount times (buffered views, flushed)
	Followed      = "followed"       // User was followed by Actor
	Tipped        = "tipped"         // User's note Ref was tipped Amount points by Actor
)

// Event is one act.
type Event struct {
	Kind   string
	User   id.ID
	Ref    id.ID
	Actor  id.ID
	Amount int64
	Live   id.ID // the live session an order came from (0: none); set by the live feature
}

// Hook receives events in the caller's transaction; an error rolls the act back.
type Hook func(ctx context.Context, e Event) error

// Record calls h; a nil Hook records nothing.
func (h Hook) Record(ctx context.Context, e Event) error {
	if h == nil {
		return nil
	}
	return h(ctx, e)
}

// Chain is one Hook that calls each of hooks in order, stopping at the first error.
func Chain(hooks ...Hook) Hook {
	return func(ctx context.Context, e Event) error {
		for _, h := range hooks {
			if err := h.Record(ctx, e); err != nil {
				return err
			}
		}
		return nil
	}
}
