// Package media stores uploaded images and videos behind a Store interface
// (local disk by default, S3-compatible later): images are re-encoded and
// thumbnailed, which strips metadata such as GPS; videos get a poster frame
// where ffmpeg is available.
package media

import "github.com/redmark/redmark/internal/db"

// Service manages media rows and files.
type Service struct {
	db    *db.DB
	store Store
}

func New(d *db.DB, store Store) *Service { return &Service{db: d, store: store} }
