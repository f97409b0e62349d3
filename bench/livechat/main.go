// Command livechat is the live chat load benchmark (bench/livechat.sh).
//
// "serve" runs the real server stack (app, API, middleware) over a fresh
// data directory with one live room (livechat.MemRooms stands in for
// internal/live) and -senders signed-in users, and writes the live id and
// their tokens to -out.
//
// "load" opens -conns chat streams (SSE over raw TCP, to keep the client
// light), then sends -rate messages a second for -duration, each carrying
// its send time; every stream measures the fan-out latency of every
// message (send → received), and the trivial handler is timed alongside.
// It prints p50/p99/max, deliveries, drops and the server's memory.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/livechat"
	"github.com/redmark/redmark/internal/server"
)

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: livechat serve|load [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:8093", "server address")
	data := fs.String("data", "bench/out/livechat", "fresh data directory (serve)")
	out := fs.String("out", "bench/out", "where serve writes livechat_live.txt and livechat_tokens.txt")
	senders := fs.Int("senders", 50, "signed-in senders (serve)")
	conns := fs.Int("conns", 10000, "chat streams (load)")
	rate := fs.Float64("rate", 20, "messages per second (load)")
	duration := fs.Duration("duration", 60*time.Second, "how long messages are sent (load)")
	pid := fs.Int("server-pid", 0, "server process, for its memory (load)")
	fs.Parse(os.Args[2:])
	switch os.Args[1] {
	case "serve":
		serve(*addr, *data, *out, *senders)
	case "load":
		load(*addr, *out, *conns, *rate, *duration, *pid)
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
}

func serve(addr, data, out string, senders int) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: data}) // no rate limits: the senders are few and fast
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	host, err := a.Accounts.CreateWithHash(ctx, "host", "Host", "", accounts.RoleCreator)
	if err != nil {
		log.Fatal(err)
	}
	rooms := &livechat.MemRooms{}
	a.LiveChat.Rooms = rooms
	live := rooms.Add(host.ID, livechat.Live)
	var tokens []string
	for i := range senders {
		u, err := a.Accounts.CreateWithHash(ctx, fmt.Sprintf("sender%d", i), "Sender", "", accounts.RoleUser)
		if err != nil {
			log.Fatal(err)
		}
		tok, err := a.Accounts.NewSession(ctx, u.ID, "bench")
		if err != nil {
			log.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	must(os.WriteFile(filepath.Join(out, "livechat_live.txt"), []byte(live.String()+"\n"), 0o644))
	must(os.WriteFile(filepath.Join(out, "livechat_tokens.txt"), []byte(strings.Join(tokens, "\n")+"\n"), 0o600))
	a.StartLiveChat()
	srv := &http.Server{Addr: addr, Handler: server.New(a), ReadHeaderTimeout: 10 * time.Second}
	srv.RegisterOnShutdown(a.LiveChat.EndStreams)
	go func() {
		if err := srv.ListenAndServe(); err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	a.Shutdown()
}

// hist counts latencies in 100 µs buckets up to 30 s.
type hist struct{ b [300_001]atomic.Int64 }

func (h *hist) add(d time.Duration) {
	i := min(max(int(d/(100*time.Microsecond)), 0), len(h.b)-1)
	h.b[i].Add(1)
}

// quantiles returns the sample count and, for each q, the upper bound of
// the bucket holding the q-th sample (q = 1: the maximum).
func (h *hist) quantiles(qs ...float64) (n int64, out []time.Duration) {
	counts := make([]int64, len(h.b))
	for i := range h.b {
		counts[i] = h.b[i].Load()
		n += counts[i]
	}
	for _, q := range qs {
		rank := max(1, int64(math.Ceil(q*float64(n))))
		i, seen := 0, int64(0)
		for ; i < len(counts)-1; i++ {
			if seen += counts[i]; seen >= rank {
				break
			}
		}
		out = append(out, time.Duration(i+1)*100*time.Microsecond)
	}
	return n, out
}

func load(addr, out string, conns int, rate float64, duration time.Duration, pid int) {
	live := strings.TrimSpace(string(read(filepath.Join(out, "livechat_live.txt"))))
	tokens := strings.Fields(string(read(filepath.Join(out, "livechat_tokens.txt"))))
	base := "http://" + addr
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	idle := &hist{}
	for range 500 {
		timeBaseline(client, base, idle)
	}

	var fanout hist
	var ready, received, failedOpen, dropped atomic.Int64
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	start := time.Now()
	dial := make(chan struct{}, 100) // connections opening at once
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dial <- struct{}{}
			c, br, err := openStream(addr, live)
			<-dial
			if err != nil {
				failedOpen.Add(1)
				log.Printf("open stream: %v", err)
				return
			}
			defer c.Close()
			go func() { <-ctx.Done(); c.Close() }()
			readStream(br, &ready, &received, &fanout)
			if ctx.Err() == nil {
				dropped.Add(1)
			}
		}()
	}
	for ready.Load()+failedOpen.Load() < int64(conns) {
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Printf("%d streams open in %v (%d failed)\n", ready.Load(), time.Since(start).Round(time.Millisecond), failedOpen.Load())
	time.Sleep(2 * time.Second) // a tick: every server count is in
	fmt.Printf("viewer count reported by the API: %s\n", viewers(client, base, live))
	rssOpen := rss(pid)

	// Steady sending, and the trivial handler timed alongside.
	busy := &hist{}
	stopBase := make(chan struct{})
	var baseWG sync.WaitGroup
	baseWG.Add(1)
	go func() {
		defer baseWG.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopBase:
				return
			case <-t.C:
				timeBaseline(client, base, busy)
			}
		}
	}()
	var sent, failed int
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	end := time.After(duration)
send:
	for i := 0; ; i++ {
		select {
		case <-end:
			break send
		case <-tick.C:
		}
		body := fmt.Sprintf(`{"body":"t=%d"}`, time.Now().UnixNano())
		req, _ := http.NewRequest("POST", base+"/api/v1/lives/"+live+"/chat/messages", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tokens[i%len(tokens)])
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil || res.StatusCode != 201 {
			failed++
			if err == nil {
				b, _ := io.ReadAll(res.Body)
				log.Printf("send: %d %s", res.StatusCode, b)
				res.Body.Close()
			}
			continue
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		sent++
	}
	tick.Stop()
	close(stopBase)
	baseWG.Wait()
	time.Sleep(3 * time.Second) // the last messages arrive
	rssEnd, hwm := rss(pid), hwmOf(pid)
	open := ready.Load() - dropped.Load()
	expected := int64(sent) * ready.Load()
	cancel()
	wg.Wait()

	n, q := fanout.quantiles(0.5, 0.99, 0.999, 1)
	fmt.Printf("sent %d messages at %.0f/s for %v (%d failed); %d streams still open\n", sent, rate, duration, failed, open)
	fmt.Printf("deliveries %d of %d expected (%.2f%%); streams dropped by the server during the run: %d\n",
		received.Load(), expected, 100*float64(received.Load())/float64(max(1, expected)), dropped.Load())
	fmt.Printf("fan-out latency (send → received, %d samples): p50 %v  p99 %v  p99.9 %v  max %v\n", n, q[0], q[1], q[2], q[3])
	for _, b := range []struct {
		name string
		h    *hist
	}{{"idle", idle}, {"during fan-out", busy}} {
		n, q := b.h.quantiles(0.5, 0.99)
		fmt.Printf("trivial handler %s (%d requests): p50 %v  p99 %v\n", b.name, n, q[0], q[1])
	}
	if pid != 0 {
		fmt.Printf("server RSS: %d MiB with %d streams open, %d MiB at the end of sending, peak %d MiB\n", rssOpen, conns, rssEnd, hwm)
	}
}

