package trends

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
)

// BenchmarkTrendsRefresh measures a refresh over 8 days of 40,000 notes
// with two topics each: "steady" is the whole 30-second job on a warm
// service (hot list and trending topics), "trending" its trending part
// alone, "cold" a first refresh that reads the whole window.
func BenchmarkTrendsRefresh(b *testing.B) {
	ctx := context.Background()
	d := dbtest.SQLite(b)
	now := time.Now().UTC()
	const notesN, usersN, topicsN = 40000, 5000, 400
	r := rand.New(rand.NewPCG(1, 2))
	err := d.InTx(ctx, func(ctx context.Context) error {
		w := d.Writer(ctx)
		for i := range usersN {
			if _, err := w.Exec(ctx, `INSERT INTO users (id, username, display_name, password_hash, role, created_at, updated_at)
				VALUES (?, ?, ?, '', 'user', ?, ?)`, i+1, fmt.Sprintf("u%d", i), "u", db.Now(), db.Now()); err != nil {
				return err
			}
		}
		for i := range topicsN {
			if _, err := w.Exec(ctx, "INSERT INTO topics (id, name, created_at) VALUES (?, ?, ?)", i+1, fmt.Sprintf("t%d", i), db.Now()); err != nil {
				return err
			}
		}
		for i := range notesN {
			pub := now.Add(-time.Duration(r.Int64N(int64(8 * 24 * time.Hour)))).UnixMilli()
			n := id.At(time.UnixMilli(pub)) | id.ID(i)
			if _, err := w.Exec(ctx, `INSERT INTO notes (id, author_id, status, kind, title, like_count, created_at, updated_at, published_at)
				VALUES (?, ?, 'published', 'image', 'n', ?, ?, ?, ?)`, n, 1+r.IntN(usersN), r.IntN(50), pub, pub, pub); err != nil {
				return err
			}
			for _, t := range []int{1 + r.IntN(topicsN), 1 + r.IntN(topicsN)} {
				if _, err := w.Exec(ctx, "INSERT INTO note_topics (note_id, topic_id) VALUES (?, ?) ON CONFLICT DO NOTHING", n, t); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("steady", func(b *testing.B) {
		s := New(d)
		at := now
		if err := s.Refresh(ctx, at); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			at = at.Add(RefreshInterval / 2)
			if err := s.Refresh(ctx, at); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("trending", func(b *testing.B) {
		s := New(d)
		at := now
		if err := s.Refresh(ctx, at); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			at = at.Add(RefreshInterval / 2)
			if _, err := s.computeTrending(ctx, at); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			if err := New(d).Refresh(ctx, now); err != nil {
				b.Fatal(err)
			}
		}
	})
}
