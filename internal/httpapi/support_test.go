package httpapi_test

import (
	"testing"
	"time"

	"github.com/redmark/redmark/internal/apitest"
)

// TestSupportAPI: programs are for operators (403 for others before any
// validation); a creator sees the programs they are in.
func TestSupportAPI(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		op := withRole(t, e, "supportop", "operator")
		alice, bob := e.SignUp("alice"), e.SignUp("bob")
		in := map[string]any{"name": "新人扶持", "boost_pct": 150, "holdout_pct": 10, "note_days": 7,
			"starts_at": time.Now().Add(-time.Minute), "ends_at": time.Now().Add(time.Hour)}
		bob.Do("POST", "/api/v1/support/programs", map[string]any{}).WantError(403, "forbidden")
		op.Do("POST", "/api/v1/support/programs", map[string]any{"name": "x"}).WantError(400, "invalid_input")
		pid := op.Do("POST", "/api/v1/support/programs", in).Want(201).Str("id")
		base := "/api/v1/support/programs/" + pid
		bob.Do("GET", "/api/v1/support/programs", nil).WantError(403, "forbidden")
		bob.Do("GET", base, nil).WantError(403, "forbidden")
		bob.Do("POST", base+"/members", map[string]any{"username": "bob"}).WantError(403, "forbidden")
		op.Do("POST", base+"/members", map[string]any{"username": "alice"}).Want(204)
		bob.Do("DELETE", base+"/members/"+alice.ID, nil).WantError(403, "forbidden")
		if got := op.Do("GET", base, nil).Want(200); got.Str("members.0.username") != "alice" || got.Num("program.members") != 1 {
			t.Fatalf("program %s", got.Body)
		}
		if alice.Do("GET", "/api/v1/me/support", nil).Want(200).Str("items.0.program.id") != pid {
			t.Fatal("alice's programs")
		}
		if n := len(bob.Do("GET", "/api/v1/me/support", nil).Want(200).Get("items").([]any)); n != 0 {
			t.Fatalf("bob is in %d programs", n)
		}
		op.Do("DELETE", base+"/members/"+alice.ID, nil).Want(204)
		if op.Do("GET", "/api/v1/support/programs", nil).Want(200).Num("items.0.members") != 0 {
			t.Fatal("removal")
		}
	})
}
