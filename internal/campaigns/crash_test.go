package campaigns_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/redislog"
	"github.com/redmark/redmark/internal/redistest"
	"github.com/redmark/redmark/internal/servertest"
)

// TestCrashRestart builds the real binary, serves a campaign, fires votes
// from many voters, kills the server with SIGKILL in the middle, restarts
// it, and checks that every 201 is in the database (its key answers the
// same vote again), that no voter went over the allowance and that the
// tallies are exact: embedded mode on SQLite, where votes share commits,
// and Redis mode on SQLite and PostgreSQL, where the kill also leaves votes
// Redis accepted but the lander had not landed — reconciliation after the
// restart lands them, and Redis agrees with the database afterwards.
func TestCrashRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	bin := servertest.Build(t)
	t.Run("sqlite/embedded", func(t *testing.T) { crashRestart(t, bin, "", "") })
	t.Run("sqlite/redis", func(t *testing.T) {
		url, prefix := redistest.New(t)
		crashRestart(t, bin, "", url+"|"+prefix)
	})
	if dbtest.PostgresDSN() != "" {
		t.Run("postgres/redis", func(t *testing.T) {
			url, prefix := redistest.New(t)
			crashRestart(t, bin, dbtest.PostgresURL(t), url+"|"+prefix)
		})
	}
}

// crashRestart runs the crash on dsn ("": SQLite) with redis ("url|prefix",
// "": embedded mode).
func crashRestart(t *testing.T, bin, dsn, redisArg string) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	ctx := context.Background()
	cfg := app.Config{DataDir: data, DatabaseURL: dsn}
	args := []string{"--data", data, "--no-rate-limits"}
	if dsn != "" {
		args = append(args, "--db", dsn)
	}
	var rdb *redis.Client
	if redisArg != "" {
		url, prefix, _ := strings.Cut(redisArg, "|")
		cfg.RedisURL, cfg.RedisPrefix = url, prefix
		args = append(args, "--redis", url, "--redis-prefix", prefix)
		opt, err := redis.ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		rdb = redis.NewClient(opt)
		defer rdb.Close()
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	op, err := a.Accounts.CreateWithHash(ctx, "operator1", "Op", "", accounts.RoleOperator)
	if err != nil {
		t.Fatal(err)
	}
	daily := 5
	if rdb != nil {
		daily = 40 // Redis mode is fast: more votes each, so the kill finds some in flight
	}
	c, err := a.Campaigns.Create(ctx, op, campaigns.Input{Title: "crash", StartsAt: time.Now().Add(-time.Second),
		EndsAt: time.Now().Add(time.Hour), Rules: campaigns.Rules{DailyVotes: daily}})
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := a.Campaigns.AddCategory(ctx, op, c.ID, "A")
	nom, err := a.Campaigns.AddNominee(ctx, op, c.ID, campaigns.NomineeInput{Category: cat.ID, Kind: campaigns.KindFree, Title: "x"})
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for i := range 60 {
		u, err := a.Accounts.CreateWithHash(ctx, fmt.Sprintf("voter%d", i), "V", "", accounts.RoleUser)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := a.Accounts.NewSession(ctx, u.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	a.Close()

	addr := servertest.FreeAddr(t)
	start := func(n int) *servertest.Proc {
		return servertest.Start(t, bin, addr, filepath.Join(dir, fmt.Sprintf("server%d.log", n)), args...)
	}
	vote := func(tok, key string) (int, string) {
		body, _ := json.Marshal(map[string]string{"nominee_id": nom.ID.String()})
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/campaigns/"+c.ID.String()+"/votes", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, ""
		}
		defer res.Body.Close()
		var rc campaigns.Receipt
		b, _ := io.ReadAll(res.Body)
		_ = json.Unmarshal(b, &rc)
		if res.StatusCode >= 500 {
			t.Errorf("vote answered %d %s", res.StatusCode, b)
		}
		return res.StatusCode, rc.VoteID.String()
	}

	srv := start(1)
	type win struct{ tok, key, vote string }
	var mu sync.Mutex
	var wins []win
	var wg sync.WaitGroup
	for g, tok := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 3 * daily {
				key := fmt.Sprintf("g%d-%d", g, k)
				if st, v := vote(tok, key); st == http.StatusCreated {
					mu.Lock()
					wins = append(wins, win{tok, key, v})
					mu.Unlock()
				} else if st == 0 {
					return // the server is gone
				}
			}
		}()
	}
	// Mid-rush: once some votes landed (a busy machine may take a while to
	// answer the first), well before 60 voters' attempts are through.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(wins)
		mu.Unlock()
		if n >= 20 {
			break
		}
	}
	srv.Stop(syscall.SIGKILL)
	wg.Wait()
	if len(wins) == 0 {
		t.Fatal("no vote landed before the kill; the test proves nothing")
	}
	logKey := cfg.RedisPrefix + ":cv:{" + c.ID.String() + "}:log"
	if rdb != nil {
		t.Logf("%d votes accepted by Redis and not landed at the kill", rdb.XLen(ctx, logKey).Val())
	}
	start(2)
	for _, w := range wins {
		if st, v := vote(w.tok, w.key); st != http.StatusCreated || v != w.vote {
			t.Fatalf("after restart key %s answered %d vote %s, first %s", w.key, st, v, w.vote)
		}
	}
	if rdb != nil {
		// Reconciliation lands what the kill left once it is older than the grace.
		deadline := time.Now().Add(redislog.Grace + 20*time.Second)
		for rdb.XLen(ctx, logKey).Val() > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%d votes still in the Redis log after the restart", rdb.XLen(ctx, logKey).Val())
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	a, err = app.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := campaigns.Verify(ctx, a.DB, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.Campaigns.VerifyRedis(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	var votes int
	if err := a.DB.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM campaign_votes WHERE campaign_id = ?", c.ID).Scan(&votes); err != nil {
		t.Fatal(err)
	}
	if votes < len(wins) {
		t.Fatalf("%d votes in the database, %d answered 201", votes, len(wins))
	}
	t.Logf("%d votes answered 201 before the kill, %d in the database", len(wins), votes)
}
