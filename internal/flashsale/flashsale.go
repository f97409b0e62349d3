// Package flashsale runs flash sales (限时购/秒杀, E6): an operator puts a
// fixed number of units of a SKU on sale at a price for a time window with
// a per-shopper limit, and a crowd buys at the same second.
//
// The database is the source of truth. A purchase is one short write
// transaction: claim the Idempotency-Key (flash_orders), raise the
// shopper's counter only while it stays within the limit (a conditional
// upsert on flash_buyers), write the order through the orders package, and
// take the units with a conditional UPDATE on flash_sales.remaining. Any
// failing step rolls the whole attempt back, so no order exists without its
// units and no units leave without an order. In front of it sit in-memory
// fast paths (sold-out flag, per-shopper counts, remembered rejections) so
// that the stampede after sell-out costs no database write; with Redis
// configured (redis.go) an atomic Lua script is the gate instead and only
// the winners reach the database. See docs/flashsale.md.
package flashsale

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/orders"
	"github.com/redmark/redmark/internal/shop"
	"github.com/redmark/redmark/internal/validate"
)

// Source is the tag flash-sale orders carry (orders.source).
const Source = "flash"

// Limits on what an operator may schedule.
const (
	MaxStock    = 1_000_000
	MaxPerUser  = 99
	MaxDuration = 7 * 24 * time.Hour
	MinDuration = time.Minute
	TitleMax    = 100
	MaxMemoSize = 1 << 20
	defaultMemo = 200_000
)

// Sale statuses.
const (
	Upcoming = "upcoming"
	Live     = "live"
	SoldOut  = "sold_out"
	Ended    = "ended"
)

// Config holds the rules; zero fields take the defaults.
type Config struct {
	// PaymentWindow: unpaid flash orders expire after it and their units
	// go back on sale (5 min).
	PaymentWindow time.Duration
	// JobInterval: how often expiry, the return of unsold stock, the
	// sold-out refresh and Redis reconciliation run (1 s).
	JobInterval time.Duration
	// MemoSize bounds the rejected answers remembered per sale for
	// Idempotency-Key replays (200,000).
	MemoSize int
	// RedisPrefix namespaces the Redis keys ("rm:fs").
	RedisPrefix string
}

func (c Config) withDefaults() Config {
	if c.PaymentWindow <= 0 {
		c.PaymentWindow = 5 * time.Minute
	}
	if c.JobInterval <= 0 {
		c.JobInterval = time.Second
	}
	if c.MemoSize <= 0 || c.MemoSize > MaxMemoSize {
		c.MemoSize = defaultMemo
	}
	if c.RedisPrefix == "" {
		c.RedisPrefix = "rm:fs"
	}
	return c
}

// Service runs flash sales.
type Service struct {
	db     *db.DB
	shop   *shop.Service
	orders *orders.Service
	cfg    Config
	now    func() time.Time
	rdb    *redis.Client // nil: embedded mode

	loadMu sync.Mutex // serialises loading a sale's state against release updates
	states sync.Map   // id.ID -> *state
}

// New builds the service and routes the stock of cancelled or expired
// flash orders back to their sale.
func New(d *db.DB, sh *shop.Service, or *orders.Service, cfg Config) *Service {
	s := &Service{db: d, shop: sh, orders: or, cfg: cfg.withDefaults(), now: time.Now}
	or.RegisterSource(Source, s.release)
	return s
}

// Config returns the effective rules.
func (s *Service) Config() Config { return s.cfg }

// Input schedules a sale.
type Input struct {
	SKUID        id.ID     `json:"sku_id"`
	Title        string    `json:"title"` // optional: the product's title
	Price        int64     `json:"price"` // fen, at most the SKU's list price
	Stock        int64     `json:"stock"` // units taken from the SKU's stock now
	PerUserLimit int64     `json:"per_user_limit"`
	StartsAt     time.Time `json:"starts_at"`
	EndsAt       time.Time `json:"ends_at"`
}

