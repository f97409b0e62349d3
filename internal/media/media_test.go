package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// ExifJPEG returns a JPEG of w×h carrying an APP1 Exif segment with the
// given orientation, a GPS IFD and a description containing marker, as a
// phone camera would write.
func exifJPEG(t testing.TB, w, h, orientation int, marker string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{200, 30, 30, 255}
			if x < w/2 && y < h/2 { // a blue top-left quadrant shows rotations
				c = color.RGBA{30, 30, 200, 255}
			}
			img.Set(x, y, c)
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	// TIFF, big-endian: IFD0 at 8 with Orientation, ImageDescription and a
	// GPS IFD pointer; the GPS IFD holds GPSLatitudeRef "N".
	be := binary.BigEndian
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08")
	desc := []byte(marker + "\x00")
	ifd0Len := 2 + 3*12 + 4
	descOff := 8 + ifd0Len
	gpsOff := descOff + len(desc)
	entry := func(tag, typ uint16, count, val uint32) []byte {
		e := make([]byte, 12)
		be.PutUint16(e, tag)
		be.PutUint16(e[2:], typ)
		be.PutUint32(e[4:], count)
		be.PutUint32(e[8:], val)
		return e
	}
	tiff = be.AppendUint16(tiff, 3)
	tiff = append(tiff, entry(0x010E, 2, uint32(len(desc)), uint32(descOff))...)
	tiff = append(tiff, entry(0x0112, 3, 1, uint32(orientation)<<16)...)
	tiff = append(tiff, entry(0x8825, 4, 1, uint32(gpsOff))...)
	tiff = append(tiff, 0, 0, 0, 0)
	tiff = append(tiff, desc...)
	tiff = be.AppendUint16(tiff, 1)
	tiff = append(tiff, entry(0x0001, 2, 2, uint32('N')<<24)...)
	tiff = append(tiff, 0, 0, 0, 0)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1}
	out = be.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, enc.Bytes()[2:]...)
}

func TestExifOrientation(t *testing.T) {
	for o := 1; o <= 8; o++ {
		if got := exifOrientation(exifJPEG(t, 8, 4, o, "x")); got != o {
			t.Errorf("orientation %d read as %d", o, got)
		}
	}
	if got := exifOrientation([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 'E'}); got != 1 {
		t.Errorf("truncated segment: %d", got)
	}
}

func TestOrient(t *testing.T) {
	// 3×2 image with a marked pixel at (0,0); after each orientation the
	// marked pixel must land where EXIF says the top-left corner goes.
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	src.Set(0, 0, color.RGBA{255, 0, 0, 255})
	want := map[int]image.Point{1: {0, 0}, 2: {2, 0}, 3: {2, 1}, 4: {0, 1}, 5: {0, 0}, 6: {1, 0}, 7: {1, 2}, 8: {0, 2}}
	for o, p := range want {
		d := orient(src, o)
		if o >= 5 && (d.Bounds().Dx() != 2 || d.Bounds().Dy() != 3) {
			t.Errorf("orientation %d: size %v", o, d.Bounds())
		}
		if r, _, _, _ := d.At(p.X, p.Y).RGBA(); r != 0xffff {
			t.Errorf("orientation %d: marked pixel not at %v", o, p)
		}
	}
}

func TestSniff(t *testing.T) {
	cases := map[string]string{
		"\xff\xd8\xff\xe0":                       "image",
		"\x89PNG\r\n\x1a\n":                      "image",
		"GIF89a":                                 "image",
		"RIFF\x00\x00\x00\x00WEBPVP8 ":           "image",
		"\x00\x00\x00\x18ftypmp42":               "video",
		"\x00\x00\x00\x14ftypqt  ":               "video",
		"\x1a\x45\xdf\xa3\x42\x82\x84webm":       "video",
		"<html><script>alert(1)</script></html>": "",
		"\x00\x00\x00\x18ftypheic":               "",
		"\x1a\x45\xdf\xa3\x42\x82\x88matroska":   "",
	}
	for head, kind := range cases {
		ft, err := sniff([]byte(head), "x.jpg")
		if ft.kind != kind || (kind == "") != (err != nil) {
			t.Errorf("%q: kind %q err %v, want %q", head, ft.kind, err, kind)
		}
	}
}

