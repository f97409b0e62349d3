package app

import "github.com/redmark/redmark/internal/moderation"

// initModeration builds trust and safety (T1): reports, cases and the
// moderator's queue.
func (a *App) initModeration() {
	a.Moderation = moderation.New(a.DB, a.Notify)
}
