package httpapi_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notify"
)

// ntNote publishes a one-image note by c and returns its id and cover thumbnail.
func ntNote(t *testing.T, c *apitest.Client, title string) (noteID, thumb string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	m := c.Upload("/api/v1/media", "cover.png", b.Bytes()).Want(201)
	n := c.Do("POST", "/api/v1/notes", map[string]any{"title": title, "body": "正文", "media_ids": []string{m.Str("id")}}).Want(201)
	return n.Str("id"), m.Str("thumbnail_url")
}

type ntList struct {
	Notifications []struct {
		ID    string `json:"id"`
		Kind  string `json:"kind"`
		Actor struct {
			Username string         `json:"username"`
			Persona  map[string]any `json:"persona"`
		} `json:"actor"`
		Note *struct {
			ID           string `json:"id"`
			Title        string `json:"title"`
			ThumbnailURL string `json:"thumbnail_url"`
		} `json:"note"`
		Comment *struct {
			ID   string `json:"id"`
			Body string `json:"body"`
		} `json:"comment"`
		CreatedAt string `json:"created_at"`
		Read      bool   `json:"read"`
	} `json:"notifications"`
	Unread     map[string]int `json:"unread"`
	NextCursor *string        `json:"next_cursor"`
}

func ntGet(t *testing.T, c *apitest.Client, query string) ntList {
	t.Helper()
	var l ntList
	c.Do("GET", "/api/v1/notifications"+query, nil).Want(200).Decode(&l)
	return l
}

func ntKinds(l ntList) string {
	var k []string
	for _, n := range l.Notifications {
		k = append(k, n.Kind+":"+n.Actor.Username)
	}
	return strings.Join(k, ",")
}

func TestNotificationsFromRealActions(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob, carol := e.SignUp("alice"), e.SignUp("bob"), e.SignUp("carol")
		noteID, thumb := ntNote(t, alice, "春日穿搭")
		bob.Do("PUT", "/api/v1/users/alice/follow", nil).Want(200)
		bob.Do("PUT", "/api/v1/notes/"+noteID+"/like", nil).Want(200)
		carol.Do("PUT", "/api/v1/notes/"+noteID+"/like", nil).Want(200)
		cm := carol.Do("POST", "/api/v1/notes/"+noteID+"/comments", map[string]any{"body": "好好看 <b>!</b>"}).Want(201)

		likes := ntGet(t, alice, "?category=likes")
		if ntKinds(likes) != "like:carol,like:bob" {
			t.Fatalf("likes tab = %s", ntKinds(likes))
		}
		n := likes.Notifications[0]
		if n.Note == nil || n.Note.ID != noteID || n.Note.Title != "春日穿搭" || n.Note.ThumbnailURL != thumb || thumb == "" ||
			n.Comment != nil || n.Read || n.CreatedAt == "" || n.Actor.Persona != nil {
			t.Fatalf("like notification = %+v", n)
		}
		if likes.Unread["likes"] != 2 || likes.Unread["follows"] != 1 || likes.Unread["comments"] != 1 {
			t.Fatalf("unread = %v", likes.Unread)
		}
		follows := ntGet(t, alice, "?category=follows")
		if ntKinds(follows) != "follow:bob" || follows.Notifications[0].Note != nil {
			t.Fatalf("follows tab = %+v", follows)
		}
		comments := ntGet(t, alice, "?category=comments")
		if ntKinds(comments) != "comment:carol" || comments.Notifications[0].Comment == nil ||
			comments.Notifications[0].Comment.ID != cm.Str("id") || comments.Notifications[0].Comment.Body != "好好看 <b>!</b>" {
			t.Fatalf("comments tab = %+v", comments)
		}
		// No category: every tab merged, newest first.
		if all := ntGet(t, alice, ""); ntKinds(all) != "comment:carol,like:carol,like:bob,follow:bob" {
			t.Fatalf("all = %s", ntKinds(all))
		}
		// Undoing an action withdraws its notification.
		bob.Do("DELETE", "/api/v1/notes/"+noteID+"/like", nil).Want(200)
		if likes := ntGet(t, alice, "?category=likes"); ntKinds(likes) != "like:carol" {
			t.Fatalf("after unlike = %s", ntKinds(likes))
		}
		// Blocking carol hides her events from alice's list and counts.
		alice.Do("PUT", "/api/v1/users/carol/block", nil).Want(200, 204)
		if all := ntGet(t, alice, ""); ntKinds(all) != "follow:bob" || all.Unread["likes"] != 0 || all.Unread["comments"] != 0 {
			t.Fatalf("after block = %s %v", ntKinds(all), all.Unread)
		}
		// Others see none of alice's notifications.
		if l := ntGet(t, bob, ""); len(l.Notifications) != 0 || l.Unread["likes"] != 0 {
			t.Fatalf("bob sees %+v", l)
		}
	})
}

