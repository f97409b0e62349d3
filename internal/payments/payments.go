// Package payments puts payment providers behind one interface (E3) and
// keeps the server's own record of every intent, webhook event and refund.
// A provider confirms payments asynchronously through signed webhooks that
// may arrive late, twice or out of order; the service makes each event count
// once (payment_events is keyed by the provider's event id) and changes
// state only by conditional UPDATEs, so the order that owns a payment moves
// exactly once. See docs/payments.md for adding Alipay, WeChat Pay or Stripe.
package payments

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Event types a provider's webhook reports.
const (
	EventSucceeded = "payment.succeeded"
	EventFailed    = "payment.failed"
)

// Payment statuses.
const (
	StatusPending   = "pending"
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
)

// Refund statuses.
const (
	RefundPending   = "pending"
	RefundSucceeded = "succeeded"
)

// IntentRequest asks a provider to collect Amount fen for an order.
// PaymentID is unique per attempt and doubles as the provider-side
// idempotency key.
type IntentRequest struct {
	PaymentID   id.ID
	OrderID     id.ID
	Amount      int64
	Currency    string
	Description string
}

// Intent is a provider's answer: how the payer completes the payment.
type Intent struct {
	Provider   string `json:"provider"`
	IntentID   string `json:"intent_id"`
	Amount     int64  `json:"amount"`
	Currency   string `json:"currency"`
	Status     string `json:"status"`
	ConfirmURL string `json:"confirm_url,omitempty"` // where the payer approves (sandbox, hosted pages)
	// ClientSecret is handed to a client SDK (Stripe, WeChat Pay JSAPI …).
	ClientSecret string `json:"client_secret,omitempty"`
}

// Event is a verified webhook notification.
type Event struct {
	Provider string
	ID       string // the provider's unique event id
	Type     string
	IntentID string
	Amount   int64
	Created  time.Time
}

// RefundRequest asks a provider to return Amount fen of an intent.
// RefundID is the idempotency key: asking twice refunds once.
type RefundRequest struct {
	RefundID id.ID
	IntentID string
	Amount   int64
	Reason   string
}

// Provider is a payment service. Implementations must be safe for
// concurrent use.
type Provider interface {
	Name() string
	CreateIntent(ctx context.Context, req IntentRequest) (Intent, error)
	// Refund returns money; it must be idempotent on req.RefundID and
	// returns the provider's refund id once the refund is accepted.
	Refund(ctx context.Context, req RefundRequest) (string, error)
	// VerifyWebhook authenticates a webhook delivery (signature, replay
	// window) and parses it.
	VerifyWebhook(header http.Header, body []byte, now time.Time) (Event, error)
}

// Service records payments over the configured providers.
type Service struct {
	db        *db.DB
	providers map[string]Provider
	def       string
}

// New builds the service; the first provider is the default for new
// payments.
func New(d *db.DB, providers ...Provider) *Service {
	s := &Service{db: d, providers: map[string]Provider{}}
	for i, p := range providers {
		if i == 0 {
			s.def = p.Name()
		}
		s.providers[p.Name()] = p
	}
	return s
}

// Provider returns a configured provider by name.
func (s *Service) Provider(name string) (Provider, bool) {
	p, ok := s.providers[name]
	return p, ok
}

// Payment is the server's record of one attempt to pay an order.
type Payment struct {
	ID       id.ID  `json:"id"`
	OrderID  id.ID  `json:"order_id"`
	Provider string `json:"provider"`
	IntentID string `json:"intent_id"`
	Amount   int64  `json:"amount"`
	Status   string `json:"status"`
	Refunded int64  `json:"refunded"`
}

const paymentCols = "id, order_id, provider, intent_id, amount, status, refunded"

func scanPayment(row interface{ Scan(...any) error }) (Payment, error) {
	var p Payment
	err := row.Scan(&p.ID, &p.OrderID, &p.Provider, &p.IntentID, &p.Amount, &p.Status, &p.Refunded)
	return p, err
}

