package web_test

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
)

// tinyMP4 makes a half-second clip with ffmpeg; the media service needs a
// real video to accept it.
func tinyMP4(t *testing.T) []byte {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed")
	}
	p := filepath.Join(t.TempDir(), "clip.mp4")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:s=64x48:d=0.5",
		"-pix_fmt", "yuv420p", "-y", p).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVideoNote(t *testing.T) {
	mp4 := tinyMP4(t)
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := signUp(t, e, "alice", "Alice")
		res := alice.multipart("/publish", url.Values{"title": {"视频笔记"}, "body": {"看视频"}, "action": {"publish"}},
			file{"media", "clip.mp4", mp4})
		res.redirectsTo("/n/")
		p := newBrowser(t, e).get(res.Location).want(200)
		p.has(`<video controls playsinline`, `poster="/media/`, `src="/media/`, `data-testid="note-video"`)
		newBrowser(t, e).get("/").want(200).has(`class="play"`)
	})
}
