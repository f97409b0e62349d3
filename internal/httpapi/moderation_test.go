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
		if got := bob.Do("POST", "/api/v1/reports", map[string]any{"target_kind": "user", "target_id": eve.ID, "reason": "undisclosed_ad"}).Want(201).Str("case_id"); got != cid {
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

// TestModerationActionsAPI: over HTTP a moderator hides a reported note
// (the author sees it hidden, others get 404), the author appeals once, an
// ordinary user gets 403 on every moderator endpoint, the acting moderator
// cannot decide, an operator overturns; the audit log has no write
// endpoint; a muted user's comment is 403 "muted".
func TestModerationActionsAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		mod, op := e.SignUp("moder"), e.SignUp("oper")
		for u, role := range map[string]string{mod.ID: accounts.RoleModerator, op.ID: accounts.RoleOperator} {
			uid, _ := id.Parse(u)
			if err := e.App.Accounts.SetRole(ctx, uid, role); err != nil {
				t.Fatal(err)
			}
		}
		author, reader := e.SignUp("author"), e.SignUp("reader")
		nid := notesPost(t, author, "Hidden soon", "")
		cid := reader.Do("POST", "/api/v1/reports", map[string]any{"target_kind": "note", "target_id": nid, "reason": "spam"}).Want(201).Str("case_id")
		for _, c := range []struct{ method, path string }{
			{"POST", "/api/v1/moderation/cases/" + cid + "/actions"},
			{"GET", "/api/v1/moderation/appeals"},
			{"GET", "/api/v1/moderation/audit"},
			{"GET", "/api/v1/moderation/filters"},
			{"POST", "/api/v1/moderation/filters"},
			{"GET", "/api/v1/moderation/spot-checks"},
		} {
			reader.Do(c.method, c.path, map[string]any{"kind": "bogus"}).WantError(403, "forbidden")
		}
		mod.Do("POST", "/api/v1/moderation/filters", map[string]any{"kind": "keyword", "pattern": "x", "action": "hold"}).WantError(403, "forbidden")
		mod.Do("GET", "/api/v1/moderation/spot-checks", nil).WantError(403, "forbidden")
		aid := mod.Do("POST", "/api/v1/moderation/cases/"+cid+"/actions", map[string]any{"kind": "hide", "reason": "spam"}).Want(201).Str("id")
		reader.Do("GET", "/api/v1/notes/"+nid, nil).WantError(404, "not_found")
		if st := author.Do("GET", "/api/v1/notes/"+nid, nil).Want(200).Str("status"); st != "hidden" {
			t.Fatalf("author sees status %q", st)
		}
		reader.Do("POST", "/api/v1/me/moderation/"+aid+"/appeal", map[string]any{"body": "not mine"}).WantError(404, "not_found")
		author.Do("POST", "/api/v1/me/moderation/"+aid+"/appeal", map[string]any{"body": "please"}).Want(201)
		author.Do("POST", "/api/v1/me/moderation/"+aid+"/appeal", map[string]any{"body": "again"}).WantError(409, "conflict")
		pid := op.Do("GET", "/api/v1/moderation/appeals", nil).Want(200).Str("items.0.id")
		mod.Do("POST", "/api/v1/moderation/appeals/"+pid+"/decide", map[string]any{"status": "overturned", "decision": "mine"}).WantError(403, "forbidden")
		op.Do("POST", "/api/v1/moderation/appeals/"+pid+"/decide", map[string]any{"status": "overturned", "decision": "restored"}).Want(200)
		reader.Do("GET", "/api/v1/notes/"+nid, nil).Want(200)
		if n := len(op.Do("GET", "/api/v1/moderation/audit?target_kind=note&target_id="+nid, nil).Want(200).Get("items").([]any)); n < 4 {
			t.Fatalf("audit entries %v", n)
		}
		for _, m := range []string{"PUT", "PATCH", "DELETE", "POST"} {
			if code := op.Do(m, "/api/v1/moderation/audit", map[string]any{}).Status; code != 405 && code != 404 {
				t.Fatalf("%s on the audit log answered %d", m, code)
			}
		}
		ucid := author.Do("POST", "/api/v1/reports", map[string]any{"target_kind": "user", "target_id": reader.ID, "reason": "harassment"}).Want(201).Str("case_id")
		mod.Do("POST", "/api/v1/moderation/cases/"+ucid+"/actions", map[string]any{"kind": "mute", "reason": "cool down", "hours": 2}).Want(201)
		reader.Do("POST", "/api/v1/notes/"+nid+"/comments", map[string]any{"body": "hi"}).WantError(403, "muted")
		if n := len(reader.Do("GET", "/api/v1/me/moderation", nil).Want(200).Get("items").([]any)); n != 1 {
			t.Fatalf("reader's actions %v", n)
		}
	})
}
