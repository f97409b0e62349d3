// Package seed fills a database with a generated community: Demo loads the
// small, realistic demo (Chinese and English notes about fashion, skincare,
// makeup, travel, fitness, food and film, with drawn cover images) that
// `redmark serve --demo` shows, and Large loads the big benchmark set of
// `redmark seed`. Both are deterministic for a given seed.
//
// Rows are written in bulk (multi-row INSERTs in large transactions,
// bypassing the domain services) and every denormalised counter is then
// computed from the rows, so the result obeys the same invariants as data
// written through the API. Ids are minted from each row's (past) time, so
// newer rows have larger ids, as cursors expect.
package seed

import (
	"context"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/notes"
)

// The demo's known logins. Every generated demo user also has DemoPassword.
const (
	DemoUsername  = "demo"
	DemoPassword  = "redmark-demo"
	AdminUsername = "admin"
	AdminPassword = "redmark-admin"
)

// shareChannel is what seeded shares record as their channel.
const shareChannel = "link"

// history is how far back seeded activity goes.
const history = 60 * 24 * time.Hour

// topicKey is a topic's stored name, normalised the way notes does it.
func topicKey(t string) string {
	k, err := notes.NormalizeTopic(t)
	if err != nil {
		panic("seed: bad topic in the banks: " + t) // the banks are constants
	}
	return k
}

// userCount reports how many accounts exist.
func userCount(ctx context.Context, d *db.DB) (int, error) {
	var n int
	err := d.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n)
	return n, err
}

// rebuildTimelines materialises every following feed from the seeded
// follows and notes.
func (e *engine) rebuildTimelines(ctx context.Context) error {
	return e.phase("timelines", int64(len(e.users)), func(add func(int)) error {
		last := 0
		return e.a.Feed.RebuildAll(ctx, func(done, total int) {
			add(done - last)
			last = done
		})
	})
}