// CreateIntent starts a payment of amount fen for an order with the
// default provider. Every call is a new attempt with its own intent; should
// two attempts both succeed, the later one is refunded (see orders).
func (s *Service) CreateIntent(ctx context.Context, orderID id.ID, amount int64, description string) (Intent, error) {
	prov, ok := s.providers[s.def]
	if !ok {
		return Intent{}, errors.New("payments: no provider configured")
	}
	pid := id.New()
	it, err := prov.CreateIntent(ctx, IntentRequest{PaymentID: pid, OrderID: orderID, Amount: amount, Currency: "CNY", Description: description})
	if err != nil {
		return Intent{}, err
	}
	now := db.Now()
	_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO payments (id, order_id, provider, intent_id, amount, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, pid, orderID, prov.Name(), it.IntentID, amount, StatusPending, now, now)
	return it, err
}

// ErrUnknownIntent answers a webhook about an intent the database does not
// (yet) know; providers retry non-2xx answers.
var ErrUnknownIntent = &apperr.Error{Status: http.StatusConflict, Code: "unknown_intent",
	Message: "no payment with this intent yet; retry later"}

// Verify authenticates a webhook for the named provider.
func (s *Service) Verify(provider string, header http.Header, body []byte) (Event, error) {
	p, ok := s.providers[provider]
	if !ok {
		return Event{}, apperr.NotFound("payment provider")
	}
	return p.VerifyWebhook(header, body, time.Now())
}

// Record stores an event; fresh is false when it was delivered before.
// Call it in the transaction that acts on the event.
func (s *Service) Record(ctx context.Context, ev Event) (fresh bool, err error) {
	res, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO payment_events (provider, event_id, type, intent_id, received_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, ev.Provider, ev.ID, ev.Type, ev.IntentID, db.Now())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Settle moves a pending payment to succeeded or failed. changed is false
// when the payment is unknown, already settled (duplicate or out-of-order
// event) or the amount does not match.
func (s *Service) Settle(ctx context.Context, ev Event, status string) (p Payment, changed bool, err error) {
	p, err = scanPayment(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+paymentCols+" FROM payments WHERE provider = ? AND intent_id = ?",
		ev.Provider, ev.IntentID))
	if errors.Is(err, sql.ErrNoRows) {
		// The intent's row may not be committed yet (the provider can be
		// faster than the transaction that asked for the intent). Failing
		// rolls the event back, so the provider's retry is not mistaken for
		// a duplicate.
		slog.Warn("payment event for an unknown intent", "provider", ev.Provider, "intent", ev.IntentID, "event", ev.ID)
		return Payment{}, false, ErrUnknownIntent
	}
	if err != nil {
		return Payment{}, false, err
	}
	if status == StatusSucceeded && ev.Amount != p.Amount {
		slog.Error("payment event amount differs from the intent", "intent", ev.IntentID, "event_amount", ev.Amount, "amount", p.Amount)
		return p, false, nil
	}
	res, err := s.db.Writer(ctx).Exec(ctx, "UPDATE payments SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
		status, db.Now(), p.ID, StatusPending)
	if err != nil {
		return p, false, err
	}
	n, err := res.RowsAffected()
	p.Status = status
	return p, n == 1, err
}

// PaymentByIntent returns the payment of a provider intent.
func (s *Service) PaymentByIntent(ctx context.Context, provider, intentID string) (Payment, error) {
	p, err := scanPayment(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+paymentCols+" FROM payments WHERE provider = ? AND intent_id = ?",
		provider, intentID))
	if errors.Is(err, sql.ErrNoRows) {
		return Payment{}, apperr.NotFound("payment")
	}
	return p, err
}

// Refund reserves amount fen of one payment for a refund and records it;
// the provider is called after the surrounding transaction commits (and
// retried by ProcessPending if that fails). The conditional UPDATE keeps
// the refunded total within what was paid.
func (s *Service) Refund(ctx context.Context, paymentID id.ID, amount int64, reason string) error {
	if amount <= 0 {
		return nil
	}
	var rid id.ID
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var orderID id.ID
		err := s.db.Reader(ctx).QueryRow(ctx, "SELECT order_id FROM payments WHERE id = ?", paymentID).Scan(&orderID)
		if err != nil {
			return err
		}
		now := db.Now()
		res, err := s.db.Writer(ctx).Exec(ctx, `UPDATE payments SET refunded = refunded + ?, updated_at = ?
			WHERE id = ? AND status = ? AND refunded + ? <= amount`, amount, now, paymentID, StatusSucceeded, amount)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.Conflict("a refund may not exceed what was paid")
		}
		rid = id.New()
		if _, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO refunds (id, payment_id, order_id, amount, status, reason, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, rid, paymentID, orderID, amount, RefundPending, reason, now, now); err != nil {
			return err
		}
		db.AfterCommit(ctx, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := s.process(ctx, rid); err != nil {
				slog.Warn("refund not confirmed yet; will retry", "refund", rid, "err", err)
			}
		})
		return nil
	})
	return err
}

