// Package media stores uploaded images and videos behind a Store interface
// (local disk by default, S3-compatible later): images are re-encoded and
// thumbnailed, which strips metadata such as GPS; videos get a poster frame
// where ffmpeg is available.
package media

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Kinds of media.
const (
	Image = "image"
	Video = "video"
)

// Upload limits. Images are read into memory (they must be decoded anyway);
// videos are streamed to a temporary file.
const (
	MaxImageBytes  = 20 << 20
	MaxVideoBytes  = 100 << 20
	MaxImagePixels = 40_000_000 // refuse decompression bombs before decoding
	MaxImageSide   = 2048       // long side of the stored image
	ThumbWidth     = 600        // width of the masonry-grid thumbnail
	jpegQuality    = 85
	thumbQuality   = 80
)

// Media is one stored image or video. URL is always "/media/"+storage key
// and ThumbnailURL "/media/"+thumbnail key (empty when there is none).
type Media struct {
	ID           id.ID  `json:"id"`
	OwnerID      id.ID  `json:"owner_id"`
	Kind         string `json:"kind"`
	URL          string `json:"url"`
	ThumbnailURL string `json:"thumbnail_url"`
	PosterURL    string `json:"poster_url,omitempty"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	DurationMS   int64  `json:"duration_ms,omitempty"`
	ContentType  string `json:"content_type"`
}

// URLPrefix is where GET serves stored files.
const URLPrefix = "/media/"

func keyURL(key string) string {
	if key == "" {
		return ""
	}
	return URLPrefix + key
}

// Service manages media rows and files.
type Service struct {
	db    *db.DB
	store Store
	// sem bounds concurrent image decodes: a 40-megapixel image takes
	// ~160 MB as RGBA, so letting every upload decode at once would blow
	// the memory budget of a small server.
	sem chan struct{}
}

func New(d *db.DB, store Store) *Service {
	return &Service{db: d, store: store, sem: make(chan struct{}, max(1, runtime.NumCPU()/2))}
}

// Store is the file store behind the service (served under /media/).
func (s *Service) Store() Store { return s.store }

// Columns lists the media columns of a query that aliases media as m, in
// the order Scan reads them; other packages join media with it to load
// the media of many notes in one query.
const Columns = "m.id, m.owner_id, m.kind, m.storage_key, m.thumb_key, m.poster_key, m.content_type, m.width, m.height, m.duration_ms"

// Scan reads a row selected with Columns, after the lead destinations.
func Scan(row interface{ Scan(...any) error }, lead ...any) (Media, error) {
	var m Media
	var key, thumb, poster string
	dst := append(lead, &m.ID, &m.OwnerID, &m.Kind, &key, &thumb, &poster, &m.ContentType, &m.Width, &m.Height, &m.DurationMS)
	if err := row.Scan(dst...); err != nil {
		return Media{}, err
	}
	m.URL, m.ThumbnailURL, m.PosterURL = keyURL(key), keyURL(thumb), keyURL(poster)
	return m, nil
}

// Get returns one media item.
func (s *Service) Get(ctx context.Context, mid id.ID) (Media, error) {
	m, err := Scan(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+Columns+" FROM media m WHERE m.id = ?", mid))
	if errors.Is(err, sql.ErrNoRows) {
		return Media{}, apperr.NotFound("media")
	}
	return m, err
}

// GetMany returns the given media keyed by id; unknown ids are absent.
// Callers check OwnerID to make sure a user attaches only their own media.
func (s *Service) GetMany(ctx context.Context, ids []id.ID) (map[id.ID]Media, error) {
	out := make(map[id.ID]Media, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, v := range ids {
		args[i] = v
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+Columns+" FROM media m WHERE m.id IN ("+db.Placeholders(len(args))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		m, err := Scan(rows)
		if err != nil {
			return nil, err
		}
		out[m.ID] = m
	}
	return out, rows.Err()
}

// stored is what Upload wrote, to be recorded in one row.
type stored struct {
	kind, contentType        string
	key, thumbKey, posterKey string
	width, height            int
	durationMS, size         int64
}

func (st stored) keys() []string {
	var ks []string
	for _, k := range []string{st.key, st.thumbKey, st.posterKey} {
		if k != "" {
			ks = append(ks, k)
		}
	}
	return ks
}

// Upload stores a file for ownerID. The type is detected from the content
// (filename is only used in error messages): JPEG, PNG, GIF and WebP images
// are decoded, re-encoded as JPEG (which drops EXIF, GPS and any other
// metadata) and thumbnailed; MP4, MOV and WebM videos are stored as sent.
// It returns 413 past the size limits and 400 for anything else. A failed
// upload leaves neither files nor a row behind.
func (s *Service) Upload(ctx context.Context, ownerID id.ID, filename string, r io.Reader) (Media, error) {
	return s.upload(ctx, ownerID, filename, r, MaxVideoBytes)
}

// MaxImportBytes bounds a video the server made itself (a live's replay).
const MaxImportBytes = 16 << 30

// ImportVideo stores a video file the server produced (a live's recording,
// internal/live) for ownerID as Upload would, with MaxImportBytes instead
// of the upload limit.
func (s *Service) ImportVideo(ctx context.Context, ownerID id.ID, path string) (Media, error) {
	f, err := os.Open(path)
	if err != nil {
		return Media{}, err
	}
	defer f.Close()
	return s.upload(ctx, ownerID, filepath.Base(path), f, MaxImportBytes)
}

func (s *Service) upload(ctx context.Context, ownerID id.ID, filename string, r io.Reader, videoLimit int64) (Media, error) {
	br := bufio.NewReaderSize(r, 8192)
	head, err := br.Peek(4096)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return Media{}, fmt.Errorf("read upload: %w", err)
	}
	if len(head) == 0 {
		return Media{}, apperr.Invalid("the uploaded file is empty")
	}
	t, err := sniff(head, filename)
	if err != nil {
		return Media{}, err
	}
	var st stored
	if t.kind == Image {
		st, err = s.storeImage(ctx, t, br)
	} else {
		st, err = s.storeVideo(ctx, t, br, videoLimit)
	}
	if err != nil {
		return Media{}, err
	}
	m := Media{
		ID: id.New(), OwnerID: ownerID, Kind: st.kind, ContentType: st.contentType,
		URL: keyURL(st.key), ThumbnailURL: keyURL(st.thumbKey), PosterURL: keyURL(st.posterKey),
		Width: st.width, Height: st.height, DurationMS: st.durationMS,
	}
	_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO media (id, owner_id, kind, storage_key, thumb_key, poster_key,
		content_type, width, height, duration_ms, size_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, ownerID, st.kind, st.key, st.thumbKey, st.posterKey, st.contentType, st.width, st.height, st.durationMS, st.size, db.Now())
	if err != nil {
		s.remove(st.keys())
		return Media{}, err
	}
	return m, nil
}

// object is one file to store.
type object struct {
	key, contentType string
	r                io.Reader
}

// put writes several objects, removing the ones already written if one fails.
func (s *Service) put(ctx context.Context, objs ...object) error {
	for i, o := range objs {
		if err := s.store.Put(ctx, o.key, o.r, o.contentType); err != nil {
			for _, d := range objs[:i] {
				s.remove([]string{d.key})
			}
			return err
		}
	}
	return nil
}

// remove deletes files of a failed upload, with a fresh context: the
// request's may be the reason it failed.
func (s *Service) remove(keys []string) {
	for _, k := range keys {
		_ = s.store.Delete(context.Background(), k)
	}
}

// newKeyBase returns "ab/<30 hex>": 128 random bits, so stored files cannot
// be guessed, spread over 256 directories.
func newKeyBase() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:2] + "/" + h[2:]
}

// fileType is what sniff found.
type fileType struct {
	kind, contentType, ext string
	format                 string // image decoder: jpeg, png, gif, webp
}

// sniff identifies the file by its first bytes only.
func sniff(head []byte, filename string) (fileType, error) {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return fileType{Image, "image/jpeg", ".jpg", "jpeg"}, nil
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return fileType{Image, "image/jpeg", ".jpg", "png"}, nil
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return fileType{Image, "image/jpeg", ".jpg", "gif"}, nil
	case len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return fileType{Image, "image/jpeg", ".jpg", "webp"}, nil
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		switch string(head[8:12]) {
		case "heic", "heix", "hevc", "mif1", "msf1", "avif", "avis":
			return fileType{}, apperr.Invalid("%s: HEIC/AVIF images are not supported; upload JPEG, PNG, GIF or WebP", shortName(filename))
		case "qt  ":
			return fileType{Video, "video/quicktime", ".mov", ""}, nil
		}
		return fileType{Video, "video/mp4", ".mp4", ""}, nil
	case len(head) >= 8 && (string(head[4:8]) == "moov" || string(head[4:8]) == "mdat" || string(head[4:8]) == "wide"):
		return fileType{Video, "video/quicktime", ".mov", ""}, nil // QuickTime without an ftyp box
	case bytes.HasPrefix(head, []byte{0x1A, 0x45, 0xDF, 0xA3}) && bytes.Contains(head, []byte("webm")):
		return fileType{Video, "video/webm", ".webm", ""}, nil
	}
	return fileType{}, apperr.Invalid("%s is not a supported file: upload a JPEG, PNG, GIF or WebP image, or an MP4, MOV or WebM video", shortName(filename))
}

// shortName keeps user-supplied names in messages short and printable.
func shortName(name string) string {
	r := []rune(name)
	if len(r) > 60 {
		r = r[:60]
	}
	for i, c := range r {
		if c < 0x20 || c == 0x7f {
			r[i] = '?'
		}
	}
	if len(r) == 0 {
		return "the file"
	}
	return fmt.Sprintf("%q", string(r))
}
