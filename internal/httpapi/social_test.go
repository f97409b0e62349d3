package httpapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/dbtest"
)

// count runs a COUNT/counter query for assertions.
func count(e *apitest.Env, query string, args ...any) int64 {
	e.T.Helper()
	var n int64
	ctx := context.Background()
	if err := e.App.DB.Reader(ctx).QueryRow(ctx, query, args...).Scan(&n); err != nil {
		e.T.Fatal(err)
	}
	return n
}

func wantNum(t *testing.T, r *apitest.Response, path string, want float64) {
	t.Helper()
	if got := r.Num(path); got != want {
		t.Fatalf("%s = %v, want %v in %s", path, got, want, r.Body)
	}
}

func TestLikesAreIdempotentAndCounted(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		n := notesPost(t, alice, "note", "body")
		like := "/api/v1/notes/" + n + "/like"

		e.Anon().Do("PUT", like, nil).WantError(401, "unauthorized")
		bob.Do("PUT", "/api/v1/notes/123456/like", nil).WantError(404, "not_found")
		bob.Do("PUT", "/api/v1/notes/abc/like", nil).WantError(404, "not_found")

		wantNum(t, bob.Do("PUT", like, nil).Want(200), "like_count", 1)
		r := bob.Do("PUT", like, nil).Want(200)
		wantNum(t, r, "like_count", 1)
		if r.Get("liked") != true {
			t.Fatalf("like: %s", r.Body)
		}
		wantNum(t, alice.Do("PUT", like, nil).Want(200), "like_count", 2)
		wantNum(t, alice.Do("GET", "/api/v1/users/alice", nil).Want(200), "liked_collected_count", 2)
		// Bob's like notifies Alice once; her own like notifies nobody.
		if c := count(e, "SELECT COUNT(*) FROM notifications WHERE kind = 'like'"); c != 1 {
			t.Fatalf("like notifications = %d, want 1", c)
		}

		wantNum(t, bob.Do("DELETE", like, nil).Want(200), "like_count", 1)
		r = bob.Do("DELETE", like, nil).Want(200)
		wantNum(t, r, "like_count", 1)
		if r.Get("liked") != false {
			t.Fatalf("unlike: %s", r.Body)
		}
		if c := count(e, "SELECT COUNT(*) FROM notifications WHERE kind = 'like'"); c != 0 {
			t.Fatalf("unlike must retract the notification, %d left", c)
		}
		wantNum(t, alice.Do("GET", "/api/v1/users/alice", nil).Want(200), "liked_collected_count", 1)

		// Drafts cannot be liked.
		ctx := context.Background()
		if _, err := e.App.DB.Writer(ctx).Exec(ctx, "UPDATE notes SET status = 'draft' WHERE id = ?", n); err != nil {
			t.Fatal(err)
		}
		bob.Do("PUT", like, nil).WantError(404, "not_found")
	})
}

