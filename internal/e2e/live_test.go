package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/live"
	"github.com/redmark/redmark/internal/shop"
)

// tool finds nginx-rtmp's pieces; in CI a missing one fails the test.
func tool(t *testing.T, name string, paths ...string) string {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed (CI installs nginx-light, libnginx-mod-rtmp and ffmpeg in .ci/run)", name)
	}
	t.Skipf("%s not installed: apt-get install nginx-light libnginx-mod-rtmp ffmpeg", name)
	return ""
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startNginx runs nginx-rtmp in the foreground with the shipped template
// rendered for this test: RTMP on a free port, callbacks to the test server.
func startNginx(t *testing.T, nginx, module, dir, callback, secret string) int {
	port := freePort(t)
	conf, err := live.NginxConfig(live.NginxParams{Module: module, Dir: dir, Listen: fmt.Sprintf("127.0.0.1:%d", port),
		Callback: callback, HookSecret: secret, Fragment: "1s", LogLevel: "info", Foreground: true})
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginx, "-p", dir, "-c", path, "-e", filepath.Join(dir, "logs", "startup.log"))
	out, _ := os.Create(filepath.Join(dir, "logs", "nginx.out"))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
		}
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "nginx-error.log"))
			t.Logf("nginx error log:\n%s", b)
		}
	})
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return port
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "logs", "nginx.out"))
	t.Fatalf("nginx did not start: %s", b)
	return 0
}

