// Package natstest gives tests a real NATS JetStream, the way redistest
// gives them Redis: on when REDMARK_TEST_NATS is set (1 for the local
// server, or a nats:// URL) or CI is true. In CI a NATS that cannot be
// reached fails the test instead of skipping it. Each test gets its own
// stream prefix; its streams are deleted afterwards.
package natstest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

const defaultURL = "nats://127.0.0.1:4222"

// URL is the server the NATS suite uses, or "" when the suite is off.
func URL() string {
	v := os.Getenv("REDMARK_TEST_NATS")
	switch {
	case v == "" && os.Getenv("CI") == "true":
		return defaultURL
	case v == "" || v == "0":
		return ""
	case v == "1":
		return defaultURL
	}
	return v
}

var seq atomic.Int64

// New returns the NATS URL and a fresh stream prefix for this test. It
// skips when the suite is off and fails when it is on but NATS with
// JetStream does not answer.
func New(t testing.TB) (url, prefix string) {
	t.Helper()
	url = URL()
	if url == "" {
		t.Skip("NATS suite off: set REDMARK_TEST_NATS=1")
	}
	nc, err := nats.Connect(url, nats.Timeout(5*time.Second))
	if err != nil {
		t.Fatalf("NATS at %s is not usable (the NATS suite needs it): %v", url, err)
	}
	js, err := jetstream.New(nc)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = js.AccountInfo(ctx)
		cancel()
	}
	if err != nil {
		nc.Close()
		t.Fatalf("NATS at %s has no JetStream (the NATS suite needs it, nats-server -js): %v", url, err)
	}
	prefix = fmt.Sprintf("rmtest_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, seq.Add(1))
	t.Cleanup(func() {
		defer nc.Close()
		ctx := context.Background()
		for name := range js.StreamNames(ctx).Name() {
			if strings.HasPrefix(name, prefix) {
				_ = js.DeleteStream(ctx, name)
			}
		}
	})
	return url, prefix
}