func TestCollectsAndBoards(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		n := notesPost(t, alice, "note", "body")
		collect := "/api/v1/notes/" + n + "/collect"

		b1 := bob.Do("POST", "/api/v1/me/boards", map[string]any{"name": "  护肤 Skincare ", "description": "my routine"}).Want(201)
		if b1.Str("name") != "护肤 Skincare" || b1.Str("id") == "" {
			t.Fatalf("board: %s", b1.Body)
		}
		b2 := bob.Do("POST", "/api/v1/me/boards", map[string]any{"name": "Travel"}).Want(201).Str("id")
		bob.Do("POST", "/api/v1/me/boards", map[string]any{"name": "Travel"}).WantError(409, "conflict")
		bob.Do("POST", "/api/v1/me/boards", map[string]any{"name": ""}).WantError(400, "invalid_input")
		bob.Do("POST", "/api/v1/me/boards", map[string]any{"name": strings.Repeat("板", 41)}).WantError(400, "invalid_input")
		bob.Do("POST", "/api/v1/me/boards", map[string]any{"name": "x", "owner": "alice"}).WantError(400, "invalid_input")

		// No body: the default collection. Twice: still one collect.
		wantNum(t, bob.Do("PUT", collect, nil).Want(200), "collect_count", 1)
		wantNum(t, bob.Do("PUT", collect, nil).Want(200), "collect_count", 1)
		// Into a board: moves it there, still one collect.
		wantNum(t, bob.Do("PUT", collect, map[string]any{"board_id": b1.Str("id")}).Want(200), "collect_count", 1)
		if c := count(e, "SELECT note_count FROM boards WHERE id = ?", b1.Str("id")); c != 1 {
			t.Fatalf("board note_count = %d", c)
		}
		bob.Do("PUT", collect, map[string]any{"board_id": b2}).Want(200)
		if c1, c2 := count(e, "SELECT note_count FROM boards WHERE id = ?", b1.Str("id")), count(e, "SELECT note_count FROM boards WHERE id = ?", b2); c1 != 0 || c2 != 1 {
			t.Fatalf("after move: board counts %d, %d", c1, c2)
		}
		bob.Do("PUT", collect, map[string]any{"board_id": "nope"}).WantError(400, "invalid_input")
		bob.Do("PUT", collect, map[string]any{"board_id": "99999"}).WantError(404, "not_found")

		// Alice cannot use, rename or delete Bob's board.
		alice.Do("PUT", collect, map[string]any{"board_id": b2}).WantError(403, "forbidden")
		alice.Do("PATCH", "/api/v1/boards/"+b2, map[string]any{"name": "mine"}).WantError(403, "forbidden")
		alice.Do("DELETE", "/api/v1/boards/"+b2, nil).WantError(403, "forbidden")
		if c := count(e, "SELECT COUNT(*) FROM collects WHERE user_id = ?", alice.ID); c != 0 {
			t.Fatalf("refused collect left %d rows", c)
		}

		boards := alice.Do("GET", "/api/v1/users/bob/boards", nil).Want(200)
		if boards.Str("boards.1.name") != "Travel" || boards.Num("boards.1.note_count") != 1 {
			t.Fatalf("bob's boards: %s", boards.Body)
		}
		r := bob.Do("PATCH", "/api/v1/boards/"+b2, map[string]any{"name": "Trips"}).Want(200)
		if r.Str("name") != "Trips" || r.Num("note_count") != 1 {
			t.Fatalf("rename: %s", r.Body)
		}
		bob.Do("PATCH", "/api/v1/boards/"+b2, map[string]any{"name": b1.Str("name")}).WantError(409, "conflict")

		wantNum(t, alice.Do("GET", "/api/v1/users/alice", nil).Want(200), "liked_collected_count", 1)
		if c := count(e, "SELECT COUNT(*) FROM notifications WHERE kind = 'collect'"); c != 1 {
			t.Fatalf("collect notifications = %d, want 1 (moves do not notify)", c)
		}

		// Deleting a board keeps the collect, in the default collection.
		bob.Do("DELETE", "/api/v1/boards/"+b2, nil).Want(204)
		bob.Do("DELETE", "/api/v1/boards/"+b2, nil).WantError(404, "not_found")
		if c := count(e, "SELECT COUNT(*) FROM collects WHERE user_id = ? AND board_id IS NULL", bob.ID); c != 1 {
			t.Fatalf("collect after board delete: %d", c)
		}

		wantNum(t, bob.Do("DELETE", collect, nil).Want(200), "collect_count", 0)
		wantNum(t, bob.Do("DELETE", collect, nil).Want(200), "collect_count", 0)
		wantNum(t, alice.Do("GET", "/api/v1/users/alice", nil).Want(200), "liked_collected_count", 0)
		if c := count(e, "SELECT COUNT(*) FROM notifications WHERE kind = 'collect'"); c != 0 {
			t.Fatalf("uncollect must retract the notification")
		}
	})
}

