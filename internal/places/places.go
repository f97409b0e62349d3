// Package places owns destinations (C8): the country → city → area/POI
// hierarchy, which notes belong to which place (read from the note's
// location), the operator merge tool, per-trip shopping lists and the
// editorial guides readers download as EPUB or PDF.
//
// A note is attached to the most specific place its location names; its
// ancestors follow from the place's path, so a merge or a reparenting never
// has to rewrite note rows of the places above.
package places

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/outbox"
	"github.com/redmark/redmark/internal/validate"
)

// Kinds of place, from the top.
const (
	Country = "country"
	City    = "city"
	Area    = "area" // a district or a point of interest
)

var depth = map[string]int{Country: 0, City: 1, Area: 2}

// Place is a destination.
type Place struct {
	ID       id.ID    `json:"id"`
	ParentID id.ID    `json:"parent_id,omitzero"`
	Kind     string   `json:"kind"`
	Slug     string   `json:"slug"`
	NameZh   string   `json:"name_zh"`
	NameEn   string   `json:"name_en"`
	Aliases  []string `json:"aliases"`
	Lat      float64  `json:"lat,omitzero"`
	Lng      float64  `json:"lng,omitzero"`
	path     string
}

// Name is the place's name in lang ("zh" or "en").
func (p Place) Name(lang string) string {
	if lang == "en" {
		return p.NameEn
	}
	return p.NameZh
}

// HasCoords reports whether the place can be pinned on a map.
func (p Place) HasCoords() bool { return p.Lat != 0 || p.Lng != 0 }

// names are every name a location may use for the place.
func (p Place) names() []string {
	return append([]string{p.NameZh, p.NameEn}, p.Aliases...)
}

// Service manages places, lists and guides.
type Service struct {
	db *db.DB
	// render prints a guide's HTML to PDF (pdf.go); nil when no browser.
	pdf PDFPrinter
}

// New builds the service; pdf may be nil (PDF downloads then answer 503).
func New(d *db.DB, pdf PDFPrinter) *Service { return &Service{db: d, pdf: pdf} }