// Sale is a scheduled flash sale as the API shows it.
type Sale struct {
	ID           id.ID     `json:"id"`
	SKUID        id.ID     `json:"sku_id"`
	ProductID    id.ID     `json:"product_id"`
	StoreID      id.ID     `json:"store_id"`
	Title        string    `json:"title"`
	Price        int64     `json:"price"`
	ListPrice    int64     `json:"list_price"`
	Stock        int64     `json:"stock"`
	Remaining    int64     `json:"remaining"`
	PerUserLimit int64     `json:"per_user_limit"`
	StartsAt     time.Time `json:"starts_at"`
	EndsAt       time.Time `json:"ends_at"`
	Status       string    `json:"status"`
	ServerTime   time.Time `json:"server_time"` // for the countdown: clients correct their clock with it
	// Bought is how many units the signed-in viewer holds in this sale.
	Bought   int64 `json:"bought"`
	returned int64
}

// statusAt is the sale's phase at now given its remaining stock.
func (sl Sale) statusAt(now time.Time) string {
	switch {
	case now.Before(sl.StartsAt):
		return Upcoming
	case !now.Before(sl.EndsAt):
		return Ended
	case sl.Remaining == 0:
		return SoldOut
	}
	return Live
}

// Create schedules a sale (operators only) and takes its units out of the
// SKU's stock in the same transaction, so a sale can never sell units the
// warehouse does not have.
func (s *Service) Create(ctx context.Context, actor accounts.User, in Input) (Sale, error) {
	if actor.Role != accounts.RoleOperator {
		return Sale{}, apperr.Forbidden("only operators schedule flash sales")
	}
	title, err := validate.Text("title", in.Title, 0, TitleMax, false)
	if err != nil {
		return Sale{}, err
	}
	switch {
	case in.SKUID == 0:
		return Sale{}, apperr.Invalid("sku_id is required")
	case in.Stock < 1 || in.Stock > MaxStock:
		return Sale{}, apperr.Invalid("stock must be 1–%d", MaxStock)
	case in.PerUserLimit < 1 || in.PerUserLimit > MaxPerUser:
		return Sale{}, apperr.Invalid("per_user_limit must be 1–%d", MaxPerUser)
	case in.StartsAt.IsZero() || in.EndsAt.IsZero():
		return Sale{}, apperr.Invalid("starts_at and ends_at are required (RFC 3339)")
	case in.EndsAt.Sub(in.StartsAt) < MinDuration || in.EndsAt.Sub(in.StartsAt) > MaxDuration:
		return Sale{}, apperr.Invalid("a sale lasts from 1 minute to 7 days")
	case !in.EndsAt.After(s.now()):
		return Sale{}, apperr.Invalid("ends_at is in the past")
	case in.StartsAt.After(s.now().Add(90 * 24 * time.Hour)):
		return Sale{}, apperr.Invalid("starts_at is more than 90 days ahead")
	}
	items, err := s.shop.Items(ctx, []id.ID{in.SKUID})
	if err != nil {
		return Sale{}, err
	}
	it, ok := items[in.SKUID]
	if !ok || !it.Buyable {
		return Sale{}, apperr.Invalid("SKU %s is not for sale", in.SKUID)
	}
	if in.Price < 0 || in.Price > it.Price {
		return Sale{}, apperr.Invalid("price must be 0–%d fen (the SKU's list price)", it.Price)
	}
	if title == "" {
		title = it.Title
		if len([]rune(title)) > TitleMax {
			title = string([]rune(title)[:TitleMax])
		}
	}
	sl := Sale{ID: id.New(), SKUID: it.SKUID, ProductID: it.ProductID, StoreID: it.StoreID, Title: title, Price: in.Price,
		ListPrice: it.Price, Stock: in.Stock, Remaining: in.Stock, PerUserLimit: in.PerUserLimit,
		StartsAt: in.StartsAt.UTC().Truncate(time.Millisecond), EndsAt: in.EndsAt.UTC().Truncate(time.Millisecond)}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		ok, err := s.shop.Reserve(ctx, it.SKUID, in.Stock)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Conflict("the SKU has fewer than %d units in stock", in.Stock)
		}
		_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO flash_sales (id, sku_id, product_id, store_id, title, price, list_price, stock,
			remaining, per_user_limit, starts_at, ends_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sl.ID, sl.SKUID, sl.ProductID, sl.StoreID, sl.Title, sl.Price, sl.ListPrice, sl.Stock, sl.Remaining, sl.PerUserLimit,
			sl.StartsAt.UnixMilli(), sl.EndsAt.UnixMilli(), actor.ID, db.Now())
		return err
	})
	if err != nil {
		return Sale{}, err
	}
	if s.rdb != nil {
		// Prime the gate now; a failure here is repaired on first use.
		if _, err := s.state(ctx, sl.ID); err != nil {
			slog.Warn("flash sale: prime redis", "sale", sl.ID, "err", err)
		}
	}
	now := s.now()
	sl.Status, sl.ServerTime = sl.statusAt(now), now.UTC()
	return sl, nil
}