func TestStore(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store, keys func() []string) {
		ctx := context.Background()
		for _, k := range []string{"../secret.key", "ab/../../secret.key", "/etc/passwd", "ab/.tmp-1", "a\\b", "", "ab//c.jpg", "ab/c d.jpg"} {
			if ValidKey(k) {
				t.Errorf("key %q accepted", k)
			}
			if _, err := s.Open(ctx, k); !errors.Is(err, ErrNotExist) {
				t.Errorf("open %q: %v", k, err)
			}
			if err := s.Put(ctx, k, strings.NewReader("x"), "text/plain"); err == nil {
				t.Errorf("put %q accepted", k)
			}
		}
		if err := s.Put(ctx, "ab/cd.jpg", strings.NewReader("hello world"), "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		o, err := s.Open(ctx, "ab/cd.jpg")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(o)
		// Seeking is what http.ServeContent needs for Range requests.
		_, serr := o.Seek(6, io.SeekStart)
		rest, _ := io.ReadAll(o)
		o.Close()
		if string(b) != "hello world" || o.Size != 11 || o.ModTime.IsZero() || serr != nil || string(rest) != "world" {
			t.Fatalf("read %q size %d mtime %v, after seek %q %v", b, o.Size, o.ModTime, rest, serr)
		}
		for _, k := range []string{"ab", "ab/missing.jpg"} {
			if _, err := s.Open(ctx, k); !errors.Is(err, ErrNotExist) {
				t.Fatalf("open %s: %v", k, err)
			}
		}
		// A failing reader leaves nothing behind, not even a temp file.
		if err := s.Put(ctx, "ab/broken.jpg", io.MultiReader(strings.NewReader("part"), errReader{}), "image/jpeg"); err == nil {
			t.Fatal("put with a failing reader succeeded")
		}
		if ks := keys(); len(ks) != 1 {
			t.Fatalf("stored keys: %v", ks)
		}
		if err := s.Delete(ctx, "ab/cd.jpg"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Open(ctx, "ab/cd.jpg"); !errors.Is(err, ErrNotExist) {
			t.Fatalf("open after delete: %v", err)
		}
		if err := s.Delete(ctx, "ab/cd.jpg"); err != nil {
			t.Fatalf("deleting a missing key: %v", err)
		}
		if ks := keys(); len(ks) != 0 {
			t.Fatalf("keys after delete: %v", ks)
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func newService(t *testing.T, d *db.DB, st Store) (*Service, id.ID) {
	t.Helper()
	u, err := accounts.New(d).CreateWithHash(context.Background(), "owner", "Owner", "", accounts.RoleUser)
	if err != nil {
		t.Fatal(err)
	}
	return New(d, st), u.ID
}

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func countRows(t *testing.T, d *db.DB) int {
	var n int
	if err := d.Reader(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM media").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUploadImageStripsMetadataAndOrients(t *testing.T) {
	eachStoreDB(t, func(t *testing.T, d *db.DB, st Store, _ func() []string) {
		s, owner := newService(t, d, st)
		ctx := context.Background()
		src := exifJPEG(t, 2400, 800, 6, "GPS-SECRET-31.2304N")
		m, err := s.Upload(ctx, owner, "photo.jpg", bytes.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		// 2400×800 turned upright by orientation 6, then fitted to 2048.
		if m.Kind != Image || m.Width != 683 || m.Height != 2048 || m.ContentType != "image/jpeg" {
			t.Fatalf("media = %+v", m)
		}
		if !strings.HasPrefix(m.URL, URLPrefix) || !strings.HasPrefix(m.ThumbnailURL, URLPrefix) || m.URL == m.ThumbnailURL {
			t.Fatalf("urls: %+v", m)
		}
		for _, u := range []string{m.URL, m.ThumbnailURL} {
			o, err := s.Store().Open(ctx, strings.TrimPrefix(u, URLPrefix))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(o)
			o.Close()
			if bytes.Contains(b, []byte("Exif")) || bytes.Contains(b, []byte("GPS-SECRET")) || bytes.Contains(b, []byte{0xFF, 0xE1}) {
				t.Fatalf("%s still carries EXIF/GPS metadata", u)
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if u == m.ThumbnailURL && cfg.Width != ThumbWidth {
				t.Fatalf("thumbnail width %d", cfg.Width)
			}
		}
		// The top-left quadrant (blue) of the sensor image ends up top-right.
		o, _ := s.Store().Open(ctx, strings.TrimPrefix(m.URL, URLPrefix))
		img, err := jpeg.Decode(o)
		o.Close()
		if err != nil {
			t.Fatal(err)
		}
		if r, _, b, _ := img.At(m.Width-10, 10).RGBA(); b < r {
			t.Fatal("orientation 6 was not applied")
		}
		got, err := s.GetMany(ctx, []id.ID{m.ID, 12345})
		if err != nil || len(got) != 1 || got[m.ID] != m {
			t.Fatalf("GetMany = %v, %v; want %+v", got, err, m)
		}
	})
}

func TestUploadRefusals(t *testing.T) {
	eachStoreDB(t, func(t *testing.T, d *db.DB, st Store, keys func() []string) {
		s, owner := newService(t, d, st)
		ctx := context.Background()
		good := pngBytes(t, 64, 48)
		m, err := s.Upload(ctx, owner, "small.png", bytes.NewReader(good))
		if err != nil || m.Width != 64 || m.Height != 48 || m.ThumbnailURL == "" {
			t.Fatalf("small png: %+v %v", m, err)
		}
		before := keys()
		// A PNG header claiming 10000×10000 pixels: refused before decoding.
		bomb := append([]byte(nil), good...)
		binary.BigEndian.PutUint32(bomb[16:], 10000)
		binary.BigEndian.PutUint32(bomb[20:], 10000)
		binary.BigEndian.PutUint32(bomb[29:], crc32.ChecksumIEEE(bomb[12:29])) // IHDR CRC
		cases := []struct {
			name   string
			data   []byte
			status int
		}{
			{"html named .jpg", []byte("<html><script>alert(1)</script></html>"), 400},
			{"empty", nil, 400},
			{"truncated png", good[:len(good)/2], 400},
			{"truncated jpeg", exifJPEG(t, 64, 64, 1, "x")[:300], 400},
			{"decompression bomb", bomb, 413},
			{"oversize image", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, MaxImageBytes)...), 413},
		}
		for _, c := range cases {
			_, err := s.Upload(ctx, owner, "x.jpg", bytes.NewReader(c.data))
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Status != c.status {
				t.Errorf("%s: err %v, want status %d", c.name, err, c.status)
			}
		}
		if after := keys(); len(after) != len(before) {
			t.Fatalf("failed uploads left files: %v", after)
		}
		if n := countRows(t, d); n != 1 {
			t.Fatalf("%d media rows, want 1", n)
		}
	})
}

// TestUploadVideo needs ffmpeg to make the sample; CI installs it.
func TestUploadVideo(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ffmpeg is required in CI")
		}
		t.Skip("ffmpeg not installed")
	}
	sample := filepath.Join(t.TempDir(), "sample.mp4")
	out, err := exec.Command(ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=320x240:rate=10",
		"-pix_fmt", "yuv420p", sample).CombinedOutput()
	if err != nil {
		t.Fatalf("make sample: %v: %s", err, out)
	}
	data, _ := os.ReadFile(sample)
	eachStoreDB(t, func(t *testing.T, d *db.DB, st Store, keys func() []string) {
		s, owner := newService(t, d, st)
		ctx := context.Background()
		m, err := s.Upload(ctx, owner, "clip.mp4", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != Video || m.ContentType != "video/mp4" || m.Width != 320 || m.Height != 240 ||
			m.DurationMS < 900 || m.DurationMS > 1100 || !strings.HasSuffix(m.URL, ".mp4") {
			t.Fatalf("video = %+v", m)
		}
		for _, u := range []string{m.PosterURL, m.ThumbnailURL} {
			o, err := s.Store().Open(ctx, strings.TrimPrefix(u, URLPrefix))
			if err != nil {
				t.Fatalf("%s: %v", u, err)
			}
			_, err = jpeg.DecodeConfig(o)
			o.Close()
			if err != nil {
				t.Fatalf("%s is not a JPEG: %v", u, err)
			}
		}
		o, _ := s.Store().Open(ctx, strings.TrimPrefix(m.URL, URLPrefix))
		stored, _ := io.ReadAll(o)
		o.Close()
		if !bytes.Equal(stored, data) {
			t.Fatal("the video was not stored as sent")
		}
		// A cut-off video is refused and leaves nothing behind.
		before := keys()
		if _, err := s.Upload(ctx, owner, "cut.mp4", bytes.NewReader(data[:200])); !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("truncated video: %v", err)
		}
		if after := keys(); len(after) != len(before) {
			t.Fatalf("failed upload left files: %v", after)
		}
		// A video the server made (a live's replay) is stored the same way.
		if im, err := s.ImportVideo(ctx, owner, sample); err != nil || im.Kind != Video || im.PosterURL == "" || im.Width != 320 {
			t.Fatalf("import: %+v %v", im, err)
		}
		// Without ffmpeg on PATH the video is still accepted, with no poster.
		t.Setenv("PATH", "")
		m, err = s.Upload(ctx, owner, "clip.mp4", bytes.NewReader(data))
		if err != nil || m.PosterURL != "" || m.ThumbnailURL != "" || m.Width != 0 {
			t.Fatalf("without ffmpeg: %+v %v", m, err)
		}
	})
}
