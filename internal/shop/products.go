package shop

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/outbox"
	"github.com/redmark/redmark/internal/validate"
)

// Option is one variant dimension of a product, e.g. colour: red, blue.
type Option struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// SKU is one buyable variant with its own price (fen) and stock.
type SKU struct {
	ID      id.ID             `json:"id"`
	Options map[string]string `json:"options"`
	Code    string            `json:"code"`
	Price   int64             `json:"price"`
	Stock   int64             `json:"stock"`
	Active  bool              `json:"active"`
}

// Product is a catalog entry.
type Product struct {
	ID            id.ID         `json:"id"`
	StoreID       id.ID         `json:"store_id"`
	CategoryID    *id.ID        `json:"category_id"`
	Title         string        `json:"title"`
	Description   string        `json:"description"`
	Brand         string        `json:"brand"`
	OriginCountry string        `json:"origin_country"`
	Fulfilment    string        `json:"fulfilment"`
	ShippingFee   int64         `json:"shipping_fee"`
	Options       []Option      `json:"options"`
	Images        []media.Media `json:"images"`
	SKUs          []SKU         `json:"skus,omitempty"`
	Listed        bool          `json:"listed"`
	PriceMin      int64         `json:"price_min"`
	CreatedAt     time.Time     `json:"created_at"`
}

// SKUInput describes a new SKU.
type SKUInput struct {
	Options map[string]string `json:"options"`
	Code    string            `json:"code"`
	Price   int64             `json:"price"`
	Stock   int64             `json:"stock"`
}

// ProductInput is what POST /products accepts.
type ProductInput struct {
	StoreID       id.ID      `json:"store_id"`
	CategoryID    *id.ID     `json:"category_id"`
	Title         string     `json:"title"`
	Description   string     `json:"description"`
	Brand         string     `json:"brand"`
	OriginCountry string     `json:"origin_country"`
	Fulfilment    string     `json:"fulfilment"`
	ShippingFee   int64      `json:"shipping_fee"`
	ImageIDs      []id.ID    `json:"image_ids"`
	Options       []Option   `json:"options"`
	SKUs          []SKUInput `json:"skus"`
	Listed        *bool      `json:"listed"`
}

// SKUUpdate changes an existing SKU; nil fields stay. AddStock adjusts stock
// relative to its current value (safe while orders reserve concurrently);
// Stock sets it outright.
type SKUUpdate struct {
	ID       id.ID   `json:"id"`
	Price    *int64  `json:"price"`
	Stock    *int64  `json:"stock"`
	AddStock *int64  `json:"add_stock"`
	Active   *bool   `json:"active"`
	Code     *string `json:"code"`
}

// ProductUpdate is what PATCH /products/{id} accepts; nil fields stay.
// Options cannot change once SKUs exist; new SKUs use the existing options.
type ProductUpdate struct {
	CategoryID    *id.ID      `json:"category_id"`
	Title         *string     `json:"title"`
	Description   *string     `json:"description"`
	Brand         *string     `json:"brand"`
	OriginCountry *string     `json:"origin_country"`
	Fulfilment    *string     `json:"fulfilment"`
	ShippingFee   *int64      `json:"shipping_fee"`
	ImageIDs      *[]id.ID    `json:"image_ids"`
	Listed        *bool       `json:"listed"`
	SKUs          []SKUUpdate `json:"skus"`
	AddSKUs       []SKUInput  `json:"add_skus"`
}

func checkOptions(opts []Option) ([]Option, error) {
	if len(opts) > MaxOptions {
		return nil, apperr.Invalid("at most %d options", MaxOptions)
	}
	seen := map[string]bool{}
	out := make([]Option, 0, len(opts))
	for _, o := range opts {
		name, err := validate.Text("option name", o.Name, 1, OptionTextMax, false)
		if err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, apperr.Invalid("option %q appears twice", name)
		}
		seen[name] = true
		if len(o.Values) == 0 || len(o.Values) > MaxOptionValues {
			return nil, apperr.Invalid("option %q needs 1–%d values", name, MaxOptionValues)
		}
		vals := map[string]bool{}
		clean := make([]string, 0, len(o.Values))
		for _, v := range o.Values {
			v, err := validate.Text("option value", v, 1, OptionTextMax, false)
			if err != nil {
				return nil, err
			}
			if vals[v] {
				return nil, apperr.Invalid("option %q has the value %q twice", name, v)
			}
			vals[v] = true
			clean = append(clean, v)
		}
		out = append(out, Option{name, clean})
	}
	return out, nil
}

