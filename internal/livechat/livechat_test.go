package livechat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/growth"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/points"
)

// clock is a settable time for Service.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	t      *testing.T
	ctx    context.Context
	d      *db.DB
	acc    *accounts.Service
	points *points.Service
	growth *growth.Service
	rooms  *MemRooms
	clock  *clock
	s      *Service
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	f := &fixture{t: t, ctx: context.Background(), d: d, acc: accounts.New(d), points: points.New(d, points.Rules{}),
		rooms: &MemRooms{}, clock: &clock{t: time.Now()}}
	f.growth = growth.New(d, f.points, nil, growth.Config{})
	f.s = New(d, f.rooms, f.growth)
	f.s.Now = f.clock.now
	return f
}

var userSeq int

func (f *fixture) user(role string) accounts.User {
	f.t.Helper()
	userSeq++
	u, err := f.acc.CreateWithHash(f.ctx, fmt.Sprintf("u%s%d", role[:2], userSeq), "U", "", role)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func wantCode(t *testing.T, err error, target *apperr.Error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %s", err, target.Code)
	}
}

func TestMessagesHistoryAndValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		host, viewer := f.user("creator"), f.user("user")
		live := f.rooms.Add(host.ID, Scheduled)
		other := f.rooms.Add(host.ID, Live)

		for _, bad := range []string{"", "   ", strings.Repeat("长", MaxBody+1), "a\x00b", "line\nbreak", string([]byte{0xff})} {
			_, err := f.s.Send(f.ctx, viewer, live, bad)
			wantCode(t, err, apperr.ErrInvalid)
		}
		_, err := f.s.Send(f.ctx, viewer, id.New(), "hi")
		wantCode(t, err, apperr.ErrNotFound)

		var sent []Message
		for i := range 25 {
			who := viewer
			if i%5 == 0 {
				who = host
			}
			m, err := f.s.Send(f.ctx, who, live, fmt.Sprintf("  <b>msg %d</b> & 你好  ", i))
			if err != nil {
				t.Fatal(err)
			}
			sent = append(sent, m)
		}
		if _, err := f.s.Send(f.ctx, viewer, other, "elsewhere"); err != nil {
			t.Fatal(err)
		}
		// Pages of 10, newest first, cursor = last id; only this live.
		var got []Message
		var before id.ID
		for {
			page, err := f.s.History(f.ctx, live, before, 10)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page...)
			if len(page) < 10 {
				break
			}
			before = page[len(page)-1].ID
		}
		if len(got) != 25 {
			t.Fatalf("history has %d messages, want 25", len(got))
		}
		for i, m := range got {
			want := sent[24-i]
			if m.ID != want.ID || m.Body != want.Body || m.User.ID != want.User.ID || m.Host != want.Host || !m.CreatedAt.Equal(want.CreatedAt) {
				t.Fatalf("history[%d] = %+v, want %+v", i, m, want)
			}
		}
		// Stored as the plain text typed (trimmed): escaping is the reader's job.
		if got[0].Body != "<b>msg 24</b> & 你好" || got[0].User.Username != viewer.Username || !got[len(got)-1].Host {
			t.Fatalf("newest = %+v, oldest = %+v", got[0], got[len(got)-1])
		}
		since, err := f.s.Since(f.ctx, live, sent[19].ID, 100)
		if err != nil || len(since) != 5 || since[0].ID != sent[20].ID {
			t.Fatalf("since = %v, %v", since, err)
		}
		// The frame is JSON, which escapes markup characters.
		if fr := string(messageFrame(sent[0])); strings.Contains(fr, "<b>") || !strings.HasPrefix(fr, "id: "+sent[0].ID.String()+"\nevent: message\ndata: {") {
			t.Fatalf("frame %q", fr)
		}

		f.rooms.Set(live, host.ID, Ended)
		_, err = f.s.Send(f.ctx, viewer, live, "too late")
		wantCode(t, err, apperr.ErrConflict)
		if h, _ := f.s.History(f.ctx, live, 0, 100); len(h) != 25 {
			t.Fatalf("history after the end: %d", len(h))
		}
	})
}

func TestHeartsAreAggregated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		host := f.user("creator")
		live := f.rooms.Add(host.ID, Live)
		sub := f.s.Hub().Subscribe(live)
		defer sub.Close()
		var wg sync.WaitGroup
		for range 20 {
			u := f.user("user")
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 5 {
					if err := f.s.Heart(f.ctx, u, live, 3); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		if err := f.s.Tick(f.ctx); err != nil {
			t.Fatal(err)
		}
		frames, _ := sub.Next(nil)
		var hearts []string
		for _, fr := range frames {
			if strings.HasPrefix(string(fr), "event: hearts") {
				hearts = append(hearts, string(fr))
			}
		}
		if len(hearts) != 1 || !strings.Contains(hearts[0], `{"n":300,"total":300}`) {
			t.Fatalf("hearts events %q", hearts)
		}
		f.s.Heart(f.ctx, host, live, 1)
		f.s.Tick(f.ctx)
		if n, err := f.s.Hearts(f.ctx, live); err != nil || n != 301 {
			t.Fatalf("hearts = %d, %v", n, err)
		}
		wantCode(t, f.s.Heart(f.ctx, host, live, 0), apperr.ErrInvalid)
		wantCode(t, f.s.Heart(f.ctx, host, live, MaxHeartsPerRequest+1), apperr.ErrInvalid)
		f.rooms.Set(live, host.ID, Scheduled)
		wantCode(t, f.s.Heart(f.ctx, host, live, 1), apperr.ErrConflict)
	})
}

