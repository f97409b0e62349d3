// Package live is live rooms (issue 11, part A): a creator, brand or
// merchant schedules a live with products from the shop, pushes video to a
// real media server (nginx-rtmp) with a secret stream key, viewers watch the
// HLS it writes, the host pins products, orders placed from the live carry
// its id, and the recording becomes a replay in the media store. Chat and
// watch time are internal/livechat's. See docs/live.md.
package live

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
)

// Statuses of a live, in the only order they move.
const (
	Scheduled = "scheduled"
	OnAir     = "live"
	Ended     = "ended"
)

// Replay statuses.
const (
	ReplayPending = "pending"
	ReplayReady   = "ready"
	ReplayFailed  = "failed"
)

// Limits of a live's fields.
const (
	TitleMax    = 80
	MaxProducts = 50
)

// Config says where the media server is. A live works without it (it can be
// scheduled and edited) but cannot go on air.
type Config struct {
	// RTMPURL is the ingest URL shown to hosts, e.g. rtmp://host:1935/live;
	// the stream key is appended as the stream name.
	RTMPURL string
	// Dir is the media server's working directory: nginx-rtmp writes HLS
	// to Dir/hls/live_<id>/ and recordings to Dir/rec/live_<id>.flv.
	Dir string
	// HookSecret is the shared secret in the callback URLs nginx-rtmp calls.
	HookSecret string
	// FFmpeg runs the replay conversion ("" looks it up in PATH).
	FFmpeg string
}

// Configured reports whether live video can be pushed and watched.
func (c Config) Configured() bool { return c.RTMPURL != "" && c.Dir != "" && c.HookSecret != "" }

// Live is one live room.
type Live struct {
	ID           id.ID      `json:"id"`
	HostID       id.ID      `json:"host_id"`
	HostName     string     `json:"host_username"`
	HostDisplay  string     `json:"host_display_name"`
	Title        string     `json:"title"`
	CoverMediaID *id.ID     `json:"cover_media_id"`
	CoverURL     string     `json:"cover_url"`
	Status       string     `json:"status"`
	ScheduledAt  time.Time  `json:"scheduled_at"`
	StartedAt    *time.Time `json:"started_at"`
	EndedAt      *time.Time `json:"ended_at"`
	HasKey       bool       `json:"has_stream_key"` // false once revoked
	ReplayStatus string     `json:"replay_status"`
	ReplayURL    string     `json:"replay_url"`
	ReplayPoster string     `json:"replay_poster_url"`
	// PlaybackURL is the HLS playlist while the live is on air.
	PlaybackURL string    `json:"playback_url"`
	Products    []Product `json:"products"`
	CreatedAt   time.Time `json:"created_at"`
}

// Product is a product a live sells, as its card shows it.
type Product struct {
	ID        id.ID  `json:"id"`
	Title     string `json:"title"`
	Price     int64  `json:"price"` // fen, the cheapest active SKU
	CoverURL  string `json:"cover_url"`
	StoreName string `json:"store_name"`
	Listed    bool   `json:"listed"`
	Pinned    bool   `json:"pinned"`
}

// Input creates or edits a live.
type Input struct {
	Title        string    `json:"title"`
	CoverMediaID *id.ID    `json:"cover_media_id"`
	ScheduledAt  time.Time `json:"scheduled_at"`
	ProductIDs   []id.ID   `json:"product_ids"`
}

// Service stores lives and answers the media server.
type Service struct {
	db    *db.DB
	media *media.Service
	cfg   Config
	// Now is the clock of the schedule checks and the sweeper (tests move it).
	Now func() time.Time
	// started is when this server began: the sweeper trusts silence only
	// from then on (sweep.go).
	started time.Time
	// converting lets one replay conversion run at a time per server.
	converting sync.Mutex
	// bg carries the conversions PublishDone starts; Close cancels it and
	// waits for them.
	bg     context.Context
	stopBg context.CancelFunc
	wg     sync.WaitGroup
}

