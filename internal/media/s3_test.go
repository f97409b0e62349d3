package media_test

import (
	"testing"

	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/s3test"
)

func init() {
	media.OpenS3ForTest = func(t *testing.T) (media.Store, func() []string) {
		_, st := s3test.New(t, "")
		return st, func() []string { return s3test.Keys(t, st) }
	}
}
