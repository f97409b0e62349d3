package db_test

import (
	"context"
	"sync"
	"testing"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
)

// Statements run through the cache behave exactly like unprepared ones,
// inside and outside transactions, from many goroutines at once.
func TestPreparedStatements(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := d.Writer(ctx)
		if _, err := w.Exec(ctx, "CREATE TABLE counters (k TEXT PRIMARY KEY, n BIGINT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Exec(ctx, "INSERT INTO counters (k, n) VALUES (?, 0)", "a"); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 25; i++ {
					err := d.InTx(ctx, func(ctx context.Context) error {
						var n int64
						if err := d.Reader(ctx).QueryRow(ctx, "SELECT n FROM counters WHERE k = ?", "a").Scan(&n); err != nil {
							return err
						}
						_, err := d.Writer(ctx).Exec(ctx, "UPDATE counters SET n = n + 1 WHERE k = ?", "a")
						return err
					})
					if err != nil {
						t.Error(err)
						return
					}
					var n int64
					if err := d.Reader(ctx).QueryRow(ctx, "SELECT n FROM counters WHERE k = ?", "a").Scan(&n); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		var n int64
		if err := d.Reader(ctx).QueryRow(ctx, "SELECT n FROM counters WHERE k = ?", "a").Scan(&n); err != nil || n != 200 {
			t.Fatalf("n = %d, %v; want 200", n, err)
		}
		// A failed transaction leaves nothing behind with cached statements too.
		_ = d.InTx(ctx, func(ctx context.Context) error {
			d.Writer(ctx).Exec(ctx, "UPDATE counters SET n = n + 1 WHERE k = ?", "a")
			return context.Canceled
		})
		if err := d.Reader(ctx).QueryRow(ctx, "SELECT n FROM counters WHERE k = ?", "a").Scan(&n); err != nil || n != 200 {
			t.Fatalf("after rollback n = %d, %v; want 200", n, err)
		}
	})
}
