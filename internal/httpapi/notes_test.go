package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
)

// notesUpload uploads n small images as c and returns their ids.
func notesUpload(t *testing.T, c *apitest.Client, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = c.Upload("/api/v1/media", "img.png", mdPNG(t, 40+i, 30)).Want(201).Str("id")
	}
	return ids
}

// notesPost publishes a one-image note and returns its id.
func notesPost(t *testing.T, c *apitest.Client, title, body string) string {
	t.Helper()
	return c.Do("POST", "/api/v1/notes", map[string]any{
		"title": title, "body": body, "media_ids": notesUpload(t, c, 1),
	}).Want(201).Str("id")
}

// notesCount runs a COUNT/SUM query.
func notesCount(t *testing.T, e *apitest.Env, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.App.DB.Reader(context.Background()).QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestNoteCreateGetEditDelete(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		imgs := notesUpload(t, alice, 3)
		n := alice.Do("POST", "/api/v1/notes", map[string]any{
			"title": "春日穿搭 Spring look", "body": "三件单品 #穿搭 #OOTD\nthanks @bob!", "media_ids": imgs,
			"topics": []string{"#Fashion"}, "location": "上海",
		}).Want(201)
		noteID := n.Str("id")
		if n.Str("status") != "published" || n.Str("kind") != "image" || n.Str("author.username") != "alice" ||
			n.Str("media.0.id") != imgs[0] || n.Str("media.2.id") != imgs[2] || n.Str("location") != "上海" {
			t.Fatalf("create: %s", n.Body)
		}
		// Topics: the text's #tags in order and as written, then the explicit ones.
		if fmt.Sprint(n.Get("topics")) != "[穿搭 OOTD Fashion]" || fmt.Sprint(n.Get("mentions")) != "[bob]" {
			t.Fatalf("topics/mentions: %v %v", n.Get("topics"), n.Get("mentions"))
		}
		if strings.Contains(string(n.Body), "persona") || strings.Contains(string(n.Body), "password") {
			t.Fatalf("private fields in note: %s", n.Body)
		}
		got := bob.Do("GET", "/api/v1/notes/"+noteID, nil).Want(200)
		if got.Str("title") != "春日穿搭 Spring look" || got.Str("author.id") != alice.ID {
			t.Fatalf("get: %s", got.Body)
		}
		e.Anon().Do("GET", "/api/v1/notes/"+noteID, nil).Want(200)
		if notesCount(t, e, "SELECT note_count FROM users WHERE id = ?", alice.ID) != 1 {
			t.Fatal("users.note_count not maintained")
		}

		// Edit: reorder images, change text; author only.
		p := alice.Do("PATCH", "/api/v1/notes/"+noteID, map[string]any{
			"title": "Spring look", "media_ids": []string{imgs[2], imgs[0]},
		}).Want(200)
		if p.Str("title") != "Spring look" || p.Str("media.0.id") != imgs[2] || len(p.Get("media").([]any)) != 2 ||
			fmt.Sprint(p.Get("topics")) != "[穿搭 OOTD Fashion]" {
			t.Fatalf("patch: %s", p.Body)
		}
		bob.Do("PATCH", "/api/v1/notes/"+noteID, map[string]any{"title": "hacked"}).WantError(403, "forbidden")
		bob.Do("DELETE", "/api/v1/notes/"+noteID, nil).WantError(403, "forbidden")
		e.Anon().Do("DELETE", "/api/v1/notes/"+noteID, nil).WantError(401, "unauthorized")
		alice.Do("PATCH", "/api/v1/notes/1234567", map[string]any{"title": "x"}).WantError(404, "not_found")
		alice.Do("GET", "/api/v1/notes/abc", nil).WantError(404, "not_found")
		if got := bob.Do("GET", "/api/v1/notes/"+noteID, nil).Want(200); got.Str("title") != "Spring look" {
			t.Fatalf("after refused edits: %s", got.Body)
		}

		alice.Do("DELETE", "/api/v1/notes/"+noteID, nil).Want(204)
		bob.Do("GET", "/api/v1/notes/"+noteID, nil).WantError(404, "not_found")
		alice.Do("DELETE", "/api/v1/notes/"+noteID, nil).WantError(404, "not_found")
		if notesCount(t, e, "SELECT note_count FROM users WHERE id = ?", alice.ID) != 0 ||
			notesCount(t, e, "SELECT COALESCE(SUM(note_count), 0) FROM topics") != 0 ||
			notesCount(t, e, "SELECT COUNT(*) FROM note_topics") != 0 || notesCount(t, e, "SELECT COUNT(*) FROM note_media") != 0 {
			t.Fatal("delete left counters or rows behind")
		}
	})
}

