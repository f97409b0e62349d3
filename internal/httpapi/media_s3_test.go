package httpapi_test

import (
	"bytes"
	"image/jpeg"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/s3test"
)

// TestUploadAndServeImageS3 uploads through the real server into a real
// S3 server and fetches the image back, streamed by Redmark (presign=0)
// and through a presigned redirect straight to S3.
func TestUploadAndServeImageS3(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		spec, st := s3test.New(t, "presign=0")
		e := apitest.NewWithConfig(t, d, app.Config{DataDir: t.TempDir(), Media: spec})
		alice := e.SignUp("alice")
		up := alice.Upload("/api/v1/media", "IMG_0001.JPG", mdWithGPS(mdJPEG(t, 2200, 400))).Want(201)
		url, thumb := up.Str("url"), up.Str("thumbnail_url")
		if ks := s3test.Keys(t, st); len(ks) != 2 || !strings.HasPrefix(url, media.URLPrefix) {
			t.Fatalf("objects in the bucket: %v (urls %s)", ks, up.Body)
		}
		res, body := mdGet(t, e, url, nil)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(body))
		if res.StatusCode != 200 || err != nil || cfg.Width != 2048 || bytes.Contains(body, []byte("GPS")) ||
			res.Header.Get("Cache-Control") != media.CacheControl || res.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("streamed: %d %v %+v %v", res.StatusCode, res.Header, cfg, err)
		}
		if res, body := mdGet(t, e, url, map[string]string{"Range": "bytes=0-9"}); res.StatusCode != 206 || len(body) != 10 {
			t.Fatalf("range: %d, %d bytes", res.StatusCode, len(body))
		}
		if res, _ := mdGet(t, e, "/media/00/doesnotexist.jpg", nil); res.StatusCode != 404 {
			t.Fatalf("missing object: %d", res.StatusCode)
		}

		// The same bucket behind presigned URLs: /media/ redirects, and
		// S3 serves the bytes with the caching header stored on the object.
		spec2 := strings.Replace(spec, "presign=0", "presign=10m", 1)
		e2 := apitest.NewWithConfig(t, d, app.Config{DataDir: t.TempDir(), Media: spec2})
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err = noFollow.Get(e2.URL + thumb)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc := res.Header.Get("Location")
		if res.StatusCode != 302 || !strings.Contains(loc, "X-Amz-Signature=") || res.Header.Get("Cache-Control") != "public, max-age=300" {
			t.Fatalf("redirect: %d %v", res.StatusCode, res.Header)
		}
		res, err = http.Get(loc)
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(res.Body)
		res.Body.Close()
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(body))
		if res.StatusCode != 200 || err != nil || cfg.Width != media.ThumbWidth ||
			res.Header.Get("Cache-Control") != media.CacheControl || res.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("presigned fetch: %d %v %+v %v", res.StatusCode, res.Header, cfg, err)
		}
	})
}

// TestS3PublicURL: with public= the redirect names the CDN, not the bucket.
func TestS3PublicURL(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		spec, st := s3test.New(t, "public=https://cdn.example.com/m/")
		e := apitest.NewWithConfig(t, d, app.Config{DataDir: t.TempDir(), Media: spec})
		url := e.SignUp("alice").Upload("/api/v1/media", "a.png", mdPNG(t, 10, 10)).Want(201).Str("url")
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noFollow.Get(e.URL + url)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		want := "https://cdn.example.com/m/" + st.Config().Prefix + strings.TrimPrefix(url, media.URLPrefix)
		if res.StatusCode != 302 || res.Header.Get("Location") != want || res.Header.Get("Cache-Control") != "public, max-age=31536000" {
			t.Fatalf("redirect: %d %v, want %s", res.StatusCode, res.Header, want)
		}
	})
}
