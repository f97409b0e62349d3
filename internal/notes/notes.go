// Package notes owns notes (C2): image and video notes, drafts, #topics,
// @mentions, locations, shares and view counts.
package notes

import (
	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/feed"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/notify"
)

// Service manages notes.
type Service struct {
	db       *db.DB
	accounts *accounts.Service
	notify   *notify.Service
	feed     *feed.Service
	media    *media.Service
}

func New(d *db.DB, acc *accounts.Service, n *notify.Service, f *feed.Service, m *media.Service) *Service {
	return &Service{db: d, accounts: acc, notify: n, feed: f, media: m}
}