func TestDraftsArePrivate(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		d := alice.Do("POST", "/api/v1/notes", map[string]any{"title": "", "body": "idea #secretplan @bob", "draft": true}).Want(201)
		draftID := d.Str("id")
		if d.Str("status") != "draft" || d.Get("published_at") != nil {
			t.Fatalf("draft: %s", d.Body)
		}
		alice.Do("GET", "/api/v1/notes/"+draftID, nil).Want(200)
		bob.Do("GET", "/api/v1/notes/"+draftID, nil).WantError(404, "not_found")
		e.Anon().Do("GET", "/api/v1/notes/"+draftID, nil).WantError(404, "not_found")
		bob.Do("PATCH", "/api/v1/notes/"+draftID, map[string]any{"title": "x"}).WantError(404, "not_found")
		bob.Do("DELETE", "/api/v1/notes/"+draftID, nil).WantError(404, "not_found")
		bob.Do("POST", "/api/v1/notes/"+draftID+"/share", nil).WantError(404, "not_found")
		for _, path := range []string{"/api/v1/notes?author=alice", "/api/v1/notes/latest"} {
			if l := bob.Do("GET", path, nil).Want(200); len(l.Get("notes").([]any)) != 0 {
				t.Fatalf("%s lists the draft: %s", path, l.Body)
			}
		}
		if l := e.Anon().Do("GET", "/api/v1/topics/secretplan/notes", nil); l.Status != 404 && len(l.Get("notes").([]any)) != 0 {
			t.Fatalf("topic page lists the draft: %s", l.Body)
		}
		if l := bob.Do("GET", "/api/v1/me/drafts", nil).Want(200); len(l.Get("notes").([]any)) != 0 {
			t.Fatalf("bob sees drafts: %s", l.Body)
		}
		if l := alice.Do("GET", "/api/v1/me/drafts", nil).Want(200); l.Str("notes.0.id") != draftID {
			t.Fatalf("alice's drafts: %s", l.Body)
		}
		if notesCount(t, e, "SELECT note_count FROM users WHERE id = ?", alice.ID) != 0 ||
			notesCount(t, e, "SELECT COALESCE(SUM(note_count), 0) FROM topics") != 0 ||
			notesCount(t, e, "SELECT COUNT(*) FROM notifications WHERE kind = 'mention'") != 0 {
			t.Fatal("a draft moved counters or notified")
		}
		// Publishing needs a title and media.
		alice.Do("PATCH", "/api/v1/notes/"+draftID, map[string]any{"publish": true}).WantError(400, "invalid_input")
		p := alice.Do("PATCH", "/api/v1/notes/"+draftID, map[string]any{
			"publish": true, "title": "Plan", "media_ids": notesUpload(t, alice, 1),
		}).Want(200)
		if p.Str("status") != "published" || p.Str("published_at") == "" {
			t.Fatalf("publish: %s", p.Body)
		}
		bob.Do("GET", "/api/v1/notes/"+draftID, nil).Want(200)
		if notesCount(t, e, "SELECT note_count FROM users WHERE id = ?", alice.ID) != 1 ||
			notesCount(t, e, "SELECT note_count FROM topics WHERE name = 'secretplan'") != 1 ||
			notesCount(t, e, "SELECT COUNT(*) FROM notifications WHERE kind = 'mention' AND user_id = ?", bob.ID) != 1 {
			t.Fatal("publishing did not move counters or notify")
		}
		// Back to drafts: hidden again, counters and the mention undone.
		alice.Do("PATCH", "/api/v1/notes/"+draftID, map[string]any{"publish": false}).Want(200)
		bob.Do("GET", "/api/v1/notes/"+draftID, nil).WantError(404, "not_found")
		if notesCount(t, e, "SELECT note_count FROM users WHERE id = ?", alice.ID) != 0 ||
			notesCount(t, e, "SELECT note_count FROM topics WHERE name = 'secretplan'") != 0 ||
			notesCount(t, e, "SELECT COUNT(*) FROM notifications WHERE kind = 'mention'") != 0 {
			t.Fatal("unpublishing did not undo counters")
		}
	})
}

