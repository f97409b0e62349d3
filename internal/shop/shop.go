// Package shop owns the catalog side of commerce (E1, E2): stores (the
// self-operated 福利社 and merchant or brand flagship stores), categories,
// products with their images and variant SKUs, prices in fen and stock.
// Stock only ever changes through conditional UPDATEs (Reserve/Release), so
// concurrent buyers can never drive it below zero.
package shop

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/validate"
)

// Store kinds.
const (
	SelfOperated = "self_operated" // run by the operators (福利社), always official
	Flagship     = "flagship"      // a brand account's store
	Merchant     = "merchant"      // a third-party merchant's store
)

// Limits on catalog fields.
const (
	StoreNameMax    = 40
	StoreDescMax    = 500
	TitleMax        = 100
	DescriptionMax  = 5000
	BrandMax        = 60
	MaxImages       = 9
	MaxOptions      = 3
	MaxOptionValues = 30
	OptionTextMax   = 30
	MaxSKUs         = 200
	MaxPrice        = 100_000_000 // 1,000,000 yuan in fen
	MaxStock        = 10_000_000
	MaxShippingFee  = 100_000
	CodeMax         = 64
)

// Service manages stores, categories and products.
type Service struct {
	db    *db.DB
	media *media.Service
}

func New(d *db.DB, md *media.Service) *Service { return &Service{db: d, media: md} }

// Store is a shop front.
type Store struct {
	ID          id.ID     `json:"id"`
	OwnerID     id.ID     `json:"owner_id"`
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Official    bool      `json:"official"`
	CreatedAt   time.Time `json:"created_at"`
	// Suspended is set by moderation: the store sells nothing meanwhile.
	Suspended bool `json:"suspended,omitempty"`
}

// CanManage reports whether u may edit the store's products and handle its
// orders: its owner, and for the self-operated store any operator.
func (st Store) CanManage(u accounts.User) bool {
	return st.OwnerID == u.ID || (st.Kind == SelfOperated && u.Role == accounts.RoleOperator)
}

// StoreInput is what POST /stores accepts.
type StoreInput struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Kind        string `json:"kind"`
}

// CreateStore opens a store. Operators open the self-operated store (it is
// official at once); merchants open merchant stores and brand accounts
// flagship stores, which become official when an operator verifies them.
func (s *Service) CreateStore(ctx context.Context, actor accounts.User, in StoreInput) (Store, error) {
	name, err := validate.Text("name", in.Name, 2, StoreNameMax, false)
	if err != nil {
		return Store{}, err
	}
	desc, err := validate.Text("description", in.Description, 0, StoreDescMax, true)
	if err != nil {
		return Store{}, err
	}
	kind := in.Kind
	switch actor.Role {
	case accounts.RoleOperator:
		if kind == "" {
			kind = SelfOperated
		}
	case accounts.RoleMerchant:
		if kind == "" {
			kind = Merchant
		}
		if kind != Merchant {
			return Store{}, apperr.Forbidden("merchants open merchant stores")
		}
	case accounts.RoleBrand:
		if kind == "" {
			kind = Flagship
		}
		if kind != Flagship && kind != Merchant {
			return Store{}, apperr.Forbidden("brand accounts open flagship or merchant stores")
		}
	default:
		return Store{}, apperr.Forbidden("only merchants, brand accounts and operators can open a store")
	}
	if kind != SelfOperated && kind != Flagship && kind != Merchant {
		return Store{}, apperr.Invalid("kind must be self_operated, flagship or merchant")
	}
	now := db.Now()
	st := Store{ID: id.New(), OwnerID: actor.ID, Kind: kind, Name: name, Description: desc,
		Official: kind == SelfOperated, CreatedAt: time.UnixMilli(now).UTC()}
	verified := int64(0)
	if st.Official {
		verified = now
	}
	_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO stores (id, owner_id, kind, name, description, official, verified_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, st.ID, st.OwnerID, st.Kind, st.Name, st.Description, b2i(st.Official), verified, now, now)
	if db.IsUniqueViolation(err) {
		return Store{}, apperr.Conflict("a store named %q exists", name)
	}
	return st, err
}

