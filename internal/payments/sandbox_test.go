package payments

import (
	"net/http"
	"testing"
	"time"
)

func TestSandboxWebhookVerification(t *testing.T) {
	s := NewSandbox([]byte("k"))
	other := NewSandbox([]byte("other"))
	it := Intent{IntentID: "sbx_pi_1", Amount: 500}
	now := time.Now()
	body, sig := s.Webhook(it, EventSucceeded, now)
	h := http.Header{SignatureHeader: {sig}}
	ev, err := s.VerifyWebhook(h, body, now)
	if err != nil || ev.Type != EventSucceeded || ev.IntentID != "sbx_pi_1" || ev.Amount != 500 || ev.ID == "" {
		t.Fatalf("verify: %+v %v", ev, err)
	}
	if _, err := other.VerifyWebhook(h, body, now); err == nil {
		t.Fatal("accepted a signature made with another key")
	}
	if _, err := s.VerifyWebhook(h, append([]byte(nil), append(body[:len(body)-1], ' ', '}')...), now); err == nil {
		t.Fatal("accepted a modified body")
	}
	if _, err := s.VerifyWebhook(h, body, now.Add(ReplayWindow+time.Second)); err == nil {
		t.Fatal("accepted a replay outside the window")
	}
	if _, err := s.VerifyWebhook(http.Header{}, body, now); err == nil {
		t.Fatal("accepted a missing signature")
	}
	bad, badSig := s.Webhook(it, "payment.teleported", now)
	if _, err := s.VerifyWebhook(http.Header{SignatureHeader: {badSig}}, bad, now); err == nil {
		t.Fatal("accepted an unknown event type")
	}
	// Each delivery is a new event id, so duplicates are told apart from retries.
	body2, _ := s.Webhook(it, EventSucceeded, now)
	ev2, _ := s.VerifyWebhook(http.Header{SignatureHeader: {s.Sign(body2, now)}}, body2, now)
	if ev2.ID == ev.ID {
		t.Fatal("two events share an id")
	}
}

func TestSandboxConfirmAfterClose(t *testing.T) {
	s := NewSandbox([]byte("k"))
	it, err := s.CreateIntent(t.Context(), IntentRequest{Amount: 100, Currency: "CNY"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Confirm(it.IntentID, true); err == nil {
		t.Fatal("confirmed after close")
	}
	if err := s.Confirm("nope", true); err == nil {
		t.Fatal("confirmed an unknown intent")
	}
}
