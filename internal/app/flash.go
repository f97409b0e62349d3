package app

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/flashsale"
	"github.com/redmark/redmark/internal/peers"
)

// initFlash builds the flash-sale service (E6). With Config.RedisURL its
// purchase gate runs in Redis, and so do the voting campaigns' allowances
// and live tallies; the database stays the source of truth.
func (a *App) initFlash() error {
	a.Flash = flashsale.New(a.DB, a.Shop, a.Orders, a.Config.Commerce.Flash)
	if a.Config.RedisURL == "" {
		return nil
	}
	opt, err := redis.ParseURL(a.Config.RedisURL)
	if err != nil {
		return fmt.Errorf("redis url: %w", err)
	}
	c := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return fmt.Errorf("connect redis %s: %w", opt.Addr, err)
	}
	a.redis = c
	a.Flash.UseRedis(c)
	a.Campaigns.UseRedis(c, a.redisPrefix()+":cv")
	return nil
}

// shareWithPeers, when Redis is configured, links the caches to the other
// servers through Redis pub/sub and moves the rate limits into Redis, so
// every server sees one budget per client (docs/cluster.md); node names
// this server.
func (a *App) shareWithPeers(node string) error {
	if a.redis == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	prefix := a.redisPrefix()
	for name, l := range a.Limits.byName() {
		l.Share(a.redis, prefix+":rl:"+name)
	}
	p, err := peers.New(ctx, a.redis, prefix+":invalidate", node)
	if err != nil {
		return fmt.Errorf("subscribe to cache invalidations: %w", err)
	}
	a.peers = p
	a.Notes.ShareCache(p)
	a.Accounts.ShareCaches(p)
	return nil
}

// redisPrefix namespaces this community's Redis keys and channels.
func (a *App) redisPrefix() string {
	if a.Config.RedisPrefix == "" {
		return "rm"
	}
	return a.Config.RedisPrefix
}

func (a *App) closeFlash() {
	if a.peers != nil {
		a.peers.Close()
	}
	if a.redis != nil {
		a.redis.Close()
	}
}