// New returns the service.
func New(d *db.DB, m *media.Service, cfg Config) *Service {
	bg, stop := context.WithCancel(context.Background())
	return &Service{db: d, media: m, cfg: cfg, Now: time.Now, started: time.Now(), bg: bg, stopBg: stop}
}

// Close stops replay conversions in progress (their lives stay pending, for
// the next start) and waits for them.
func (s *Service) Close() {
	s.stopBg()
	s.wg.Wait()
}

// Config is the media server configuration the service was built with.
func (s *Service) Config() Config { return s.cfg }

// CanHost reports whether u may create lives: creators, brands, merchants
// and operators.
func CanHost(u accounts.User) bool {
	switch u.Role {
	case accounts.RoleCreator, accounts.RoleBrand, accounts.RoleMerchant, accounts.RoleOperator:
		return true
	}
	return false
}

// canManage: the host, or an operator.
func canManage(u accounts.User, l Live) bool {
	return u.ID == l.HostID || u.Role == accounts.RoleOperator
}

// streamName is what the media server calls a live's stream after the
// key was accepted: the HLS directory and recording are named after it.
func streamName(lid id.ID) string { return "live_" + lid.String() }

// parseStreamName is the inverse of streamName.
func parseStreamName(name string) (id.ID, bool) {
	rest, ok := strings.CutPrefix(name, "live_")
	if !ok {
		return 0, false
	}
	return id.ParseOK(rest)
}

// newKey returns a fresh stream key and its stored hash.
func newKey() (key, hash string) {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	key = "rmk_" + hex.EncodeToString(b)
	return key, hashKey(key)
}

func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func (s *Service) check(ctx context.Context, actor accounts.User, in *Input) error {
	t, err := validateTitle(in.Title)
	if err != nil {
		return err
	}
	in.Title = t
	if in.ScheduledAt.IsZero() {
		in.ScheduledAt = s.Now()
	}
	if in.ScheduledAt.Before(s.Now().Add(-24*time.Hour)) || in.ScheduledAt.After(s.Now().AddDate(1, 0, 0)) {
		return apperr.Invalid("scheduled_at must be within the coming year")
	}
	if in.CoverMediaID != nil {
		m, err := s.media.Get(ctx, *in.CoverMediaID)
		if err != nil || m.OwnerID != actor.ID || m.Kind != media.Image {
			return apperr.Invalid("cover_media_id must be an image you uploaded")
		}
	}
	if len(in.ProductIDs) > MaxProducts {
		return apperr.Invalid("a live sells at most %d products", MaxProducts)
	}
	seen := map[id.ID]bool{}
	for _, p := range in.ProductIDs {
		if seen[p] {
			return apperr.Invalid("product %s is listed twice", p)
		}
		seen[p] = true
	}
	if len(in.ProductIDs) == 0 {
		return nil
	}
	args := make([]any, len(in.ProductIDs))
	for i, p := range in.ProductIDs {
		args[i] = p
	}
	var n int
	if err := s.db.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM products WHERE listed = 1 AND id IN ("+
		db.Placeholders(len(args))+")", args...).Scan(&n); err != nil {
		return err
	}
	if n != len(in.ProductIDs) {
		return apperr.Invalid("every product must exist and be listed in the shop")
	}
	return nil
}

func validateTitle(t string) (string, error) {
	t = strings.TrimSpace(t)
	if t == "" {
		return "", apperr.Invalid("title is required")
	}
	if len([]rune(t)) > TitleMax {
		return "", apperr.Invalid("title must be at most %d characters", TitleMax)
	}
	for _, r := range t {
		if r < 0x20 || r == 0x7f {
			return "", apperr.Invalid("title contains control characters")
		}
	}
	return t, nil
}

