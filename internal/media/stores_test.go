package media

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
)

// OpenS3ForTest is set by s3_test.go (package media_test, which may import
// s3test without an import cycle): it returns a fresh S3 store and a
// function listing its keys, skipping or failing as s3test decides.
var OpenS3ForTest func(t *testing.T) (Store, func() []string)

// eachStore runs fn on every store: local disk, then S3. keys lists every
// stored object (temporary files included), to find leftovers.
func eachStore(t *testing.T, fn func(t *testing.T, s Store, keys func() []string)) {
	t.Run("local", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "media")
		s, err := NewLocalStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		fn(t, s, func() []string {
			var out []string
			filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
				if err == nil && !e.IsDir() {
					out = append(out, strings.TrimPrefix(p, dir+"/"))
				}
				return nil
			})
			return out
		})
	})
	t.Run("s3", func(t *testing.T) {
		s, keys := OpenS3ForTest(t)
		fn(t, s, keys)
	})
}

// eachStoreDB runs fn on every store and database (a fresh database each).
func eachStoreDB(t *testing.T, fn func(t *testing.T, d *db.DB, s Store, keys func() []string)) {
	eachStore(t, func(t *testing.T, s Store, keys func() []string) {
		dbtest.Each(t, func(t *testing.T, d *db.DB) { fn(t, d, s, keys) })
	})
}
