package creators

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Disclosure kinds: a collaboration (合作) or a sponsored post (赞助).
const (
	Collab    = "collab"
	Sponsored = "sponsored"
)

// Disclosure is a brand collaboration declared on a note.
type Disclosure struct {
	Kind      string `json:"kind"`
	BrandID   id.ID  `json:"brand_id"`
	Brand     string `json:"brand"` // the brand account's username
	BrandName string `json:"brand_name"`
}

// Disclose declares (or changes) the brand collaboration on a note: only
// its author may, and the brand must be a brand or merchant account.
func (s *Service) Disclose(ctx context.Context, actor accounts.User, noteID id.ID, kind, brand string) (Disclosure, error) {
	if err := s.ownNote(ctx, actor, noteID); err != nil {
		return Disclosure{}, err
	}
	if kind != Collab && kind != Sponsored {
		return Disclosure{}, apperr.Invalid("kind must be collab or sponsored")
	}
	d := Disclosure{Kind: kind}
	var role string
	err := s.db.Reader(ctx).QueryRow(ctx, `SELECT id, username, CASE WHEN display_name = '' THEN username ELSE display_name END, role
		FROM users WHERE username = ?`, strings.ToLower(strings.TrimPrefix(strings.TrimSpace(brand), "@"))).Scan(&d.BrandID, &d.Brand, &d.BrandName, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return Disclosure{}, apperr.Invalid("no account %q", brand)
	}
	if err != nil {
		return Disclosure{}, err
	}
	switch {
	case role != accounts.RoleBrand && role != accounts.RoleMerchant:
		return Disclosure{}, apperr.Invalid("@%s is not a brand account", d.Brand)
	case d.BrandID == actor.ID:
		return Disclosure{}, apperr.Invalid("a brand's own note needs no disclosure")
	}
	now := db.Now()
	_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO note_disclosures (note_id, kind, brand_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (note_id) DO UPDATE SET kind = excluded.kind, brand_id = excluded.brand_id, updated_at = excluded.updated_at`,
		noteID, kind, d.BrandID, now, now)
	return d, err
}

// Withdraw removes a note's disclosure (its author only; none: no-op).
func (s *Service) Withdraw(ctx context.Context, actor accounts.User, noteID id.ID) error {
	if err := s.ownNote(ctx, actor, noteID); err != nil {
		return err
	}
	_, err := s.db.Writer(ctx).Exec(ctx, "DELETE FROM note_disclosures WHERE note_id = ?", noteID)
	return err
}

// ownNote: the note exists (404) and actor wrote it (403).
func (s *Service) ownNote(ctx context.Context, actor accounts.User, noteID id.ID) error {
	var author id.ID
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT author_id FROM notes WHERE id = ? AND status <> 'deleted'", noteID).Scan(&author)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("note")
	}
	if err != nil {
		return err
	}
	if author != actor.ID {
		return apperr.Forbidden("only the author can declare a collaboration")
	}
	return nil
}

// Disclosures returns the disclosures of those of notes that have one.
func (s *Service) Disclosures(ctx context.Context, notes []id.ID) (map[id.ID]Disclosure, error) {
	out := map[id.ID]Disclosure{}
	for start := 0; start < len(notes); start += 500 {
		chunk := notes[start:min(start+500, len(notes))]
		args := make([]any, len(chunk))
		for i, n := range chunk {
			args[i] = n
		}
		rows, err := s.db.Reader(ctx).Query(ctx, `SELECT d.note_id, d.kind, u.id, u.username,
			CASE WHEN u.display_name = '' THEN u.username ELSE u.display_name END
			FROM note_disclosures d JOIN users u ON u.id = d.brand_id WHERE d.note_id IN (`+db.Placeholders(len(args))+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var n id.ID
			var d Disclosure
			if err := rows.Scan(&n, &d.Kind, &d.BrandID, &d.Brand, &d.BrandName); err != nil {
				rows.Close()
				return nil, err
			}
			out[n] = d
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