// Input creates a place.
type Input struct {
	ParentID id.ID    `json:"parent_id"`
	Kind     string   `json:"kind"`
	Slug     string   `json:"slug"`
	NameZh   string   `json:"name_zh"`
	NameEn   string   `json:"name_en"`
	Aliases  []string `json:"aliases"`
	Lat      float64  `json:"lat"`
	Lng      float64  `json:"lng"`
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

const placeCols = "pl.id, COALESCE(pl.parent_id, 0), pl.kind, pl.slug, pl.name_zh, pl.name_en, pl.aliases, pl.path, pl.lat_e6, pl.lng_e6"

// scanPlace reads placeCols after the lead columns.
func scanPlace(row interface{ Scan(...any) error }, lead ...any) (Place, error) {
	var p Place
	var aliases string
	var lat, lng int64
	err := row.Scan(append(lead, &p.ID, &p.ParentID, &p.Kind, &p.Slug, &p.NameZh, &p.NameEn, &aliases, &p.path, &lat, &lng)...)
	if err != nil {
		return p, err
	}
	p.Aliases = splitAliases(aliases)
	p.Lat, p.Lng = float64(lat)/1e6, float64(lng)/1e6
	return p, nil
}

func splitAliases(s string) []string {
	var out []string
	for a := range strings.SplitSeq(s, "\n") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// check validates in's names, aliases and coordinates and finds its parent
// (a country has none, a city's parent is a country, an area's a city);
// it returns the aliases, one per line, and the parent's path ("/" for none).
func (s *Service) check(ctx context.Context, in *Input) (aliases, parentPath string, parent any, err error) {
	d, ok := depth[in.Kind]
	if !ok {
		return "", "", nil, apperr.Invalid("kind must be country, city or area")
	}
	if in.NameZh, err = validate.Text("name_zh", in.NameZh, 1, 40, false); err != nil {
		return "", "", nil, err
	}
	if in.NameEn, err = validate.Text("name_en", in.NameEn, 1, 60, false); err != nil {
		return "", "", nil, err
	}
	var as []string
	for _, a := range in.Aliases {
		if a = strings.TrimSpace(a); a != "" {
			if a, err = validate.Text("aliases", a, 1, 60, false); err != nil {
				return "", "", nil, err
			}
			as = append(as, a)
		}
	}
	if in.Lat < -90 || in.Lat > 90 || in.Lng < -180 || in.Lng > 180 {
		return "", "", nil, apperr.Invalid("coordinates out of range")
	}
	if d == 0 {
		if in.ParentID != 0 {
			return "", "", nil, apperr.Invalid("a country has no parent")
		}
		return strings.Join(as, "\n"), "/", nil, nil
	}
	par, err := s.Get(ctx, in.ParentID)
	if err != nil {
		return "", "", nil, apperr.Invalid("parent_id: no such place")
	}
	if depth[par.Kind] != d-1 {
		return "", "", nil, apperr.Invalid("places of kind %s belong under a %s", in.Kind, []string{Country, City}[d-1])
	}
	return strings.Join(as, "\n"), par.path, par.ID, nil
}

// Create adds a place under its parent.
func (s *Service) Create(ctx context.Context, in Input) (Place, error) {
	if !slugRE.MatchString(in.Slug) || len(in.Slug) > 60 {
		return Place{}, apperr.Invalid("slug must be lower-case letters, digits and dashes")
	}
	aliases, parentPath, parent, err := s.check(ctx, &in)
	if err != nil {
		return Place{}, err
	}
	pid := id.New()
	path := parentPath + pid.String() + "/"
	_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO places (id, parent_id, kind, slug, name_zh, name_en, aliases, path, lat_e6, lng_e6, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, pid, parent, in.Kind, in.Slug, in.NameZh, in.NameEn,
		aliases, path, int64(in.Lat*1e6), int64(in.Lng*1e6), db.Now())
	if db.IsUniqueViolation(err) {
		return Place{}, apperr.Conflict("slug %q is taken", in.Slug)
	}
	if err != nil {
		return Place{}, err
	}
	return s.Get(ctx, pid)
}

// Update changes a place's names, aliases, coordinates and parent (its kind
// and slug stay: slugs are URLs). A new parent moves the whole subtree by
// rewriting path prefixes, as a merge does; the notes at or under the place
// are re-sent to the search index, which files them under the names.
func (s *Service) Update(ctx context.Context, pid id.ID, in Input) (Place, error) {
	old, err := s.Get(ctx, pid)
	if err != nil {
		return Place{}, err
	}
	in.Kind = old.Kind
	aliases, parentPath, parent, err := s.check(ctx, &in)
	if err != nil {
		return Place{}, err
	}
	path := parentPath + pid.String() + "/"
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		if _, err := w.Exec(ctx, `UPDATE places SET parent_id = ?, name_zh = ?, name_en = ?, aliases = ?, lat_e6 = ?, lng_e6 = ?
			WHERE id = ?`, parent, in.NameZh, in.NameEn, aliases, int64(in.Lat*1e6), int64(in.Lng*1e6), pid); err != nil {
			return err
		}
		if path != old.path {
			if _, err := w.Exec(ctx, "UPDATE places SET path = ? || substr(path, ?) WHERE path LIKE ?",
				path, len(old.path)+1, old.path+"%"); err != nil {
				return err
			}
		}
		noteIDs, err := db.IDs(w.Query(ctx, `SELECT np.note_id FROM note_places np JOIN places p ON p.id = np.place_id
			WHERE p.path LIKE ?`, path+"%"))
		if err != nil {
			return err
		}
		for _, n := range noteIDs {
			if err := outbox.Add(ctx, s.db, outbox.Note, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Place{}, err
	}
	return s.Get(ctx, pid)
}

// Get returns a place by id.
func (s *Service) Get(ctx context.Context, pid id.ID) (Place, error) {
	return s.one(ctx, "id = ?", pid)
}

// BySlug returns a place by its URL name.
func (s *Service) BySlug(ctx context.Context, slug string) (Place, error) {
	return s.one(ctx, "slug = ?", slug)
}

func (s *Service) one(ctx context.Context, cond string, arg any) (Place, error) {
	p, err := scanPlace(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+placeCols+" FROM places pl WHERE "+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFound("place")
	}
	return p, err
}

func (s *Service) list(ctx context.Context, cond string, args ...any) ([]Place, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+placeCols+" FROM places pl WHERE "+cond+" ORDER BY name_en", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Place
	for rows.Next() {
		p, err := scanPlace(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Children returns the places directly under pid (0: the countries).
func (s *Service) Children(ctx context.Context, pid id.ID) ([]Place, error) {
	if pid == 0 {
		return s.list(ctx, "parent_id IS NULL")
	}
	return s.list(ctx, "parent_id = ?", pid)
}

// All returns every place (the console and the attacher; destinations are
// counted in hundreds, not millions).
func (s *Service) All(ctx context.Context) ([]Place, error) { return s.list(ctx, "1 = 1") }

// Ancestors returns the chain from the country down to p's parent.
func (s *Service) Ancestors(ctx context.Context, p Place) ([]Place, error) {
	ids := strings.Split(strings.Trim(p.path, "/"), "/")
	ids = ids[:len(ids)-1]
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, v := range ids {
		n, _ := strconv.ParseInt(v, 10, 64)
		args[i] = n
	}
	ps, err := s.list(ctx, "id IN ("+db.Placeholders(len(args))+")", args...)
	if err != nil {
		return nil, err
	}
	// path order is top-down; list sorted by name.
	out := make([]Place, 0, len(ps))
	for _, v := range ids {
		for _, q := range ps {
			if q.ID.String() == v {
				out = append(out, q)
			}
		}
	}
	return out, nil
}

// Match returns the place a location string names: the deepest place one
// of whose names occurs in it, the longest name winning among equals
// ("东京·涩谷" is 涩谷, not 东京). ok is false when no place matches.
func Match(all []Place, location string) (Place, bool) {
	loc := strings.ToLower(location)
	var best Place
	bestDepth, bestLen := -1, 0
	for _, p := range all {
		for _, n := range p.names() {
			n = strings.ToLower(n)
			if n == "" || !strings.Contains(loc, n) {
				continue
			}
			d := depth[p.Kind]
			if d > bestDepth || (d == bestDepth && len(n) > bestLen) {
				best, bestDepth, bestLen = p, d, len(n)
			}
		}
	}
	return best, bestDepth >= 0
}

// attachBatch is how many notes one AttachNew pass reads.
const attachBatch = 500

// AttachNew attaches the notes published since the last pass to the places
// their locations name, and returns how many it attached. The search index
// hears of each attachment through the outbox, so place names become
// searchable on the note. Safe to run from several servers: the cursor
// row and the note_places key make a repeated pass a no-op.
func (s *Service) AttachNew(ctx context.Context) (int, error) {
	all, err := s.All(ctx)
	if err != nil || len(all) == 0 {
		return 0, err
	}
	total := 0
	for {
		n, more, err := s.attachPass(ctx, all)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

func (s *Service) attachPass(ctx context.Context, all []Place) (attached int, more bool, err error) {
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		var after id.ID
		err := w.QueryRow(ctx, "SELECT note_id FROM place_attach_cursor WHERE name = 'notes'").Scan(&after)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := w.Exec(ctx, "INSERT INTO place_attach_cursor (name, note_id) VALUES ('notes', 0)"); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		rows, err := w.Query(ctx, `SELECT id, location FROM notes WHERE id > ? AND status = 'published'
			ORDER BY id LIMIT ?`, after, attachBatch)
		if err != nil {
			return err
		}
		type loc struct {
			note id.ID
			text string
		}
		var batch []loc
		for rows.Next() {
			var l loc
			if err := rows.Scan(&l.note, &l.text); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, l := range batch {
			after = l.note
			if l.text == "" {
				continue
			}
			p, ok := Match(all, l.text)
			if !ok {
				continue
			}
			if err := s.attach(ctx, l.note, p.ID); err != nil {
				return err
			}
			attached++
		}
		more = len(batch) == attachBatch
		_, err = w.Exec(ctx, "UPDATE place_attach_cursor SET note_id = ? WHERE name = 'notes'", after)
		return err
	})
	return attached, more, err
}

// attach records note → place (replacing an earlier place) and tells the
// search indexer; it runs inside the caller's transaction.
func (s *Service) attach(ctx context.Context, note, place id.ID) error {
	w := s.db.Writer(ctx)
	if _, err := w.Exec(ctx, "DELETE FROM note_places WHERE note_id = ?", note); err != nil {
		return err
	}
	if _, err := w.Exec(ctx, "INSERT INTO note_places (note_id, place_id, created_at) VALUES (?, ?, ?)", note, place, db.Now()); err != nil {
		return err
	}
	return outbox.Add(ctx, s.db, outbox.Note, note)
}

// Relocate re-attaches a note whose location changed (the notes service
// calls it inside the edit's transaction): to the place the new location
// names, or to none.
func (s *Service) Relocate(ctx context.Context, note id.ID, location string) error {
	all, err := s.All(ctx)
	if err != nil {
		return err
	}
	if p, ok := Match(all, location); ok && location != "" {
		return s.attach(ctx, note, p.ID)
	}
	res, err := s.db.Writer(ctx).Exec(ctx, "DELETE FROM note_places WHERE note_id = ?", note)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return outbox.Add(ctx, s.db, outbox.Note, note)
}

// Attach sets a note's place by hand (operators fixing a location).
func (s *Service) Attach(ctx context.Context, note, place id.ID) error {
	if _, err := s.Get(ctx, place); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		var n int
		err := s.db.Writer(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM notes WHERE id = ?", note).Scan(&n)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.NotFound("note")
		}
		return s.attach(ctx, note, place)
	})
}

// Merge folds the duplicate place dup into keep: dup's notes, children,
// lists and guides move to keep, dup's names become keep's aliases (so
// future notes naming them land on keep), and dup is deleted. Both must
// be the same kind. The notes moved are re-sent to the search index.
func (s *Service) Merge(ctx context.Context, keep, dup id.ID) error {
	if keep == dup {
		return apperr.Invalid("cannot merge a place into itself")
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		k, err := scanPlace(w.QueryRow(ctx, "SELECT "+placeCols+" FROM places pl WHERE id = ?", keep))
		if err != nil {
			return notFound(err)
		}
		d, err := scanPlace(w.QueryRow(ctx, "SELECT "+placeCols+" FROM places pl WHERE id = ?", dup))
		if err != nil {
			return notFound(err)
		}
		if k.Kind != d.Kind {
			return apperr.Invalid("only places of the same kind can be merged")
		}
		if strings.HasPrefix(k.path, d.path) {
			return apperr.Invalid("cannot merge a place into one of its own descendants")
		}
		// Every note at or under dup changes the names it is found by.
		noteIDs, err := db.IDs(w.Query(ctx, `SELECT np.note_id FROM note_places np JOIN places p ON p.id = np.place_id
			WHERE p.path LIKE ?`, d.path+"%"))
		if err != nil {
			return err
		}
		steps := []struct {
			q    string
			args []any
		}{
			{"UPDATE note_places SET place_id = ? WHERE place_id = ?", []any{keep, dup}},
			{"UPDATE places SET parent_id = ? WHERE parent_id = ?", []any{keep, dup}},
			// Descendants' paths: swap dup's prefix for keep's.
			{"UPDATE places SET path = ? || substr(path, ?) WHERE path LIKE ? AND id <> ?", []any{k.path, len(d.path) + 1, d.path + "%", dup}},
			{"UPDATE trip_lists SET place_id = ? WHERE place_id = ?", []any{keep, dup}},
			{"UPDATE guides SET place_id = ? WHERE place_id = ?", []any{keep, dup}},
			{"UPDATE places SET aliases = ? WHERE id = ?", []any{strings.Join(mergeNames(k, d), "\n"), keep}},
			{"DELETE FROM places WHERE id = ?", []any{dup}},
		}
		for _, st := range steps {
			if _, err := w.Exec(ctx, st.q, st.args...); err != nil {
				return err
			}
		}
		for _, n := range noteIDs {
			if err := outbox.Add(ctx, s.db, outbox.Note, n); err != nil {
				return err
			}
		}
		return nil
	})
}

// mergeNames are keep's aliases plus every name of dup keep lacks.
func mergeNames(keep, dup Place) []string {
	have := map[string]bool{}
	for _, n := range keep.names() {
		have[strings.ToLower(n)] = true
	}
	out := keep.Aliases
	for _, n := range dup.names() {
		if !have[strings.ToLower(n)] {
			have[strings.ToLower(n)] = true
			out = append(out, n)
		}
	}
	return out
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("place")
	}
	return err
}