func TestNoteValidation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		imgs := notesUpload(t, alice, 10)
		bobImg := notesUpload(t, bob, 1)[0]
		// A video row inserted directly, so the rule is tested without ffmpeg.
		video := "987654321"
		if _, err := e.App.DB.Writer(context.Background()).Exec(context.Background(), `INSERT INTO media (id, owner_id, kind,
			storage_key, content_type, created_at) VALUES (?, ?, 'video', 'zz/video.mp4', 'video/mp4', 0)`, video, alice.ID); err != nil {
			t.Fatal(err)
		}
		ok := func(extra map[string]any) map[string]any {
			m := map[string]any{"title": "t", "body": "b", "media_ids": imgs[:1]}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}
		cases := []struct {
			name   string
			body   any
			status int
		}{
			{"10 images", ok(map[string]any{"media_ids": imgs}), 400},
			{"no media", ok(map[string]any{"media_ids": []string{}}), 400},
			{"no title", ok(map[string]any{"title": "  "}), 400},
			{"title too long", ok(map[string]any{"title": strings.Repeat("长", 61)}), 400},
			{"title with newline", ok(map[string]any{"title": "a\nb"}), 400},
			{"body too long", ok(map[string]any{"body": strings.Repeat("x", 5001)}), 400},
			{"location too long", ok(map[string]any{"location": strings.Repeat("地", 61)}), 400},
			{"duplicate media", ok(map[string]any{"media_ids": []string{imgs[0], imgs[0]}}), 400},
			{"nonexistent media", ok(map[string]any{"media_ids": []string{"123456789"}}), 400},
			{"someone else's media", ok(map[string]any{"media_ids": []string{imgs[0], bobImg}}), 403},
			{"bad topic", ok(map[string]any{"topics": []string{"a b"}}), 400},
			{"long topic", ok(map[string]any{"topics": []string{strings.Repeat("t", 31)}}), 400},
			{"11 topics", ok(map[string]any{"body": "#a #b #c #d #e #f #g #h #i #j #k"}), 400},
			{"numeric media id", `{"title":"t","media_ids":[1]}`, 400},
			{"unknown field", `{"title":"t","media_ids":[],"author_id":"1"}`, 400},
			{"invalid utf8", "{\"title\":\"\xff\",\"media_ids\":[]}", 400},
			{"image and video", ok(map[string]any{"media_ids": []string{imgs[0], video}}), 400},
			{"video and image", ok(map[string]any{"media_ids": []string{video, imgs[0]}}), 400},
		}
		for _, c := range cases {
			if r := alice.Do("POST", "/api/v1/notes", c.body); r.Status != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.status)
			}
		}
		if n := notesCount(t, e, "SELECT COUNT(*) FROM notes"); n != 0 {
			t.Fatalf("refused requests created %d notes", n)
		}
		// 9 images are fine and keep their order; bob cannot patch in his media.
		n := alice.Do("POST", "/api/v1/notes", ok(map[string]any{"media_ids": imgs[:9]})).Want(201)
		if n.Str("media.8.id") != imgs[8] {
			t.Fatalf("9 images: %s", n.Body)
		}
		if v := alice.Do("POST", "/api/v1/notes", ok(map[string]any{"media_ids": []string{video}})).Want(201); v.Str("kind") != "video" {
			t.Fatalf("video note: %s", v.Body)
		}
		alice.Do("PATCH", "/api/v1/notes/"+n.Str("id"), map[string]any{"media_ids": []string{bobImg}}).WantError(403, "forbidden")
		// XSS-looking text is stored verbatim; escaping is the pages' job.
		x := `<script>alert("x")</script>`
		got := alice.Do("POST", "/api/v1/notes", ok(map[string]any{"title": x, "body": x + " <img src=x onerror=alert(1)>"})).Want(201)
		if got.Str("title") != x || !strings.Contains(string(got.Body), `\u003cscript\u003e`) {
			t.Fatalf("xss title: %s", got.Body)
		}
	})
}

