package places

import (
	"context"
	"database/sql"
	"errors"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/validate"
)

// Guide statuses.
const (
	Draft     = "draft"
	Published = "published"
)

// Limits on guides.
const (
	MaxSections     = 20
	MaxSectionItems = 30
)

// Guide is an editorial guide to a destination.
type Guide struct {
	ID          id.ID     `json:"id"`
	PlaceID     id.ID     `json:"place_id"`
	AuthorID    id.ID     `json:"author_id"`
	Title       string    `json:"title"`
	Intro       string    `json:"intro"`
	Status      string    `json:"status"`
	PublishedAt int64     `json:"-"` // ms; part of the download's cache key
	Sections    []Section `json:"sections"`
}

// Section is a titled, ordered run of notes and products.
type Section struct {
	Title string      `json:"title"`
	Body  string      `json:"body"`
	Items []GuideItem `json:"items"`
}

// GuideItem is a note or product in a section.
type GuideItem struct {
	Kind  string `json:"kind"`
	RefID id.ID  `json:"ref_id"`
}

// GuideInput is what an operator saves; the order of sections and items
// is the order in the guide.
type GuideInput struct {
	PlaceID  id.ID     `json:"place_id"`
	Title    string    `json:"title"`
	Intro    string    `json:"intro"`
	Sections []Section `json:"sections"`
}

func (s *Service) checkGuide(ctx context.Context, in *GuideInput) error {
	var err error
	if _, err := s.Get(ctx, in.PlaceID); err != nil {
		return apperr.Invalid("place_id: no such place")
	}
	if in.Title, err = validate.Text("title", in.Title, 1, 80, false); err != nil {
		return err
	}
	if in.Intro, err = validate.Text("intro", in.Intro, 0, 4000, true); err != nil {
		return err
	}
	if len(in.Sections) > MaxSections {
		return apperr.Invalid("at most %d sections", MaxSections)
	}
	for i := range in.Sections {
		sec := &in.Sections[i]
		if sec.Title, err = validate.Text("section title", sec.Title, 1, 80, false); err != nil {
			return err
		}
		if sec.Body, err = validate.Text("section body", sec.Body, 0, 4000, true); err != nil {
			return err
		}
		if len(sec.Items) > MaxSectionItems {
			return apperr.Invalid("at most %d items a section", MaxSectionItems)
		}
		for _, it := range sec.Items {
			if it.Kind != ItemNote && it.Kind != ItemProduct {
				return apperr.Invalid("item kind must be note or product")
			}
		}
	}
	return nil
}

