package app

import (
	"context"
	"fmt"
	"time"

	"github.com/redmark/redmark/internal/jobs"
	"github.com/redmark/redmark/internal/livechat"
	"github.com/redmark/redmark/internal/ratelimit"
)

// LiveChat is the chat of live rooms (issue 11, part B) with its own
// per-user rate limits: messages at chat speed, heart batches about one a
// second, heartbeats every 30 s (and on pause or resume).
type LiveChat struct {
	*livechat.Service
	SendLimit, HeartLimit, BeatLimit *ratelimit.Limiter
}

// initLiveChat builds live chat over rooms; watch minutes pay through the
// growth rule live_watch. Rate limits are off when the others are (tests,
// --no-rate-limits). With Redis, chat fans out to the other servers and
// the limits are shared.
func (a *App) initLiveChat(rooms livechat.Rooms) error {
	on := a.Config.Limits != (LimitConfig{})
	limit := func(perMin float64, burst int) *ratelimit.Limiter {
		if !on {
			perMin = 0
		}
		return ratelimit.New(perMin, burst)
	}
	// Per minute, with bursts: messages, heart batches, heartbeats.
	lc := &LiveChat{Service: livechat.New(a.DB, rooms, a.Growth),
		SendLimit: limit(20, 5), HeartLimit: limit(90, 15), BeatLimit: limit(12, 6)}
	a.LiveChat = lc
	if a.redis == nil {
		return nil
	}
	prefix := a.Config.RedisPrefix
	if prefix == "" {
		prefix = "rm"
	}
	for name, l := range map[string]*ratelimit.Limiter{"chat": lc.SendLimit, "hearts": lc.HeartLimit, "watch": lc.BeatLimit} {
		l.Share(a.redis, prefix+":rl:"+name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := lc.UseRedis(ctx, a.redis, prefix+":livechat", a.node); err != nil {
		return fmt.Errorf("subscribe to live chat: %w", err)
	}
	return nil
}

// StartLiveChat runs chat's tick on this server: hearts written and
// announced, viewer counts shared and announced, every second.
func (a *App) StartLiveChat() {
	a.Jobs.Every("livechat.tick", time.Second, jobs.Local, a.LiveChat.Tick)
}
