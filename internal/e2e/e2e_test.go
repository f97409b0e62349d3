// Package e2e drives the web app in a real headless Chromium through the
// core journey: sign up → publish with an image → another user likes,
// comments, follows → direct message → notifications.
package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/web"
)

func init() { apitest.Routes = append(apitest.Routes, web.Routes) }

// chromium finds the browser; in CI a missing browser fails the test.
func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("REDMARK_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (CI installs it in .ci/run)")
	}
	t.Skip("chromium not installed: apt-get install chromium")
	return ""
}

// browser starts its own Chromium (own cookie jar) with a phone-sized window.
func browser(t *testing.T, path string) context.Context {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.WindowSize(390, 844),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "zh-CN"),
	}
	// Not t.TempDir: Chromium's helper processes may still write to their
	// profile for a moment after the browser is gone, which would fail the
	// test's own clean-up; remove it ourselves, best effort.
	profile, err := os.MkdirTemp("", "redmark-e2e-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts = append(opts, chromedp.UserDataDir(profile))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		for range 20 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	// Start the browser on this long-lived context: the first Run owns it,
	// and steps run on shorter-lived children.
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Run(sctx, actions...); err != nil {
		// Show where the browser was when the step failed.
		var url, text string
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = chromedp.Run(dctx, chromedp.Location(&url), chromedp.Text("body", &text, chromedp.ByQuery))
		if len(text) > 600 {
			text = text[:600]
		}
		t.Fatalf("%s: %v\nbrowser at %s showing:\n%s", step, err, url, text)
	}
}

// click scrolls the element to the middle of the screen first, as a person
// would, so the fixed bottom tab bar is not in the way, then clicks it.
func click(sel string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.WaitVisible(sel, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('`+sel+`').scrollIntoView({block: "center"})`, nil),
		chromedp.Click(sel, chromedp.ByQuery),
	}
}

func tid(id string) string { return `[data-testid="` + id + `"]` }

func signup(t *testing.T, ctx context.Context, base, username, display string) {
	run(t, ctx, "sign up "+username,
		chromedp.Navigate(base+"/signup"),
		chromedp.SendKeys(tid("signup-username"), username, chromedp.ByQuery),
		chromedp.SendKeys(tid("signup-password"), "correct-horse-9", chromedp.ByQuery),
		chromedp.SendKeys(tid("signup-display-name"), display, chromedp.ByQuery),
		click(tid("signup-submit")),
		waitLoaded(func(url string) bool { return !strings.Contains(url, "/signup") }),
		chromedp.WaitVisible(tid("tab-me"), chromedp.ByQuery),
	)
}

// coverFile writes a w×h PNG coloured by shade to a temporary file, for
// uploads, and returns its path.
func coverFile(t *testing.T, w, h int, shade func(x, y int) color.RGBA) string {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, shade(x, y))
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cover.png")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// signIn signs an existing account in through the login form.
func signIn(t *testing.T, ctx context.Context, base, username, password string) {
	run(t, ctx, "sign in as "+username,
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(tid("login-username"), username, chromedp.ByQuery),
		chromedp.SendKeys(tid("login-password"), password, chromedp.ByQuery),
		click(tid("login-submit")),
		waitLoaded(func(url string) bool { return !strings.Contains(url, "/login") }),
	)
}

// waitLoaded waits until the page at an URL accepted by ok has loaded.
func waitLoaded(ok func(url string) bool) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var url, state string
			err := chromedp.Run(ctx, chromedp.Location(&url), chromedp.Evaluate(`document.readyState`, &state))
			if err == nil && ok(url) && state == "complete" {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

func waitText(sel, want string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for {
			var got string
			if err := chromedp.Run(ctx, chromedp.Text(sel, &got, chromedp.ByQuery)); err == nil && strings.Contains(got, want) {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("REDMARK_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	var buf []byte
	run(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot(&buf))
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

func TestCoreJourneyInBrowser(t *testing.T) {
	path := chromium(t)
	e := apitest.New(t, dbtest.SQLite(t))
	alice, bob := browser(t, path), browser(t, path)

	cover := coverFile(t, 600, 800, func(x, y int) color.RGBA { return color.RGBA{255, uint8(120 + y/8), uint8(100 + x/6), 255} })

	signup(t, alice, e.URL, "alice", "爱丽丝")
	var noteURL string
	run(t, alice, "publish a note with an image",
		chromedp.Navigate(e.URL+"/publish"),
		chromedp.SetUploadFiles(tid("publish-media"), []string{cover}, chromedp.ByQuery),
		chromedp.SendKeys(tid("publish-title"), "周末去杭州 <b>citywalk</b>", chromedp.ByQuery),
		chromedp.SendKeys(tid("publish-body"), "西湖边的小店太好逛了 #旅行 @nobody", chromedp.ByQuery),
		click(tid("publish-submit")),
		waitLoaded(func(url string) bool { return strings.Contains(url, "/n/") }),
		waitText(tid("note-title"), "周末去杭州 <b>citywalk</b>"),
		chromedp.Location(&noteURL),
	)
	if !strings.Contains(noteURL, "/n/") {
		t.Fatalf("after publishing the browser is at %s", noteURL)
	}

	signup(t, bob, e.URL, "bob", "Bob")
	run(t, bob, "like and comment",
		chromedp.Navigate(noteURL),
		chromedp.WaitVisible(tid("like-button"), chromedp.ByQuery),
		click(tid("like-button")),
		waitText(tid("like-count"), "1"),
		chromedp.SendKeys(tid("comment-box"), "好看！求店名", chromedp.ByQuery),
		click(tid("comment-submit")),
		waitText(tid("comment-list"), "好看！求店名"),
		waitText(tid("comment-count"), "1"),
	)
	screenshot(t, bob, "note-liked-commented")
	run(t, bob, "follow and message",
		chromedp.Navigate(e.URL+"/u/alice"),
		click(tid("follow-button")),
		waitText(tid("follower-count"), "1"),
		click(tid("message-button")),
		chromedp.WaitVisible(tid("message-box"), chromedp.ByQuery),
		chromedp.SendKeys(tid("message-box"), "你好，想问下那家店在哪", chromedp.ByQuery),
		click(tid("message-send")),
		waitText(tid("thread"), "你好，想问下那家店在哪"),
	)

	run(t, alice, "notifications",
		chromedp.Navigate(e.URL+"/notifications?tab=likes"),
		waitText(tid("notifications"), "Bob"),
		chromedp.Navigate(e.URL+"/notifications?tab=comments"),
		waitText(tid("notifications"), "好看！求店名"),
	)
	screenshot(t, alice, "notifications-comments")
	run(t, alice, "new follower and the message",
		chromedp.Navigate(e.URL+"/notifications?tab=follows"),
		waitText(tid("notifications"), "Bob"),
		chromedp.Navigate(e.URL+"/messages/bob"),
		waitText(tid("thread"), "你好，想问下那家店在哪"),
	)

	// The journey left exact state behind, as the API reports it.
	r := e.Anon().Do("GET", "/api/v1/users/alice", nil).Want(200)
	if r.Num("follower_count") != 1 || r.Num("note_count") != 1 || r.Num("liked_collected_count") != 1 {
		t.Fatalf("alice after the journey: %s", r.Body)
	}
}
