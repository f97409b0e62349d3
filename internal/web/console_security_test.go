package web_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
)

// consoleRoute finds the console routes as this package registers them.
var consoleRoute = regexp.MustCompile(`mux\.Handle\("(GET|POST) (/console[^"]*)"`)

// consoleRoutes reads every /console route from the package's sources, so
// a new console page is covered without anyone listing it here.
func consoleRoutes(t *testing.T) [][2]string {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range consoleRoute.FindAllStringSubmatch(string(b), -1) {
			out = append(out, [2]string{m[1], m[2]})
		}
	}
	return out
}

// TestConsoleRoutesAuthorization: an ordinary user gets 403 on every
// console page and form; a moderator gets 403 everywhere but the
// moderation area, which they reach (except the operators' spot checks
// and filter edits).
func TestConsoleRoutesAuthorization(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		user, mod := signUp(t, e, "plain", "Plain"), signUp(t, e, "mods", "Mods")
		mu, err := e.App.Accounts.GetByUsername(ctx, "mods")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.App.Accounts.SetRole(ctx, mu.ID, accounts.RoleModerator); err != nil {
			t.Fatal(err)
		}
		routes := consoleRoutes(t)
		if len(routes) < 40 {
			t.Fatalf("found only %d console routes", len(routes))
		}
		fill := strings.NewReplacer("{id}", id.New().String(), "{name}", "nosuch", "{slug}", "nosuch", "{view}", "overview")
		var reached int
		for _, r := range routes {
			p := fill.Replace(r[1])
			if strings.Contains(p, "{") {
				t.Fatalf("unfilled path parameter in %s", r[1])
			}
			send := func(b *browser) *page {
				if r[0] == "GET" {
					return b.get(p)
				}
				return b.post(p, nil)
			}
			if st := send(user).Status; st != 403 {
				t.Errorf("user: %s %s answered %d", r[0], r[1], st)
			}
			// Spot checks and filter edits are the operators'.
			opsOnly := strings.Contains(r[1], "quality") || strings.Contains(r[1], "spot-checks") || (r[0] == "POST" && strings.Contains(r[1], "/filters"))
			modArea := strings.HasPrefix(r[1], "/console/moderation") && !opsOnly
			st := send(mod).Status
			switch {
			case modArea && st == 403:
				t.Errorf("moderator: %s %s answered 403", r[0], r[1])
			case modArea:
				reached++
			case st != 403:
				t.Errorf("moderator: %s %s answered %d", r[0], r[1], st)
			}
		}
		if reached < 8 {
			t.Fatalf("moderator reached %d moderation routes", reached)
		}
	})
}