// openStream sends the stream request over a raw connection and returns a
// reader of the (chunked) body.
func openStream(addr, live string) (net.Conn, *bufio.Reader, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(c, "GET /api/v1/lives/%s/chat/stream HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", live, addr)
	br := bufio.NewReaderSize(c, 4096)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	if res.StatusCode != 200 {
		c.Close()
		return nil, nil, fmt.Errorf("status %d", res.StatusCode)
	}
	return c, bufio.NewReaderSize(httputil.NewChunkedReader(br), 4096), nil
}

// readStream counts the stream as ready at its first event and measures
// every message carrying a send time.
func readStream(br *bufio.Reader, ready, received *atomic.Int64, h *hist) {
	first := true
	marker := []byte(`"body":"t=`)
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return
		}
		if first && bytes.HasPrefix(line, []byte("event: state")) {
			first = false
			ready.Add(1)
		}
		i := bytes.Index(line, marker)
		if i < 0 {
			continue
		}
		rest := line[i+len(marker):]
		j := bytes.IndexByte(rest, '"')
		if j < 0 {
			continue
		}
		t, err := strconv.ParseInt(string(rest[:j]), 10, 64)
		if err != nil {
			continue
		}
		h.add(time.Since(time.Unix(0, t)))
		received.Add(1)
	}
}

func timeBaseline(c *http.Client, base string, h *hist) {
	t := time.Now()
	res, err := c.Get(base + "/bench/baseline")
	if err != nil {
		return
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	h.add(time.Since(t))
}

func viewers(c *http.Client, base, live string) string {
	res, err := c.Get(base + "/api/v1/lives/" + live + "/chat")
	if err != nil {
		return err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	s := string(b)
	if i := strings.Index(s, `"viewers":`); i >= 0 {
		s = s[i+len(`"viewers":`):]
		return s[:strings.IndexAny(s, ",}")]
	}
	return s
}

// rss and hwmOf read the server's resident and peak memory in MiB.
func rss(pid int) int64   { return status(pid, "VmRSS:") }
func hwmOf(pid int) int64 { return status(pid, "VmHWM:") }

func status(pid int, field string) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == field {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb / 1024
		}
	}
	return 0
}

func read(p string) []byte {
	b, err := os.ReadFile(p)
	must(err)
	return b
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