// RefundOrder spreads a refund of amount fen over an order's succeeded
// payments (normally exactly one).
func (s *Service) RefundOrder(ctx context.Context, orderID id.ID, amount int64, reason string) error {
	if amount <= 0 {
		return nil
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+paymentCols+" FROM payments WHERE order_id = ? AND status = ? ORDER BY id",
			orderID, StatusSucceeded)
		if err != nil {
			return err
		}
		var ps []Payment
		for rows.Next() {
			p, err := scanPayment(rows)
			if err != nil {
				rows.Close()
				return err
			}
			ps = append(ps, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		left := amount
		for _, p := range ps {
			take := min(left, p.Amount-p.Refunded)
			if take <= 0 {
				continue
			}
			if err := s.Refund(ctx, p.ID, take, reason); err != nil {
				return err
			}
			left -= take
		}
		if left > 0 {
			return apperr.Conflict("a refund may not exceed what was paid")
		}
		return nil
	})
}

// process asks the provider to carry out a pending refund.
func (s *Service) process(ctx context.Context, refundID id.ID) error {
	var rq RefundRequest
	var provider string
	err := s.db.Reader(ctx).QueryRow(ctx, `SELECT r.id, p.intent_id, r.amount, r.reason, p.provider FROM refunds r
		JOIN payments p ON p.id = r.payment_id WHERE r.id = ? AND r.status = ?`, refundID, RefundPending).
		Scan(&rq.RefundID, &rq.IntentID, &rq.Amount, &rq.Reason, &provider)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // already done
	}
	if err != nil {
		return err
	}
	prov, ok := s.providers[provider]
	if !ok {
		return errors.New("payments: provider " + provider + " is not configured")
	}
	ref, perr := prov.Refund(ctx, rq)
	if perr != nil {
		_, err := s.db.Writer(ctx).Exec(ctx, "UPDATE refunds SET attempts = attempts + 1, updated_at = ? WHERE id = ?", db.Now(), refundID)
		return errors.Join(perr, err)
	}
	_, err = s.db.Writer(ctx).Exec(ctx, `UPDATE refunds SET status = ?, provider_refund_id = ?, attempts = attempts + 1, updated_at = ?
		WHERE id = ? AND status = ?`, RefundSucceeded, ref, db.Now(), refundID, RefundPending)
	return err
}

// ProcessPending retries refunds the provider has not accepted yet.
func (s *Service) ProcessPending(ctx context.Context) error {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id FROM refunds WHERE status = ? ORDER BY id LIMIT 100", RefundPending)
	if err != nil {
		return err
	}
	var ids []id.ID
	for rows.Next() {
		var rid id.ID
		if err := rows.Scan(&rid); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, rid)
	}
	rows.Close()
	for _, rid := range ids {
		if err := s.process(ctx, rid); err != nil {
			slog.Warn("refund retry failed", "refund", rid, "err", err)
		}
	}
	return rows.Err()
}

// Refund is a refund record.
type Refund struct {
	ID        id.ID     `json:"id"`
	Amount    int64     `json:"amount"`
	Status    string    `json:"status"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// OrderRefunds lists the refunds of an order.
func (s *Service) OrderRefunds(ctx context.Context, orderID id.ID) ([]Refund, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id, amount, status, reason, created_at FROM refunds WHERE order_id = ? ORDER BY id", orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Refund{}
	for rows.Next() {
		var r Refund
		var created int64
		if err := rows.Scan(&r.ID, &r.Amount, &r.Status, &r.Reason, &created); err != nil {
			return nil, err
		}
		r.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
