// Package s3test gives tests a real S3-compatible server, the way
// redistest gives them Redis: on when REDMARK_TEST_S3 is set (1 for the
// local SeaweedFS gateway .ci/run starts, or an s3:// media URL) or CI is
// true. In CI a server that cannot be reached fails the test instead of
// skipping it. Each test gets its own key prefix in the bucket, emptied
// afterwards.
package s3test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/redmark/redmark/internal/media"
)

// DefaultURL matches the gateway .ci/run starts (keys in .ci/s3.json).
const DefaultURL = "s3://redmark:redmark-secret@redmark-test?endpoint=127.0.0.1:8333&secure=false&region=us-east-1"

// URL is the media URL the S3 suite uses, or "" when the suite is off.
func URL() string {
	v := os.Getenv("REDMARK_TEST_S3")
	switch {
	case v == "" && os.Getenv("CI") == "true":
		return DefaultURL
	case v == "" || v == "0":
		return ""
	case v == "1":
		return DefaultURL
	}
	return v
}

var seq atomic.Int64

// New returns a media URL (extra query parameters appended, e.g.
// "presign=0") whose prefix is fresh for this test, creating the bucket
// if needed, and the store it names. It skips when the suite is off and
// fails when it is on but the server does not answer.
func New(t testing.TB, extra string) (string, *media.S3Store) {
	t.Helper()
	base := URL()
	if base == "" {
		t.Skip("S3 suite off: set REDMARK_TEST_S3=1")
	}
	cfg, err := media.ParseS3URL(base)
	if err != nil {
		t.Fatalf("REDMARK_TEST_S3: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Secure: cfg.Secure, Region: cfg.Region,
	})
	if err != nil {
		t.Fatal(err)
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err == nil && !ok {
		err = c.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
	}
	if err != nil {
		t.Fatalf("S3 server at %s is not usable (the S3 suite needs it): %v", cfg.Endpoint, err)
	}
	u, _ := url.Parse(base)
	prefix := fmt.Sprintf("t%d-%d-%d", os.Getpid(), time.Now().UnixNano()%1e9, seq.Add(1))
	u.Path = "/" + prefix
	spec := u.String()
	if extra != "" {
		spec += "&" + extra
	}
	cfg, _ = media.ParseS3URL(spec)
	st, err := media.NewS3Store(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		for o := range c.ListObjects(ctx, cfg.Bucket, minio.ListObjectsOptions{Prefix: prefix + "/", Recursive: true}) {
			if o.Err == nil {
				_ = c.RemoveObject(ctx, cfg.Bucket, o.Key, minio.RemoveObjectOptions{})
			}
		}
	})
	return spec, st
}

// Keys lists the keys (without the test's prefix) stored under st.
func Keys(t testing.TB, st *media.S3Store) []string {
	t.Helper()
	cfg := st.Config()
	var out []string
	for o := range st.Client().ListObjects(context.Background(), cfg.Bucket, minio.ListObjectsOptions{Prefix: cfg.Prefix, Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		out = append(out, strings.TrimPrefix(o.Key, cfg.Prefix))
	}
	return out
}