func TestTopicsAndMentions(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob, carol := e.SignUp("alice"), e.SignUp("bob"), e.SignUp("carol")
		id1 := notesPost(t, alice, "护肤 routine #Skincare", "晚间护肤 #护肤心得 with @bob and @carol. mail me: x@bob.com, also @nobody_here #skincare")
		id2 := notesPost(t, bob, "my take", "#SKINCARE for men")
		tp := e.Anon().Do("GET", "/api/v1/topics/skincare/notes", nil).Want(200)
		// The topic is named as it was first written, found however it is cased.
		if tp.Str("topic.name") != "Skincare" || tp.Num("topic.note_count") != 2 || tp.Str("notes.0.id") != id2 ||
			tp.Str("notes.1.id") != id1 || tp.Str("notes.0.author.username") != "bob" {
			t.Fatalf("topic page: %s", tp.Body)
		}
		if l := e.Anon().Do("GET", "/api/v1/topics/skincare/notes?limit=1", nil).Want(200); l.Str("next_cursor") != id2 {
			t.Fatalf("cursor: %s", l.Body)
		} else if l2 := e.Anon().Do("GET", "/api/v1/topics/skincare/notes?limit=1&cursor="+id2, nil).Want(200); l2.Str("notes.0.id") != id1 {
			t.Fatalf("page 2: %s", l2.Body)
		}
		e.Anon().Do("GET", "/api/v1/topics/%E6%8A%A4%E8%82%A4%E5%BF%83%E5%BE%97/notes", nil).Want(200) // 护肤心得
		e.Anon().Do("GET", "/api/v1/topics/nosuchtopic/notes", nil).WantError(404, "not_found")
		n := e.Anon().Do("GET", "/api/v1/notes/"+id1, nil).Want(200)
		if fmt.Sprint(n.Get("mentions")) != "[bob carol]" {
			t.Fatalf("mentions: %v", n.Get("mentions"))
		}
		mentions := func(uid string) int64 {
			return notesCount(t, e, "SELECT COUNT(*) FROM notifications WHERE kind = 'mention' AND user_id = ? AND note_id = ?", uid, id1)
		}
		if mentions(bob.ID) != 1 || mentions(carol.ID) != 1 {
			t.Fatal("mention notifications missing")
		}
		// Editing keeps mentions without notifying again; dropping carol
		// retracts hers; a topic removed from the text leaves the topic.
		alice.Do("PATCH", "/api/v1/notes/"+id1, map[string]any{"body": "thanks @bob! #skincare"}).Want(200)
		if mentions(bob.ID) != 1 || mentions(carol.ID) != 0 {
			t.Fatalf("after edit: bob %d carol %d", mentions(bob.ID), mentions(carol.ID))
		}
		if c := notesCount(t, e, "SELECT note_count FROM topics WHERE name = '护肤心得'"); c != 0 {
			t.Fatalf("removed topic still counts %d", c)
		}
		e.Anon().Do("GET", "/api/v1/notes?author=alice", nil).Want(200)
		alice.Do("PATCH", "/api/v1/notes/"+id1, map[string]any{"body": "thanks @bob and @carol"}).Want(200)
		if mentions(bob.ID) != 1 || mentions(carol.ID) != 1 {
			t.Fatal("new mention on edit not notified exactly once")
		}
		// Explicit topics survive text edits when not replaced.
		alice.Do("PATCH", "/api/v1/notes/"+id1, map[string]any{"topics": []string{"Beauty"}}).Want(200)
		got := alice.Do("PATCH", "/api/v1/notes/"+id1, map[string]any{"body": "new text #night"}).Want(200)
		if fmt.Sprint(got.Get("topics")) != "[Skincare night Beauty]" { // title and body tags, then the explicit one
			t.Fatalf("topics after edits: %v", got.Get("topics"))
		}
		// topics.note_count equals the published notes per topic.
		if n := notesCount(t, e, `SELECT COUNT(*) FROM topics t WHERE t.note_count <> (SELECT COUNT(*) FROM note_topics nt
			JOIN notes n ON n.id = nt.note_id WHERE nt.topic_id = t.id AND n.status = 'published')`); n != 0 {
			t.Fatalf("%d topics with a wrong note_count", n)
		}
	})
}