const saleCols = `id, sku_id, product_id, store_id, title, price, list_price, stock, remaining, returned, per_user_limit, starts_at, ends_at`

func scanSale(row interface{ Scan(...any) error }) (Sale, error) {
	var sl Sale
	var starts, ends int64
	err := row.Scan(&sl.ID, &sl.SKUID, &sl.ProductID, &sl.StoreID, &sl.Title, &sl.Price, &sl.ListPrice, &sl.Stock, &sl.Remaining,
		&sl.returned, &sl.PerUserLimit, &starts, &ends)
	sl.StartsAt, sl.EndsAt = time.UnixMilli(starts).UTC(), time.UnixMilli(ends).UTC()
	return sl, err
}

func (s *Service) load(ctx context.Context, saleID id.ID) (Sale, error) {
	sl, err := scanSale(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+saleCols+" FROM flash_sales WHERE id = ?", saleID))
	if errors.Is(err, sql.ErrNoRows) {
		return Sale{}, apperr.NotFound("flash sale")
	}
	return sl, err
}

// Get returns a sale with its live remaining stock and status; viewer (0
// when signed out) sees how many units they hold.
func (s *Service) Get(ctx context.Context, saleID, viewer id.ID) (Sale, error) {
	sl, err := s.load(ctx, saleID)
	if err != nil {
		return Sale{}, err
	}
	if viewer != 0 {
		err := s.db.Reader(ctx).QueryRow(ctx, "SELECT bought FROM flash_buyers WHERE sale_id = ? AND user_id = ?", saleID, viewer).Scan(&sl.Bought)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return Sale{}, err
		}
	}
	now := s.now()
	sl.Status, sl.ServerTime = sl.statusAt(now), now.UTC()
	return sl, nil
}

// List returns sales that have not ended (soonest first) followed by ended
// ones (latest first) — at most limit, with ended ones of the last 7 days.
func (s *Service) List(ctx context.Context, limit int) ([]Sale, error) {
	now := s.now()
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+saleCols+` FROM flash_sales WHERE ends_at > ?
		ORDER BY CASE WHEN ends_at > ? THEN 0 ELSE 1 END, CASE WHEN ends_at > ? THEN starts_at ELSE -ends_at END, id LIMIT ?`,
		now.Add(-MaxDuration).UnixMilli(), now.UnixMilli(), now.UnixMilli(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Sale{}
	for rows.Next() {
		sl, err := scanSale(rows)
		if err != nil {
			return nil, err
		}
		sl.Status, sl.ServerTime = sl.statusAt(now), now.UTC()
		out = append(out, sl)
	}
	return out, rows.Err()
}

// Answers of a purchase other than 201. Each has its own code so clients
// can tell them apart; the same error value is replayed for a retried key.
var (
	errSoldOut    = &apperr.Error{Status: http.StatusConflict, Code: "sold_out", Message: "sold out, or fewer units left than you asked for"}
	errOverLimit  = &apperr.Error{Status: http.StatusTooManyRequests, Code: "over_limit", Message: "this would take you over the per-person limit of this sale"}
	errNotStarted = &apperr.Error{Status: http.StatusForbidden, Code: "not_started", Message: "the sale has not started yet"}
	errEnded      = &apperr.Error{Status: http.StatusForbidden, Code: "ended", Message: "the sale has ended"}
)