// Create schedules a live for actor. The stream key is returned once, here;
// only its hash is kept.
func (s *Service) Create(ctx context.Context, actor accounts.User, in Input) (Live, string, error) {
	if !CanHost(actor) {
		return Live{}, "", apperr.Forbidden("only creators, brands and merchants can host lives")
	}
	if err := s.check(ctx, actor, &in); err != nil {
		return Live{}, "", err
	}
	lid, now := id.New(), db.Now()
	key, hash := newKey()
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO lives (id, host_id, title, cover_media_id, status, scheduled_at,
			key_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			lid, actor.ID, in.Title, in.CoverMediaID, Scheduled, in.ScheduledAt.UnixMilli(), hash, now, now); err != nil {
			return err
		}
		return s.setProducts(ctx, lid, in.ProductIDs)
	})
	if err != nil {
		return Live{}, "", err
	}
	l, err := s.Get(ctx, lid)
	return l, key, err
}

// setProducts replaces a live's product list, keeping the pins of products
// that stay.
func (s *Service) setProducts(ctx context.Context, lid id.ID, ids []id.ID) error {
	w := s.db.Writer(ctx)
	pins := map[id.ID]int64{}
	rows, err := w.Query(ctx, "SELECT product_id, pinned_at FROM live_products WHERE live_id = ?", lid)
	if err != nil {
		return err
	}
	for rows.Next() {
		var p id.ID
		var at int64
		if err := rows.Scan(&p, &at); err != nil {
			rows.Close()
			return err
		}
		pins[p] = at
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := w.Exec(ctx, "DELETE FROM live_products WHERE live_id = ?", lid); err != nil {
		return err
	}
	for i, p := range ids {
		if _, err := w.Exec(ctx, "INSERT INTO live_products (live_id, product_id, position, pinned_at) VALUES (?, ?, ?, ?)",
			lid, p, i, pins[p]); err != nil {
			return err
		}
	}
	return nil
}

// manage loads a live actor may change; someone else's live is a 403.
func (s *Service) manage(ctx context.Context, actor accounts.User, lid id.ID) (Live, error) {
	l, err := s.load(ctx, s.db.Writer(ctx), lid)
	if err != nil {
		return Live{}, err
	}
	if !canManage(actor, l) {
		return Live{}, apperr.Forbidden("this is not your live")
	}
	return l, nil
}

// Update edits a live that has not ended.
func (s *Service) Update(ctx context.Context, actor accounts.User, lid id.ID, in Input) (Live, error) {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		l, err := s.manage(ctx, actor, lid)
		if err != nil {
			return err
		}
		if l.Status == Ended {
			return apperr.Conflict("the live has ended")
		}
		host := accounts.User{ID: l.HostID}
		if err := s.check(ctx, host, &in); err != nil {
			return err
		}
		if _, err := s.db.Writer(ctx).Exec(ctx, `UPDATE lives SET title = ?, cover_media_id = ?, scheduled_at = ?, updated_at = ?
			WHERE id = ?`, in.Title, in.CoverMediaID, in.ScheduledAt.UnixMilli(), db.Now(), lid); err != nil {
			return err
		}
		return s.setProducts(ctx, lid, in.ProductIDs)
	})
	if err != nil {
		return Live{}, err
	}
	return s.Get(ctx, lid)
}

// RotateKey gives a live a new stream key (the old one stops working) and
// returns it, once.
func (s *Service) RotateKey(ctx context.Context, actor accounts.User, lid id.ID) (string, error) {
	key, hash := newKey()
	err := s.setKey(ctx, actor, lid, hash)
	if err != nil {
		return "", err
	}
	return key, nil
}

// RevokeKey removes a live's stream key: the media server refuses it, and
// drops a stream already on air at its next update callback.
func (s *Service) RevokeKey(ctx context.Context, actor accounts.User, lid id.ID) error {
	return s.setKey(ctx, actor, lid, "")
}

