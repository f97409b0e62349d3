package app

import "github.com/redmark/redmark/internal/festivals"

// initFestivals builds festivals (G5): landing pages tying promotions,
// flash sales, a topic and a vote together, and the mark the app shows
// while one runs.
func (a *App) initFestivals() {
	a.Festivals = festivals.New(a.DB)
}
