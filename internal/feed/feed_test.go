package feed_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/feed"
	"github.com/redmark/redmark/internal/id"
)

// world performs the writes the notes and social packages perform around
// the feed hooks, so the feed can be tested on its own.
type world struct {
	t    testing.TB
	d    *db.DB
	f    *feed.Service
	ctx  context.Context
	mu   sync.Mutex
	seen map[string]bool
}

func newWorld(t testing.TB, d *db.DB, threshold int64) *world {
	f := feed.New(d)
	f.PullThreshold = threshold
	return &world{t: t, d: d, f: f, ctx: context.Background(), seen: map[string]bool{}}
}

func (w *world) user() id.ID {
	uid := id.New()
	_, err := w.d.Writer(w.ctx).Exec(w.ctx, `INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at)
		VALUES (?, ?, ?, '', 0, 0)`, uid, fmt.Sprintf("u%d", uid), "U")
	if err != nil {
		w.t.Fatal(err)
	}
	return uid
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) publish(author id.ID, status string) id.ID {
	nid := id.New()
	w.must(w.d.InTx(w.ctx, func(ctx context.Context) error {
		if _, err := w.d.Writer(ctx).Exec(ctx, `INSERT INTO notes (id, author_id, status, kind, created_at, updated_at)
			VALUES (?, ?, ?, 'image', 0, 0)`, nid, author, status); err != nil {
			return err
		}
		if status == "published" {
			return w.f.NotePublished(ctx, author, nid)
		}
		return nil
	}))
	return nid
}

func (w *world) setStatus(note id.ID, status string) {
	w.must(w.d.InTx(w.ctx, func(ctx context.Context) error {
		var author id.ID
		if err := w.d.Writer(ctx).QueryRow(ctx, "SELECT author_id FROM notes WHERE id = ?", note).Scan(&author); err != nil {
			return err
		}
		if _, err := w.d.Writer(ctx).Exec(ctx, "UPDATE notes SET status = ? WHERE id = ?", status, note); err != nil {
			return err
		}
		if status == "published" {
			return w.f.NotePublished(ctx, author, note)
		}
		return w.f.NoteRemoved(ctx, note)
	}))
}

func (w *world) remove(note id.ID) {
	w.must(w.d.InTx(w.ctx, func(ctx context.Context) error {
		if err := w.f.NoteRemoved(ctx, note); err != nil {
			return err
		}
		_, err := w.d.Writer(ctx).Exec(ctx, "DELETE FROM notes WHERE id = ?", note)
		return err
	}))
}

func (w *world) follow(a, b id.ID) {
	w.must(w.d.InTx(w.ctx, func(ctx context.Context) error {
		res, err := w.d.Writer(ctx).Exec(ctx, "INSERT INTO follows (follower_id, followee_id, created_at) VALUES (?, ?, 0) ON CONFLICT DO NOTHING", a, b)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if _, err := w.d.Writer(ctx).Exec(ctx, "UPDATE users SET follower_count = follower_count + 1 WHERE id = ?", b); err != nil {
			return err
		}
		return w.f.Followed(ctx, a, b)
	}))
}

func (w *world) unfollow(a, b id.ID) {
	w.must(w.d.InTx(w.ctx, func(ctx context.Context) error {
		res, err := w.d.Writer(ctx).Exec(ctx, "DELETE FROM follows WHERE follower_id = ? AND followee_id = ?", a, b)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if _, err := w.d.Writer(ctx).Exec(ctx, "UPDATE users SET follower_count = follower_count - 1 WHERE id = ?", b); err != nil {
			return err
		}
		return w.f.Unfollowed(ctx, a, b)
	}))
}

// expected is the feed by definition, straight from follows and notes.
func (w *world) expected(u id.ID) []id.ID {
	rows, err := w.d.Reader(w.ctx).Query(w.ctx, `SELECT n.id FROM notes n JOIN follows f ON f.followee_id = n.author_id
		WHERE f.follower_id = ? AND n.status = 'published' ORDER BY n.id DESC`, u)
	w.must(err)
	defer rows.Close()
	var out []id.ID
	for rows.Next() {
		var v id.ID
		w.must(rows.Scan(&v))
		out = append(out, v)
	}
	return out
}

// read pages through the whole feed with the given page size.
func (w *world) read(u id.ID, page int) []id.ID {
	var all []id.ID
	var before id.ID
	for {
		ids, err := w.f.Following(w.ctx, u, before, page)
		w.must(err)
		all = append(all, ids...)
		if len(ids) < page {
			return all
		}
		before = ids[len(ids)-1]
	}
}