func (s *Service) setKey(ctx context.Context, actor accounts.User, lid id.ID, hash string) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		l, err := s.manage(ctx, actor, lid)
		if err != nil {
			return err
		}
		if l.Status == Ended {
			return apperr.Conflict("the live has ended")
		}
		_, err = s.db.Writer(ctx).Exec(ctx, "UPDATE lives SET key_hash = ?, updated_at = ? WHERE id = ?", hash, db.Now(), lid)
		return err
	})
}

// End closes a live by hand (a scheduled one is cancelled). The stream
// itself is refused from now on; a running one is dropped at the media
// server's next update callback.
func (s *Service) End(ctx context.Context, actor accounts.User, lid id.ID) (Live, error) {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.manage(ctx, actor, lid); err != nil {
			return err
		}
		_, err := s.markEnded(ctx, lid)
		return err
	})
	if err != nil {
		return Live{}, err
	}
	return s.Get(ctx, lid)
}

// markEnded ends a live once; a live that went on air gets a pending
// replay. It reports whether this call ended it.
func (s *Service) markEnded(ctx context.Context, lid id.ID) (bool, error) {
	return s.markEndedIf(ctx, lid, "", nil)
}

// markEndedIf is markEnded under an extra condition (cond with its args).
func (s *Service) markEndedIf(ctx context.Context, lid id.ID, cond string, args []any) (bool, error) {
	now := db.Now()
	res, err := s.db.Writer(ctx).Exec(ctx, `UPDATE lives SET status = ?, ended_at = ?, updated_at = ?,
		replay_status = CASE WHEN started_at > 0 THEN ? ELSE '' END WHERE id = ? AND status <> ?`+cond,
		append([]any{Ended, now, now, ReplayPending, lid, Ended}, args...)...)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Pin pins (or unpins) one of a live's products.
func (s *Service) Pin(ctx context.Context, actor accounts.User, lid, productID id.ID, pinned bool) (Live, error) {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		l, err := s.manage(ctx, actor, lid)
		if err != nil {
			return err
		}
		if l.Status == Ended {
			return apperr.Conflict("the live has ended")
		}
		at := int64(0)
		if pinned {
			at = db.Now()
		}
		res, err := s.db.Writer(ctx).Exec(ctx, "UPDATE live_products SET pinned_at = ? WHERE live_id = ? AND product_id = ?", at, lid, productID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("product of this live")
		}
		return nil
	})
	if err != nil {
		return Live{}, err
	}
	return s.Get(ctx, lid)
}

const liveCols = `l.id, l.host_id, u.username, u.display_name, l.title, l.cover_media_id, COALESCE(cm.thumb_key, ''),
	COALESCE(cm.storage_key, ''), l.status, l.scheduled_at, l.started_at, l.ended_at, l.key_hash <> '', l.replay_status,
	COALESCE(rm.storage_key, ''), COALESCE(rm.poster_key, ''), l.created_at`

const liveFrom = ` FROM lives l JOIN users u ON u.id = l.host_id LEFT JOIN media cm ON cm.id = l.cover_media_id
	LEFT JOIN media rm ON rm.id = l.replay_media_id`

func scanLive(row interface{ Scan(...any) error }) (Live, error) {
	var l Live
	var thumb, full, replay, poster string
	var sched, started, ended, created int64
	var cover sql.Null[id.ID]
	if err := row.Scan(&l.ID, &l.HostID, &l.HostName, &l.HostDisplay, &l.Title, &cover, &thumb, &full, &l.Status, &sched,
		&started, &ended, &l.HasKey, &l.ReplayStatus, &replay, &poster, &created); err != nil {
		return Live{}, err
	}
	if cover.Valid {
		l.CoverMediaID = &cover.V
	}
	if thumb == "" {
		thumb = full
	}
	if thumb != "" {
		l.CoverURL = media.URLPrefix + thumb
	}
	if replay != "" {
		l.ReplayURL = media.URLPrefix + replay
	}
	if poster != "" {
		l.ReplayPoster = media.URLPrefix + poster
	}
	l.ScheduledAt = time.UnixMilli(sched).UTC()
	l.StartedAt, l.EndedAt = msTime(started), msTime(ended)
	l.CreatedAt = time.UnixMilli(created).UTC()
	if l.Status == OnAir {
		l.PlaybackURL = "/live/" + l.ID.String() + "/hls/index.m3u8"
	}
	l.Products = []Product{}
	return l, nil
}

