// Package messages owns direct messages (C5): one conversation per pair of
// users, allowed once either follows the other and neither blocks the other.
package messages

import "github.com/redmark/redmark/internal/db"

// Service manages conversations and messages.
type Service struct{ db *db.DB }

func New(d *db.DB) *Service { return &Service{db: d} }