func TestNoteListsAndCursor(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		var ids []string
		for i := 0; i < 5; i++ {
			ids = append(ids, notesPost(t, alice, fmt.Sprintf("note %d", i), ""))
		}
		notesPost(t, bob, "bob's", "")
		p1 := e.Anon().Do("GET", "/api/v1/notes?author=alice&limit=3", nil).Want(200)
		if p1.Str("notes.0.id") != ids[4] || p1.Str("next_cursor") != ids[2] || len(p1.Get("notes").([]any)) != 3 {
			t.Fatalf("page 1: %s", p1.Body)
		}
		p2 := e.Anon().Do("GET", "/api/v1/notes?author=alice&limit=3&cursor="+ids[2], nil).Want(200)
		if len(p2.Get("notes").([]any)) != 2 || p2.Str("notes.1.id") != ids[0] || p2.Str("next_cursor") != "" {
			t.Fatalf("page 2: %s", p2.Body)
		}
		if l := e.Anon().Do("GET", "/api/v1/notes/latest", nil).Want(200); len(l.Get("notes").([]any)) != 6 || l.Str("notes.0.author.username") != "bob" {
			t.Fatalf("latest: %s", l.Body)
		}
		if thumb := e.Anon().Do("GET", "/api/v1/notes/latest", nil).Str("notes.0.media.0.thumbnail_url"); !strings.HasPrefix(thumb, "/media/") {
			t.Fatalf("thumbnail_url: %q", thumb)
		}
		e.Anon().Do("GET", "/api/v1/notes?author=nobody", nil).WantError(404, "not_found")
		e.Anon().Do("GET", "/api/v1/notes", nil).WantError(400, "invalid_input")
		e.Anon().Do("GET", "/api/v1/notes/latest?limit=0", nil).WantError(400, "invalid_input")
		e.Anon().Do("GET", "/api/v1/notes/latest?cursor=xyz", nil).WantError(400, "invalid_input")
		e.Anon().Do("GET", "/api/v1/me/drafts", nil).WantError(401, "unauthorized")
	})
}

func TestShareCountUnderConcurrency(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := e.SignUp("alice")
		noteID := notesPost(t, alice, "share me", "")
		var wg sync.WaitGroup
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				c := e.Anon()
				if i%2 == 0 {
					c = alice
				}
				r := c.Do("POST", "/api/v1/notes/"+noteID+"/share", map[string]any{"channel": "wechat"})
				if r.Status != 200 {
					t.Errorf("share: %d %s", r.Status, r.Body)
				}
			}(i)
		}
		wg.Wait()
		r := e.Anon().Do("POST", "/api/v1/notes/"+noteID+"/share", nil).Want(200)
		if r.Num("share_count") != 31 || r.Str("share_url") != e.URL+"/n/"+noteID {
			t.Fatalf("share: %s", r.Body)
		}
		if notesCount(t, e, "SELECT share_count FROM notes WHERE id = ?", noteID) != notesCount(t, e, "SELECT COUNT(*) FROM shares WHERE note_id = ?", noteID) {
			t.Fatal("share_count differs from the shares rows")
		}
		e.Anon().Do("POST", "/api/v1/notes/"+noteID+"/share", map[string]any{"channel": "<script>"}).WantError(400, "invalid_input")
		e.Anon().Do("POST", "/api/v1/notes/999999/share", nil).WantError(404, "not_found")
	})
}

func TestViewCounts(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		noteID := notesPost(t, alice, "look", "")
		for i := 0; i < 3; i++ {
			bob.Do("GET", "/api/v1/notes/"+noteID, nil).Want(200)
			e.Anon().Do("GET", "/api/v1/notes/"+noteID, nil).Want(200)
			alice.Do("GET", "/api/v1/notes/"+noteID, nil).Want(200) // the author's own opens do not count
		}
		if err := e.App.Notes.FlushViews(context.Background()); err != nil {
			t.Fatal(err)
		}
		if v := e.Anon().Do("GET", "/api/v1/notes/"+noteID, nil).Num("view_count"); v != 6 {
			t.Fatalf("view_count = %v, want 6", v)
		}
		// Shutdown flushes what is still buffered.
		e.App.Shutdown()
		if v := notesCount(t, e, "SELECT view_count FROM notes WHERE id = ?", noteID); v != 7 {
			t.Fatalf("after shutdown view_count = %d, want 7", v)
		}
	})
}

