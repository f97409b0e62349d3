package social_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/social"
)

type fixture struct {
	t   *testing.T
	ctx context.Context
	a   *app.App
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	a, err := app.New(app.Config{DataDir: t.TempDir()}, d, []byte("test-secret"))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: context.Background(), a: a}
}

// users creates n accounts cheaply (no password hashing).
func (f *fixture) users(prefix string, n int) []id.ID {
	f.t.Helper()
	out := make([]id.ID, n)
	for i := range out {
		u, err := f.a.Accounts.CreateWithHash(f.ctx, fmt.Sprintf("%s%03d", prefix, i), "U", "", "user")
		if err != nil {
			f.t.Fatal(err)
		}
		out[i] = u.ID
	}
	return out
}

// note inserts a published note row directly: this package only needs the
// row, not the notes service.
func (f *fixture) note(author id.ID) id.ID {
	f.t.Helper()
	nid := id.New()
	now := db.Now()
	if _, err := f.a.DB.Writer(f.ctx).Exec(f.ctx, `INSERT INTO notes (id, author_id, status, kind, title, created_at, updated_at, published_at)
		VALUES (?, ?, 'published', 'image', 'n', ?, ?, ?)`, nid, author, now, now, now); err != nil {
		f.t.Fatal(err)
	}
	return nid
}

func (f *fixture) num(query string, args ...any) int64 {
	f.t.Helper()
	var n int64
	if err := f.a.DB.Reader(f.ctx).QueryRow(f.ctx, query, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) eq(what string, got, want int64) {
	f.t.Helper()
	if got != want {
		f.t.Errorf("%s = %d, want %d", what, got, want)
	}
}

// parallel runs fn for each user at once and fails on any error.
func (f *fixture) parallel(users []id.ID, fn func(i int, u id.ID) error) {
	f.t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(users))
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(i, u); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		f.t.Fatal(err)
	}
}

func TestConcurrentLikesAndCollectsKeepCountsExact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		s := f.a.Social
		author := f.users("author", 1)[0]
		n1, n2 := f.note(author), f.note(author)
		fans := f.users("fan", 50)
		f.parallel(fans, func(i int, u id.ID) error {
			// Everyone likes twice (idempotent); every third unlikes again;
			// everyone collects n1, odd ones twice; every fourth also likes n2.
			for range 2 {
				if _, err := s.Like(f.ctx, u, n1); err != nil {
					return err
				}
			}
			if i%3 == 0 {
				if _, err := s.Unlike(f.ctx, u, n1); err != nil {
					return err
				}
				if _, err := s.Unlike(f.ctx, u, n1); err != nil {
					return err
				}
			}
			if _, err := s.Collect(f.ctx, u, n1, 0); err != nil {
				return err
			}
			if i%2 == 1 {
				if _, err := s.Collect(f.ctx, u, n1, 0); err != nil {
					return err
				}
			}
			if i%4 == 0 {
				_, err := s.Like(f.ctx, u, n2)
				return err
			}
			return nil
		})
		likes := f.num("SELECT COUNT(*) FROM likes WHERE note_id = ?", n1)
		f.eq("likes on n1", likes, 50-17)
		f.eq("notes.like_count", f.num("SELECT like_count FROM notes WHERE id = ?", n1), likes)
		f.eq("notes.collect_count", f.num("SELECT collect_count FROM notes WHERE id = ?", n1),
			f.num("SELECT COUNT(*) FROM collects WHERE note_id = ?", n1))
		f.eq("liked_collected_count", f.num("SELECT liked_collected_count FROM users WHERE id = ?", author),
			f.num("SELECT COUNT(*) FROM likes l JOIN notes n ON n.id = l.note_id WHERE n.author_id = ?", author)+
				f.num("SELECT COUNT(*) FROM collects c JOIN notes n ON n.id = c.note_id WHERE n.author_id = ?", author))
		f.eq("like notifications", f.num("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = 'like' AND note_id = ?", author, n1), likes)
		f.eq("collect notifications", f.num("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = 'collect'", author), 50)

		// The viewer's states come back for a page of notes.
		st, err := s.States(f.ctx, fans[1], []id.ID{n1, n2})
		if err != nil {
			t.Fatal(err)
		}
		if !st[n1].Liked || !st[n1].Collected || st[n2].Liked {
			t.Errorf("states of fan 1: %+v", st)
		}
	})
}

