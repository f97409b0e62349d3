package web_test

import (
	"context"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/points"
)

// TestPointsPage: balance and history in the viewer's language, only the
// viewer's own; signed out goes to login.
func TestPointsPage(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		b := signUp(t, e, "alice", "Alice")
		b.get("/points").want(200).has(`data-testid="points-empty"`)
		u, _ := e.App.Accounts.GetByUsername(context.Background(), "alice")
		if _, err := e.App.Points.Add(context.Background(), u.ID, 120, points.CheckIn, id.New(), "check-in"); err != nil {
			t.Fatal(err)
		}
		// The ledger's English note stays out of the zh-CN page.
		b.get("/points").want(200).has(`data-testid="points-balance">120<`, "每日签到", "+120").lacks("check-in")
		bob := signUp(t, e, "bob", "Bob")
		bob.get("/points").want(200).has(`data-testid="points-empty"`)
		b.get("/cart").want(200).has(`href="/points"`)
	})
}
