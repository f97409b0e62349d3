package app

import "github.com/redmark/redmark/internal/moderation"

// initModeration builds trust and safety (T1): reports, cases, actions,
// appeals, the audit log and the automatic signals, and puts its guard on
// the write paths (notes, comments, messages, log-in).
func (a *App) initModeration() {
	m := moderation.New(a.DB, a.Notify, moderation.Targets{Accounts: a.Accounts, Notes: a.Notes, Social: a.Social, Shop: a.Shop}, a.Config.Moderation)
	a.Moderation = m
	a.Notes.Guard = m
	a.Social.Guard = m
	a.Messages.MayPost = m.MayPost
	a.Accounts.MayLogIn = m.MayLogIn
}