// skuKey checks that a SKU picks exactly one value of every option and
// returns the canonical key ("colour=red|size=M") that makes variants unique.
func skuKey(opts []Option, chosen map[string]string) (string, error) {
	if len(chosen) != len(opts) {
		return "", apperr.Invalid("each SKU must choose exactly one value for every option")
	}
	parts := make([]string, 0, len(opts))
	for _, o := range opts {
		v, ok := chosen[o.Name]
		if !ok {
			return "", apperr.Invalid("SKU is missing option %q", o.Name)
		}
		found := false
		for _, x := range o.Values {
			found = found || x == v
		}
		if !found {
			return "", apperr.Invalid("%q is not a value of option %q", v, o.Name)
		}
		parts = append(parts, o.Name+"="+v)
	}
	return strings.Join(parts, "|"), nil
}

func checkSKU(in SKUInput) (SKUInput, error) {
	if in.Price < 0 || in.Price > MaxPrice {
		return in, apperr.Invalid("price must be 0–%d fen", MaxPrice)
	}
	if in.Stock < 0 || in.Stock > MaxStock {
		return in, apperr.Invalid("stock must be 0–%d", MaxStock)
	}
	code, err := validate.Text("code", in.Code, 0, CodeMax, false)
	in.Code = code
	return in, err
}

// checkImages makes sure every image exists, is an image and belongs to owner.
func (s *Service) checkImages(ctx context.Context, owner id.ID, ids []id.ID) error {
	if len(ids) > MaxImages {
		return apperr.Invalid("at most %d images", MaxImages)
	}
	ms, err := s.media.GetMany(ctx, ids)
	if err != nil {
		return err
	}
	seen := map[id.ID]bool{}
	for _, mid := range ids {
		m, ok := ms[mid]
		if !ok || m.OwnerID != owner || m.Kind != media.Image {
			return apperr.Invalid("image %s is not one of your uploaded images", mid)
		}
		if seen[mid] {
			return apperr.Invalid("image %s appears twice", mid)
		}
		seen[mid] = true
	}
	return nil
}

func (s *Service) checkCategory(ctx context.Context, cid *id.ID) error {
	if cid == nil {
		return nil
	}
	if _, err := s.GetCategory(ctx, *cid); err != nil {
		return apperr.Invalid("category_id is not a category")
	}
	return nil
}

// CreateProduct adds a product with its SKUs to a store the actor manages.
func (s *Service) CreateProduct(ctx context.Context, actor accounts.User, in ProductInput) (Product, error) {
	if st, err := s.ManagedStore(ctx, actor, in.StoreID); err != nil {
		return Product{}, err
	} else if st.Suspended {
		return Product{}, errStoreSuspended
	}
	p := Product{ID: id.New(), StoreID: in.StoreID, CategoryID: in.CategoryID, Fulfilment: in.Fulfilment,
		ShippingFee: in.ShippingFee, Listed: in.Listed == nil || *in.Listed}
	var err error
	if p.Title, err = validate.Text("title", in.Title, 1, TitleMax, false); err != nil {
		return Product{}, err
	}
	if p.Description, err = validate.Text("description", in.Description, 0, DescriptionMax, true); err != nil {
		return Product{}, err
	}
	if p.Brand, err = validate.Text("brand", in.Brand, 0, BrandMax, false); err != nil {
		return Product{}, err
	}
	if p.OriginCountry, err = checkCountry(in.OriginCountry); err != nil {
		return Product{}, err
	}
	if !ValidFulfilment(p.Fulfilment) {
		return Product{}, apperr.Invalid("fulfilment must be bonded, overseas_direct or domestic")
	}
	if p.ShippingFee < 0 || p.ShippingFee > MaxShippingFee {
		return Product{}, apperr.Invalid("shipping_fee must be 0–%d fen", MaxShippingFee)
	}
	if p.Options, err = checkOptions(in.Options); err != nil {
		return Product{}, err
	}
	if len(in.SKUs) == 0 || len(in.SKUs) > MaxSKUs {
		return Product{}, apperr.Invalid("a product needs 1–%d SKUs", MaxSKUs)
	}
	if err := s.checkCategory(ctx, in.CategoryID); err != nil {
		return Product{}, err
	}
	if err := s.checkImages(ctx, actor.ID, in.ImageIDs); err != nil {
		return Product{}, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		now := db.Now()
		opts, _ := json.Marshal(p.Options)
		_, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO products (id, store_id, category_id, title, description, brand, origin_country,
			fulfilment, shipping_fee, options, listed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.StoreID, p.CategoryID, p.Title, p.Description, p.Brand, p.OriginCountry, p.Fulfilment, p.ShippingFee,
			string(opts), b2i(p.Listed), now, now)
		if err != nil {
			return err
		}
		if err := outbox.Add(ctx, s.db, outbox.Product, p.ID); err != nil { // search index follows
			return err
		}
		if err := s.setImages(ctx, p.ID, in.ImageIDs); err != nil {
			return err
		}
		if err := s.addSKUs(ctx, p.ID, p.Options, in.SKUs); err != nil {
			return err
		}
		return s.refreshPriceMin(ctx, p.ID)
	})
	if err != nil {
		return Product{}, err
	}
	return s.GetProduct(ctx, &actor, p.ID)
}

