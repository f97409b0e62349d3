package notes

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
)

// A note's media, topics and mentions change only when its author edits
// it, yet every feed page, note page and note API read needs them: three
// queries per page, a third of a feed request's CPU. They are cached per
// note; counters are not (they change on every like and are read with the
// note row). The note's own edits invalidate its entry after commit; the
// expiry bounds how long another server's edit can go unseen when several
// servers share one database.
const (
	hydrationEntries = 20000
	hydrationTTL     = time.Minute
)

type hydration struct {
	media            []media.Media
	topics, mentions []string
}

type hydrationCache struct {
	lru *expirable.LRU[id.ID, hydration]
	// gen changes on every invalidation; a fill that started before one is
	// not stored, so a read racing an edit cannot put old data back.
	gen atomic.Uint64
}

func newHydrationCache() *hydrationCache {
	return &hydrationCache{lru: expirable.NewLRU[id.ID, hydration](hydrationEntries, nil, hydrationTTL)}
}

// invalidate drops a note's entry once the transaction in ctx commits.
func (c *hydrationCache) invalidate(ctx context.Context, noteID id.ID) {
	db.AfterCommit(ctx, func() {
		c.gen.Add(1)
		c.lru.Remove(noteID)
	})
}