func TestFollowsAndBlocks(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob, carol := e.SignUp("alice"), e.SignUp("bob"), e.SignUp("carol")
		alice.Do("PUT", "/api/v1/users/alice/follow", nil).WantError(400, "invalid_input")
		alice.Do("PUT", "/api/v1/users/nobody/follow", nil).WantError(404, "not_found")
		e.Anon().Do("PUT", "/api/v1/users/bob/follow", nil).WantError(401, "unauthorized")

		wantNum(t, alice.Do("PUT", "/api/v1/users/bob/follow", nil).Want(200), "follower_count", 1)
		r := alice.Do("PUT", "/api/v1/users/bob/follow", nil).Want(200)
		wantNum(t, r, "follower_count", 1)
		if r.Get("following") != true {
			t.Fatalf("follow: %s", r.Body)
		}
		carol.Do("PUT", "/api/v1/users/bob/follow", nil).Want(200)
		bob.Do("PUT", "/api/v1/users/alice/follow", nil).Want(200)
		wantNum(t, e.Anon().Do("GET", "/api/v1/users/bob", nil).Want(200), "follower_count", 2)
		wantNum(t, e.Anon().Do("GET", "/api/v1/users/alice", nil).Want(200), "following_count", 1)

		fl := bob.Do("GET", "/api/v1/users/bob/followers?limit=1", nil).Want(200)
		if fl.Str("users.0.username") != "carol" || fl.Str("next_cursor") == "" {
			t.Fatalf("followers page 1: %s", fl.Body)
		}
		fl2 := bob.Do("GET", "/api/v1/users/bob/followers?limit=1&cursor="+fl.Str("next_cursor"), nil).Want(200)
		if fl2.Str("users.0.username") != "alice" || fl2.Get("users.0.following") != true || fl2.Get("next_cursor") != nil {
			t.Fatalf("followers page 2: %s", fl2.Body)
		}
		bob.Do("GET", "/api/v1/users/bob/followers?cursor=zzz", nil).WantError(400, "invalid_input")
		if alice.Do("GET", "/api/v1/users/alice/following", nil).Want(200).Str("users.0.username") != "bob" {
			t.Fatal("following list")
		}
		rel := alice.Do("GET", "/api/v1/users/bob/relationship", nil).Want(200)
		if rel.Get("following") != true || rel.Get("followed_by") != true || rel.Get("blocking") != false {
			t.Fatalf("relationship: %s", rel.Body)
		}
		if c := count(e, "SELECT COUNT(*) FROM notifications WHERE kind = 'follow' AND user_id = ?", bob.ID); c != 2 {
			t.Fatalf("follow notifications for bob = %d", c)
		}

		// Unfollow twice is fine and retracts the notification.
		wantNum(t, carol.Do("DELETE", "/api/v1/users/bob/follow", nil).Want(200), "follower_count", 1)
		wantNum(t, carol.Do("DELETE", "/api/v1/users/bob/follow", nil).Want(200), "follower_count", 1)
		if c := count(e, "SELECT COUNT(*) FROM notifications WHERE kind = 'follow' AND user_id = ?", bob.ID); c != 1 {
			t.Fatalf("follow notifications after unfollow = %d", c)
		}

		// Bob blocks Alice: both follows end; neither can follow the other;
		// Alice cannot comment on Bob's notes.
		n := notesPost(t, bob, "note", "body")
		bob.Do("PUT", "/api/v1/users/alice/block", nil).Want(200)
		bob.Do("PUT", "/api/v1/users/alice/block", nil).Want(200)
		bob.Do("PUT", "/api/v1/users/bob/block", nil).WantError(400, "invalid_input")
		wantNum(t, e.Anon().Do("GET", "/api/v1/users/bob", nil).Want(200), "follower_count", 0)
		wantNum(t, e.Anon().Do("GET", "/api/v1/users/bob", nil).Want(200), "following_count", 0)
		wantNum(t, e.Anon().Do("GET", "/api/v1/users/alice", nil).Want(200), "following_count", 0)
		wantNum(t, e.Anon().Do("GET", "/api/v1/users/alice", nil).Want(200), "follower_count", 0)
		alice.Do("PUT", "/api/v1/users/bob/follow", nil).WantError(403, "forbidden")
		bob.Do("PUT", "/api/v1/users/alice/follow", nil).WantError(403, "forbidden")
		alice.Do("POST", "/api/v1/notes/"+n+"/comments", map[string]any{"body": "hi"}).WantError(403, "forbidden")
		rel = alice.Do("GET", "/api/v1/users/bob/relationship", nil).Want(200)
		if rel.Get("blocked_by") != true || rel.Get("following") != false {
			t.Fatalf("relationship after block: %s", rel.Body)
		}
		// Alice cannot lift Bob's block; Bob can.
		alice.Do("DELETE", "/api/v1/users/bob/block", nil).Want(200)
		alice.Do("PUT", "/api/v1/users/bob/follow", nil).WantError(403, "forbidden")
		bob.Do("DELETE", "/api/v1/users/alice/block", nil).Want(200)
		bob.Do("DELETE", "/api/v1/users/alice/block", nil).Want(200)
		wantNum(t, alice.Do("PUT", "/api/v1/users/bob/follow", nil).Want(200), "follower_count", 1)
		if got, want := count(e, "SELECT follower_count FROM users WHERE id = ?", bob.ID), count(e, "SELECT COUNT(*) FROM follows WHERE followee_id = ?", bob.ID); got != want {
			t.Fatalf("follower_count %d != %d rows", got, want)
		}
	})
}