// push streams the test pattern with a tone to url, as a host's OBS would.
func push(ffmpeg, url string, seconds int) *exec.Cmd {
	return exec.Command(ffmpeg, "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25",
		"-f", "lavfi", "-i", "sine", "-t", fmt.Sprint(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
		"-g", "25", "-c:a", "aac", "-f", "flv", url)
}

// refused checks that the media server turns a stream key away: ffmpeg
// fails quickly instead of streaming for its whole duration.
func refused(t *testing.T, ffmpeg, url, why string) {
	t.Helper()
	cmd := push(ffmpeg, url, 20)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err == nil || time.Since(start) > 15*time.Second {
		t.Fatalf("%s: the stream was not refused (err %v after %s): %s", why, err, time.Since(start), out)
	}
}

func waitFor(t *testing.T, what string, within time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestLiveEndToEnd: nginx-rtmp takes a pushed test stream whose key Redmark
// accepts, the live goes on air, headless Chromium plays it through hls.js,
// a viewer buys the pinned product from the live page (the order carries
// the live), the stream stops and the recording becomes the replay. Wrong
// and revoked keys are refused by the media server.
func TestLiveEndToEnd(t *testing.T) {
	nginx := tool(t, "nginx", "/usr/sbin/nginx")
	module := tool(t, "ngx_rtmp_module.so", "/usr/lib/nginx/modules/ngx_rtmp_module.so")
	ffmpeg := tool(t, "ffmpeg")
	chrome := chromium(t)

	dir, err := os.MkdirTemp("", "redmark-live-") // short: nginx paths
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	const secret = "e2e-hook-secret"
	// The RTMP port is only known once nginx runs; the server's RTMP URL
	// is what the manage page shows, so it is set after.
	e := apitest.NewWithConfig(t, dbtest.SQLite(t), app.Config{DataDir: t.TempDir(),
		Live: live.Config{RTMPURL: "rtmp://127.0.0.1/live", Dir: dir, HookSecret: secret}})
	port := startNginx(t, nginx, module, dir, e.URL, secret)
	rtmp := fmt.Sprintf("rtmp://127.0.0.1:%d/live/", port)
	ctx := context.Background()

	host := e.SignUp("streamer")
	hostID, _ := id.Parse(host.ID)
	if err := e.App.Accounts.SetRole(ctx, hostID, accounts.RoleCreator); err != nil {
		t.Fatal(err)
	}
	op, err := e.App.Accounts.CreateOperator(ctx, "boss", "password123")
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.App.Shop.CreateStore(ctx, op, shop.StoreInput{Name: "直播好物"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.App.Shop.CreateProduct(ctx, op, shop.ProductInput{StoreID: st.ID, Title: "口红 #520", Fulfilment: "domestic",
		SKUs: []shop.SKUInput{{Options: map[string]string{}, Price: 12900, Stock: 20}}})
	if err != nil {
		t.Fatal(err)
	}
	r := host.Do("POST", "/api/v1/lives", map[string]any{"title": "春季口红试色 live", "product_ids": []string{p.ID.String()}}).Want(201)
	lid, key := r.Str("live.id"), r.Str("stream_key")
	host.Do("PUT", "/api/v1/lives/"+lid+"/pins/"+p.ID.String(), nil).Want(200)

	// Wrong and revoked keys: nginx drops the connection.
	refused(t, ffmpeg, rtmp+"rmk_0000", "wrong key")
	other := host.Do("POST", "/api/v1/lives", map[string]any{"title": "revoked"}).Want(201)
	host.Do("DELETE", "/api/v1/lives/"+other.Str("live.id")+"/key", nil).Want(204)
	refused(t, ffmpeg, rtmp+other.Str("stream_key"), "revoked key")
	if s := host.Do("GET", "/api/v1/lives/"+other.Str("live.id"), nil).Want(200).Str("status"); s != "scheduled" {
		t.Fatalf("a refused stream changed the live: %s", s)
	}

	// The real stream goes on air.
	stream := push(ffmpeg, rtmp+key, 45)
	streamOut, _ := os.Create(filepath.Join(dir, "logs", "ffmpeg.out"))
	stream.Stdout, stream.Stderr = streamOut, streamOut
	if err := stream.Start(); err != nil {
		t.Fatal(err)
	}
	defer stream.Process.Kill()
	waitFor(t, "the live on air", 10*time.Second, func() bool {
		return host.Do("GET", "/api/v1/lives/"+lid, nil).Str("status") == "live"
	})
	waitFor(t, "the HLS playlist", 15*time.Second, func() bool {
		res, err := http.Get(e.URL + "/live/" + lid + "/hls/index.m3u8")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	})
	if res, _ := http.Get(e.URL + "/live/" + lid + "/hls/../../nginx.conf"); res != nil && res.StatusCode == 200 {
		t.Fatal("the HLS route served a file outside the stream")
	}

	// A viewer watches in Chromium (hls.js: desktop Chromium has no native HLS).
	viewer := browser(t, chrome)
	signup(t, viewer, e.URL, "viewer", "看客")
	var playing bool
	run(t, viewer, "play the live",
		chromedp.Navigate(e.URL+"/live/"+lid),
		chromedp.WaitVisible(tid("live-video"), chromedp.ByQuery),
		chromedp.ActionFunc(func(ctx context.Context) error {
			for {
				if err := chromedp.Evaluate(`(function(){var v=document.querySelector('[data-testid="live-video"]');return v.readyState>=3&&v.currentTime>0.5&&v.videoWidth>0;})()`, &playing).Do(ctx); err == nil && playing {
					return nil
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(200 * time.Millisecond):
				}
			}
		}),
	)
	var mse bool
	run(t, viewer, "check the player", chromedp.Evaluate(`document.querySelector('[data-testid="live-video"]').src.startsWith('blob:')`, &mse))
	if !mse {
		t.Fatal("the live did not play through hls.js (Media Source Extensions)")
	}
	screenshot(t, viewer, "live-playing")
	// Watch time: the playing tab holds the viewer's window; pausing the
	// video or hiding the tab closes it (livechat.js), resuming reopens it.
	vu, err := e.App.Accounts.GetByUsername(ctx, "viewer")
	if err != nil {
		t.Fatal(err)
	}
	open := func() bool {
		var n int
		if err := e.App.DB.Reader(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM livechat_watch WHERE user_id = ? AND last_at > 0", vu.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	const video = `document.querySelector('[data-testid="live-video"]')`
	waitFor(t, "the watch window of the playing tab", 10*time.Second, open)
	run(t, viewer, "pause", chromedp.Evaluate(`void `+video+`.pause()`, nil))
	waitFor(t, "the pause to close the window", 10*time.Second, func() bool { return !open() })
	run(t, viewer, "resume", chromedp.Evaluate(`void `+video+`.play()`, nil))
	waitFor(t, "the window to reopen", 10*time.Second, open)
	run(t, viewer, "hide the tab", chromedp.Evaluate(`Object.defineProperty(document, "hidden", {configurable: true, get: function () { return true; }});
		document.dispatchEvent(new Event("visibilitychange"))`, nil))
	waitFor(t, "the hidden tab to close the window", 10*time.Second, func() bool { return !open() })
	run(t, viewer, "the live in the discover feed", chromedp.Navigate(e.URL+"/"),
		chromedp.WaitVisible(`[data-testid="live-strip"] [data-status="live"]`, chromedp.ByQuery))
	screenshot(t, viewer, "live-discover")
	run(t, viewer, "the live list", chromedp.Navigate(e.URL+"/live"),
		chromedp.WaitVisible(`[data-testid="live-card"][data-status="live"]`, chromedp.ByQuery))
	screenshot(t, viewer, "live-list")
	run(t, viewer, "back to the live", chromedp.Navigate(e.URL+"/live/"+lid), chromedp.WaitVisible(tid("live-video"), chromedp.ByQuery))

	// Buy the pinned product from the live page.
	var orderURL string
	run(t, viewer, "buy the pinned product",
		click(`[data-testid="live-product"][data-pinned="1"]`),
		waitLoaded(func(u string) bool { return strings.Contains(u, "/p/") && strings.Contains(u, "live="+lid) }),
		click(tid("buy-now")),
		waitLoaded(func(u string) bool { return strings.Contains(u, "/checkout") }),
		chromedp.SendKeys(tid("addr-name"), "王小红", chromedp.ByQuery),
		chromedp.SendKeys(tid("addr-phone"), "13800000000", chromedp.ByQuery),
		chromedp.SendKeys(tid("addr-region"), "上海市", chromedp.ByQuery),
		chromedp.SendKeys(tid("addr-line"), "漕溪北路 1 号", chromedp.ByQuery),
		click(tid("place-order")),
		waitLoaded(func(u string) bool { return strings.Contains(u, "/orders/") }),
		chromedp.Location(&orderURL),
	)
	oid, err := id.Parse(orderURL[strings.LastIndex(orderURL, "/")+1:])
	if err != nil {
		t.Fatalf("order URL %s", orderURL)
	}
	if got, err := e.App.Live.LiveOf(ctx, oid); err != nil || got.String() != lid {
		t.Fatalf("the order from the live carries live %s (%v), want %s", got, err, lid)
	}
	if s := host.Do("GET", "/api/v1/lives/"+lid+"/sales", nil).Want(200); s.Num("orders") != 1 {
		t.Fatalf("sales: %s", s.Body)
	}

	// Stop the stream: the live ends and its recording becomes the replay.
	stream.Process.Signal(syscall.SIGINT)
	stream.Wait()
	var replay string
	waitFor(t, "the replay", 30*time.Second, func() bool {
		l := host.Do("GET", "/api/v1/lives/"+lid, nil)
		replay = l.Str("replay_url")
		return l.Str("status") == "ended" && l.Str("replay_status") == "ready"
	})
	res, err := http.Get(e.URL + replay)
	if err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") != "video/mp4" {
		t.Fatalf("replay %s: %v %v", replay, res.StatusCode, err)
	}
	res.Body.Close()
	run(t, viewer, "watch the replay",
		chromedp.Navigate(e.URL+"/live/"+lid),
		chromedp.WaitVisible(tid("live-replay"), chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="live-product"][data-pinned="1"]`, chromedp.ByQuery),
	)
	screenshot(t, viewer, "live-replay")
	// Its key no longer streams.
	refused(t, ffmpeg, rtmp+key, "key of an ended live")

	// Revoking a key drops the stream already on air (on_update).
	third := host.Do("POST", "/api/v1/lives", map[string]any{"title": "cut off"}).Want(201)
	tid3 := third.Str("live.id")
	cut := push(ffmpeg, rtmp+third.Str("stream_key"), 40)
	if err := cut.Start(); err != nil {
		t.Fatal(err)
	}
	defer cut.Process.Kill()
	waitFor(t, "the third live on air", 10*time.Second, func() bool {
		return host.Do("GET", "/api/v1/lives/"+tid3, nil).Str("status") == "live"
	})
	host.Do("DELETE", "/api/v1/lives/"+tid3+"/key", nil).Want(204)
	exited := make(chan error, 1)
	go func() { exited <- cut.Wait() }()
	select {
	case <-exited:
	case <-time.After(15 * time.Second):
		t.Fatal("the media server kept a revoked key's stream")
	}
	waitFor(t, "the cut-off live to end", 10*time.Second, func() bool {
		return host.Do("GET", "/api/v1/lives/"+tid3, nil).Str("status") == "ended"
	})
}
