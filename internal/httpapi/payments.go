package httpapi

import (
	"errors"
	"io"
	"net/http"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/payments"
)

func (a *API) registerPayments(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/orders/{id}/pay", handler(a.payOrder))
	mux.Handle("POST /api/v1/payments/{provider}/webhook", handler(a.paymentWebhook))
	mux.Handle("POST /api/v1/payments/sandbox/intents/{intent}/confirm", handler(a.confirmSandboxIntent))
}

func (a *API) payOrder(w http.ResponseWriter, r *http.Request) error {
	oid, err := a.orderAction(w, r, nil)
	if err != nil {
		return err
	}
	me, _ := httpx.User(r)
	it, err := a.app.Orders.Pay(r.Context(), me, oid)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, it)
	return nil
}

// paymentWebhook receives a provider's signed event. It is not signed in:
// the signature is the authentication. 2xx tells the provider to stop
// retrying, so a duplicate or stale-but-valid event also gets 200.
func (a *API) paymentWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apperr.TooLarge("webhook body is too large")
	}
	if err != nil {
		return apperr.Invalid("could not read the webhook body")
	}
	ev, err := a.app.Payments.Verify(r.PathValue("provider"), r.Header, body)
	if err != nil {
		return err
	}
	if err := a.app.Orders.ApplyPaymentEvent(r.Context(), ev); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// confirmSandboxIntent stands in for the provider's payment page: the payer
// approves (or, with {"outcome":"failed"}, declines) and the sandbox sends
// its webhook a moment later.
func (a *API) confirmSandboxIntent(w http.ResponseWriter, r *http.Request) error {
	me, err := a.shopWriter(r)
	if err != nil {
		return err
	}
	var in struct {
		Outcome string `json:"outcome"`
	}
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	intent := r.PathValue("intent")
	p, err := a.app.Payments.PaymentByIntent(r.Context(), payments.SandboxName, intent)
	if err != nil {
		return err
	}
	if o, err := a.app.Orders.Get(r.Context(), me, p.OrderID); err != nil || o.UserID != me.ID {
		return apperr.NotFound("payment intent")
	}
	if in.Outcome != "" && in.Outcome != "succeeded" && in.Outcome != "failed" {
		return apperr.Invalid("outcome must be succeeded or failed")
	}
	if err := a.app.Sandbox.Confirm(intent, in.Outcome != "failed"); err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusAccepted, map[string]string{"status": "confirming"})
	return nil
}
