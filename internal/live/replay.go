package live

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Replays: nginx-rtmp records each stream to Dir/rec/live_<id>.flv (it has
// closed the file by the time on_publish_done arrives). ffmpeg remuxes it,
// without re-encoding, into an MP4 with its index up front, which goes into
// the media store like an uploaded video (poster frame, S3 when configured).

// recordingGrace is how long an ended live waits for its recording before
// the replay is given up (a stream ended on another server, or nothing was
// recorded).
const recordingGrace = 10 * time.Minute

// convertTimeout bounds one remux; copying streams runs far faster than
// real time, so this covers lives of many hours.
const convertTimeout = 30 * time.Minute

// ProcessReplays converts the recordings of ended lives waiting for their
// replay; one run at a time per server (PublishDone starts one, and the
// app's local "live-replays" job catches up on any it missed).
func (s *Service) ProcessReplays(ctx context.Context) error {
	if s.cfg.Dir == "" || !s.converting.TryLock() {
		return nil
	}
	defer s.converting.Unlock()
	type pending struct {
		id, host id.ID
		ended    int64
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id, host_id, ended_at FROM lives WHERE replay_status = ? ORDER BY id LIMIT 20", ReplayPending)
	if err != nil {
		return err
	}
	var todo []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.host, &p.ended); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range todo {
		rec := filepath.Join(s.cfg.Dir, "rec", streamName(p.id)+".flv")
		if _, err := os.Stat(rec); err != nil {
			if time.Since(time.UnixMilli(p.ended)) > recordingGrace {
				slog.Warn("live replay: no recording", "live", p.id, "path", rec)
				s.setReplay(ctx, p.id, ReplayFailed, nil)
			}
			continue
		}
		if err := s.convert(ctx, p.id, p.host, rec); err != nil {
			if ctx.Err() != nil {
				return nil // shutting down: the replay stays pending
			}
			slog.Error("live replay failed", "live", p.id, "err", err)
			s.setReplay(ctx, p.id, ReplayFailed, nil)
			continue
		}
		// The stream's files are no longer needed once the replay is stored.
		_ = os.Remove(rec)
		_ = os.RemoveAll(filepath.Join(s.cfg.Dir, "hls", streamName(p.id)))
	}
	return nil
}

func (s *Service) convert(ctx context.Context, lid, host id.ID, rec string) error {
	ffmpeg := s.cfg.FFmpeg
	if ffmpeg == "" {
		var err error
		if ffmpeg, err = exec.LookPath("ffmpeg"); err != nil {
			return fmt.Errorf("ffmpeg is not installed: %w", err)
		}
	}
	tmp, err := os.MkdirTemp("", "redmark-replay-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "replay.mp4")
	cctx, cancel := context.WithTimeout(ctx, convertTimeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, ffmpeg, "-nostdin", "-v", "error", "-y", "-i", "file:"+rec,
		"-c", "copy", "-movflags", "+faststart", "-f", "mp4", "file:"+out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ffmpeg: %v: %s", err, bytes.TrimSpace(msg))
	}
	m, err := s.media.ImportVideo(ctx, host, out)
	if err != nil {
		return err
	}
	s.setReplay(ctx, lid, ReplayReady, &m.ID)
	slog.Info("live replay ready", "live", lid, "media", m.ID, "duration_ms", m.DurationMS)
	return nil
}

func (s *Service) setReplay(ctx context.Context, lid id.ID, status string, mid *id.ID) {
	if _, err := s.db.Writer(ctx).Exec(ctx, "UPDATE lives SET replay_status = ?, replay_media_id = ?, updated_at = ? WHERE id = ?",
		status, mid, db.Now(), lid); err != nil {
		slog.Error("live replay: save status", "live", lid, "err", err)
	}
}
