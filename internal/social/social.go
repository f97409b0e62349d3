// Package social owns interactions between people and notes (C3, C4): likes,
// collects into boards, nested comments with likes, follows and blocks. It
// keeps the interaction counters on notes and users in the same
// transaction as the rows they count.
package social

import (
	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/feed"
	"github.com/redmark/redmark/internal/notify"
)

// Service manages interactions.
type Service struct {
	db       *db.DB
	accounts *accounts.Service
	notify   *notify.Service
	feed     *feed.Service
}

func New(d *db.DB, acc *accounts.Service, n *notify.Service, f *feed.Service) *Service {
	return &Service{db: d, accounts: acc, notify: n, feed: f}
}
