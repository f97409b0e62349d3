package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
)

// staffOnly classifies an operation of the OpenAPI document by its
// summary: "Moderators: …" is moderation (moderators and operators),
// "Operators: …" and "… (operators)" / "(operators; …)" are operators'
// alone. Mixed summaries ("author or operator") are not staff-only.
func staffOnly(summary string) (moderators, operators bool) {
	switch {
	case strings.HasPrefix(summary, "Moderators:"):
		return true, false
	case strings.HasPrefix(summary, "Operators:"), strings.Contains(summary, "(operators)"), strings.Contains(summary, "(operators;"):
		return false, true
	}
	return false, false
}

// TestStaffEndpointsAuthorization walks every operation of the served
// OpenAPI document: an ordinary user gets 403 on every staff-only one, a
// moderator gets 403 on the operators' ones and reaches every moderation
// one (whatever the answer to an empty body and an unknown id, never
// 403). No operation edits or deletes the audit log.
func TestStaffEndpointsAuthorization(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		user, mod := e.SignUp("plainuser"), e.SignUp("moderat")
		uid, _ := id.Parse(mod.ID)
		if err := e.App.Accounts.SetRole(context.Background(), uid, accounts.RoleModerator); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Paths map[string]map[string]struct {
				Summary string `json:"summary"`
			} `json:"paths"`
		}
		e.Anon().Do("GET", "/api/openapi.json", nil).Want(200).Decode(&doc)
		fill := strings.NewReplacer("{id}", id.New().String(), "{name}", "nosuchtopic", "{sku}", id.New().String(), "{user}", id.New().String(), "{view}", "overview")
		var mods, ops int
		for path, methods := range doc.Paths {
			for method, o := range methods {
				m := strings.ToUpper(method)
				if strings.Contains(path, "/moderation/audit") && m != "GET" {
					t.Errorf("%s %s writes the audit log", m, path)
				}
				isMod, isOp := staffOnly(o.Summary)
				if !isMod && !isOp {
					continue
				}
				p := fill.Replace(path)
				if strings.Contains(p, "{") {
					t.Fatalf("unfilled path parameter in %s", path)
				}
				user.Do(m, p, map[string]any{}).WantError(403, "forbidden")
				res := mod.Do(m, p, map[string]any{})
				if isOp {
					ops++
					res.WantError(403, "forbidden")
				} else if mods++; res.Status == 403 || res.Status == 401 {
					t.Errorf("moderator: %s %s answered %d", m, path, res.Status)
				}
			}
		}
		if mods < 8 || ops < 20 {
			t.Fatalf("walked %d moderation and %d operator operations: the document changed shape?", mods, ops)
		}
	})
}