func (w *world) check(users []id.ID, label string) {
	w.t.Helper()
	for _, u := range users {
		want := w.expected(u)
		for _, page := range []int{1, 3, 50} {
			got := w.read(u, page)
			if !slices.Equal(got, want) {
				w.t.Fatalf("%s: feed of %d (page %d)\n got %v\nwant %v", label, u, page, got, want)
			}
		}
	}
}

func TestFeedPushPullAndChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, 3)
		reader, small, big, other := w.user(), w.user(), w.user(), w.user()
		fans := []id.ID{w.user(), w.user(), w.user()}
		w.follow(reader, small)
		s1 := w.publish(small, "published")
		draft := w.publish(small, "draft")
		for _, f := range fans {
			w.follow(f, big)
		}
		b1 := w.publish(big, "published") // big reaches the threshold: pulled from now on
		w.publish(other, "published")
		w.check([]id.ID{reader}, "before following big")
		if got := w.read(reader, 10); !slices.Equal(got, []id.ID{s1}) {
			t.Fatalf("feed = %v, want only %v", got, s1)
		}
		w.follow(reader, big)
		s2 := w.publish(small, "published")
		b2 := w.publish(big, "published")
		w.check(append(fans, reader), "after following big")
		if got := w.read(reader, 10); !slices.Equal(got, []id.ID{b2, s2, b1, s1}) {
			t.Fatalf("merged feed = %v", got)
		}
		w.setStatus(draft, "published")
		w.setStatus(s2, "draft")
		w.remove(b1)
		w.check([]id.ID{reader}, "after publish/unpublish/delete")
		w.unfollow(reader, small)
		w.check([]id.ID{reader}, "after unfollow")
		// A big author losing followers stays pulled, and stays exact.
		for _, f := range fans {
			w.unfollow(f, big)
		}
		w.publish(big, "published")
		w.check(append(fans, reader), "after big lost followers")
	})
}

// TestFeedRandomOperations drives random follows, unfollows, publishes,
// unpublishes and deletes, and after each step compares every feed with
// its definition.
func TestFeedRandomOperations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, 4)
		rng := rand.New(rand.NewPCG(1, 2))
		var users []id.ID
		for i := 0; i < 8; i++ {
			users = append(users, w.user())
		}
		var notes []id.ID
		for step := 0; step < 150; step++ {
			a, b := users[rng.IntN(len(users))], users[rng.IntN(len(users))]
			switch op := rng.IntN(10); {
			case op < 3 && a != b:
				w.follow(a, b)
			case op < 4:
				w.unfollow(a, b)
			case op < 7:
				status := "published"
				if rng.IntN(5) == 0 {
					status = "draft"
				}
				notes = append(notes, w.publish(a, status))
			case op < 8 && len(notes) > 0:
				n := notes[rng.IntN(len(notes))]
				var st string
				if err := d.Reader(w.ctx).QueryRow(w.ctx, "SELECT status FROM notes WHERE id = ?", n).Scan(&st); err == nil {
					if st == "published" {
						w.setStatus(n, "draft")
					} else {
						w.setStatus(n, "published")
					}
				}
			case op < 9 && len(notes) > 0:
				i := rng.IntN(len(notes))
				w.remove(notes[i])
				notes = slices.Delete(notes, i, i+1)
			}
			if step%10 == 9 {
				w.check(users, fmt.Sprintf("step %d", step))
			}
		}
		w.check(users, "end")
		// A rebuild from scratch gives the same feeds.
		w.must(w.f.RebuildAll(w.ctx, nil))
		w.check(users, "after rebuild")
	})
}

// TestFeedConcurrentFollowAndPublish races follows against publishes by
// the same authors; no delivery may be lost or left behind.
func TestFeedConcurrentFollowAndPublish(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, 1000)
		authors := []id.ID{w.user(), w.user()}
		var readers []id.ID
		for i := 0; i < 12; i++ {
			readers = append(readers, w.user())
		}
		var wg sync.WaitGroup
		for _, a := range authors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 15; i++ {
					w.publish(a, "published")
				}
			}()
		}
		for _, r := range readers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, a := range authors {
					w.follow(r, a)
				}
				w.unfollow(r, authors[0])
				w.follow(r, authors[0])
			}()
		}
		wg.Wait()
		w.check(readers, "after concurrent follows and publishes")
	})
}
