// Package productnotes joins the community and the shop (E4): the product
// cards a note shows, the creators' notes a product page lists, and buyers'
// reviews, which a buyer may publish as a note linking the product.
//
// The links themselves (note_products) are written by the notes service in
// the note's own transaction; this package only reads them, and creates
// review notes through notes.Service.Create so counters, feeds and topics
// move exactly as for any other note.
package productnotes

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/notes"
	"github.com/redmark/redmark/internal/shop"
	"github.com/redmark/redmark/internal/validate"
)

// Limits on reviews.
const (
	ReviewBodyMax   = 1000
	ReviewMaxImages = 9
)

// Service reads note ↔ product links and manages reviews.
type Service struct {
	db       *db.DB
	notes    *notes.Service
	shop     *shop.Service
	media    *media.Service
	accounts *accounts.Service
}

func New(d *db.DB, n *notes.Service, sh *shop.Service, m *media.Service, acc *accounts.Service) *Service {
	return &Service{db: d, notes: n, shop: sh, media: m, accounts: acc}
}

// Card is a product as a note shows it.
type Card struct {
	ID        id.ID  `json:"id"`
	Title     string `json:"title"`
	Price     int64  `json:"price"` // fen, the cheapest active SKU
	CoverURL  string `json:"cover_url"`
	StoreName string `json:"store_name"`
	Official  bool   `json:"official"`
}

// Cards returns the listed products each note links, in the author's
// order, with one query for all notes.
func (s *Service) Cards(ctx context.Context, noteIDs []id.ID) (map[id.ID][]Card, error) {
	out := map[id.ID][]Card{}
	if len(noteIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(noteIDs))
	for i, n := range noteIDs {
		args[i] = n
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT np.note_id, p.id, p.title, p.price_min, st.name, st.official,
		COALESCE(m.thumb_key, ''), COALESCE(m.storage_key, '')
		FROM note_products np JOIN products p ON p.id = np.product_id JOIN stores st ON st.id = p.store_id
		LEFT JOIN product_media pm ON pm.product_id = p.id AND pm.position = 0 LEFT JOIN media m ON m.id = pm.media_id
		WHERE np.note_id IN (`+db.Placeholders(len(args))+`) AND p.listed = 1 ORDER BY np.note_id, np.position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var nid id.ID
		var c Card
		var official int
		var thumb, full string
		if err := rows.Scan(&nid, &c.ID, &c.Title, &c.Price, &c.StoreName, &official, &thumb, &full); err != nil {
			return nil, err
		}
		c.Official = official == 1
		if thumb == "" {
			thumb = full
		}
		if thumb != "" {
			c.CoverURL = media.URLPrefix + thumb
		}
		out[nid] = append(out[nid], c)
	}
	return out, rows.Err()
}

