// Package redistest gives tests a real Redis, the way dbtest gives them
// PostgreSQL: on when REDMARK_TEST_REDIS is set (1 for the local server,
// or a redis:// URL) or CI is true. In CI a Redis that cannot be reached
// fails the test instead of skipping it. Each test gets its own key prefix,
// deleted afterwards, so tests never touch each other's keys (or anyone
// else's data in the same Redis).
package redistest

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
)

const defaultURL = "redis://127.0.0.1:6379/0"

// URL is the server the Redis suite uses, or "" when the suite is off.
func URL() string {
	v := os.Getenv("REDMARK_TEST_REDIS")
	switch {
	case v == "" && os.Getenv("CI") == "true":
		return defaultURL
	case v == "" || v == "0":
		return ""
	case v == "1":
		return defaultURL
	}
	return v
}

var seq atomic.Int64

// New returns the Redis URL and a fresh key prefix for this test; the
// prefix's keys are deleted when the test ends. It skips when the suite
// is off and fails when the suite is on but Redis does not answer.
func New(t testing.TB) (url, prefix string) {
	t.Helper()
	url = URL()
	if url == "" {
		t.Skip("Redis suite off: set REDMARK_TEST_REDIS=1")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDMARK_TEST_REDIS: %v", err)
	}
	c := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		t.Fatalf("Redis at %s is not usable (the Redis suite needs it): %v", url, err)
	}
	prefix = fmt.Sprintf("rmtest:%d:%d:%d", os.Getpid(), time.Now().UnixNano()%1e9, seq.Add(1))
	t.Cleanup(func() {
		defer c.Close()
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+":*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
	return url, prefix
}

// EachMode runs fn on SQLite (and PostgreSQL when its suite is on), each in
// embedded mode (url "") and in Redis mode, every run on a fresh database:
// for the services that keep their hot state in Redis when it is configured.
func EachMode(t *testing.T, fn func(t *testing.T, d *db.DB, url, prefix string)) {
	t.Helper()
	type dialect struct {
		name string
		open func(testing.TB) *db.DB
	}
	dialects := []dialect{{"sqlite", dbtest.SQLite}}
	if dbtest.PostgresDSN() != "" {
		dialects = append(dialects, dialect{"postgres", dbtest.Postgres})
	}
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Run("embedded", func(t *testing.T) { fn(t, d.open(t), "", "") })
			t.Run("redis", func(t *testing.T) {
				url, prefix := New(t)
				fn(t, d.open(t), url, prefix)
			})
		})
	}
}