func (s *Service) addSKUs(ctx context.Context, productID id.ID, opts []Option, skus []SKUInput) error {
	now := db.Now()
	for _, in := range skus {
		in, err := checkSKU(in)
		if err != nil {
			return err
		}
		key, err := skuKey(opts, in.Options)
		if err != nil {
			return err
		}
		if in.Options == nil {
			in.Options = map[string]string{}
		}
		o, _ := json.Marshal(in.Options)
		_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO skus (id, product_id, options, options_key, code, price, stock, active, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)`, id.New(), productID, string(o), key, in.Code, in.Price, in.Stock, now)
		if db.IsUniqueViolation(err) {
			return apperr.Invalid("two SKUs have the same options %q", key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) setImages(ctx context.Context, productID id.ID, ids []id.ID) error {
	if _, err := s.db.Writer(ctx).Exec(ctx, "DELETE FROM product_media WHERE product_id = ?", productID); err != nil {
		return err
	}
	for i, mid := range ids {
		if _, err := s.db.Writer(ctx).Exec(ctx, "INSERT INTO product_media (product_id, position, media_id) VALUES (?, ?, ?)", productID, i, mid); err != nil {
			return err
		}
	}
	return nil
}

// refreshPriceMin keeps the listing price (cheapest active SKU) for lists.
func (s *Service) refreshPriceMin(ctx context.Context, productID id.ID) error {
	_, err := s.db.Writer(ctx).Exec(ctx, `UPDATE products SET price_min = COALESCE((SELECT MIN(price) FROM skus
		WHERE product_id = ? AND active = 1), 0) WHERE id = ?`, productID, productID)
	return err
}

// UpdateProduct applies a change by a manager of the product's store.
func (s *Service) UpdateProduct(ctx context.Context, actor accounts.User, productID id.ID, u ProductUpdate) (Product, error) {
	p, err := s.product(ctx, productID)
	if err != nil {
		return Product{}, err
	}
	if _, err := s.ManagedStore(ctx, actor, p.StoreID); err != nil {
		return Product{}, err
	}
	if u.Title != nil {
		if p.Title, err = validate.Text("title", *u.Title, 1, TitleMax, false); err != nil {
			return Product{}, err
		}
	}
	if u.Description != nil {
		if p.Description, err = validate.Text("description", *u.Description, 0, DescriptionMax, true); err != nil {
			return Product{}, err
		}
	}
	if u.Brand != nil {
		if p.Brand, err = validate.Text("brand", *u.Brand, 0, BrandMax, false); err != nil {
			return Product{}, err
		}
	}
	if u.OriginCountry != nil {
		if p.OriginCountry, err = checkCountry(*u.OriginCountry); err != nil {
			return Product{}, err
		}
	}
	if u.Fulfilment != nil {
		if !ValidFulfilment(*u.Fulfilment) {
			return Product{}, apperr.Invalid("fulfilment must be bonded, overseas_direct or domestic")
		}
		p.Fulfilment = *u.Fulfilment
	}
	if u.ShippingFee != nil {
		if *u.ShippingFee < 0 || *u.ShippingFee > MaxShippingFee {
			return Product{}, apperr.Invalid("shipping_fee must be 0–%d fen", MaxShippingFee)
		}
		p.ShippingFee = *u.ShippingFee
	}
	if u.CategoryID != nil {
		if err := s.checkCategory(ctx, u.CategoryID); err != nil {
			return Product{}, err
		}
		p.CategoryID = u.CategoryID
	}
	if u.Listed != nil {
		if *u.Listed && !p.Listed {
			if err := s.mayList(ctx, p.ID); err != nil {
				return Product{}, err
			}
		}
		p.Listed = *u.Listed
	}
	if u.ImageIDs != nil {
		if err := s.checkImages(ctx, actor.ID, *u.ImageIDs); err != nil {
			return Product{}, err
		}
	}
	if len(u.SKUs)+len(u.AddSKUs) > MaxSKUs {
		return Product{}, apperr.Invalid("too many SKU changes")
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		_, err := s.db.Writer(ctx).Exec(ctx, `UPDATE products SET category_id = ?, title = ?, description = ?, brand = ?,
			origin_country = ?, fulfilment = ?, shipping_fee = ?, listed = ?, updated_at = ? WHERE id = ?`,
			p.CategoryID, p.Title, p.Description, p.Brand, p.OriginCountry, p.Fulfilment, p.ShippingFee, b2i(p.Listed), db.Now(), p.ID)
		if err != nil {
			return err
		}
		if err := outbox.Add(ctx, s.db, outbox.Product, p.ID); err != nil { // search index follows
			return err
		}
		if u.ImageIDs != nil {
			if err := s.setImages(ctx, p.ID, *u.ImageIDs); err != nil {
				return err
			}
		}
		for _, su := range u.SKUs {
			if err := s.updateSKU(ctx, p.ID, su); err != nil {
				return err
			}
		}
		if err := s.addSKUs(ctx, p.ID, p.Options, u.AddSKUs); err != nil {
			return err
		}
		return s.refreshPriceMin(ctx, p.ID)
	})
	if err != nil {
		return Product{}, err
	}
	return s.GetProduct(ctx, &actor, p.ID)
}

func (s *Service) updateSKU(ctx context.Context, productID id.ID, su SKUUpdate) error {
	w := s.db.Writer(ctx)
	var exists int
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT 1 FROM skus WHERE id = ? AND product_id = ?", su.ID, productID).Scan(&exists)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Invalid("SKU %s is not a SKU of this product", su.ID)
	}
	if err != nil {
		return err
	}
	if su.Price != nil {
		if *su.Price < 0 || *su.Price > MaxPrice {
			return apperr.Invalid("price must be 0–%d fen", MaxPrice)
		}
		if _, err := w.Exec(ctx, "UPDATE skus SET price = ? WHERE id = ?", *su.Price, su.ID); err != nil {
			return err
		}
	}
	if su.Stock != nil && su.AddStock != nil {
		return apperr.Invalid("send stock or add_stock, not both")
	}
	if su.Stock != nil {
		if *su.Stock < 0 || *su.Stock > MaxStock {
			return apperr.Invalid("stock must be 0–%d", MaxStock)
		}
		if _, err := w.Exec(ctx, "UPDATE skus SET stock = ? WHERE id = ?", *su.Stock, su.ID); err != nil {
			return err
		}
	}
	if su.AddStock != nil {
		d := *su.AddStock
		if d < -MaxStock || d > MaxStock {
			return apperr.Invalid("add_stock is out of range")
		}
		res, err := w.Exec(ctx, "UPDATE skus SET stock = stock + ? WHERE id = ? AND stock + ? >= 0 AND stock + ? <= ?", d, su.ID, d, d, MaxStock)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("add_stock would take stock of SKU %s out of range", su.ID)
		}
	}
	if su.Code != nil {
		code, err := validate.Text("code", *su.Code, 0, CodeMax, false)
		if err != nil {
			return err
		}
		if _, err := w.Exec(ctx, "UPDATE skus SET code = ? WHERE id = ?", code, su.ID); err != nil {
			return err
		}
	}
	if su.Active != nil {
		if _, err := w.Exec(ctx, "UPDATE skus SET active = ? WHERE id = ?", b2i(*su.Active), su.ID); err != nil {
			return err
		}
	}
	return nil
}

const productCols = `p.id, p.store_id, p.category_id, p.title, p.description, p.brand, p.origin_country, p.fulfilment,
	p.shipping_fee, p.options, p.listed, p.price_min, p.created_at`

func scanProduct(row interface{ Scan(...any) error }) (Product, error) {
	var p Product
	var cat sql.NullInt64
	var opts string
	var listed int
	var created int64
	if err := row.Scan(&p.ID, &p.StoreID, &cat, &p.Title, &p.Description, &p.Brand, &p.OriginCountry, &p.Fulfilment,
		&p.ShippingFee, &opts, &listed, &p.PriceMin, &created); err != nil {
		return Product{}, err
	}
	if cat.Valid {
		c := id.ID(cat.Int64)
		p.CategoryID = &c
	}
	if err := json.Unmarshal([]byte(opts), &p.Options); err != nil {
		return Product{}, err
	}
	p.Listed, p.CreatedAt = listed == 1, time.UnixMilli(created).UTC()
	p.Images = []media.Media{}
	return p, nil
}

func (s *Service) product(ctx context.Context, productID id.ID) (Product, error) {
	p, err := scanProduct(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+productCols+" FROM products p WHERE p.id = ?", productID))
	if errors.Is(err, sql.ErrNoRows) {
		return Product{}, apperr.NotFound("product")
	}
	return p, err
}

// GetProduct returns a product with its images and SKUs. An unlisted
// product is visible only to the managers of its store (viewer may be nil).
func (s *Service) GetProduct(ctx context.Context, viewer *accounts.User, productID id.ID) (Product, error) {
	p, err := s.product(ctx, productID)
	if err != nil {
		return Product{}, err
	}
	if !p.Listed {
		st, err := s.GetStore(ctx, p.StoreID)
		if err != nil {
			return Product{}, err
		}
		if viewer == nil || !st.CanManage(*viewer) {
			return Product{}, apperr.NotFound("product")
		}
	}
	if err := s.loadImages(ctx, []*Product{&p}); err != nil {
		return Product{}, err
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id, options, code, price, stock, active FROM skus WHERE product_id = ? ORDER BY id", p.ID)
	if err != nil {
		return Product{}, err
	}
	defer rows.Close()
	p.SKUs = []SKU{}
	for rows.Next() {
		var k SKU
		var opts string
		var active int
		if err := rows.Scan(&k.ID, &opts, &k.Code, &k.Price, &k.Stock, &active); err != nil {
			return Product{}, err
		}
		if err := json.Unmarshal([]byte(opts), &k.Options); err != nil {
			return Product{}, err
		}
		k.Active = active == 1
		p.SKUs = append(p.SKUs, k)
	}
	return p, rows.Err()
}

func (s *Service) loadImages(ctx context.Context, ps []*Product) error {
	if len(ps) == 0 {
		return nil
	}
	args := make([]any, len(ps))
	byID := make(map[id.ID]*Product, len(ps))
	for i, p := range ps {
		args[i] = p.ID
		byID[p.ID] = p
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT pm.product_id, "+media.Columns+` FROM product_media pm
		JOIN media m ON m.id = pm.media_id WHERE pm.product_id IN (`+db.Placeholders(len(args))+") ORDER BY pm.product_id, pm.position", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid id.ID
		m, err := media.Scan(rows, &pid)
		if err != nil {
			return err
		}
		byID[pid].Images = append(byID[pid].Images, m)
	}
	return rows.Err()
}

// ListFilter narrows ListProducts; zero values mean any.
type ListFilter struct {
	StoreID    id.ID
	CategoryID id.ID
	Before     id.ID // cursor: products with smaller ids
	Limit      int
}

// ListProducts returns listed products newest first, without SKUs, and the
// cursor of the next page ("" at the end). A category includes its children.
func (s *Service) ListProducts(ctx context.Context, f ListFilter) ([]Product, string, error) {
	q := "SELECT " + productCols + " FROM products p WHERE p.listed = 1"
	var args []any
	if f.StoreID != 0 {
		q += " AND p.store_id = ?"
		args = append(args, f.StoreID)
	}
	if f.CategoryID != 0 {
		q += " AND (p.category_id = ? OR p.category_id IN (SELECT id FROM categories WHERE parent_id = ?))"
		args = append(args, f.CategoryID, f.CategoryID)
	}
	if f.Before != 0 {
		q += " AND p.id < ?"
		args = append(args, f.Before)
	}
	q += " ORDER BY p.id DESC LIMIT ?"
	args = append(args, f.Limit+1)
	rows, err := s.db.Reader(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	out := []Product{}
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			rows.Close()
			return nil, "", err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID.String()
	}
	ptrs := make([]*Product, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, next, s.loadImages(ctx, ptrs)
}