// Notes returns the published notes that link a product, newest first,
// older than before (0: from the newest). The product must be visible to
// viewer (nil: signed out).
func (s *Service) Notes(ctx context.Context, viewer *accounts.User, productID, before id.ID, limit int) ([]notes.Note, error) {
	if _, err := s.shop.GetProduct(ctx, viewer, productID); err != nil {
		return nil, err
	}
	if before == 0 {
		before = id.ID(1<<63 - 1)
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT np.note_id FROM note_products np JOIN notes n ON n.id = np.note_id
		WHERE np.product_id = ? AND n.status = 'published' AND np.note_id < ? ORDER BY np.note_id DESC LIMIT ?`,
		productID, before, limit)
	if err != nil {
		return nil, err
	}
	var ids []id.ID
	for rows.Next() {
		var n id.ID
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	byID, err := s.notes.GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]notes.Note, 0, len(ids))
	for _, n := range ids {
		if note, ok := byID[n]; ok {
			out = append(out, note)
		}
	}
	return out, nil
}

// ReviewInput is what POST /products/{id}/reviews accepts.
type ReviewInput struct {
	Rating   int     `json:"rating"`
	Body     string  `json:"body"`
	MediaIDs []id.ID `json:"media_ids"`
	// PublishAsNote also publishes the review as a note linking the
	// product; a note needs at least one image.
	PublishAsNote bool `json:"publish_as_note"`
}

// Review is a buyer's review of a product.
type Review struct {
	ID        id.ID         `json:"id"`
	ProductID id.ID         `json:"product_id"`
	Author    accounts.User `json:"author"`
	Rating    int           `json:"rating"`
	Body      string        `json:"body"`
	Media     []media.Media `json:"media"`
	NoteID    *id.ID        `json:"note_id,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
	authorID  id.ID
}

// Summary is a product's rating.
type Summary struct {
	Count   int64   `json:"count"`
	Average float64 `json:"average"` // 0 when there are no reviews
}

// errRetry restarts a review whose chosen order line was taken by a
// concurrent review of the same buyer.
var errRetry = errors.New("order item reviewed concurrently")

// CreateReview records actor's review of a product they bought: it needs a
// delivered or completed order line of the product (not a gift, not fully
// refunded) that has no review yet; the oldest such line is used. Others
// get 403; a buyer who has reviewed every such line gets 409.
func (s *Service) CreateReview(ctx context.Context, actor accounts.User, productID id.ID, in ReviewInput) (Review, error) {
	if in.Rating < 1 || in.Rating > 5 {
		return Review{}, apperr.Invalid("rating must be a whole number from 1 to 5")
	}
	body, err := validate.Text("body", in.Body, 1, ReviewBodyMax, true)
	if err != nil {
		return Review{}, err
	}
	if len(in.MediaIDs) > ReviewMaxImages {
		return Review{}, apperr.Invalid("a review has at most %d images", ReviewMaxImages)
	}
	seen := map[id.ID]bool{}
	for _, m := range in.MediaIDs {
		if seen[m] {
			return Review{}, apperr.Invalid("media %s is listed twice", m)
		}
		seen[m] = true
	}
	p, err := s.shop.GetProduct(ctx, &actor, productID)
	if err != nil {
		return Review{}, err
	}
	ms, err := s.media.GetMany(ctx, in.MediaIDs)
	if err != nil {
		return Review{}, err
	}
	for _, m := range in.MediaIDs {
		if mm, ok := ms[m]; !ok || mm.OwnerID != actor.ID || mm.Kind != media.Image {
			return Review{}, apperr.Invalid("media %s is not an image you uploaded", m)
		}
	}
	rid := id.New()
	for attempt := 0; ; attempt++ {
		err = s.db.InTx(ctx, func(ctx context.Context) error {
			return s.insertReview(ctx, actor, rid, p, body, in)
		})
		if !errors.Is(err, errRetry) || attempt == 2 {
			break
		}
	}
	if errors.Is(err, errRetry) {
		return Review{}, apperr.Conflict("another review of this purchase was saved at the same time; try again")
	}
	if err != nil {
		return Review{}, err
	}
	rs, err := s.load(ctx, "r.id = ?", []any{rid}, 1)
	if err != nil || len(rs) == 0 {
		return Review{}, err
	}
	return rs[0], nil
}

func (s *Service) insertReview(ctx context.Context, actor accounts.User, rid id.ID, p shop.Product, body string, in ReviewInput) error {
	w := s.db.Writer(ctx)
	var item id.ID
	err := w.QueryRow(ctx, `SELECT oi.id FROM order_items oi JOIN orders o ON o.id = oi.order_id
		WHERE o.user_id = ? AND oi.product_id = ? AND o.status IN ('delivered', 'completed') AND oi.gift = 0
		AND oi.refunded_quantity < oi.quantity
		AND NOT EXISTS (SELECT 1 FROM product_reviews r WHERE r.order_item_id = oi.id) ORDER BY oi.id LIMIT 1`,
		actor.ID, p.ID).Scan(&item)
	if err != nil {
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var bought int
		if err := w.QueryRow(ctx, `SELECT COUNT(*) FROM order_items oi JOIN orders o ON o.id = oi.order_id
			WHERE o.user_id = ? AND oi.product_id = ? AND o.status IN ('delivered', 'completed') AND oi.gift = 0`,
			actor.ID, p.ID).Scan(&bought); err != nil {
			return err
		}
		if bought > 0 {
			return apperr.Conflict("you have already reviewed each purchase of this product")
		}
		return apperr.Forbidden("only buyers whose order of this product was delivered can review it")
	}
	res, err := w.Exec(ctx, `INSERT INTO product_reviews (id, product_id, order_item_id, user_id, rating, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_item_id) DO NOTHING`, rid, p.ID, item, actor.ID, in.Rating, body, db.Now())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errRetry
	}
	for i, m := range in.MediaIDs {
		if _, err := w.Exec(ctx, "INSERT INTO review_media (review_id, position, media_id) VALUES (?, ?, ?)", rid, i, m); err != nil {
			return err
		}
	}
	if in.PublishAsNote {
		n, err := s.notes.Create(ctx, actor, notes.Input{Title: reviewTitle(in.Rating, p.Title), Body: body,
			MediaIDs: in.MediaIDs, ProductIDs: []id.ID{p.ID}})
		if err != nil {
			return err
		}
		if _, err := w.Exec(ctx, "UPDATE product_reviews SET note_id = ? WHERE id = ?", n.ID, rid); err != nil {
			return err
		}
	}
	return nil
}

