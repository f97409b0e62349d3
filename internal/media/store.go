package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrNotExist is returned by Store.Open for a key that holds no object.
var ErrNotExist = fs.ErrNotExist

// Store keeps media files by key. Keys are relative slash-separated paths
// such as "ab/3f9c….jpg" (see ValidKey); they become the public URL
// "/media/"+key.
//
// The interface is small on purpose so that an S3-compatible backend can
// implement it later: Put maps to PutObject (objects are immutable once
// written, so no partial object is ever visible), Open to GetObject returning
// a reader that seeks with ranged GETs (http.ServeContent needs Seek for
// Range requests, which video players use), and Delete to DeleteObject.
// Such a backend could also serve /media/ straight from a CDN instead.
type Store interface {
	// Put writes the object atomically: readers see the whole file or none.
	Put(ctx context.Context, key string, r io.Reader, contentType string) error
	// Open returns the object and its size and modification time, or an
	// error wrapping ErrNotExist.
	Open(ctx context.Context, key string) (Object, error)
	// Delete removes the object; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// Object is an opened stored file.
type Object struct {
	io.ReadSeekCloser
	Size    int64
	ModTime time.Time
}

// ValidKey reports whether key is a safe storage key: 1–4 segments of
// ASCII letters, digits, '_', '-' and '.', none starting with '.', so a key
// can never climb out of the store ("..") nor name a hidden temp file.
func ValidKey(key string) bool {
	if key == "" || len(key) > 200 {
		return false
	}
	segs := strings.Split(key, "/")
	if len(segs) > 4 {
		return false
	}
	for _, s := range segs {
		if s == "" || s[0] == '.' {
			return false
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
				return false
			}
		}
	}
	return true
}

// LocalStore keeps files under a directory on local disk.
type LocalStore struct{ dir string }

// NewLocalStore uses (and creates) dir.
func NewLocalStore(dir string) (*LocalStore, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("media store: %w", err)
	}
	return &LocalStore{dir: dir}, nil
}

func (s *LocalStore) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("media store: invalid key %q", key)
	}
	return filepath.Join(s.dir, filepath.FromSlash(key)), nil
}

// Put writes to a hidden temporary file in the target directory, syncs it
// and renames it into place, so a crash or a failed copy never leaves a
// truncated file under a real key.
func (s *LocalStore) Put(ctx context.Context, key string, r io.Reader, contentType string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = io.Copy(f, readerWithContext{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// Open refuses anything but a regular file, so directories are never listed.
func (s *LocalStore) Open(ctx context.Context, key string) (Object, error) {
	p, err := s.path(key)
	if err != nil {
		return Object{}, fmt.Errorf("%w: %v", ErrNotExist, err)
	}
	f, err := os.Open(p)
	if err != nil {
		return Object{}, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return Object{}, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return Object{}, fmt.Errorf("%w: %s is not a file", ErrNotExist, key)
	}
	return Object{ReadSeekCloser: f, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Delete removes the file at key.
func (s *LocalStore) Delete(ctx context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// readerWithContext stops a long copy when the request is abandoned.
type readerWithContext struct {
	ctx context.Context
	r   io.Reader
}

func (r readerWithContext) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
