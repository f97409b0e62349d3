// Package redislog holds what the Redis gates of flash sales and voting
// campaigns share: a Lua script accepts a request and appends it to a
// stream (the log) atomically; the request then commits it to the database
// and deletes the entry. An entry left behind belongs to a request that died
// (or failed) in between, and reconciliation commits it — once it is older
// than Grace, so that it does not race the live request for nothing (both
// would succeed: committing is idempotent).
package redislog

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Grace is how old a log entry must be before reconciliation takes it.
const Grace = 3 * time.Second

// Stale returns up to n entries of stream that are older than Grace at now,
// oldest first (stream ids start with Redis's clock in milliseconds).
func Stale(ctx context.Context, c *redis.Client, stream string, now time.Time, n int64) ([]redis.XMessage, error) {
	until := strconv.FormatInt(now.Add(-Grace).UnixMilli(), 10)
	return c.XRangeN(ctx, stream, "-", until, n).Result()
}