func TestCommentsThreadsAndAuthorization(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob, carol := e.SignUp("alice"), e.SignUp("bob"), e.SignUp("carol")
		n := notesPost(t, carol, "note", "body")
		other := notesPost(t, carol, "note", "body")
		path := "/api/v1/notes/" + n + "/comments"

		// Validation.
		e.Anon().Do("POST", path, map[string]any{"body": "hi"}).WantError(401, "unauthorized")
		alice.Do("POST", path, map[string]any{"body": "   "}).WantError(400, "invalid_input")
		alice.Do("POST", path, map[string]any{"body": strings.Repeat("好", 1001)}).WantError(400, "invalid_input")
		alice.Do("POST", path, "{\"body\":\"bad \xff\"}").WantError(400, "invalid_input")
		alice.Do("POST", path, map[string]any{"body": "hi", "author_id": bob.ID}).WantError(400, "invalid_input")
		alice.Do("POST", path, map[string]any{"body": "a\x00b"}).WantError(400, "invalid_input")
		alice.Do("POST", "/api/v1/notes/424242/comments", map[string]any{"body": "hi"}).WantError(404, "not_found")
		onOther := alice.Do("POST", "/api/v1/notes/"+other+"/comments", map[string]any{"body": "elsewhere"}).Want(201).Str("id")
		alice.Do("POST", path, map[string]any{"body": "hi", "parent_id": onOther}).WantError(400, "invalid_input")
		alice.Do("POST", path, map[string]any{"body": "hi", "parent_id": "777"}).WantError(404, "not_found")
		if c := count(e, "SELECT comment_count FROM notes WHERE id = ?", n); c != 0 {
			t.Fatalf("refused comments counted: %d", c)
		}
		ok := alice.Do("POST", path, map[string]any{"body": strings.Repeat("好", 1000)}).Want(201)
		if ok.Str("author.username") != "alice" || strings.Contains(string(ok.Body), "persona") {
			t.Fatalf("comment: %s", ok.Body)
		}

		// A thread: Alice comments, Bob replies, Carol replies to Bob's reply
		// (which joins Alice's thread, answering Bob) and @mentions Alice and Bob.
		root := alice.Do("POST", path, map[string]any{"body": "Where is this?"}).Want(201).Str("id")
		r1 := bob.Do("POST", path, map[string]any{"body": "Kyoto!", "parent_id": root}).Want(201)
		if r1.Str("root_id") != root || r1.Str("reply_to.username") != "alice" {
			t.Fatalf("reply: %s", r1.Body)
		}
		r2 := carol.Do("POST", path, map[string]any{"body": "yes @bob, thanks @Alice @nobody", "parent_id": r1.Str("id")}).Want(201)
		if r2.Str("root_id") != root || r2.Str("parent_id") != r1.Str("id") || r2.Str("reply_to.username") != "bob" {
			t.Fatalf("reply to reply: %s", r2.Body)
		}
		for i := range 3 {
			bob.Do("POST", path, map[string]any{"body": "more " + string(rune('a'+i)), "parent_id": root}).Want(201)
		}
		// Notifications: carol (note author) got "comment" for every comment
		// but her own (7, with the one on her other note); alice got "reply" for bob's replies and a mention from
		// carol; bob got a "reply" from carol (not also a mention).
		want := map[string]int64{
			"comment/" + carol.ID: 7, "reply/" + alice.ID: 4, "mention/" + alice.ID: 1, "reply/" + bob.ID: 1, "mention/" + bob.ID: 0,
		}
		for k, v := range want {
			kind, uid, _ := strings.Cut(k, "/")
			if c := count(e, "SELECT COUNT(*) FROM notifications WHERE kind = ? AND user_id = ?", kind, uid); c != v {
				t.Errorf("%s notifications for %s = %d, want %d", kind, uid, c, v)
			}
		}

		// Comment likes: idempotent, shown as liked to the viewer.
		like := "/api/v1/comments/" + root + "/like"
		wantNum(t, bob.Do("PUT", like, nil).Want(200), "like_count", 1)
		wantNum(t, bob.Do("PUT", like, nil).Want(200), "like_count", 1)
		wantNum(t, carol.Do("PUT", like, nil).Want(200), "like_count", 2)
		wantNum(t, carol.Do("DELETE", like, nil).Want(200), "like_count", 1)
		wantNum(t, carol.Do("DELETE", like, nil).Want(200), "like_count", 1)
		if c := count(e, "SELECT COUNT(*) FROM notifications WHERE kind = 'comment_like'"); c != 1 {
			t.Fatalf("comment_like notifications = %d", c)
		}

		list := bob.Do("GET", path+"?limit=1", nil).Want(200)
		if list.Str("comments.0.id") != root || list.Num("comments.0.reply_count") != 5 || list.Get("comments.0.liked") != true ||
			list.Str("comments.0.replies.0.body") != "Kyoto!" || list.Str("comments.0.replies.2.body") != "more a" ||
			len(list.Get("comments.0.replies").([]any)) != 3 || list.Str("next_cursor") != root {
			t.Fatalf("comments page: %s", list.Body)
		}
		if e.Anon().Do("GET", path+"?limit=1", nil).Want(200).Get("comments.0.liked") != false {
			t.Fatal("anonymous viewer sees liked")
		}
		page2 := bob.Do("GET", path+"?cursor="+root, nil).Want(200)
		if page2.Str("comments.0.id") != ok.Str("id") || page2.Get("next_cursor") != nil {
			t.Fatalf("comments page 2: %s", page2.Body)
		}
		rep := alice.Do("GET", "/api/v1/comments/"+root+"/replies?limit=2", nil).Want(200)
		rep2 := alice.Do("GET", "/api/v1/comments/"+root+"/replies?cursor="+rep.Str("next_cursor"), nil).Want(200)
		if rep.Str("comments.1.id") != r2.Str("id") || len(rep2.Get("comments").([]any)) != 3 {
			t.Fatalf("replies: %s / %s", rep.Body, rep2.Body)
		}
		alice.Do("GET", "/api/v1/comments/"+r1.Str("id")+"/replies", nil).WantError(400, "invalid_input")

		// Deleting: Bob cannot delete Alice's comment on Carol's note; Carol
		// (the note's author) can. With replies it stays as a placeholder.
		bob.Do("DELETE", "/api/v1/comments/"+root, nil).WantError(403, "forbidden")
		carol.Do("DELETE", "/api/v1/comments/"+root, nil).Want(204)
		carol.Do("DELETE", "/api/v1/comments/"+root, nil).WantError(404, "not_found")
		bob.Do("PUT", like, nil).WantError(404, "not_found")
		bob.Do("POST", path, map[string]any{"body": "late", "parent_id": root}).WantError(404, "not_found")
		list = bob.Do("GET", path+"?limit=1", nil).Want(200)
		if list.Str("comments.0.body") != "[deleted]" || list.Get("comments.0.author") != nil || list.Get("comments.0.deleted") != true ||
			strings.Contains(string(list.Body), "Where is this?") {
			t.Fatalf("deleted placeholder: %s", list.Body)
		}
		// Bob may not delete Carol's reply in Alice's thread either.
		bob.Do("DELETE", "/api/v1/comments/"+r2.Str("id"), nil).WantError(403, "forbidden")
		if got, want := count(e, "SELECT comment_count FROM notes WHERE id = ?", n), count(e, "SELECT COUNT(*) FROM comments WHERE note_id = ? AND deleted = 0", n); got != want || got != 6 {
			t.Fatalf("comment_count %d, rows %d, want 6", got, want)
		}
		// Once the last reply goes, the placeholder goes too.
		var replies []string
		rs := alice.Do("GET", "/api/v1/comments/"+root+"/replies", nil).Want(200)
		for i := range 5 {
			replies = append(replies, rs.Str("comments."+string(rune('0'+i))+".id"))
		}
		for _, rid := range replies {
			carol.Do("DELETE", "/api/v1/comments/"+rid, nil).Want(204)
		}
		if c := count(e, "SELECT COUNT(*) FROM comments WHERE id = ?", root); c != 0 {
			t.Fatal("empty placeholder kept")
		}
		if got := count(e, "SELECT comment_count FROM notes WHERE id = ?", n); got != 1 {
			t.Fatalf("comment_count after deletes = %d, want 1", got)
		}
		// Notifications about deleted comments are gone with them.
		if c := count(e, "SELECT COUNT(*) FROM notifications WHERE kind IN ('reply', 'mention')"); c != 0 {
			t.Fatalf("%d notifications about deleted comments left", c)
		}
	})
}

