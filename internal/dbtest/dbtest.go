// Package dbtest gives tests real databases: a fresh SQLite file always, and
// a fresh PostgreSQL schema when REDMARK_TEST_POSTGRES is set (a DSN) or CI
// is true. In CI a PostgreSQL that cannot be reached fails the test instead
// of skipping it.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/db"
)

const defaultPG = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresDSN is the server the PostgreSQL suite uses, or "" when the suite
// is off. Set REDMARK_TEST_POSTGRES=1 for the default local server.
func PostgresDSN() string {
	v := os.Getenv("REDMARK_TEST_POSTGRES")
	switch {
	case v == "" && os.Getenv("CI") == "true":
		return defaultPG
	case v == "" || v == "0":
		return ""
	case v == "1":
		return defaultPG
	}
	return v
}

// Each runs fn against a fresh, migrated SQLite database and, when the
// PostgreSQL suite is on, against a fresh PostgreSQL schema.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	if PostgresDSN() != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	}
}

// SQLite opens a fresh migrated database in a temporary directory.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	return migrated(t, filepath.Join(t.TempDir(), "test.db"))
}

// migrated opens dsn, migrates it and closes it when the test ends.
func migrated(t testing.TB, dsn string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

var schemaSeq atomic.Int64

// Postgres creates a schema of its own for this test and drops it afterwards.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	return migrated(t, PostgresURL(t))
}

// PostgresURL creates an empty schema of its own for this test, dropped
// afterwards, and returns a DSN that uses it (for a server started as a
// separate process).
func PostgresURL(t testing.TB) string {
	t.Helper()
	dsn := PostgresDSN()
	if dsn == "" {
		t.Skip("PostgreSQL suite off: set REDMARK_TEST_POSTGRES=1")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	schema := fmt.Sprintf("t_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemaSeq.Add(1))
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("PostgreSQL at %s is not usable (the PostgreSQL suite needs it): %v", dsn, err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", dsn)
		if err == nil {
			a.Exec("DROP SCHEMA " + schema + " CASCADE")
			a.Close()
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
