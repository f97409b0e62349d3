package httpapi_test

import (
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
)

func TestSignupLoginMe(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := e.SignUp("alice")
		me := alice.Do("GET", "/api/v1/me", nil).Want(200)
		if me.Str("username") != "alice" || me.Str("id") != alice.ID {
			t.Fatalf("me = %s", me.Body)
		}
		// Username is case-insensitive and unique.
		e.Anon().Do("POST", "/api/v1/auth/signup", map[string]any{"username": "ALICE", "password": "password123"}).
			WantError(409, "conflict")
		login := e.Anon().Do("POST", "/api/v1/auth/login", map[string]any{"username": "Alice", "password": "password123"}).Want(200)
		if login.Str("token") == "" || login.Str("token") == alice.Token {
			t.Fatalf("login must issue a new token: %s", login.Body)
		}
		e.Anon().Do("POST", "/api/v1/auth/login", map[string]any{"username": "alice", "password": "wrong-password"}).
			WantError(401, "unauthorized")
		e.Anon().Do("POST", "/api/v1/auth/login", map[string]any{"username": "nobody", "password": "password123"}).
			WantError(401, "unauthorized")
		// Logout revokes exactly that token.
		alice.Do("POST", "/api/v1/auth/logout", nil).Want(204)
		alice.Do("GET", "/api/v1/me", nil).WantError(401, "unauthorized")
		second := &apitest.Client{E: e, Token: login.Str("token")}
		second.Do("GET", "/api/v1/me", nil).Want(200)
	})
}

func TestSignupValidation(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		anon := e.Anon()
		cases := []struct {
			name string
			body string
		}{
			{"short username", `{"username":"ab","password":"password123"}`},
			{"bad characters", `{"username":"a b<script>","password":"password123"}`},
			{"short password", `{"username":"carol","password":"short"}`},
			{"unknown field", `{"username":"carol","password":"password123","role":"operator"}`},
			{"wrong type", `{"username":123,"password":"password123"}`},
			{"trailing data", `{"username":"carol","password":"password123"} {}`},
			{"invalid utf8", "{\"username\":\"carol\",\"password\":\"password123\",\"display_name\":\"\xff\xfe\"}"},
			{"empty", ``},
			{"long display name", `{"username":"carol","password":"password123","display_name":"` + strings.Repeat("名", 41) + `"}`},
		}
		for _, c := range cases {
			r := anon.Do("POST", "/api/v1/auth/signup", c.body)
			if r.Status != 400 {
				t.Errorf("%s: status %d (%s), want 400", c.name, r.Status, r.Body)
			}
		}
		// None of the refused requests created an account.
		anon.Do("GET", "/api/v1/users/carol", nil).WantError(404, "not_found")
	})
}

func TestProfileAndPrivatePersona(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := e.SignUp("alice")
		bob := e.SignUp("bob")
		r := alice.Do("PATCH", "/api/v1/me", map[string]any{
			"display_name": "爱丽丝", "bio": "护肤 & travel", "gender": "female", "birth_year": 1998, "region": "上海",
		}).Want(200)
		if r.Str("display_name") != "爱丽丝" || r.Str("persona.region") != "上海" {
			t.Fatalf("patch: %s", r.Body)
		}
		pub := bob.Do("GET", "/api/v1/users/alice", nil).Want(200)
		if strings.Contains(string(pub.Body), "上海") || strings.Contains(string(pub.Body), "persona") || strings.Contains(string(pub.Body), "1998") {
			t.Fatalf("persona leaked to another user: %s", pub.Body)
		}
		if pub.Str("bio") != "护肤 & travel" {
			t.Fatalf("public profile: %s", pub.Body)
		}
		alice.Do("PATCH", "/api/v1/me", map[string]any{"birth_year": 1800}).WantError(400, "invalid_input")
		alice.Do("PATCH", "/api/v1/me", map[string]any{"gender": "robot"}).WantError(400, "invalid_input")
		e.Anon().Do("PATCH", "/api/v1/me", map[string]any{"bio": "x"}).WantError(401, "unauthorized")
		// A bad token is refused, not treated as anonymous.
		(&apitest.Client{E: e, Token: "rm_forged"}).Do("GET", "/api/v1/users/alice", nil).WantError(401, "unauthorized")
	})
}

func TestUnknownEndpointIsJSON404(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		e.Anon().Do("GET", "/api/v1/nope", nil).WantError(404, "not_found")
	})
}
