package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

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

// A statement first prepared outside a transaction while a transaction
// holds SQLite's only writer connection must not block that transaction
// (it once did: the cache held its lock while waiting for the connection).
func TestPrepareWhileTransactionHoldsWriter(t *testing.T) {
	d := dbtest.SQLite(t)
	ctx := context.Background()
	if _, err := d.Writer(ctx).Exec(ctx, "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	outside := make(chan error, 1)
	go func() {
		done <- d.InTx(ctx, func(ctx context.Context) error {
			go func() { // waits for the writer connection, preparing a new statement
				_, err := d.Writer(context.Background()).Exec(context.Background(), "INSERT INTO kv (k, v) VALUES (?, ?)", "b", "2")
				outside <- err
			}()
			time.Sleep(100 * time.Millisecond)
			_, err := d.Writer(ctx).Exec(ctx, "UPDATE kv SET v = ? WHERE k = ?", "x", "a")
			return err
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("transaction blocked by a statement being prepared outside it")
	}
	if err := <-outside; err != nil {
		t.Fatal(err)
	}
}