func TestNotificationsReadAndPaging(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice, bob, carol := e.SignUp("alice"), e.SignUp("bob"), e.SignUp("carol")
		ctx := context.Background()
		aliceID, _ := id.Parse(alice.ID)
		for _, c := range []*apitest.Client{bob, carol} {
			actor, _ := id.Parse(c.ID)
			for _, k := range []string{notify.Follow, notify.Mention, notify.Follow} {
				if err := e.App.Notify.Add(ctx, notify.Notification{UserID: aliceID, ActorID: actor, Kind: k}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Four follows, paged two at a time.
		p1 := ntGet(t, alice, "?category=follows&limit=2")
		if ntKinds(p1) != "follow:carol,follow:carol" || p1.NextCursor == nil || *p1.NextCursor != p1.Notifications[1].ID {
			t.Fatalf("page 1 = %+v", p1)
		}
		p2 := ntGet(t, alice, "?category=follows&limit=2&cursor="+*p1.NextCursor)
		if ntKinds(p2) != "follow:bob,follow:bob" {
			t.Fatalf("page 2 = %s", ntKinds(p2))
		}
		if p3 := ntGet(t, alice, "?category=follows&limit=2&cursor="+*p2.NextCursor); len(p3.Notifications) != 0 || p3.NextCursor != nil {
			t.Fatalf("page 3 = %+v", p3)
		}

		u := alice.Do("GET", "/api/v1/notifications/unread", nil).Want(200)
		if u.Num("follows") != 4 || u.Num("comments") != 2 || u.Num("likes") != 0 || u.Num("messages") != 0 {
			t.Fatalf("unread = %s", u.Body)
		}
		alice.Do("POST", "/api/v1/notifications/read", map[string]any{"category": "follows"}).Want(204)
		u = alice.Do("GET", "/api/v1/notifications/unread", nil).Want(200)
		if u.Num("follows") != 0 || u.Num("comments") != 2 {
			t.Fatalf("unread after reading follows = %s", u.Body)
		}
		if l := ntGet(t, alice, "?category=follows"); !l.Notifications[0].Read {
			t.Fatalf("follows not marked read: %+v", l)
		}
		if l := ntGet(t, alice, "?category=comments"); l.Notifications[0].Read {
			t.Fatalf("comments marked read too: %+v", l)
		}
		// An empty body marks every tab read.
		alice.Do("POST", "/api/v1/notifications/read", nil).Want(204)
		if u := alice.Do("GET", "/api/v1/notifications/unread", nil).Want(200); u.Num("comments") != 0 {
			t.Fatalf("unread after reading all = %s", u.Body)
		}

		alice.Do("GET", "/api/v1/notifications?category=secrets", nil).WantError(400, "invalid_input")
		alice.Do("GET", "/api/v1/notifications?limit=1000", nil).WantError(400, "invalid_input")
		alice.Do("GET", "/api/v1/notifications?cursor=x", nil).WantError(400, "invalid_input")
		alice.Do("POST", "/api/v1/notifications/read", map[string]any{"category": "secrets"}).WantError(400, "invalid_input")
		alice.Do("POST", "/api/v1/notifications/read", `{"category":"likes","user_id":"1"}`).WantError(400, "invalid_input")
		for _, p := range []string{"/api/v1/notifications", "/api/v1/notifications/unread"} {
			e.Anon().Do("GET", p, nil).WantError(401, "unauthorized")
		}
		e.Anon().Do("POST", "/api/v1/notifications/read", nil).WantError(401, "unauthorized")
	})
}
