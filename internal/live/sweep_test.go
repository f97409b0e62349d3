package live_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/live"
)

// A live whose media server stops calling back is ended by the sweeper,
// its watch windows close without credit, its replay is made from the
// recording; a live whose updates keep coming stays on air; nothing is
// swept until this server has itself waited out the silence.
func TestSweepSilentLives(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		dir := t.TempDir()
		a, err := app.New(app.Config{DataDir: t.TempDir(), Live: live.Config{RTMPURL: "rtmp://127.0.0.1/live", Dir: dir}}, d, []byte("s"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.Shutdown)
		s := a.Live
		t0 := time.Now()
		at := func(d time.Duration) { s.Now = func() time.Time { return t0.Add(d) } }
		at(0)
		create := func() (live.Live, string) {
			l, key, err := s.Create(ctx, f.host, live.Input{Title: "Sweep me", ProductIDs: []id.ID{f.product}})
			if err != nil {
				t.Fatal(err)
			}
			return l, key
		}
		silent, silentKey := create()
		alive, aliveKey := create()
		sched, _ := create() // never goes on air
		for _, k := range []string{silentKey, aliveKey} {
			if _, err := s.Publish(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		// A viewer of the silent live with 50 s in the window.
		lc := a.LiveChat
		lc.Now = func() time.Time { return t0 }
		if _, err := lc.Heartbeat(ctx, f.plain.ID, silent.ID, "tab-sweep-1", true); err != nil {
			t.Fatal(err)
		}
		lc.Now = func() time.Time { return t0.Add(50 * time.Second) }
		if b, err := lc.Heartbeat(ctx, f.plain.ID, silent.ID, "tab-sweep-1", true); err != nil || !b.Counted {
			t.Fatalf("second beat %+v %v", b, err)
		}

		// Fresh server: even a live silent since long ago stays on air.
		if _, err := d.Writer(ctx).Exec(ctx, "UPDATE lives SET seen_at = 1 WHERE id = ?", silent.ID); err != nil {
			t.Fatal(err)
		}
		if err := a.SweepLives(ctx); err != nil {
			t.Fatal(err)
		}
		if l, _ := s.Get(ctx, silent.ID); l.Status != live.OnAir {
			t.Fatalf("swept within the start-up grace: %s", l.Status)
		}

		// Four minutes on: the alive live's update came in, the silent one's never did.
		at(live.SilentAfter + time.Minute)
		if err := s.StillValid(ctx, aliveKey); err != nil {
			t.Fatal(err)
		}
		// The silent live's recording, for its replay.
		ffmpeg, ffErr := exec.LookPath("ffmpeg")
		if ffErr == nil {
			rec := filepath.Join(dir, "rec", "live_"+silent.ID.String()+".flv")
			out, err := exec.Command(ffmpeg, "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10",
				"-c:v", "libx264", "-pix_fmt", "yuv420p", "-f", "flv", rec).CombinedOutput()
			if err != nil {
				t.Fatalf("ffmpeg: %v %s", err, out)
			}
		}
		if err := a.SweepLives(ctx); err != nil {
			t.Fatal(err)
		}
		got := map[id.ID]string{}
		for _, lid := range []id.ID{silent.ID, alive.ID, sched.ID} {
			l, err := s.Get(ctx, lid)
			if err != nil {
				t.Fatal(err)
			}
			got[lid] = l.Status
		}
		if got[silent.ID] != live.Ended || got[alive.ID] != live.OnAir || got[sched.ID] != live.Scheduled {
			t.Fatalf("after the sweep: silent %s, alive %s, scheduled %s", got[silent.ID], got[alive.ID], got[sched.ID])
		}
		// The ended live's key is refused by the media server's callbacks.
		wantStatus(t, s.StillValid(ctx, silentKey), 403)
		if _, err := s.Publish(ctx, silentKey); err == nil {
			t.Fatal("an ended live's key published again")
		}
		// The window closed: the 50 s before and the silence after earn nothing,
		// and the ended live takes no playing beat.
		lc.Now = func() time.Time { return t0.Add(70 * time.Second) }
		if b, err := lc.Heartbeat(ctx, f.plain.ID, silent.ID, "tab-sweep-1", false); err != nil || b.Minutes != 0 || b.Counted {
			t.Fatalf("closing beat after the sweep %+v %v", b, err)
		}
		if _, err := lc.Heartbeat(ctx, f.plain.ID, silent.ID, "tab-sweep-1", true); err == nil {
			t.Fatal("a playing beat on a swept live was taken")
		}
		// The replay: made from the recording, or given up without one.
		deadline := time.Now().Add(60 * time.Second)
		for {
			l, _ := s.Get(ctx, silent.ID)
			if ffErr != nil {
				if l.ReplayStatus != live.ReplayPending {
					t.Fatalf("replay %q without a recording yet", l.ReplayStatus)
				}
				t.Log("no ffmpeg: the replay conversion is not exercised")
				break
			}
			if l.ReplayStatus == live.ReplayReady && l.ReplayURL != "" {
				break
			}
			if l.ReplayStatus == live.ReplayFailed || time.Now().After(deadline) {
				t.Fatalf("replay %q", l.ReplayStatus)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if ffErr == nil {
			if _, err := os.Stat(filepath.Join(dir, "rec", "live_"+silent.ID.String()+".flv")); !os.IsNotExist(err) {
				t.Fatalf("recording kept after the replay: %v", err)
			}
		}
	})
}

// Many sweepers at once (the lease normally keeps it to one) against
// update callbacks: each silent live ends once, the one being refreshed
// stays on air.
func TestSweepRaces(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		s := f.a.Live
		t0 := time.Now()
		s.Now = func() time.Time { return t0 }
		var silent []id.ID
		for range 5 {
			l, key := f.create(t, f.host)
			if _, err := s.Publish(ctx, key); err != nil {
				t.Fatal(err)
			}
			silent = append(silent, l.ID)
		}
		alive, aliveKey := f.create(t, f.host)
		if _, err := s.Publish(ctx, aliveKey); err != nil {
			t.Fatal(err)
		}
		s.Now = func() time.Time { return t0.Add(live.SilentAfter + time.Minute) }
		if err := s.StillValid(ctx, aliveKey); err != nil { // its update came in
			t.Fatal(err)
		}
		const n = 12
		var wg sync.WaitGroup
		var mu sync.Mutex
		ended := map[id.ID]int{}
		errs := make(chan error, 2*n)
		for range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				got, err := s.EndSilent(ctx)
				mu.Lock()
				for _, lid := range got {
					ended[lid]++
				}
				mu.Unlock()
				errs <- err
			}()
			go func() {
				defer wg.Done()
				errs <- s.StillValid(ctx, aliveKey)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, lid := range silent {
			if ended[lid] != 1 {
				t.Fatalf("live %s ended %d times: %v", lid, ended[lid], ended)
			}
		}
		if len(ended) != len(silent) {
			t.Fatalf("ended %v", ended)
		}
		if l, _ := s.Get(ctx, alive.ID); l.Status != live.OnAir {
			t.Fatalf("the refreshed live: %s", l.Status)
		}
	})
}
