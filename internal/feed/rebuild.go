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
	// Only rows whose flag changes are written: on a large database
	// rewriting every note would cost minutes.
	w := s.db.Writer(ctx)
	for _, q := range []string{
		"UPDATE users SET feed_pull = 1 WHERE feed_pull = 0 AND follower_count >= ?",
		"UPDATE users SET feed_pull = 0 WHERE feed_pull = 1 AND follower_count < ?",
	} {
		if _, err := w.Exec(ctx, q, s.PullThreshold); err != nil {
			return err
		}
	}
	for _, q := range []string{
		"UPDATE notes SET fanout = 0 WHERE fanout = 1 AND author_id IN (SELECT id FROM users WHERE feed_pull = 1)",
		"UPDATE notes SET fanout = 1 WHERE fanout = 0 AND author_id NOT IN (SELECT id FROM users WHERE feed_pull = 1)",
	} {
		if _, err := w.Exec(ctx, q); err != nil {
			return err
		}
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
			// One reader at a time, with the notes found through the
			// reader's followees (an IN list probing the (author_id, status,
			// id) index) so that no planner starts from the notes table.
			// Pushed notes are exactly the published notes of authors who
			// are not pulled (fanout was just set that way), so note rows
			// are never read.
			for _, u := range users {
				if _, err := w.Exec(ctx, `INSERT INTO timeline (user_id, note_id, author_id)
					SELECT ?, n.id, n.author_id FROM notes n
					WHERE n.status = 'published' AND n.author_id IN (SELECT f.followee_id FROM follows f
						JOIN users a ON a.id = f.followee_id AND a.feed_pull = 0 WHERE f.follower_id = ?)`, u, u); err != nil {
					return err
				}
			}
			return nil
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
