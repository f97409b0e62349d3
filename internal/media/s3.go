package media

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// CacheControl is sent with every stored file: keys are random and
// objects never change once written, so caches may keep them for a year.
const CacheControl = "public, max-age=31536000, immutable"

// S3Config locates an S3-compatible bucket (AWS S3, SeaweedFS, MinIO, R2…).
type S3Config struct {
	Endpoint  string // host:port of the S3 API
	Secure    bool   // https to the endpoint
	Region    string // empty: asked of the server
	Bucket    string
	Prefix    string // key prefix inside the bucket, "" or ending in "/"
	AccessKey string
	SecretKey string
	// PublicURL, when set, is where browsers fetch objects themselves
	// (a public-read bucket or a CDN in front of it): PublicURL+prefix+key.
	PublicURL string
	// Presign is how long presigned GET URLs stay valid when there is no
	// PublicURL; 0 means the server streams objects itself (the bucket
	// need not be reachable from browsers).
	Presign time.Duration
}

// DefaultPresign is the presigned URL lifetime unless presign= says otherwise.
const DefaultPresign = time.Hour

// ParseS3URL reads "s3://[key:secret@]bucket[/prefix]?endpoint=host:port
// [&region=r][&secure=false][&public=https://cdn/…][&presign=1h|0]".
// Credentials missing from the URL come from REDMARK_S3_ACCESS_KEY and
// REDMARK_S3_SECRET_KEY, so they need not appear in a process listing.
func ParseS3URL(raw string) (S3Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return S3Config{}, fmt.Errorf("media: %q is not s3://bucket[/prefix]?endpoint=host:port", raw)
	}
	q := u.Query()
	c := S3Config{
		Endpoint: q.Get("endpoint"), Region: q.Get("region"), Bucket: u.Host,
		Secure: true, PublicURL: strings.TrimSuffix(q.Get("public"), "/"), Presign: DefaultPresign,
		AccessKey: os.Getenv("REDMARK_S3_ACCESS_KEY"), SecretKey: os.Getenv("REDMARK_S3_SECRET_KEY"),
	}
	if c.Endpoint == "" {
		return S3Config{}, fmt.Errorf("media: %q needs endpoint=host:port", raw)
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		c.Prefix = p + "/"
	}
	if u.User != nil {
		c.AccessKey = u.User.Username()
		c.SecretKey, _ = u.User.Password()
	}
	if v := q.Get("secure"); v != "" {
		if c.Secure, err = strconv.ParseBool(v); err != nil {
			return S3Config{}, fmt.Errorf("media: secure=%q: %v", v, err)
		}
	}
	if v := q.Get("presign"); v != "" {
		if c.Presign, err = time.ParseDuration(v); err != nil || c.Presign < 0 || c.Presign > 7*24*time.Hour {
			return S3Config{}, fmt.Errorf("media: presign=%q must be a duration of at most 168h (0: stream through the server)", v)
		}
	}
	if c.PublicURL != "" {
		if p, err := url.Parse(c.PublicURL); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return S3Config{}, fmt.Errorf("media: public=%q is not an http(s) URL", c.PublicURL)
		}
	}
	return c, nil
}

// S3Store keeps files as objects in one bucket.
type S3Store struct {
	c   *minio.Client
	cfg S3Config
}

// NewS3Store connects and checks that the bucket exists, so a typo in the
// configuration fails at start-up instead of at the first upload.
func NewS3Store(ctx context.Context, cfg S3Config) (*S3Store, error) {
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure, Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("media store: %w", err)
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("media store: bucket %s at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("media store: bucket %s does not exist at %s", cfg.Bucket, cfg.Endpoint)
	}
	return &S3Store{c: c, cfg: cfg}, nil
}

// Client is the underlying S3 client (tests list and clean up with it).
func (s *S3Store) Client() *minio.Client { return s.c }

// Config is what the store was opened with.
func (s *S3Store) Config() S3Config { return s.cfg }

func (s *S3Store) object(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("media store: invalid key %q", key)
	}
	return s.cfg.Prefix + key, nil
}

// s3PartSize bounds the memory of an upload of unknown size: minio-go
// buffers one part at a time (its default for unknown sizes is ~550 MiB).
const s3PartSize = 8 << 20

// Put uploads with PutObject, which S3 makes visible only once complete.
// In-memory images have a known size (one PUT); a video of unknown size
// goes up in s3PartSize multipart chunks.
func (s *S3Store) Put(ctx context.Context, key string, r io.Reader, contentType string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	size := int64(-1)
	if l, ok := r.(interface{ Len() int }); ok {
		size = int64(l.Len())
	}
	_, err = s.c.PutObject(ctx, s.cfg.Bucket, name, readerWithContext{ctx, r}, size, minio.PutObjectOptions{
		ContentType: contentType, CacheControl: CacheControl, PartSize: s3PartSize,
	})
	return err
}

// Open stats the object first, so a missing key is ErrNotExist here and
// not on the first Read; the returned reader seeks with ranged GETs.
func (s *S3Store) Open(ctx context.Context, key string) (Object, error) {
	name, err := s.object(key)
	if err != nil {
		return Object{}, fmt.Errorf("%w: %v", ErrNotExist, err)
	}
	o, err := s.c.GetObject(ctx, s.cfg.Bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return Object{}, s3Error(key, err)
	}
	st, err := o.Stat()
	if err != nil {
		o.Close()
		return Object{}, s3Error(key, err)
	}
	return Object{ReadSeekCloser: o, Size: st.Size, ModTime: st.LastModified}, nil
}

// Delete removes the object; S3 already treats a missing key as success.
func (s *S3Store) Delete(ctx context.Context, key string) error {
	name, err := s.object(key)
	if err != nil {
		return err
	}
	return s.c.RemoveObject(ctx, s.cfg.Bucket, name, minio.RemoveObjectOptions{})
}

// Redirect returns where a browser should fetch key from and for how long
// that answer may be cached, or "" when the server streams it itself.
func (s *S3Store) Redirect(ctx context.Context, key string) (string, time.Duration, error) {
	name, err := s.object(key)
	if err != nil {
		return "", 0, err
	}
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL + "/" + (&url.URL{Path: name}).EscapedPath(), 365 * 24 * time.Hour, nil
	}
	if s.cfg.Presign == 0 {
		return "", 0, nil
	}
	u, err := s.c.PresignedGetObject(ctx, s.cfg.Bucket, name, s.cfg.Presign, nil)
	if err != nil {
		return "", 0, err
	}
	// Half the lifetime: a cached redirect never points at an expired URL.
	return u.String(), s.cfg.Presign / 2, nil
}

func s3Error(key string, err error) error {
	switch minio.ToErrorResponse(err).Code {
	case minio.NoSuchKey, minio.NoSuchBucket:
		return fmt.Errorf("%w: %s", ErrNotExist, key)
	}
	return err
}

// Redirector is implemented by stores whose files browsers can fetch
// directly (see S3Store.Redirect).
type Redirector interface {
	Redirect(ctx context.Context, key string) (url string, maxAge time.Duration, err error)
}

// OpenStore opens the store named by spec: "" is local disk under dir,
// "s3://…" a bucket (ParseS3URL).
func OpenStore(ctx context.Context, spec, dir string) (Store, error) {
	if spec == "" {
		return NewLocalStore(dir)
	}
	cfg, err := ParseS3URL(spec)
	if err != nil {
		return nil, err
	}
	return NewS3Store(ctx, cfg)
}
