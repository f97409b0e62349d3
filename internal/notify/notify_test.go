package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notify"
)

func user(t *testing.T, d *db.DB, name string) id.ID {
	t.Helper()
	u, err := accounts.New(d).CreateWithHash(context.Background(), name, name, "", accounts.RoleUser)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if _, err := d.Writer(ctx).Exec(ctx, q, args...); err != nil {
		t.Fatal(err)
	}
}

func kinds(ns []notify.Notification) string {
	var k []string
	for _, n := range ns {
		k = append(k, n.Kind)
	}
	return strings.Join(k, ",")
}

func TestCategoriesUnreadAndMarkRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := notify.New(d)
		alice, bob, carol := user(t, d, "alice"), user(t, d, "bob"), user(t, d, "carol")
		noteID := id.New()
		exec(t, d, "INSERT INTO notes (id, author_id, status, kind, title, created_at, updated_at) VALUES (?, ?, 'published', 'image', 'n', ?, ?)",
			noteID, alice, db.Now(), db.Now())
		add := func(n notify.Notification) {
			t.Helper()
			if err := s.Add(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		add(notify.Notification{UserID: alice, ActorID: bob, Kind: notify.Like, NoteID: noteID})
		add(notify.Notification{UserID: alice, ActorID: bob, Kind: notify.Follow})
		add(notify.Notification{UserID: alice, ActorID: carol, Kind: notify.Collect, NoteID: noteID})
		add(notify.Notification{UserID: alice, ActorID: carol, Kind: notify.Mention, NoteID: noteID})
		add(notify.Notification{UserID: alice, ActorID: alice, Kind: notify.Like, NoteID: noteID}) // self: skipped
		add(notify.Notification{UserID: bob, ActorID: alice, Kind: notify.Follow})

		likes, err := s.List(ctx, alice, "likes", 0, 10)
		if err != nil || kinds(likes) != "collect,like" || likes[0].ActorID != carol || likes[0].Read {
			t.Fatalf("likes = %+v, %v", likes, err)
		}
		all, err := s.List(ctx, alice, "", 0, 10)
		if err != nil || kinds(all) != "mention,collect,follow,like" {
			t.Fatalf("all = %+v, %v", all, err)
		}
		page, err := s.List(ctx, alice, "", all[1].ID, 10)
		if err != nil || kinds(page) != "follow,like" {
			t.Fatalf("page 2 = %+v, %v", page, err)
		}
		if _, err := s.List(ctx, alice, "secrets", 0, 10); err == nil {
			t.Fatal("unknown category accepted")
		}
		u, err := s.Unread(ctx, alice)
		if err != nil || u["likes"] != 2 || u["follows"] != 1 || u["comments"] != 1 {
			t.Fatalf("unread = %v, %v", u, err)
		}
		if err := s.MarkRead(ctx, alice, "likes"); err != nil {
			t.Fatal(err)
		}
		u, _ = s.Unread(ctx, alice)
		if u["likes"] != 0 || u["follows"] != 1 || u["comments"] != 1 {
			t.Fatalf("unread after marking likes = %v", u)
		}
		if likes, _ := s.List(ctx, alice, "likes", 0, 10); !likes[0].Read || !likes[1].Read {
			t.Fatalf("likes not read: %+v", likes)
		}
		// Marking alice's notifications touched nobody else's.
		if ub, _ := s.Unread(ctx, bob); ub["follows"] != 1 {
			t.Fatalf("bob unread = %v", ub)
		}
		if err := s.MarkRead(ctx, alice, ""); err != nil {
			t.Fatal(err)
		}
		if u, _ = s.Unread(ctx, alice); u["follows"]+u["comments"]+u["likes"] != 0 {
			t.Fatalf("unread after marking all = %v", u)
		}
		// Events from someone alice blocks are hidden from list and counts.
		add(notify.Notification{UserID: alice, ActorID: carol, Kind: notify.Follow})
		exec(t, d, "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)", alice, carol, db.Now())
		if all, _ := s.List(ctx, alice, "", 0, 10); kinds(all) != "follow,like" {
			t.Fatalf("after block = %s", kinds(all))
		}
		if u, _ = s.Unread(ctx, alice); u["follows"] != 0 {
			t.Fatalf("unread after block = %v", u)
		}
		// Retract removes exactly the undone event.
		if err := s.Retract(ctx, alice, bob, notify.Like, noteID, 0); err != nil {
			t.Fatal(err)
		}
		if all, _ := s.List(ctx, alice, "", 0, 10); kinds(all) != "follow" {
			t.Fatalf("after retract = %s", kinds(all))
		}
	})
}

func TestCommentSnippets(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		alice := user(t, d, "alice")
		noteID := id.New()
		exec(t, d, "INSERT INTO notes (id, author_id, status, kind, created_at, updated_at) VALUES (?, ?, 'published', 'image', ?, ?)",
			noteID, alice, db.Now(), db.Now())
		short, long, gone := id.New(), id.New(), id.New()
		for _, c := range []struct {
			id      id.ID
			body    string
			deleted int
		}{{short, "好看!", 0}, {long, strings.Repeat("长", 300), 0}, {gone, "removed", 1}} {
			exec(t, d, "INSERT INTO comments (id, note_id, author_id, body, deleted, created_at) VALUES (?, ?, ?, ?, ?, ?)",
				c.id, noteID, alice, c.body, c.deleted, db.Now())
		}
		got, err := notify.New(d).Comments(ctx, []id.ID{short, long, gone, short, id.New()})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[short].Body != "好看!" || len([]rune(got[long].Body)) != notify.SnippetMax ||
			!strings.HasSuffix(got[long].Body, "…") {
			t.Fatalf("snippets = %+v", got)
		}
	})
}