func TestConcurrentFollowsKeepCountsExact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		s := f.a.Social
		star := f.users("star", 1)[0]
		fans := f.users("fan", 50)
		f.parallel(fans, func(i int, u id.ID) error {
			// The star follows some fans back at the same moment: the two
			// users rows are locked in id order, so this cannot deadlock.
			if _, err := s.Follow(f.ctx, u, star); err != nil {
				return err
			}
			if _, err := s.Follow(f.ctx, u, star); err != nil {
				return err
			}
			if i%2 == 0 {
				if _, err := s.Follow(f.ctx, star, u); err != nil {
					return err
				}
			}
			if i%5 == 0 {
				if _, err := s.Unfollow(f.ctx, u, star); err != nil {
					return err
				}
			}
			return nil
		})
		f.eq("star followers", f.num("SELECT follower_count FROM users WHERE id = ?", star),
			f.num("SELECT COUNT(*) FROM follows WHERE followee_id = ?", star))
		f.eq("star followers value", f.num("SELECT follower_count FROM users WHERE id = ?", star), 40)
		f.eq("star following", f.num("SELECT following_count FROM users WHERE id = ?", star), 25)
		f.eq("fans following total", f.num("SELECT SUM(following_count) FROM users WHERE username LIKE 'fan%'"), 40)
		f.eq("follow notifications", f.num("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = 'follow'", star), 40)

		// Lists page by follow time with an opaque cursor.
		var all []id.ID
		var cur social.Cursor
		for {
			page, next, err := s.Followers(f.ctx, star, cur, 7)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page...)
			if next == (social.Cursor{}) {
				break
			}
			if cur, err = social.ParseCursor(next.String()); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[id.ID]bool{}
		for _, u := range all {
			seen[u] = true
		}
		if len(all) != 40 || len(seen) != 40 {
			t.Errorf("followers listed %d (%d distinct), want 40", len(all), len(seen))
		}
	})
}

func TestConcurrentCommentDeletesCountOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		s := f.a.Social
		us := f.users("u", 10)
		author, err := f.a.Accounts.Get(f.ctx, us[0])
		if err != nil {
			t.Fatal(err)
		}
		n := f.note(author.ID)
		root, err := s.Comment(f.ctx, author, n, "root", 0)
		if err != nil {
			t.Fatal(err)
		}
		// Replies and a delete race: the counters must still agree with the rows.
		f.parallel(us, func(i int, u id.ID) error {
			user, err := f.a.Accounts.Get(f.ctx, u)
			if err != nil {
				return err
			}
			c, err := s.Comment(f.ctx, user, n, fmt.Sprintf("reply %d", i), root.ID)
			if err != nil {
				return err
			}
			if i%2 == 0 {
				return s.DeleteComment(f.ctx, user, c.ID)
			}
			return nil
		})
		f.eq("comment_count", f.num("SELECT comment_count FROM notes WHERE id = ?", n),
			f.num("SELECT COUNT(*) FROM comments WHERE note_id = ? AND deleted = 0", n))
		f.eq("reply_count", f.num("SELECT reply_count FROM comments WHERE id = ?", root.ID),
			f.num("SELECT COUNT(*) FROM comments WHERE root_id = ?", root.ID))
		// Many concurrent deletes of one comment count once.
		f.parallel(us[:5], func(i int, u id.ID) error {
			err := s.DeleteComment(f.ctx, author, root.ID)
			if err != nil && !errors.Is(err, apperr.ErrNotFound) {
				return err
			}
			return nil
		})
		f.eq("comment_count after root delete", f.num("SELECT comment_count FROM notes WHERE id = ?", n),
			f.num("SELECT COUNT(*) FROM comments WHERE note_id = ? AND deleted = 0", n))
	})
}
