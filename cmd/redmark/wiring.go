package main

import (
	"context"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/seed"
	"github.com/redmark/redmark/internal/server"
	"github.com/redmark/redmark/internal/web"
)

// webRoutes returns the web app's routes (server-rendered pages).
func webRoutes(a *app.App) []server.Route { return []server.Route{web.Routes(a)} }

// loadDemo fills an empty database with the demo community.
func loadDemo(ctx context.Context, a *app.App) error { return seed.Demo(ctx, a) }