func TestDeleteUndoesCounters(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob, carol, op := e.SignUp("alice"), e.SignUp("bob"), e.SignUp("carol"), e.SignUp("operator")
		keep := notesPost(t, alice, "keep", "#daily")
		gone := notesPost(t, alice, "gone", "#daily")
		board := carol.Do("POST", "/api/v1/me/boards", map[string]any{"name": "faves"}).Want(201).Str("id")
		for _, n := range []string{keep, gone} {
			bob.Do("PUT", "/api/v1/notes/"+n+"/like", nil).Want(200)
			carol.Do("PUT", "/api/v1/notes/"+n+"/like", nil).Want(200)
			carol.Do("PUT", "/api/v1/notes/"+n+"/collect", map[string]any{"board_id": board}).Want(200)
			bob.Do("POST", "/api/v1/notes/"+n+"/comments", map[string]any{"body": "nice"}).Want(201)
		}
		if c := notesCount(t, e, "SELECT liked_collected_count FROM users WHERE id = ?", alice.ID); c != 6 {
			t.Fatalf("liked_collected_count = %d before delete", c)
		}
		alice.Do("DELETE", "/api/v1/notes/"+gone, nil).Want(204)
		checks := map[string][2]any{
			"liked_collected":   {notesCount(t, e, "SELECT liked_collected_count FROM users WHERE id = ?", alice.ID), int64(3)},
			"note_count":        {notesCount(t, e, "SELECT note_count FROM users WHERE id = ?", alice.ID), int64(1)},
			"topic":             {notesCount(t, e, "SELECT note_count FROM topics WHERE name = 'daily'"), int64(1)},
			"board":             {notesCount(t, e, "SELECT note_count FROM boards WHERE id = ?", board), int64(1)},
			"likes rows":        {notesCount(t, e, "SELECT COUNT(*) FROM likes WHERE note_id = ?", gone), int64(0)},
			"comments rows":     {notesCount(t, e, "SELECT COUNT(*) FROM comments WHERE note_id = ?", gone), int64(0)},
			"notification rows": {notesCount(t, e, "SELECT COUNT(*) FROM notifications WHERE note_id = ?", gone), int64(0)},
		}
		for name, c := range checks {
			if c[0] != c[1] {
				t.Errorf("%s = %v after delete, want %v", name, c[0], c[1])
			}
		}
		// An operator may remove anyone's note; other users may not.
		bob.Do("DELETE", "/api/v1/notes/"+keep, nil).WantError(403, "forbidden")
		if err := e.App.Accounts.SetRole(context.Background(), mustID(t, op.ID), "operator"); err != nil {
			t.Fatal(err)
		}
		op.Do("PATCH", "/api/v1/notes/"+keep, map[string]any{"title": "x"}).WantError(403, "forbidden")
		op.Do("DELETE", "/api/v1/notes/"+keep, nil).Want(204)
		if c := notesCount(t, e, "SELECT liked_collected_count + note_count FROM users WHERE id = ?", alice.ID); c != 0 {
			t.Fatalf("alice's counters = %d after both deletes", c)
		}
	})
}

