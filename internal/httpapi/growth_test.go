package httpapi_test

import (
	"sync"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/points"
)

// TestGrowthOverHTTP: sign-up through an invite link, 100 concurrent
// check-ins paying once, publishing levels up and rewards the inviter,
// tips spend only the caller's own points, and the acquisition report is
// for operators only.
func TestGrowthOverHTTP(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := e.SignUp("alice")
		code := alice.Do("GET", "/api/v1/me/invites", nil).Want(200).Str("code")
		r := e.Anon().Do("POST", "/api/v1/auth/signup", map[string]any{"username": "bob", "password": "password123",
			"source": map[string]any{"invite": code, "channel": "campus"}}).Want(201)
		bob := &apitest.Client{E: e, Token: r.Str("token"), ID: r.Str("user.id"), Username: "bob"}

		var wg sync.WaitGroup
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				bob.Do("POST", "/api/v1/me/checkin", nil).Want(200)
			}()
		}
		wg.Wait()
		if n := count(e, "SELECT COUNT(*) FROM point_ledger WHERE user_id = ? AND kind = ?", mustID(t, bob.ID), points.CheckIn); n != 1 {
			t.Fatalf("%d check-in entries after 100 requests", n)
		}
		g := bob.Do("GET", "/api/v1/me/growth", nil).Want(200)
		wantNum(t, g, "checkins.streak", 1)
		wantNum(t, g, "status.level.level", 1)

		note := notesPost(t, bob, "first note", "hello")
		alice.Do("POST", "/api/v1/notes/"+note+"/share", nil).Want(200)
		aliceNote := notesPost(t, alice, "alice note", "hi")
		bob.Do("PUT", "/api/v1/notes/"+aliceNote+"/collect", map[string]any{}).Want(200)
		bob.Do("POST", "/api/v1/notes/"+aliceNote+"/comments", map[string]any{"body": "nice"}).Want(201)
		g = bob.Do("GET", "/api/v1/me/growth", nil).Want(200)
		wantNum(t, g, "status.level.level", 2)
		ns := bob.Do("GET", "/api/v1/notifications?category=system", nil).Want(200)
		if ns.Get("notifications.0.kind") != "level_up" || ns.Num("notifications.0.ref") != 2 || ns.Num("unread.system") != 1 {
			t.Errorf("level-up notification: %s", ns.Body)
		}
		if n := count(e, "SELECT COUNT(*) FROM point_ledger WHERE user_id = ? AND kind = ?", mustID(t, alice.ID), points.InviteReward); n != 1 {
			t.Errorf("inviter rewards: %d", n)
		}
		if inv := alice.Do("GET", "/api/v1/me/invites", nil).Want(200); inv.Get("invitees.0.active") != true {
			t.Errorf("invitee not active: %v", inv.JSON())
		}

		// Tips: bob holds check-in + level reward points; alice holds the invite reward.
		bal := bob.Do("GET", "/api/v1/me/points", nil).Want(200).Num("balance")
		bob.Do("POST", "/api/v1/notes/"+note+"/tips", map[string]any{"points": 1}).WantError(403, "forbidden")
		bob.Do("POST", "/api/v1/notes/"+aliceNote+"/tips", map[string]any{"points": int(bal) + 1}).WantError(409, "conflict")
		for range 3 {
			bob.Do("POST", "/api/v1/notes/"+aliceNote+"/tips", map[string]any{"points": 5, "key": "once"}).Want(201)
		}
		wantNum(t, bob.Do("GET", "/api/v1/me/points", nil).Want(200), "balance", bal-5)
		wantNum(t, alice.Do("GET", "/api/v1/me/tips", nil).Want(200), "notes.0.points", 5)
		e.Anon().Do("POST", "/api/v1/notes/"+aliceNote+"/tips", map[string]any{"points": 5}).Want(401)

		alice.Do("GET", "/api/v1/growth/signups", nil).WantError(403, "forbidden")
		op := withRole(t, e, "ops", "operator")
		var rep struct {
			Rows []struct {
				Key             string
				Signups, Active int
			}
		}
		op.Do("GET", "/api/v1/growth/signups?by=channel", nil).Want(200).Decode(&rep)
		found := false
		for _, row := range rep.Rows {
			if row.Key == "campus" {
				found = row.Signups == 1 && row.Active == 1
			}
		}
		if !found {
			t.Errorf("campus row missing or wrong: %+v", rep)
		}
		op.Do("GET", "/api/v1/growth/signups?by=inviter", nil).Want(200)
		op.Do("GET", "/api/v1/growth/signups?by=x", nil).WantError(400, "invalid_input")
		bob.Do("PATCH", "/api/v1/me/growth", map[string]any{"time_zone": "Europe/Paris"}).Want(204)
		bob.Do("PATCH", "/api/v1/me/growth", map[string]any{"time_zone": "Mars/Base"}).WantError(400, "invalid_input")
		e.Anon().Do("GET", "/api/v1/growth/levels", nil).Want(200)
	})
}