// reviewTitle is the title of a review published as a note: the stars and
// the product, cut to the note title limit.
func reviewTitle(rating int, product string) string {
	t := strings.Repeat("★", rating) + strings.Repeat("☆", 5-rating) + " " + product
	if utf8.RuneCountInString(t) <= notes.TitleMax {
		return t
	}
	r := []rune(t)
	return string(r[:notes.TitleMax-1]) + "…"
}

// Reviews lists a product's reviews, newest first, with its rating summary.
func (s *Service) Reviews(ctx context.Context, viewer *accounts.User, productID, before id.ID, limit int) ([]Review, Summary, error) {
	var sum Summary
	if _, err := s.shop.GetProduct(ctx, viewer, productID); err != nil {
		return nil, sum, err
	}
	var total int64
	if err := s.db.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(rating), 0) FROM product_reviews WHERE product_id = ?",
		productID).Scan(&sum.Count, &total); err != nil {
		return nil, sum, err
	}
	if sum.Count > 0 {
		sum.Average = float64(total*10/sum.Count) / 10
	}
	where, args := "r.product_id = ?", []any{productID}
	if before != 0 {
		where += " AND r.id < ?"
		args = append(args, before)
	}
	rs, err := s.load(ctx, where, args, limit)
	return rs, sum, err
}

// load reads reviews matching where with their authors and images.
func (s *Service) load(ctx context.Context, where string, args []any, limit int) ([]Review, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT r.id, r.product_id, r.user_id, r.rating, r.body, r.note_id, r.created_at
		FROM product_reviews r WHERE `+where+" ORDER BY r.id DESC LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, err
	}
	out := []Review{}
	for rows.Next() {
		var r Review
		var note *int64
		var created int64
		if err := rows.Scan(&r.ID, &r.ProductID, &r.authorID, &r.Rating, &r.Body, &note, &created); err != nil {
			rows.Close()
			return nil, err
		}
		if note != nil {
			n := id.ID(*note)
			r.NoteID = &n
		}
		r.CreatedAt = time.UnixMilli(created).UTC()
		r.Media = []media.Media{}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]any, len(out))
	authorIDs := make([]id.ID, len(out))
	byID := map[id.ID]*Review{}
	for i := range out {
		ids[i], authorIDs[i] = out[i].ID, out[i].authorID
		byID[out[i].ID] = &out[i]
	}
	authors, err := s.accounts.GetMany(ctx, authorIDs)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Author = authors[out[i].authorID].Public()
	}
	mrows, err := s.db.Reader(ctx).Query(ctx, "SELECT rm.review_id, "+media.Columns+` FROM review_media rm
		JOIN media m ON m.id = rm.media_id WHERE rm.review_id IN (`+db.Placeholders(len(ids))+") ORDER BY rm.review_id, rm.position", ids...)
	if err != nil {
		return nil, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var rid id.ID
		m, err := media.Scan(mrows, &rid)
		if err != nil {
			return nil, err
		}
		byID[rid].Media = append(byID[rid].Media, m)
	}
	return out, mrows.Err()
}
