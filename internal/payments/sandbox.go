package payments

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/apperr"
)

// SignatureHeader carries the sandbox's webhook signature:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">".
const SignatureHeader = "Redmark-Signature"

// ReplayWindow is how far a webhook's timestamp may be from now.
const ReplayWindow = 5 * time.Minute

// SandboxName is the sandbox provider's name in URLs and records.
const SandboxName = "sandbox"

// Sandbox is the built-in test provider. It behaves like a real one: an
// intent is confirmed by the payer (POST to its confirm URL) or, with
// AutoConfirm, by itself; the result reaches the server only as a signed
// webhook POSTed to WebhookURL after Delay, from another goroutine.
// Its intents live in memory, like the state of a remote provider.
type Sandbox struct {
	secret []byte
	client *http.Client

	mu          sync.Mutex
	intents     map[string]Intent
	webhookURL  string
	delay       time.Duration
	autoConfirm bool
	closed      bool
	stop        chan struct{}
	wg          sync.WaitGroup
}

// NewSandbox returns a sandbox signing webhooks with secret.
func NewSandbox(secret []byte) *Sandbox {
	return &Sandbox{secret: secret, client: &http.Client{Timeout: 10 * time.Second}, intents: map[string]Intent{},
		delay: time.Second, stop: make(chan struct{})}
}

// Configure sets where webhooks go, how long after confirmation they are
// sent, and whether intents confirm themselves (demo and benchmarks).
func (s *Sandbox) Configure(webhookURL string, delay time.Duration, autoConfirm bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL, s.delay, s.autoConfirm = webhookURL, delay, autoConfirm
}

func (s *Sandbox) Name() string { return SandboxName }

func randomID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// CreateIntent registers an intent the payer can confirm.
func (s *Sandbox) CreateIntent(ctx context.Context, req IntentRequest) (Intent, error) {
	it := Intent{Provider: SandboxName, IntentID: randomID("sbx_pi_"), Amount: req.Amount, Currency: req.Currency,
		Status: "requires_confirmation"}
	it.ConfirmURL = "/api/v1/payments/sandbox/intents/" + it.IntentID + "/confirm"
	s.mu.Lock()
	s.intents[it.IntentID] = it
	auto := s.autoConfirm
	s.mu.Unlock()
	if auto {
		if err := s.Confirm(it.IntentID, true); err != nil {
			return Intent{}, err
		}
	}
	return it, nil
}

// deliveryAttempts bounds the retries of one webhook (about 11 s in all).
const deliveryAttempts = 10

// Confirm records the payer's decision and schedules the webhook.
func (s *Sandbox) Confirm(intentID string, succeed bool) error {
	s.mu.Lock()
	it, ok := s.intents[intentID]
	if !ok {
		s.mu.Unlock()
		return apperr.NotFound("payment intent")
	}
	if it.Status != "requires_confirmation" {
		s.mu.Unlock()
		return apperr.Conflict("payment intent is already %s", it.Status)
	}
	typ := EventSucceeded
	it.Status = StatusSucceeded
	if !succeed {
		typ, it.Status = EventFailed, StatusFailed
	}
	s.intents[intentID] = it
	delay, closed := s.delay, s.closed
	if !closed {
		s.wg.Add(1)
	}
	s.mu.Unlock()
	if closed {
		return apperr.Conflict("payment sandbox is shut down")
	}
	go func() {
		defer s.wg.Done()
		// Like a real provider, retry a delivery the server did not accept,
		// backing off: the first attempt can beat the commit of the
		// payment row it is about.
		wait := delay
		for attempt := 1; ; attempt++ {
			select {
			case <-time.After(wait):
			case <-s.stop:
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			err := s.Deliver(ctx, it, typ)
			cancel()
			if err == nil {
				return
			}
			if attempt == deliveryAttempts {
				slog.Warn("sandbox webhook delivery failed", "intent", it.IntentID, "attempts", attempt, "err", err)
				return
			}
			wait = time.Duration(attempt) * 250 * time.Millisecond
		}
	}()
	return nil
}

// Webhook builds a signed delivery of a new event about an intent, signed
// at time at. Tests use it to replay, reorder or age deliveries.
func (s *Sandbox) Webhook(it Intent, typ string, at time.Time) (body []byte, signature string) {
	body, _ = json.Marshal(map[string]any{"id": randomID("evt_"), "type": typ, "intent_id": it.IntentID,
		"amount": it.Amount, "created": at.Unix()})
	return body, s.Sign(body, at)
}

// Sign returns the signature header value for body at time at.
func (s *Sandbox) Sign(body []byte, at time.Time) string {
	t := strconv.FormatInt(at.Unix(), 10)
	return "t=" + t + ",v1=" + hex.EncodeToString(s.mac(t, body))
}

func (s *Sandbox) mac(t string, body []byte) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(t))
	m.Write([]byte("."))
	m.Write(body)
	return m.Sum(nil)
}

// Deliver POSTs a freshly signed event to the webhook URL and waits for
// the answer (a real provider retries non-2xx answers; the sandbox logs).
func (s *Sandbox) Deliver(ctx context.Context, it Intent, typ string) error {
	s.mu.Lock()
	url := s.webhookURL
	s.mu.Unlock()
	if url == "" {
		return fmt.Errorf("sandbox: no webhook URL configured")
	}
	body, sig := s.Webhook(it, typ, time.Now())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, sig)
	res, err := s.client.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("sandbox: webhook answered %s", res.Status)
	}
	return nil
}

// VerifyWebhook checks the signature and the replay window, then parses.
func (s *Sandbox) VerifyWebhook(header http.Header, body []byte, now time.Time) (Event, error) {
	bad := apperr.Unauthorized("invalid webhook signature")
	var t, v1 string
	for _, part := range strings.Split(header.Get(SignatureHeader), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			t = v
		case "v1":
			v1 = v
		}
	}
	ts, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return Event{}, bad
	}
	got, err := hex.DecodeString(v1)
	if err != nil || !hmac.Equal(got, s.mac(t, body)) {
		return Event{}, bad
	}
	if d := now.Sub(time.Unix(ts, 0)); d > ReplayWindow || d < -ReplayWindow {
		return Event{}, apperr.Unauthorized("webhook timestamp is outside the replay window")
	}
	var in struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		IntentID string `json:"intent_id"`
		Amount   int64  `json:"amount"`
		Created  int64  `json:"created"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.ID == "" || in.IntentID == "" || len(in.ID) > 100 || len(in.IntentID) > 100 {
		return Event{}, apperr.Invalid("malformed webhook event")
	}
	if in.Type != EventSucceeded && in.Type != EventFailed {
		return Event{}, apperr.Invalid("unknown webhook event type %q", in.Type)
	}
	return Event{Provider: SandboxName, ID: in.ID, Type: in.Type, IntentID: in.IntentID, Amount: in.Amount,
		Created: time.Unix(in.Created, 0).UTC()}, nil
}

// Refund accepts every refund at once; the refund id makes it idempotent.
func (s *Sandbox) Refund(ctx context.Context, req RefundRequest) (string, error) {
	return "sbx_re_" + req.RefundID.String(), nil
}

// Close stops scheduled deliveries and waits for those in flight.
func (s *Sandbox) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.stop)
	}
	s.mu.Unlock()
	s.wg.Wait()
}
