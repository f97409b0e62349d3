package main

import (
	"context"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/server"
)

// webRoutes returns the web app's routes (server-rendered pages).
func webRoutes(a *app.App) []server.Route { return nil }

// loadDemo fills an empty database with the demo community.
func loadDemo(ctx context.Context, a *app.App) error { return nil }