func TestConcurrentPublishAndDeleteKeepTopicCounts(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		const n = 20
		users := make([]*apitest.Client, n)
		imgs := make([]string, n)
		for i := range users {
			users[i] = e.SignUp(fmt.Sprintf("user%02d", i))
			imgs[i] = notesUpload(t, users[i], 1)[0]
		}
		ids := make([]string, n)
		var wg sync.WaitGroup
		for i := range users {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := users[i].Do("POST", "/api/v1/notes", map[string]any{
					"title": "t", "body": "#hot #新话题", "media_ids": []string{imgs[i]}, "topics": []string{fmt.Sprintf("own%d", i)},
				})
				if r.Status != 201 {
					t.Errorf("create: %d %s", r.Status, r.Body)
					return
				}
				ids[i] = r.Str("id")
			}(i)
		}
		wg.Wait()
		for i := 0; i < n; i += 2 {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				if r := users[i].Do("DELETE", "/api/v1/notes/"+ids[i], nil); r.Status != 204 {
					t.Errorf("delete: %d %s", r.Status, r.Body)
				}
			}(i)
		}
		wg.Wait()
		if c := notesCount(t, e, "SELECT note_count FROM topics WHERE name = 'hot'"); c != n/2 {
			t.Fatalf("hot note_count = %d, want %d", c, n/2)
		}
		if c := notesCount(t, e, `SELECT COUNT(*) FROM topics t WHERE t.note_count <> (SELECT COUNT(*) FROM note_topics nt
			JOIN notes n ON n.id = nt.note_id WHERE nt.topic_id = t.id AND n.status = 'published')`); c != 0 {
			t.Fatalf("%d topics with a wrong note_count", c)
		}
		if c := notesCount(t, e, `SELECT COUNT(*) FROM users u WHERE u.note_count <> (SELECT COUNT(*) FROM notes n
			WHERE n.author_id = u.id AND n.status = 'published')`); c != 0 {
			t.Fatalf("%d users with a wrong note_count", c)
		}
	})
}

func mustID(t *testing.T, s string) id.ID {
	t.Helper()
	v, err := id.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Topics keep their authors' spelling for display and are matched folded;
// a note lists them in its text's order.
func TestTopicSpellingAndOrder(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		n := alice.Do("POST", "/api/v1/notes", map[string]any{"title": "早晨", "body": "打卡 #早C晚A 第七天 #OOTD",
			"topics": []string{"护肤", "ootd"}, "media_ids": notesUpload(t, alice, 1)}).Want(201)
		if fmt.Sprint(n.Get("topics")) != "[早C晚A OOTD 护肤]" {
			t.Fatalf("topics: %v", n.Get("topics"))
		}
		bobs := notesPost(t, bob, "晚上", "#早c晚a 也在坚持")
		for _, q := range []string{"%E6%97%A9C%E6%99%9AA", "%E6%97%A9c%E6%99%9Aa"} { // 早C晚A, 早c晚a
			tp := e.Anon().Do("GET", "/api/v1/topics/"+q+"/notes", nil).Want(200)
			if tp.Str("topic.name") != "早C晚A" || tp.Num("topic.note_count") != 2 {
				t.Fatalf("topic page %s: %s", q, tp.Body)
			}
		}
		if got := e.Anon().Do("GET", "/api/v1/notes/"+bobs, nil).Want(200).Get("topics"); fmt.Sprint(got) != "[早c晚a]" {
			t.Fatalf("bob's spelling: %v", got)
		}
		// Reordering the text reorders the topics; a new spelling is the note's.
		p := alice.Do("PATCH", "/api/v1/notes/"+n.Str("id"), map[string]any{"body": "#ootd 先穿好，再 #早C晚A"}).Want(200)
		if fmt.Sprint(p.Get("topics")) != "[ootd 早C晚A 护肤]" {
			t.Fatalf("topics after the edit: %v", p.Get("topics"))
		}
		// Rows from before the display columns show the topic's spelling.
		bobsID, _ := id.Parse(bobs)
		if _, err := e.App.DB.Writer(context.Background()).Exec(context.Background(),
			"UPDATE note_topics SET display = '', position = 0 WHERE note_id = ?", bobsID); err != nil {
			t.Fatal(err)
		}
		e.App.Notes.Forget(context.Background(), bobsID)
		if got := e.Anon().Do("GET", "/api/v1/notes/"+bobs, nil).Want(200).Get("topics"); fmt.Sprint(got) != "[早C晚A]" {
			t.Fatalf("an old row: %v", got)
		}
		if c := notesCount(t, e, "SELECT COUNT(*) FROM topics WHERE name IN ('早c晚a', 'ootd')"); c != 2 {
			t.Fatalf("%d topic rows for two topics spelled several ways", c)
		}
	})
}
