package media

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/redmark/redmark/internal/apperr"
)

// ffTimeout bounds each ffprobe/ffmpeg run on an untrusted file.
const ffTimeout = 20 * time.Second

// storeVideo streams the video to a temporary file (up to limit bytes),
// probes it and takes a poster frame when ffmpeg is installed, then stores
// the file as sent. Without ffmpeg the video is still accepted, with no
// poster and unknown dimensions.
func (s *Service) storeVideo(ctx context.Context, t fileType, r io.Reader, limit int64) (stored, error) {
	tmpDir, err := os.MkdirTemp("", "redmark-video-")
	if err != nil {
		return stored{}, err
	}
	defer os.RemoveAll(tmpDir)
	src := filepath.Join(tmpDir, "in"+t.ext)
	f, err := os.Create(src)
	if err != nil {
		return stored{}, err
	}
	n, err := io.Copy(f, io.LimitReader(readerWithContext{ctx, r}, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return stored{}, fmt.Errorf("read upload: %w", err)
	}
	if n > limit {
		return stored{}, apperr.TooLarge("videos may be at most %d MiB", limit>>20)
	}
	base := newKeyBase()
	st := stored{kind: Video, contentType: t.contentType, key: base + t.ext, size: n}
	var objs []object
	if probe, err := exec.LookPath("ffprobe"); err == nil {
		if st.width, st.height, st.durationMS, err = probeVideo(ctx, probe, src); err != nil {
			return stored{}, apperr.Invalid("the video could not be read: it is corrupt or has no video stream")
		}
	}
	if ffmpeg, err := exec.LookPath("ffmpeg"); err == nil {
		poster, err := posterFrame(ctx, ffmpeg, src, tmpDir, st.durationMS)
		if err != nil {
			return stored{}, apperr.Invalid("the video could not be read: no frame could be decoded")
		}
		// Thumbnails of video notes come from the poster, so the masonry grid
		// treats both kinds alike.
		thumb, err := s.thumbOf(ctx, poster)
		if err != nil {
			return stored{}, err
		}
		st.posterKey, st.thumbKey = base+"_p.jpg", base+"_t.jpg"
		objs = append(objs, object{st.posterKey, "image/jpeg", bytes.NewReader(poster)}, object{st.thumbKey, "image/jpeg", thumb})
	}
	vf, err := os.Open(src)
	if err != nil {
		return stored{}, err
	}
	defer vf.Close()
	objs = append(objs, object{st.key, t.contentType, vf})
	return st, s.put(ctx, objs...)
}

// thumbOf makes the grid thumbnail of a poster frame.
func (s *Service) thumbOf(ctx context.Context, poster []byte) (io.Reader, error) {
	_, thumb, err := s.processImage(ctx, "jpeg", poster)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, thumb, &jpeg.Options{Quality: thumbQuality}); err != nil {
		return nil, err
	}
	return &b, nil
}

// probeVideo reads the first video stream's size and the duration.
func probeVideo(ctx context.Context, ffprobe, path string) (w, h int, durMS int64, err error) {
	ctx, cancel := context.WithTimeout(ctx, ffTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, ffprobe, "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=width,height:format=duration", "-of", "json", "file:"+path).Output()
	if err != nil {
		return 0, 0, 0, err
	}
	var p struct {
		Streams []struct {
			Width  int `json:"width"`
			Height int `json:"height"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &p); err != nil {
		return 0, 0, 0, err
	}
	if len(p.Streams) == 0 || p.Streams[0].Width <= 0 || p.Streams[0].Height <= 0 {
		return 0, 0, 0, fmt.Errorf("no video stream")
	}
	if d, err := strconv.ParseFloat(p.Format.Duration, 64); err == nil && d > 0 {
		durMS = int64(d * 1000)
	}
	return p.Streams[0].Width, p.Streams[0].Height, durMS, nil
}

// posterFrame grabs one frame as JPEG, a little way in (first frames are
// often black), at most 1280 px wide.
func posterFrame(ctx context.Context, ffmpeg, path, dir string, durMS int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, ffTimeout)
	defer cancel()
	at := min(time.Second, time.Duration(durMS)*time.Millisecond/3)
	out := filepath.Join(dir, "poster.jpg")
	cmd := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-v", "error", "-y",
		"-ss", strconv.FormatFloat(at.Seconds(), 'f', 3, 64), "-i", "file:"+path,
		"-frames:v", "1", "-vf", "scale='min(1280,iw)':-2", "-q:v", "3", "-f", "image2", "file:"+out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ffmpeg: %v: %s", err, bytes.TrimSpace(msg))
	}
	return os.ReadFile(out)
}
