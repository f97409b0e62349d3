// Package feed serves the following feed (C4): the newest published notes
// of the accounts a user follows, newest first.
//
// Design: a hybrid of fan-out on write and fan-out on read, kept in the
// database itself rather than in a cache.
//
//   - Ordinary authors (fewer than PullThreshold followers) push: publishing
//     a note inserts (follower, note) rows into the timeline table in the
//     same transaction as the note. Reading the feed is one index range scan
//     of the reader's timeline, however many accounts they follow.
//   - Big authors (PullThreshold followers or more, a sticky flag on the
//     user) are pulled: their notes are marked fanout = 0 and merged in at
//     read time from the few big accounts the reader follows. A note by an
//     account with hundreds of thousands of followers costs one row to
//     publish instead of hundreds of thousands.
//
// Mastodon and GoToSocial keep capped timelines in a cache and most of their
// feed bugs come from the cache and the database disagreeing. Here the
// timeline rows change in the same transaction as the note, follow or
// delete that causes them, so they cannot disagree: removing a note deletes
// its timeline rows, unfollowing deletes that author's rows, following
// backfills the author's pushed notes, and edits need nothing because
// timelines hold ids and content is read at serve time. The timeline is
// complete (not capped), which costs storage proportional to deliveries but
// means there is no fallback path with different results to keep right.
//
// Concurrency: every change locks the author's users row first (a no-op
// UPDATE, portable to SQLite and PostgreSQL), so a follow racing a publish
// by the same author on PostgreSQL is serialised and neither misses the
// other. On SQLite all writers are serialised anyway.
package feed

import (
	"context"
	"sort"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// DefaultPullThreshold is the follower count from which an author's notes
// are pulled at read time instead of pushed.
const DefaultPullThreshold = 10000

// Service maintains and reads following timelines.
type Service struct {
	db *db.DB
	// PullThreshold is the follower count at which an author switches to
	// read-time pull, for good.
	PullThreshold int64
}

func New(d *db.DB) *Service { return &Service{db: d, PullThreshold: DefaultPullThreshold} }

// lockAuthor serialises timeline changes concerning one author.
func (s *Service) lockAuthor(ctx context.Context, authorID id.ID) (pull bool, followers int64, err error) {
	w := s.db.Writer(ctx)
	if _, err = w.Exec(ctx, "UPDATE users SET feed_pull = feed_pull WHERE id = ?", authorID); err != nil {
		return
	}
	var p int
	err = w.QueryRow(ctx, "SELECT feed_pull, follower_count FROM users WHERE id = ?", authorID).Scan(&p, &followers)
	return p == 1, followers, err
}

// NotePublished delivers a newly published note. Call it in the transaction
// that publishes the note.
func (s *Service) NotePublished(ctx context.Context, authorID, noteID id.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		pull, followers, err := s.lockAuthor(ctx, authorID)
		if err != nil {
			return err
		}
		w := s.db.Writer(ctx)
		if !pull && followers >= s.PullThreshold {
			if _, err := w.Exec(ctx, "UPDATE users SET feed_pull = 1 WHERE id = ?", authorID); err != nil {
				return err
			}
			pull = true
		}
		if pull {
			_, err := w.Exec(ctx, "UPDATE notes SET fanout = 0 WHERE id = ?", noteID)
			return err
		}
		if _, err := w.Exec(ctx, "UPDATE notes SET fanout = 1 WHERE id = ?", noteID); err != nil {
			return err
		}
		_, err = w.Exec(ctx, `INSERT INTO timeline (user_id, note_id, author_id)
			SELECT follower_id, ?, ? FROM follows WHERE followee_id = ?
			ON CONFLICT DO NOTHING`, noteID, authorID, authorID)
		return err
	})
}

// NoteRemoved takes a note out of every timeline (deleted or back to draft).
// Call it in the transaction that removes the note, before deleting the row.
func (s *Service) NoteRemoved(ctx context.Context, noteID id.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		var authorID id.ID
		if err := s.db.Writer(ctx).QueryRow(ctx, "SELECT author_id FROM notes WHERE id = ?", noteID).Scan(&authorID); err != nil {
			return err
		}
		if _, _, err := s.lockAuthor(ctx, authorID); err != nil {
			return err
		}
		// Every row of a pushed note sits in the timeline of a current
		// follower (unfollowing removes rows, following backfills them), so
		// probing the followers' primary keys finds them all without an
		// index on note_id.
		_, err := s.db.Writer(ctx).Exec(ctx, `DELETE FROM timeline WHERE note_id = ?
			AND user_id IN (SELECT follower_id FROM follows WHERE followee_id = ?)`, noteID, authorID)
		return err
	})
}

// Followed backfills the author's pushed notes into the new follower's
// timeline. Call it in the transaction that inserts the follow.
func (s *Service) Followed(ctx context.Context, followerID, authorID id.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if _, _, err := s.lockAuthor(ctx, authorID); err != nil {
			return err
		}
		_, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO timeline (user_id, note_id, author_id)
			SELECT ?, id, author_id FROM notes WHERE author_id = ? AND status = 'published' AND fanout = 1
			ON CONFLICT DO NOTHING`, followerID, authorID)
		return err
	})
}

// Unfollowed removes the author's notes from the former follower's timeline.
func (s *Service) Unfollowed(ctx context.Context, followerID, authorID id.ID) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if _, _, err := s.lockAuthor(ctx, authorID); err != nil {
			return err
		}
		_, err := s.db.Writer(ctx).Exec(ctx, "DELETE FROM timeline WHERE user_id = ? AND author_id = ?", followerID, authorID)
		return err
	})
}

// Following returns up to limit note ids for userID's following feed, newest
// first, older than before (0: from the newest).
func (s *Service) Following(ctx context.Context, userID, before id.ID, limit int) ([]id.ID, error) {
	if before == 0 {
		before = id.ID(1<<63 - 1)
	}
	r := s.db.Reader(ctx)
	ids, err := db.IDs(r.Query(ctx, `SELECT note_id FROM timeline WHERE user_id = ? AND note_id < ?
		ORDER BY note_id DESC LIMIT ?`, userID, before, limit))
	if err != nil {
		return nil, err
	}
	// The few big accounts this user follows: walk the (small) set of pull
	// authors and probe the follows primary key, rather than scanning a
	// possibly long follow list.
	pulled, err := db.IDs(r.Query(ctx, `SELECT u.id FROM users u WHERE u.feed_pull = 1
		AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = ? AND f.followee_id = u.id)`, userID))
	if err != nil || len(pulled) == 0 {
		return ids, err
	}
	// Newest notes of each big account, one index range each: a single
	// "author_id IN (…) ORDER BY id" query lets planners walk every note
	// by id instead.
	for _, a := range pulled {
		more, err := db.IDs(r.Query(ctx, `SELECT id FROM notes WHERE author_id = ? AND status = 'published'
			AND fanout = 0 AND id < ? ORDER BY id DESC LIMIT ?`, a, before, limit))
		if err != nil {
			return nil, err
		}
		ids = append(ids, more...)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] > ids[j] })
	if len(ids) > limit {
		ids = ids[:limit]
	}
	return ids, nil
}
