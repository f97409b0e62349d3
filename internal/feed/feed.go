// Package feed serves the following feed (C4).
package feed

import "github.com/redmark/redmark/internal/db"

// Service maintains and reads following timelines.
type Service struct{ db *db.DB }

func New(d *db.DB) *Service { return &Service{db: d} }