// noteIDs lists the ids of {notes: [...]} in order.
func noteIDs(t *testing.T, r *apitest.Response) []string {
	t.Helper()
	var out struct {
		Notes []struct {
			ID        string `json:"id"`
			Liked     bool   `json:"liked"`
			Collected bool   `json:"collected"`
		} `json:"notes"`
	}
	r.Decode(&out)
	ids := make([]string, len(out.Notes))
	for i, n := range out.Notes {
		ids[i] = n.ID
	}
	return ids
}

func wantIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func TestSocialNoteListsAndFollowingFeed(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		n1, n2, n3 := notesPost(t, alice, "one", "b"), notesPost(t, alice, "two", "b"), notesPost(t, alice, "three", "b")

		// Likes list: most recently liked first, paged. (Times are in ms;
		// the pauses keep the likes apart so the order is the like order.)
		for _, n := range []string{n1, n3, n2} {
			bob.Do("PUT", "/api/v1/notes/"+n+"/like", nil).Want(200)
			time.Sleep(2 * time.Millisecond)
		}
		p1 := alice.Do("GET", "/api/v1/users/bob/likes?limit=2", nil).Want(200)
		wantIDs(t, "likes page 1", noteIDs(t, p1), n2, n3)
		p2 := alice.Do("GET", "/api/v1/users/bob/likes?limit=2&cursor="+p1.Str("next_cursor"), nil).Want(200)
		wantIDs(t, "likes page 2", noteIDs(t, p2), n1)
		if p2.Get("next_cursor") != nil {
			t.Fatalf("last page has a cursor: %s", p2.Body)
		}
		// The viewer's own state is filled in note views.
		if bob.Do("GET", "/api/v1/users/bob/likes", nil).Want(200).Get("notes.0.liked") != true {
			t.Fatal("bob's view of his likes must say liked")
		}
		if e.Anon().Do("GET", "/api/v1/users/bob/likes", nil).Want(200).Get("notes.0.liked") != false {
			t.Fatal("anonymous view must not say liked")
		}
		e.Anon().Do("GET", "/api/v1/users/nobody/likes", nil).WantError(404, "not_found")

		// Collects and a board.
		board := bob.Do("POST", "/api/v1/me/boards", map[string]any{"name": "Picks"}).Want(201).Str("id")
		bob.Do("PUT", "/api/v1/notes/"+n1+"/collect", map[string]any{"board_id": board}).Want(200)
		time.Sleep(2 * time.Millisecond)
		bob.Do("PUT", "/api/v1/notes/"+n2+"/collect", nil).Want(200)
		wantIDs(t, "collects", noteIDs(t, alice.Do("GET", "/api/v1/users/bob/collects", nil).Want(200)), n2, n1)
		b := bob.Do("GET", "/api/v1/boards/"+board, nil).Want(200)
		wantIDs(t, "board notes", noteIDs(t, b), n1)
		if b.Str("owner.username") != "bob" || b.Num("board.note_count") != 1 || b.Get("notes.0.collected") != true {
			t.Fatalf("board: %s", b.Body)
		}
		bob.Do("GET", "/api/v1/boards/12345", nil).WantError(404, "not_found")
		bob.Do("GET", "/api/v1/boards/"+board+"?cursor=1-x", nil).WantError(400, "invalid_input")

		// Following feed: 401 signed out, empty before following, then the
		// author's notes newest first, paged by note id.
		e.Anon().Do("GET", "/api/v1/feed/following", nil).WantError(401, "unauthorized")
		wantIDs(t, "feed before follow", noteIDs(t, bob.Do("GET", "/api/v1/feed/following", nil).Want(200)))
		bob.Do("PUT", "/api/v1/users/alice/follow", nil).Want(200)
		f1 := bob.Do("GET", "/api/v1/feed/following?limit=2", nil).Want(200)
		wantIDs(t, "feed page 1", noteIDs(t, f1), n3, n2)
		if f1.Get("notes.1.liked") != true || f1.Get("notes.1.collected") != true || f1.Str("notes.0.author.username") != "alice" {
			t.Fatalf("feed views: %s", f1.Body)
		}
		f2 := bob.Do("GET", "/api/v1/feed/following?limit=2&cursor="+f1.Str("next_cursor"), nil).Want(200)
		wantIDs(t, "feed page 2", noteIDs(t, f2), n1)
		bob.Do("GET", "/api/v1/feed/following?limit=0", nil).WantError(400, "invalid_input")

		// A deleted note leaves every list, and the board stops counting it.
		alice.Do("DELETE", "/api/v1/notes/"+n1, nil).Want(204)
		wantIDs(t, "likes after delete", noteIDs(t, bob.Do("GET", "/api/v1/users/bob/likes", nil).Want(200)), n2, n3)
		b = bob.Do("GET", "/api/v1/boards/"+board, nil).Want(200)
		if b.Num("board.note_count") != 0 || len(noteIDs(t, b)) != 0 {
			t.Fatalf("board after delete: %s", b.Body)
		}
		wantIDs(t, "feed after delete", noteIDs(t, bob.Do("GET", "/api/v1/feed/following", nil).Want(200)), n3, n2)
		if got, want := count(e, "SELECT liked_collected_count FROM users WHERE username = 'alice'"),
			count(e, "SELECT COUNT(*) FROM likes")+count(e, "SELECT COUNT(*) FROM collects"); got != want {
			t.Fatalf("alice liked_collected_count = %d, want %d", got, want)
		}
	})
}

func TestSocialWritesAreRateLimited(t *testing.T) {
	e := apitest.NewWithConfig(t, dbtest.SQLite(t), app.Config{DataDir: t.TempDir(), Limits: app.LimitConfig{WritePerMin: 1}})
	alice := e.SignUp("alice")
	e.SignUp("bob")
	for range 3 { // the burst
		alice.Do("PUT", "/api/v1/users/bob/follow", nil).Want(200)
	}
	r := alice.Do("PUT", "/api/v1/users/bob/follow", nil).WantError(429, "rate_limited")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Reads are not limited.
	alice.Do("GET", "/api/v1/users/bob/followers", nil).Want(200)
}
