package app

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/jobs"
	"github.com/redmark/redmark/internal/orders"
	"github.com/redmark/redmark/internal/recommend"
)

// AnalyticsConfig sets the operations console's data (O1–O3).
type AnalyticsConfig struct {
	// RetentionDays keeps raw events this long after they are rolled up
	// (default 180; the rollups are kept for ever).
	RetentionDays int
	// RollupInterval is how often the rollup job looks for complete days (default 5 min).
	RollupInterval time.Duration
	// Personas are the operator's segment rules (default analytics.DefaultPersonas).
	Personas *analytics.PersonaConfig
}

// Analytics is the event recorder, the rollups and the metrics.
type Analytics struct {
	Recorder *analytics.Recorder
	Rollups  *analytics.Rollups
	Metrics  *analytics.Metrics
	Personas analytics.PersonaConfig
}

// initAnalytics builds the recorder and hooks it into the acts it records
// after growth and campaigns have seen them; an act is buffered when its
// transaction commits.
func (a *App) initAnalytics() {
	cfg := a.Config.Analytics
	if cfg.RetentionDays == 0 {
		cfg.RetentionDays = 180
	}
	an := &Analytics{
		Recorder: analytics.NewRecorder(analytics.NewSQLSink(a.DB)),
		Rollups:  analytics.NewRollups(a.DB, cfg.RetentionDays),
		Metrics:  analytics.NewMetrics(a.DB),
		Personas: analytics.DefaultPersonas,
	}
	if cfg.Personas != nil {
		an.Personas = *cfg.Personas
	}
	an.Rollups.Personas = an.Personas
	a.Analytics = an
	a.Notes.Activity = activity.Chain(a.Notes.Activity, an.Recorder.Hook)
	a.Social.Activity = activity.Chain(a.Social.Activity, an.Recorder.Hook)
	a.Orders.Activity = activity.Chain(a.Orders.Activity, an.Recorder.Hook)
}

// StartAnalytics flushes events every second on every server and rolls up
// complete days on one of them.
func (a *App) StartAnalytics() {
	every := a.Config.Analytics.RollupInterval
	if every <= 0 {
		every = 5 * time.Minute
	}
	a.Jobs.Every("analytics-flush", time.Second, jobs.Local, a.Analytics.Recorder.Flush)
	a.Jobs.Every("analytics-rollup", every, jobs.Cluster, func(ctx context.Context) error {
		_, err := a.Analytics.Rollups.Run(ctx, time.Now())
		return err
	})
}

// Track buffers an act the domains do not report through the activity hook
// (search, cart, vote, check-in, sign-up).
func (a *App) Track(e analytics.Event) { a.Analytics.Recorder.Add(e) }

// AddToCart sets a cart line as the buyer adds it (from live: the live's
// page, 0 for none) and records the add, with the live when the line
// carries it (orders.Service.SetCartItem decides); a quantity of 0
// removes the line and records nothing.
func (a *App) AddToCart(ctx context.Context, uid, sku id.ID, qty int64, live id.ID) (orders.Cart, error) {
	c, err := a.Orders.SetCartItem(ctx, uid, sku, qty, live)
	if err != nil || qty == 0 {
		return c, err
	}
	e := analytics.Event{Kind: analytics.AddToCart, User: uid, Ref: sku}
	for _, it := range c.Items {
		if it.SKUID == sku && live != 0 && it.LiveID == live {
			e.Ref2 = live
		}
	}
	a.Track(e)
	return c, nil
}

// TrackSignUp records a sign-up under its channel: the channel or
// utm_source it arrived with, else "invite" for an invitation, else direct.
func (a *App) TrackSignUp(uid id.ID, channel, source, invite string) {
	label := strings.TrimSpace(channel)
	if label == "" {
		label = strings.TrimSpace(source)
	}
	if label == "" && strings.TrimSpace(invite) != "" {
		label = "invite"
	}
	if r := []rune(label); len(r) > analytics.LabelMax {
		label = string(r[:analytics.LabelMax])
	}
	a.Track(analytics.Event{Kind: analytics.SignUp, User: uid, Label: label})
}

// ClientEvent is an event from the browser: the discover feed's events
// (recommend.Event) and product_click (a product card on note note_id).
type ClientEvent struct {
	recommend.Event
	ProductID id.ID `json:"product_id,omitempty"`
}

// RecordEvents validates a batch from the browser and records it: feed
// events to the recommender, views, dwell and product clicks to analytics
// (likes, collects, comments and shares are recorded where they happen,
// not from the client). A batch with any bad event is refused whole (400).
// Times are the server's: analytics counts days as they are received.
func (a *App) RecordEvents(ctx context.Context, user id.ID, evs []ClientEvent) error {
	if len(evs) == 0 {
		return apperr.Invalid("events must not be empty")
	}
	if len(evs) > recommend.MaxEventsPerBatch {
		return apperr.Invalid("at most %d events per batch", recommend.MaxEventsPerBatch)
	}
	var rec []recommend.Event
	var clicks []ClientEvent
	for i, e := range evs {
		if e.Type != "product_click" {
			if e.ProductID != 0 {
				return apperr.Invalid("events[%d]: product_id is only for product_click", i)
			}
			rec = append(rec, e.Event)
			continue
		}
		if e.NoteID <= 0 || e.ProductID <= 0 || e.DwellMS != nil {
			return apperr.Invalid("events[%d]: product_click needs note_id and product_id only", i)
		}
		clicks = append(clicks, e)
	}
	if err := a.checkClicks(ctx, clicks); err != nil {
		return err
	}
	if len(rec) > 0 {
		if err := a.Recs.Record(ctx, user, rec); err != nil {
			return err
		}
	}
	for _, e := range evs {
		switch e.Type {
		case "open":
			a.Track(analytics.Event{Kind: analytics.View, User: user, Ref: e.NoteID})
		case "dwell":
			a.Track(analytics.Event{Kind: analytics.Dwell, User: user, Ref: e.NoteID, Amount: int64(*e.DwellMS)})
		case "product_click":
			a.Track(analytics.Event{Kind: analytics.ProductClick, User: user, Ref: e.NoteID, Ref2: e.ProductID})
		}
	}
	return nil
}

// checkClicks refuses clicks on a product the note does not link.
func (a *App) checkClicks(ctx context.Context, clicks []ClientEvent) error {
	seen := map[[2]id.ID]bool{}
	for _, c := range clicks {
		k := [2]id.ID{c.NoteID, c.ProductID}
		if seen[k] {
			continue
		}
		seen[k] = true
		var n int
		if err := a.DB.Reader(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM note_products np JOIN notes n ON n.id = np.note_id
			WHERE np.note_id = ? AND np.product_id = ? AND n.status = 'published'`, c.NoteID, c.ProductID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return apperr.Invalid("product_click: note %s does not link product %s", c.NoteID, c.ProductID)
		}
	}
	return nil
}

// flushAnalytics writes the buffered events at shutdown.
func (a *App) flushAnalytics() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Analytics.Recorder.Flush(ctx); err != nil {
		slog.Warn("flush analytics events at shutdown", "err", err)
	}
}
