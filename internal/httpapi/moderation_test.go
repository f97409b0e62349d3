package httpapi_test

import (
	"context"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
)

// TestModerationAPI: two users report a third over HTTP (one case), an
// ordinary user gets 403 on every queue endpoint before validation, the
// moderator resolves the case and the reporter reads the outcome.
func TestModerationAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		mod := e.SignUp("moder")
		uid, _ := id.Parse(mod.ID)
		if err := e.App.Accounts.SetRole(context.Background(), uid, accounts.RoleModerator); err != nil {
			t.Fatal(err)
		}
		alice, bob, eve := e.SignUp("alice"), e.SignUp("bob"), e.SignUp("eve")
		e.Anon().Do("POST", "/api/v1/reports", map[string]any{}).WantError(401, "unauthorized")
		alice.Do("POST", "/api/v1/reports", map[string]any{"target_kind": "user", "target_id": eve.ID, "reason": "bogus"}).WantError(400, "invalid_input")
		cid := alice.Do("POST", "/api/v1/reports", map[string]any{"target_kind": "user", "target_id": eve.ID, "reason": "spam"}).Want(201).Str("case_id")
		if got := bob.Do("POST", "/api/v1/reports", map[string]any{"target_kind": "user", "target_id": eve.ID, "reason": "fraud"}).Want(201).Str("case_id"); got != cid {
			t.Fatalf("second report opened case %s, first %s", got, cid)
		}
		alice.Do("GET", "/api/v1/moderation/cases", nil).WantError(403, "forbidden")
		alice.Do("GET", "/api/v1/moderation/cases/"+cid, nil).WantError(403, "forbidden")
		eve.Do("POST", "/api/v1/moderation/cases/"+cid+"/resolve", map[string]any{"status": "bogus"}).WantError(403, "forbidden")
		if n := mod.Do("GET", "/api/v1/moderation/cases", nil).Want(200).Num("items.0.report_count"); n != 2 {
			t.Fatalf("report_count %v", n)
		}
		mod.Do("POST", "/api/v1/moderation/cases/"+cid+"/resolve", map[string]any{"status": "actioned", "outcome": "账号已警告"}).Want(200)
		mine := alice.Do("GET", "/api/v1/me/reports", nil).Want(200)
		if mine.Str("items.0.status") != "actioned" || mine.Str("items.0.outcome") != "账号已警告" {
			t.Fatalf("reporter sees %v", mine.JSON())
		}
	})
}