// SaveGuide creates a draft guide (guideID 0) or replaces a guide's
// content; a published guide stays published with the new content.
func (s *Service) SaveGuide(ctx context.Context, author, guideID id.ID, in GuideInput) (id.ID, error) {
	if err := s.checkGuide(ctx, &in); err != nil {
		return 0, err
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		now := db.Now()
		if guideID == 0 {
			guideID = id.New()
			if _, err := w.Exec(ctx, `INSERT INTO guides (id, place_id, author_id, title, intro, status, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, guideID, in.PlaceID, author, in.Title, in.Intro, Draft, now, now); err != nil {
				return err
			}
		} else {
			res, err := w.Exec(ctx, `UPDATE guides SET place_id = ?, title = ?, intro = ?, updated_at = ?,
				published_at = CASE WHEN status = 'published' THEN ? ELSE published_at END WHERE id = ?`,
				in.PlaceID, in.Title, in.Intro, now, now, guideID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return apperr.NotFound("guide")
			}
			for _, t := range []string{"guide_sections", "guide_items"} {
				if _, err := w.Exec(ctx, "DELETE FROM "+t+" WHERE guide_id = ?", guideID); err != nil {
					return err
				}
			}
		}
		for i, sec := range in.Sections {
			if _, err := w.Exec(ctx, "INSERT INTO guide_sections (guide_id, position, title, body) VALUES (?, ?, ?, ?)",
				guideID, i, sec.Title, sec.Body); err != nil {
				return err
			}
			for j, it := range sec.Items {
				if _, err := w.Exec(ctx, "INSERT INTO guide_items (guide_id, section, position, kind, ref_id) VALUES (?, ?, ?, ?, ?)",
					guideID, i, j, it.Kind, it.RefID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return guideID, err
}

// SetPublished publishes or withdraws a guide; publishing an empty guide
// is refused.
func (s *Service) SetPublished(ctx context.Context, guideID id.ID, on bool) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		var sections int
		if err := w.QueryRow(ctx, "SELECT COUNT(*) FROM guide_sections WHERE guide_id = ?", guideID).Scan(&sections); err != nil {
			return err
		}
		status, at := Draft, int64(0)
		if on {
			if sections == 0 {
				return apperr.Invalid("a guide needs at least one section to be published")
			}
			status, at = Published, db.Now()
		}
		res, err := w.Exec(ctx, "UPDATE guides SET status = ?, published_at = ? WHERE id = ?", status, at, guideID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("guide")
		}
		return nil
	})
}

// Guide returns a guide with its sections; drafts only when drafts is set
// (operators), so readers see nothing of an unpublished guide.
func (s *Service) Guide(ctx context.Context, guideID id.ID, drafts bool) (Guide, error) {
	r := s.db.Reader(ctx)
	var g Guide
	err := r.QueryRow(ctx, "SELECT id, place_id, author_id, title, intro, status, published_at FROM guides WHERE id = ?", guideID).
		Scan(&g.ID, &g.PlaceID, &g.AuthorID, &g.Title, &g.Intro, &g.Status, &g.PublishedAt)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && g.Status != Published && !drafts) {
		return Guide{}, apperr.NotFound("guide")
	}
	if err != nil {
		return g, err
	}
	rows, err := r.Query(ctx, "SELECT title, body FROM guide_sections WHERE guide_id = ? ORDER BY position", guideID)
	if err != nil {
		return g, err
	}
	for rows.Next() {
		var sec Section
		if err := rows.Scan(&sec.Title, &sec.Body); err != nil {
			rows.Close()
			return g, err
		}
		g.Sections = append(g.Sections, sec)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return g, err
	}
	rows, err = r.Query(ctx, "SELECT section, kind, ref_id FROM guide_items WHERE guide_id = ? ORDER BY section, position", guideID)
	if err != nil {
		return g, err
	}
	defer rows.Close()
	for rows.Next() {
		var sec int
		var it GuideItem
		if err := rows.Scan(&sec, &it.Kind, &it.RefID); err != nil {
			return g, err
		}
		if sec < len(g.Sections) {
			g.Sections[sec].Items = append(g.Sections[sec].Items, it)
		}
	}
	return g, rows.Err()
}

// GuideSummary is a guide in a list.
type GuideSummary struct {
	ID      id.ID  `json:"id"`
	PlaceID id.ID  `json:"place_id"`
	Title   string `json:"title"`
	Status  string `json:"status"`
}

// Guides lists the guides of a place (0: all places), newest first;
// drafts only when drafts is set.
func (s *Service) Guides(ctx context.Context, place id.ID, drafts bool) ([]GuideSummary, error) {
	q, args := "SELECT id, place_id, title, status FROM guides WHERE 1 = 1", []any{}
	if place != 0 {
		q, args = q+" AND place_id = ?", append(args, place)
	}
	if !drafts {
		q += " AND status = 'published'"
	}
	rows, err := s.db.Reader(ctx).Query(ctx, q+" ORDER BY id DESC", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GuideSummary
	for rows.Next() {
		var g GuideSummary
		if err := rows.Scan(&g.ID, &g.PlaceID, &g.Title, &g.Status); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// errNoPrinter: the server has no browser to print PDFs with.
var errNoPrinter = apperr.Unavailable("PDF downloads are not available on this server")
