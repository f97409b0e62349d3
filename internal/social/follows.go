package social

import (
	"context"
	"database/sql"
	"errors"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notify"
)

// Relationship is how the viewer and another user stand.
type Relationship struct {
	Following  bool `json:"following"`   // viewer follows other
	FollowedBy bool `json:"followed_by"` // other follows viewer
	Blocking   bool `json:"blocking"`    // viewer blocks other
	BlockedBy  bool `json:"blocked_by"`  // other blocks viewer
}

func (s *Service) userExists(ctx context.Context, uid id.ID) error {
	var one int
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT 1 FROM users WHERE id = ?", uid).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("user")
	}
	return err
}

// addFollowCounts moves the follower's Following and the followee's
// Followers counters, locking the two users rows in id order so that A
// following B while B follows A cannot deadlock.
func (s *Service) addFollowCounts(ctx context.Context, follower, followee id.ID, delta int64) error {
	type change struct {
		uid id.ID
		c   accounts.Counter
	}
	first, second := change{follower, accounts.Following}, change{followee, accounts.Followers}
	if followee < follower {
		first, second = second, first
	}
	if err := s.accounts.AddCount(ctx, first.uid, first.c, delta); err != nil {
		return err
	}
	return s.accounts.AddCount(ctx, second.uid, second.c, delta)
}

func (s *Service) followerCount(ctx context.Context, uid id.ID) (int64, error) {
	return s.count(ctx, "SELECT follower_count FROM users WHERE id = ?", uid)
}

// Follow makes follower follow followee and returns followee's follower
// count. Following twice is a no-op. Nobody can follow themselves (400), nor
// someone they block or who blocks them (403).
func (s *Service) Follow(ctx context.Context, follower, followee id.ID) (int64, error) {
	if follower == followee {
		return 0, apperr.Invalid("you cannot follow yourself")
	}
	var n int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.userExists(ctx, followee); err != nil {
			return err
		}
		blocked, err := s.blockedEither(ctx, follower, followee)
		if err != nil {
			return err
		}
		if blocked {
			return apperr.Forbidden("you cannot follow this user")
		}
		added, err := s.exec(ctx, "INSERT INTO follows (follower_id, followee_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			follower, followee, db.Now())
		if err != nil {
			return err
		}
		if added == 1 {
			if err := s.addFollowCounts(ctx, follower, followee, 1); err != nil {
				return err
			}
			if err := s.notify.Add(ctx, notify.Notification{UserID: followee, Kind: notify.Follow, ActorID: follower}); err != nil {
				return err
			}
			if err := s.feed.Followed(ctx, follower, followee); err != nil {
				return err
			}
			if err := s.Activity.Record(ctx, activity.Event{Kind: activity.Followed, User: followee, Actor: follower}); err != nil {
				return err
			}
		}
		n, err = s.followerCount(ctx, followee)
		return err
	})
	return n, err
}

// Unfollow ends a follow and returns followee's follower count. Unfollowing
// someone not followed is a no-op.
func (s *Service) Unfollow(ctx context.Context, follower, followee id.ID) (int64, error) {
	var n int64
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.userExists(ctx, followee); err != nil {
			return err
		}
		if err := s.removeFollow(ctx, follower, followee); err != nil {
			return err
		}
		var err error
		n, err = s.followerCount(ctx, followee)
		return err
	})
	return n, err
}

// removeFollow deletes one follow with everything that hangs on it:
// counters, the follow notification and the followee's notes in the
// follower's timeline.
func (s *Service) removeFollow(ctx context.Context, follower, followee id.ID) error {
	removed, err := s.exec(ctx, "DELETE FROM follows WHERE follower_id = ? AND followee_id = ?", follower, followee)
	if err != nil || removed == 0 {
		return err
	}
	if err := s.addFollowCounts(ctx, follower, followee, -1); err != nil {
		return err
	}
	if err := s.notify.Retract(ctx, followee, follower, notify.Follow, 0, 0); err != nil {
		return err
	}
	return s.feed.Unfollowed(ctx, follower, followee)
}

// Relationship reports follows and blocks between viewer and other.
func (s *Service) Relationship(ctx context.Context, viewer, other id.ID) (Relationship, error) {
	var r Relationship
	if viewer == 0 || viewer == other {
		return r, nil
	}
	var fo, fb, bl, bb int64
	err := s.db.Reader(ctx).QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM follows WHERE follower_id = ? AND followee_id = ?),
		(SELECT COUNT(*) FROM follows WHERE follower_id = ? AND followee_id = ?),
		(SELECT COUNT(*) FROM blocks WHERE blocker_id = ? AND blocked_id = ?),
		(SELECT COUNT(*) FROM blocks WHERE blocker_id = ? AND blocked_id = ?)`,
		viewer, other, other, viewer, viewer, other, other, viewer).Scan(&fo, &fb, &bl, &bb)
	r = Relationship{Following: fo > 0, FollowedBy: fb > 0, Blocking: bl > 0, BlockedBy: bb > 0}
	return r, err
}

// FollowingSet returns which of ids the viewer follows (for follow buttons
// on lists), in one query.
func (s *Service) FollowingSet(ctx context.Context, viewer id.ID, ids []id.ID) (map[id.ID]bool, error) {
	out := make(map[id.ID]bool, len(ids))
	if viewer == 0 || len(ids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, viewer)
	for _, i := range ids {
		args = append(args, i)
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT followee_id FROM follows WHERE follower_id = ? AND followee_id IN ("+
		db.Placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f id.ID
		if err := rows.Scan(&f); err != nil {
			return nil, err
		}
		out[f] = true
	}
	return out, rows.Err()
}

// Followers lists who follows userID, most recent first.
func (s *Service) Followers(ctx context.Context, userID id.ID, before Cursor, limit int) ([]id.ID, Cursor, error) {
	at, uid := before.bounds()
	return s.timeList(ctx, `SELECT follower_id, created_at FROM follows
		WHERE followee_id = ? AND (created_at, follower_id) < (?, ?)
		ORDER BY created_at DESC, follower_id DESC LIMIT ?`, limit, userID, at, uid)
}

// Following lists whom userID follows, most recent first.
func (s *Service) Following(ctx context.Context, userID id.ID, before Cursor, limit int) ([]id.ID, Cursor, error) {
	at, uid := before.bounds()
	return s.timeList(ctx, `SELECT followee_id, created_at FROM follows
		WHERE follower_id = ? AND (created_at, followee_id) < (?, ?)
		ORDER BY created_at DESC, followee_id DESC LIMIT ?`, limit, userID, at, uid)
}

// Block makes blocker block blocked: follows both ways end, and neither can
// follow the other or comment on the other's notes until Unblock. Blocking
// twice is a no-op.
func (s *Service) Block(ctx context.Context, blocker, blocked id.ID) error {
	if blocker == blocked {
		return apperr.Invalid("you cannot block yourself")
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.userExists(ctx, blocked); err != nil {
			return err
		}
		if _, err := s.exec(ctx, "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			blocker, blocked, db.Now()); err != nil {
			return err
		}
		if err := s.removeFollow(ctx, blocker, blocked); err != nil {
			return err
		}
		return s.removeFollow(ctx, blocked, blocker)
	})
}

// Unblock lifts a block; unblocking someone not blocked is a no-op. Follows
// ended by the block are not restored.
func (s *Service) Unblock(ctx context.Context, blocker, blocked id.ID) error {
	if err := s.userExists(ctx, blocked); err != nil {
		return err
	}
	_, err := s.exec(ctx, "DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?", blocker, blocked)
	return err
}
