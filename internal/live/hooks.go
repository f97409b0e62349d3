package live

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// The media server's side. nginx-rtmp calls Redmark back over HTTP:
//
//   - on_publish (ingest application): the stream name is the key. A key
//     of a live that has not ended is accepted by redirecting the stream to
//     the internal "hls" application under the name live_<id>, so the HLS
//     files and the recording never carry the key; anything else is a 4xx
//     and nginx drops the connection.
//   - on_update (ingest, every few seconds): a key revoked or rotated, or a
//     live ended by hand, gets a 4xx and nginx drops the running stream.
//   - on_publish_done (hls application): the stream stopped: the live ends
//     and its recording, closed by then, becomes the replay.

// CheckHookSecret reports whether secret is the configured one (in
// constant time); with no secret configured nothing passes.
func (s *Service) CheckHookSecret(secret string) bool {
	return s.cfg.HookSecret != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.HookSecret)) == 1
}

// Publish accepts a stream key: the live goes on air and the stream's new
// name (live_<id>) is returned. A wrong or revoked key, or the key of a
// live that has ended, is a 403.
func (s *Service) Publish(ctx context.Context, key string) (string, error) {
	var lid id.ID
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var status string
		err := s.db.Writer(ctx).QueryRow(ctx, "SELECT id, status FROM lives WHERE key_hash = ?", hashKey(key)).Scan(&lid, &status)
		if errors.Is(err, sql.ErrNoRows) || key == "" {
			return apperr.Forbidden("unknown stream key")
		}
		if err != nil {
			return err
		}
		if status == Ended {
			return apperr.Forbidden("the live has ended")
		}
		now := db.Now()
		_, err = s.db.Writer(ctx).Exec(ctx, `UPDATE lives SET status = ?, started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END,
			seen_at = ?, updated_at = ? WHERE id = ?`, OnAir, now, s.Now().UnixMilli(), now, lid)
		return err
	})
	if err != nil {
		return "", err
	}
	slog.Info("live on air", "live", lid)
	return streamName(lid), nil
}

// StillValid answers the update callback: the key still belongs to a live
// that has not ended. The callback is also the stream's sign of life: it
// refreshes seen_at, at most every seenEvery, for the sweeper (sweep.go).
func (s *Service) StillValid(ctx context.Context, key string) error {
	now := s.Now().UnixMilli()
	res, err := s.db.Writer(ctx).Exec(ctx, "UPDATE lives SET seen_at = ? WHERE key_hash = ? AND status = ? AND seen_at < ?",
		now, hashKey(key), OnAir, now-seenEvery.Milliseconds())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var status string
	err = s.db.Reader(ctx).QueryRow(ctx, "SELECT status FROM lives WHERE key_hash = ?", hashKey(key)).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) || err == nil && status == Ended {
		return apperr.Forbidden("the stream key is no longer valid")
	}
	return err
}

// PublishDone ends the live whose stream (live_<id>) stopped and starts
// converting its recording in the background.
func (s *Service) PublishDone(ctx context.Context, name string) error {
	lid, ok := parseStreamName(name)
	if !ok {
		return apperr.NotFound("live")
	}
	if _, _, err := s.Room(ctx, lid); err != nil {
		return err
	}
	ended, err := s.markEnded(ctx, lid)
	if err != nil {
		return err
	}
	if ended {
		slog.Info("live ended", "live", lid)
	}
	s.startReplays()
	return nil
}

// startReplays converts waiting recordings in the background, now rather
// than at the next run of the live-replays job.
func (s *Service) startReplays() {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.ProcessReplays(s.bg); err != nil && s.bg.Err() == nil {
			slog.Error("live replays", "err", err)
		}
	}()
}

var hlsFile = regexp.MustCompile(`^(index\.m3u8|[0-9]{1,9}\.ts)$`)

// HLSFile is the path of one file of a live's HLS stream (its playlist
// index.m3u8 or a segment N.ts) while it is on air. Other names, lives
// not on air and a missing configuration are 404s.
func (s *Service) HLSFile(ctx context.Context, lid id.ID, name string) (string, error) {
	if s.cfg.Dir == "" || !hlsFile.MatchString(name) {
		return "", apperr.NotFound("stream")
	}
	_, status, err := s.Room(ctx, lid)
	if err != nil {
		return "", err
	}
	if status != OnAir {
		return "", apperr.NotFound("stream")
	}
	p := filepath.Join(s.cfg.Dir, "hls", streamName(lid), name)
	if _, err := os.Stat(p); err != nil {
		return "", apperr.NotFound("stream")
	}
	return p, nil
}
