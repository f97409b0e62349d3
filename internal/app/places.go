package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/jobs"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/places"
)

// PlacesConfig configures destinations (C8).
type PlacesConfig struct {
	// TileURL is an OpenStreetMap-style tile template
	// ("https://tile.openstreetmap.org/{z}/{x}/{y}.png"); empty shows the
	// destinations' places as a list instead of a map, which is also what
	// readers without network see.
	TileURL         string
	TileAttribution string
	// Chromium prints guides to PDF; empty looks in the usual places, and
	// without a browser PDF downloads answer 503 (EPUB still works).
	Chromium string
	// AttachInterval is how often new notes are attached to places (10s).
	AttachInterval time.Duration
}

func (a *App) initPlaces() {
	var pdf places.PDFPrinter
	if path := findChromium(a.Config.Places.Chromium); path != "" {
		pdf = places.Chromium{Path: path}
	}
	a.Places = places.New(a.DB, pdf)
	a.Notes.Located = a.Places.Relocate
}

func findChromium(configured string) string {
	for _, p := range []string{configured, os.Getenv("REDMARK_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	return ""
}

// StartPlaces runs the job that attaches new notes to places, once across
// servers; Shutdown stops it. Tests call Places.AttachNew directly.
func (a *App) StartPlaces() {
	every := a.Config.Places.AttachInterval
	if every <= 0 {
		every = 10 * time.Second
	}
	a.Jobs.Every("places-attach", every, jobs.Cluster, func(ctx context.Context) error {
		_, err := a.Places.AttachNew(ctx)
		return err
	})
}

// GuideBook resolves a published guide into a book for offline reading:
// notes and products become text with their cover images embedded, and
// links point at baseURL. Items that vanished since are left out.
func (a *App) GuideBook(ctx context.Context, g places.Guide, lang, baseURL string) (places.Book, error) {
	var noteIDs []id.ID
	for _, sec := range g.Sections {
		for _, it := range sec.Items {
			if it.Kind == places.ItemNote {
				noteIDs = append(noteIDs, it.RefID)
			}
		}
	}
	ns, err := a.Notes.GetMany(ctx, noteIDs)
	if err != nil {
		return places.Book{}, err
	}
	b := places.Book{ID: fmt.Sprintf("urn:redmark:guide:%s:%d", g.ID, g.PublishedAt), Title: g.Title, Lang: "zh-CN",
		Intro: g.Intro, Modified: time.UnixMilli(g.PublishedAt)}
	if lang == "en" {
		b.Lang = "en"
	}
	for _, sec := range g.Sections {
		ch := places.Chapter{Title: sec.Title, Body: sec.Body}
		for _, it := range sec.Items {
			var e places.Entry
			var cover []media.Media
			switch it.Kind {
			case places.ItemNote:
				n, ok := ns[it.RefID]
				if !ok || n.Status != "published" {
					continue
				}
				e = places.Entry{Title: n.Title, Text: excerpt(n.Body, 280), Meta: n.Location, Link: baseURL + "/n/" + n.ID.String()}
				cover = n.Media
			case places.ItemProduct:
				p, err := a.Shop.GetProduct(ctx, nil, it.RefID)
				if err != nil {
					continue
				}
				e = places.Entry{Title: p.Title, Text: excerpt(p.Description, 200),
					Meta: fmt.Sprintf("¥%d.%02d", p.PriceMin/100, p.PriceMin%100), Link: baseURL + "/p/" + p.ID.String()}
				cover = p.Images
			}
			if len(cover) > 0 {
				e.JPEG = a.readMedia(ctx, cover[0].ThumbnailURL)
			}
			ch.Entries = append(ch.Entries, e)
		}
		b.Chapters = append(b.Chapters, ch)
	}
	return b, nil
}

// readMedia reads a stored JPEG by its URL; a missing file only loses the
// picture.
func (a *App) readMedia(ctx context.Context, url string) []byte {
	key := strings.TrimPrefix(url, media.URLPrefix)
	if key == "" || !strings.HasSuffix(key, ".jpg") {
		return nil
	}
	obj, err := a.Media.Store().Open(ctx, key)
	if err != nil {
		return nil
	}
	defer obj.Close()
	b, err := io.ReadAll(obj)
	if err != nil {
		return nil
	}
	return b
}

func excerpt(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}

// GuidePDF returns the guide's PDF, printed once per published version
// and kept under DataDir/guides.
func (a *App) GuidePDF(ctx context.Context, g places.Guide, lang, baseURL string) ([]byte, error) {
	dir := filepath.Join(a.Config.DataDir, "guides")
	path := filepath.Join(dir, fmt.Sprintf("%s-%d-%s.pdf", g.ID, g.PublishedAt, lang))
	if b, err := os.ReadFile(path); err == nil {
		return b, nil
	}
	book, err := a.GuideBook(ctx, g, lang, baseURL)
	if err != nil {
		return nil, err
	}
	pdf, err := a.Places.PDF(ctx, book)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err == nil {
		// Write then rename, so a concurrent reader never sees half a file.
		tmp := path + ".tmp" + id.New().String()
		if os.WriteFile(tmp, pdf, 0o644) == nil {
			_ = os.Rename(tmp, path)
		}
	}
	return pdf, nil
}