// VerifyStore marks a store official (operators only).
func (s *Service) VerifyStore(ctx context.Context, actor accounts.User, storeID id.ID, official bool) (Store, error) {
	if actor.Role != accounts.RoleOperator {
		return Store{}, apperr.Forbidden("only operators verify stores")
	}
	verified := int64(0)
	if official {
		verified = db.Now()
	}
	res, err := s.db.Writer(ctx).Exec(ctx, "UPDATE stores SET official = ?, verified_at = ?, updated_at = ? WHERE id = ?",
		b2i(official), verified, db.Now(), storeID)
	if err != nil {
		return Store{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Store{}, apperr.NotFound("store")
	}
	return s.GetStore(ctx, storeID)
}

// GetStore returns a store.
func (s *Service) GetStore(ctx context.Context, storeID id.ID) (Store, error) {
	var st Store
	var official, suspended int
	var created int64
	err := s.db.Reader(ctx).QueryRow(ctx, `SELECT id, owner_id, kind, name, description, official, created_at, suspended FROM stores WHERE id = ?`, storeID).
		Scan(&st.ID, &st.OwnerID, &st.Kind, &st.Name, &st.Description, &official, &created, &suspended)
	if errors.Is(err, sql.ErrNoRows) {
		return Store{}, apperr.NotFound("store")
	}
	st.Official, st.CreatedAt, st.Suspended = official == 1, time.UnixMilli(created).UTC(), suspended == 1
	return st, err
}

// ManagedStore returns the store if actor may manage it, else 403 (404 when
// it does not exist).
func (s *Service) ManagedStore(ctx context.Context, actor accounts.User, storeID id.ID) (Store, error) {
	st, err := s.GetStore(ctx, storeID)
	if err != nil {
		return Store{}, err
	}
	if !st.CanManage(actor) {
		return Store{}, apperr.Forbidden("you do not manage this store")
	}
	return st, nil
}

// Category groups products; categories may nest one level under a parent.
type Category struct {
	ID       id.ID  `json:"id"`
	ParentID *id.ID `json:"parent_id,omitempty"`
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	NameZH   string `json:"name_zh"`
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// CreateCategory adds a category (operators only).
func (s *Service) CreateCategory(ctx context.Context, actor accounts.User, c Category) (Category, error) {
	if actor.Role != accounts.RoleOperator {
		return Category{}, apperr.Forbidden("only operators manage categories")
	}
	if !slugRE.MatchString(c.Slug) {
		return Category{}, apperr.Invalid("slug must be 1–40 lowercase letters, digits and '-'")
	}
	var err error
	if c.Name, err = validate.Text("name", c.Name, 1, 40, false); err != nil {
		return Category{}, err
	}
	if c.NameZH, err = validate.Text("name_zh", c.NameZH, 0, 40, false); err != nil {
		return Category{}, err
	}
	if c.ParentID != nil {
		if _, err := s.GetCategory(ctx, *c.ParentID); err != nil {
			return Category{}, apperr.Invalid("parent_id is not a category")
		}
	}
	c.ID = id.New()
	_, err = s.db.Writer(ctx).Exec(ctx, "INSERT INTO categories (id, parent_id, slug, name, name_zh, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		c.ID, c.ParentID, c.Slug, c.Name, c.NameZH, db.Now())
	if db.IsUniqueViolation(err) {
		return Category{}, apperr.Conflict("category %q exists", c.Slug)
	}
	return c, err
}

// GetCategory returns a category.
func (s *Service) GetCategory(ctx context.Context, cid id.ID) (Category, error) {
	var c Category
	var parent sql.NullInt64
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT id, parent_id, slug, name, name_zh FROM categories WHERE id = ?", cid).
		Scan(&c.ID, &parent, &c.Slug, &c.Name, &c.NameZH)
	if errors.Is(err, sql.ErrNoRows) {
		return Category{}, apperr.NotFound("category")
	}
	if parent.Valid {
		p := id.ID(parent.Int64)
		c.ParentID = &p
	}
	return c, err
}

// Categories lists every category (the tree is small).
func (s *Service) Categories(ctx context.Context) ([]Category, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id, parent_id, slug, name, name_zh FROM categories ORDER BY slug")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Category{}
	for rows.Next() {
		var c Category
		var parent sql.NullInt64
		if err := rows.Scan(&c.ID, &parent, &c.Slug, &c.Name, &c.NameZH); err != nil {
			return nil, err
		}
		if parent.Valid {
			p := id.ID(parent.Int64)
			c.ParentID = &p
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fulfilment types (E2).
const (
	Bonded         = "bonded"          // shipped from a bonded warehouse in China
	OverseasDirect = "overseas_direct" // direct mail from abroad
	Domestic       = "domestic"
)

// ValidFulfilment reports whether f is a known fulfilment type.
func ValidFulfilment(f string) bool { return f == Bonded || f == OverseasDirect || f == Domestic }

func checkCountry(c string) (string, error) {
	c = strings.ToUpper(strings.TrimSpace(c))
	if c == "" {
		return "", nil
	}
	if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
		return "", apperr.Invalid("origin_country must be a two-letter ISO 3166 code such as JP or FR")
	}
	return c, nil
}
