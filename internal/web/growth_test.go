package web_test

import (
	"net/url"
	"regexp"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/points"
)

// TestInviteSignupCheckInLevelUp: a visitor lands on an invite link, signs
// up, checks in on the task centre, publishes and comments, levels up, and
// the inviter's reward appears on their task centre.
func TestInviteSignupCheckInLevelUp(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := signUp(t, e, "alice", "Alice")
		p := alice.get("/tasks").want(200).has(`data-testid="level-badge">Lv1`, `data-testid="points-balance">0 `)
		m := regexp.MustCompile(`/signup\?invite=([0-9A-Z]{8})`).FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("no invite link:\n%s", p.Body)
		}
		aliceNote := publish(t, alice, "Alice's note", "hello", nil)

		bob := newBrowser(t, e)
		bob.get("/?invite=" + m[1] + "&utm_source=campus").want(200) // first visit sets the cookie
		bob.get("/signup").want(200)
		bob.post("/signup", url.Values{"username": {"bob"}, "password": {"password123"}}).redirectsTo("/onboarding")
		bob.get("/tasks").want(200).has(`data-testid="checkin-button"`)
		bob.post("/tasks/checkin", url.Values{}).redirectsTo("/tasks?done=checkin")
		bob.post("/tasks/checkin", url.Values{}).redirectsTo("/tasks?done=checkin")
		bob.get("/tasks?done=checkin").want(200).has(`data-testid="checkin-done"`, `data-testid="checked-day"`).lacks(`data-testid="checkin-button"`)

		publish(t, bob, "Bob's first", "hi", nil)
		bob.post(aliceNote+"/comments", url.Values{"body": {"nice"}, "back": {aliceNote}})
		bob.post(aliceNote+"/collect", url.Values{"action": {"collect"}, "back": {aliceNote}})
		bob.get("/tasks").want(200).has(`data-testid="level-badge">Lv2`, `data-testid="levelups"`)
		alice.get("/tasks").want(200).has(`data-testid="invited">已有 1 人`)
		bob.get("/u/bob").want(200).has(`data-testid="profile-level">Lv2`)
		// Comment badges: bob (Lv2) on alice's note, alice (Lv1) replying.
		alice.post(aliceNote+"/comments", url.Values{"body": {"thanks"}, "back": {aliceNote}})
		p = alice.get(aliceNote).want(200)
		if got := regexp.MustCompile(`data-testid="comment-level">Lv(\d+)`).FindAllStringSubmatch(p.Body, -1); len(got) != 2 || got[0][1] != "1" || got[1][1] != "2" {
			t.Errorf("comment level badges: %v", got)
		}
		// The level-up is a system notification (the user is their own actor),
		// in both languages, and only the user's own.
		bob.get("/notifications?tab=system").want(200).has(`data-testid="notification-system">恭喜升级到 Lv.2`)
		alice.get("/notifications?tab=system").want(200).lacks(`data-testid="notification-system"`)
		bob.lang = "en"
		bob.get("/notifications?tab=system").want(200).has(`data-testid="notification-system">You reached level 2`)
		bob.lang = ""

		// Bob tips Alice's note; a double-submitted form is one tip.
		p = bob.get(aliceNote).want(200).has(`data-testid="tip-form"`)
		key := regexp.MustCompile(`name="key" value="(\d+)"`).FindStringSubmatch(p.Body)
		if key == nil {
			t.Fatal("no tip key on the note page")
		}
		for range 2 {
			bob.post(aliceNote+"/tip", url.Values{"points": {"5"}, "key": {key[1]}}).redirectsTo(aliceNote + "?tipped=1")
		}
		bob.post(aliceNote+"/tip", url.Values{"points": {"99999"}, "key": {"other"}}).want(400)
		alice.get(aliceNote).want(200).has(`data-testid="tip-total">收到 1 次打赏，共 5 积分`).lacks(`data-testid="tip-form"`)
		if n := count(t, e, "SELECT COUNT(*) FROM point_ledger WHERE kind = ?", points.InviteReward); n != 1 {
			t.Errorf("%d invite rewards", n)
		}
		if n := count(t, e, "SELECT COUNT(*) FROM point_ledger WHERE kind = ?", points.CheckIn); n != 1 {
			t.Errorf("%d check-ins", n)
		}
	})
}

func count(t *testing.T, e *apitest.Env, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.App.DB.Reader(t.Context()).QueryRow(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestConsoleGrowthIsForOperators: settings and reports answer 403 to
// others; an operator's edits take effect.
func TestConsoleGrowthIsForOperators(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		user := signUp(t, e, "someone", "Someone")
		user.get("/console/growth").want(403)
		user.post("/console/growth/rules", url.Values{"rule": {"checkin"}, "points": {"999"}, "daily_cap": {"1"}}).want(403)
		op := signUp(t, e, "boss", "Boss")
		boss, err := e.App.Accounts.GetByUsername(t.Context(), "boss")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.App.Accounts.SetRole(t.Context(), boss.ID, "operator"); err != nil {
			t.Fatal(err)
		}
		op.get("/console/growth").want(200).has(`data-testid="console-levels"`, `data-testid="console-rules"`, `data-testid="channel-row"`)
		op.post("/console/growth/rules", url.Values{"rule": {"checkin"}, "points": {"7"}, "daily_cap": {"1"}}).redirectsTo("/console/growth")
		op.post("/console/growth/levels", url.Values{"level": {"2"}, "name_zh": {"新人"}, "name_en": {"Rookie"},
			"publish": {"1"}, "liked": {"0"}, "collect": {"0"}, "comment": {"0"}, "share": {"0"}}).redirectsTo("/console/growth")
		op.post("/console/growth/levels", url.Values{"level": {"3"}, "name_zh": {"x"}, "name_en": {"x"},
			"publish": {"0"}, "liked": {"0"}, "collect": {"0"}, "comment": {"0"}, "share": {"0"}}).want(400)
		user.post("/tasks/checkin", url.Values{}).redirectsTo("/tasks")
		user.get("/tasks").want(200).has(`data-testid="points-balance">7 `)
		op.get("/console/growth").want(200).has("Rookie")
	})
}
