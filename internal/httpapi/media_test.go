package httpapi_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/media"
)

// mdPNG is a w×h PNG with a gradient.
func mdPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// mdWithGPS inserts an APP1 Exif segment holding a GPS IFD (latitude ref
// "N") and a telltale description right after the JPEG's SOI marker.
func mdWithGPS(jpg []byte) []byte {
	tiff := []byte("II\x2a\x00\x08\x00\x00\x00" + // little-endian TIFF, IFD0 at 8
		"\x02\x00" + // two entries
		"\x0e\x01\x02\x00\x0c\x00\x00\x00\x26\x00\x00\x00" + // ImageDescription, 12 bytes at 38
		"\x25\x88\x04\x00\x01\x00\x00\x00\x32\x00\x00\x00" + // GPS IFD pointer → 50
		"\x00\x00\x00\x00" +
		"GPS-31.2304N\x00" + // description (12 bytes + NUL; 38..50)
		"\x01\x00" + "\x01\x00\x02\x00\x02\x00\x00\x00N\x00\x00\x00" + "\x00\x00\x00\x00")
	seg := append([]byte("Exif\x00\x00"), tiff...)
	n := len(seg) + 2
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1, byte(n >> 8), byte(n)}
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func mdJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(mdPNG(t, w, h)))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// mdGet fetches a URL path without the API client's JSON expectations.
func mdGet(t *testing.T, e *apitest.Env, path string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.URL+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := e.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func TestUploadAndServeImage(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := e.SignUp("alice")
		src := mdWithGPS(mdJPEG(t, 2200, 400))
		if !bytes.Contains(src, []byte("GPS-31.2304N")) {
			t.Fatal("test image lacks its GPS segment")
		}
		up := alice.Upload("/api/v1/media", "IMG_0001.JPG", src).Want(201)
		if up.Str("kind") != "image" || up.Num("width") != 2048 || up.Num("height") != 372 || up.Str("id") == "" {
			t.Fatalf("upload: %s", up.Body)
		}
		url, thumb := up.Str("url"), up.Str("thumbnail_url")
		if !strings.HasPrefix(url, "/media/") || !strings.HasSuffix(url, ".jpg") || !strings.HasPrefix(thumb, "/media/") {
			t.Fatalf("urls: %s", up.Body)
		}
		res, body := mdGet(t, e, url, nil)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" ||
			res.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("serve: %d %v", res.StatusCode, res.Header)
		}
		if bytes.Contains(body, []byte("GPS")) || bytes.Contains(body, []byte("Exif")) {
			t.Fatal("served image still carries EXIF/GPS")
		}
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(body)); err != nil || cfg.Width != 2048 {
			t.Fatalf("served image: %+v %v", cfg, err)
		}
		res, body = mdGet(t, e, thumb, nil)
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(body)); res.StatusCode != 200 || err != nil || cfg.Width != media.ThumbWidth {
			t.Fatalf("thumbnail: %d %+v %v", res.StatusCode, cfg, err)
		}
		// Range requests work (video players rely on them).
		res, body = mdGet(t, e, url, map[string]string{"Range": "bytes=0-9"})
		if res.StatusCode != 206 || len(body) != 10 {
			t.Fatalf("range: %d, %d bytes", res.StatusCode, len(body))
		}
		// PNG is accepted and re-encoded as JPEG.
		p := alice.Upload("/api/v1/media", "a.png", mdPNG(t, 300, 200)).Want(201)
		if p.Num("width") != 300 || !strings.HasSuffix(p.Str("url"), ".jpg") {
			t.Fatalf("png: %s", p.Body)
		}
	})
}

func TestServeMediaRefusals(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := e.SignUp("alice")
		url := alice.Upload("/api/v1/media", "a.png", mdPNG(t, 10, 10)).Want(201).Str("url")
		dir := url[:strings.LastIndex(url, "/")]
		for _, p := range []string{
			"/media/00/doesnotexist.jpg", dir, dir + "/", "/media/", "/media/../secret.key",
			"/media/%2e%2e/secret.key", "/media/..%2fsecret.key", "/media/ab/.tmp-123",
		} {
			res, body := mdGet(t, e, p, nil)
			if res.StatusCode != 404 && res.StatusCode != 301 && res.StatusCode != 307 {
				t.Errorf("GET %s: %d %s", p, res.StatusCode, body)
			}
			if bytes.Contains(body, []byte("test-secret")) || bytes.Contains(body, []byte("href")) {
				t.Errorf("GET %s leaked: %s", p, body)
			}
		}
	})
}

func TestUploadRefusals(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		alice := e.SignUp("alice")
		e.Anon().Upload("/api/v1/media", "a.png", mdPNG(t, 10, 10)).WantError(401, "unauthorized")
		alice.Upload("/api/v1/media", "evil.jpg", []byte("<html><script>alert(1)</script></html>")).WantError(400, "invalid_input")
		alice.Upload("/api/v1/media", "a.png", mdPNG(t, 100, 100)[:200]).WantError(400, "invalid_input")
		alice.Upload("/api/v1/media", "empty.jpg", nil).WantError(400, "invalid_input")
		big := append(mdJPEG(t, 10, 10), make([]byte, media.MaxImageBytes)...)
		alice.Upload("/api/v1/media", "big.jpg", big).WantError(413, "too_large")
		// Not multipart, or no "file" field.
		alice.Do("POST", "/api/v1/media", map[string]any{"file": "x"}).WantError(400, "invalid_input")
		var n int
		if err := e.App.DB.Reader(t.Context()).QueryRow(t.Context(), "SELECT COUNT(*) FROM media").Scan(&n); err != nil || n != 0 {
			t.Fatalf("refused uploads left %d rows (%v)", n, err)
		}
	})
}