func msTime(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	t := time.UnixMilli(ms).UTC()
	return &t
}

func (s *Service) load(ctx context.Context, q db.Querier, lid id.ID) (Live, error) {
	l, err := scanLive(q.QueryRow(ctx, "SELECT "+liveCols+liveFrom+" WHERE l.id = ?", lid))
	if errors.Is(err, sql.ErrNoRows) {
		return Live{}, apperr.NotFound("live")
	}
	return l, err
}

// Get returns a live with its products, pinned ones first.
func (s *Service) Get(ctx context.Context, lid id.ID) (Live, error) {
	l, err := s.load(ctx, s.db.Reader(ctx), lid)
	if err != nil {
		return Live{}, err
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT p.id, p.title, p.price_min, st.name, p.listed, lp.pinned_at,
		COALESCE(m.thumb_key, ''), COALESCE(m.storage_key, '')
		FROM live_products lp JOIN products p ON p.id = lp.product_id JOIN stores st ON st.id = p.store_id
		LEFT JOIN product_media pm ON pm.product_id = p.id AND pm.position = 0 LEFT JOIN media m ON m.id = pm.media_id
		WHERE lp.live_id = ? ORDER BY lp.pinned_at DESC, lp.position`, lid)
	if err != nil {
		return Live{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var p Product
		var listed int
		var pinnedAt int64
		var thumb, full string
		if err := rows.Scan(&p.ID, &p.Title, &p.Price, &p.StoreName, &listed, &pinnedAt, &thumb, &full); err != nil {
			return Live{}, err
		}
		p.Listed, p.Pinned = listed == 1, pinnedAt > 0
		if thumb == "" {
			thumb = full
		}
		if thumb != "" {
			p.CoverURL = media.URLPrefix + thumb
		}
		l.Products = append(l.Products, p)
	}
	return l, rows.Err()
}

// Room is what live chat (internal/livechat) needs of a live: its host and
// status (Scheduled, OnAir or Ended). A missing live is apperr's 404.
func (s *Service) Room(ctx context.Context, liveID id.ID) (host id.ID, status string, err error) {
	err = s.db.Reader(ctx).QueryRow(ctx, "SELECT host_id, status FROM lives WHERE id = ?", liveID).Scan(&host, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", apperr.NotFound("live")
	}
	return host, status, err
}

// ListFilter selects lives for a list.
type ListFilter struct {
	Status string // "" for every status
	HostID id.ID  // 0 for every host
	Before id.ID  // cursor: lives older than this id
	Limit  int
}

// List returns lives newest first (on air and scheduled: soonest first).
func (s *Service) List(ctx context.Context, f ListFilter) ([]Live, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	where, args := []string{"1 = 1"}, []any{}
	if f.Status != "" {
		where, args = append(where, "l.status = ?"), append(args, f.Status)
	}
	if f.HostID != 0 {
		where, args = append(where, "l.host_id = ?"), append(args, f.HostID)
	}
	if f.Before != 0 {
		where, args = append(where, "l.id < ?"), append(args, f.Before)
	}
	order := "l.id DESC"
	if f.Status == Scheduled {
		order = "l.scheduled_at, l.id DESC"
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+liveCols+liveFrom+" WHERE "+strings.Join(where, " AND ")+
		" ORDER BY "+order+" LIMIT ?", append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Live{}
	for rows.Next() {
		l, err := scanLive(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