// TestModerationAuthorization: only the room's host and staff moderate
// it; muted and banned users are refused with 403.
func TestModerationAuthorization(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		hostA, hostB := f.user("creator"), f.user("creator")
		viewer, troll := f.user("user"), f.user("user")
		op, mod := f.user("operator"), f.user("moderator")
		roomA := f.rooms.Add(hostA.ID, Live)
		f.rooms.Add(hostB.ID, Live)
		m, err := f.s.Send(f.ctx, troll, roomA, "spam")
		if err != nil {
			t.Fatal(err)
		}
		for _, who := range []accounts.User{viewer, hostB, troll} {
			wantCode(t, f.s.Delete(f.ctx, who, roomA, m.ID), apperr.ErrForbidden)
			_, err := f.s.Mute(f.ctx, who, roomA, troll.ID, time.Hour)
			wantCode(t, err, apperr.ErrForbidden)
			wantCode(t, f.s.Ban(f.ctx, who, roomA, troll.ID), apperr.ErrForbidden)
			wantCode(t, f.s.Unban(f.ctx, who, roomA, troll.ID), apperr.ErrForbidden)
			if ok, err := f.s.CanModerate(f.ctx, who, roomA); ok || err != nil {
				t.Fatalf("%s can moderate room A: %v %v", who.Username, ok, err)
			}
		}
		for _, who := range []accounts.User{hostA, op, mod} {
			if ok, err := f.s.CanModerate(f.ctx, who, roomA); !ok || err != nil {
				t.Fatalf("%s cannot moderate room A: %v", who.Username, err)
			}
		}
		// Nobody sanctions the host or themselves.
		_, err = f.s.Mute(f.ctx, op, roomA, hostA.ID, time.Hour)
		wantCode(t, err, apperr.ErrForbidden)
		wantCode(t, f.s.Ban(f.ctx, mod, roomA, mod.ID), apperr.ErrForbidden)
		_, err = f.s.Mute(f.ctx, hostA, roomA, troll.ID, 10*time.Second)
		wantCode(t, err, apperr.ErrInvalid)
		wantCode(t, f.s.Ban(f.ctx, hostA, roomA, id.New()), apperr.ErrNotFound)

		// Delete: gone from history, announced, idempotent.
		sub := f.s.Hub().Subscribe(roomA)
		defer sub.Close()
		if err := f.s.Delete(f.ctx, mod, roomA, m.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.s.Delete(f.ctx, hostA, roomA, m.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.s.Delete(f.ctx, hostA, roomA, id.New()), apperr.ErrNotFound)
		if frames, _ := sub.Next(nil); len(frames) != 1 || !strings.Contains(string(frames[0]), `"id":"`+m.ID.String()+`"`) {
			t.Fatalf("delete frames %q", frames)
		}
		if h, _ := f.s.History(f.ctx, roomA, 0, 10); len(h) != 0 {
			t.Fatalf("deleted message still in history: %v", h)
		}

		// Mute by the host: 403 until it runs out.
		until, err := f.s.Mute(f.ctx, hostA, roomA, troll.ID, 10*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.s.Send(f.ctx, troll, roomA, "still here")
		wantCode(t, err, apperr.ErrForbidden)
		st, err := f.s.StandingOf(f.ctx, troll, roomA)
		if err != nil || st.MutedUntil == nil || !st.MutedUntil.Equal(until) || st.Banned || st.CanModerate {
			t.Fatalf("standing %+v %v", st, err)
		}
		if _, err := f.s.Send(f.ctx, viewer, roomA, "others still talk"); err != nil {
			t.Fatal(err)
		}
		f.clock.add(11 * time.Minute)
		if _, err := f.s.Send(f.ctx, troll, roomA, "back"); err != nil {
			t.Fatal(err)
		}
		// Ban by an operator: no chat, no hearts, until lifted.
		if err := f.s.Ban(f.ctx, op, roomA, troll.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.s.Send(f.ctx, troll, roomA, "x")
		wantCode(t, err, apperr.ErrForbidden)
		wantCode(t, f.s.Heart(f.ctx, troll, roomA, 1), apperr.ErrForbidden)
		f.clock.add(30 * 24 * time.Hour)
		_, err = f.s.Send(f.ctx, troll, roomA, "x")
		wantCode(t, err, apperr.ErrForbidden)
		if err := f.s.Unban(f.ctx, hostA, roomA, troll.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Send(f.ctx, troll, roomA, "sorry"); err != nil {
			t.Fatal(err)
		}
	})
}
