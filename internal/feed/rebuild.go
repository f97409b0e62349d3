package feed

import (
	"context"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// RebuildAll recomputes every timeline from follows and notes: which authors
// are pulled, which notes are pushed, and each user's timeline rows. It is a
// maintenance and seeding tool (`redmark seed` calls it after bulk inserts);
// each batch of readers is rebuilt in its own transaction, so a running
// server keeps serving while it works.
func (s *Service) RebuildAll(ctx context.Context, progress func(done, total int)) error {
	w := s.db.Writer(ctx)
	if _, err := w.Exec(ctx, `UPDATE users SET feed_pull = CASE WHEN follower_count >= ? THEN 1 ELSE 0 END`, s.PullThreshold); err != nil {
		return err
	}
	if _, err := w.Exec(ctx, `UPDATE notes SET fanout = CASE
		WHEN author_id IN (SELECT id FROM users WHERE feed_pull = 1) THEN 0 ELSE 1 END`); err != nil {
		return err
	}
	var total int
	if err := s.db.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&total); err != nil {
		return err
	}
	const batch = 500
	done := 0
	var after id.ID
	for {
		users, err := db.IDs(s.db.Reader(ctx).Query(ctx, "SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ?", after, batch))
		if err != nil {
			return err
		}
		if len(users) == 0 {
			return nil
		}
		after = users[len(users)-1]
		lo, hi := users[0], users[len(users)-1]
		err = s.db.InTx(ctx, func(ctx context.Context) error {
			w := s.db.Writer(ctx)
			if _, err := w.Exec(ctx, "DELETE FROM timeline WHERE user_id BETWEEN ? AND ?", lo, hi); err != nil {
				return err
			}
			// Pushed notes are exactly the published notes of authors who
			// are not pulled (fanout was just set that way), so the notes
			// side is read from the (author_id, status, id) index alone,
			// without touching note rows: that keeps a rebuild of tens of
			// millions of rows from turning into random reads.
			_, err := w.Exec(ctx, `INSERT INTO timeline (user_id, note_id, author_id)
				SELECT f.follower_id, n.id, n.author_id FROM follows f
				JOIN users u ON u.id = f.followee_id AND u.feed_pull = 0
				JOIN notes n ON n.author_id = f.followee_id AND n.status = 'published'
				WHERE f.follower_id BETWEEN ? AND ?`, lo, hi)
			return err
		})
		if err != nil {
			return err
		}
		done += len(users)
		if progress != nil {
			progress(done, total)
		}
	}
}
