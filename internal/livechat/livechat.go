// Package livechat is the chat of a live room (issue 11, part B): messages
// kept with the live, hearts, moderation (delete, mute, ban), the viewer
// count, fan-out to every viewer through an in-process hub per room (and
// to the other servers through Redis pub/sub), and watch-time rewards from
// server-side heartbeats. The live rooms themselves belong to another
// package, seen only through the Rooms interface. See docs/live-chat.md.
package livechat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/validate"
)

// Room states as Rooms reports them.
const (
	Scheduled = "scheduled"
	Live      = "live"
	Ended     = "ended"
)

// Rooms is what chat needs to know about a live: its host and state. A
// live that does not exist is an apperr not-found error.
type Rooms interface {
	Room(ctx context.Context, liveID id.ID) (host id.ID, status string, err error)
}

// Rewarder pays the nth credited watch minute of a user (exactly once per
// n, within the daily cap) and returns the points paid; internal/growth's
// earning rule "live_watch" implements it.
type Rewarder interface {
	EarnWatchMinute(ctx context.Context, uid id.ID, n int64) (int64, error)
}

// MaxBody is the longest chat message, in characters.
const MaxBody = 200

// Service is live chat over one database.
type Service struct {
	db     *db.DB
	Rooms  Rooms
	reward Rewarder // nil: watch time earns nothing
	hub    *Hub
	// Now is the clock (tests move it).
	Now func() time.Time

	cluster Cluster // nil on a single server

	mu      sync.Mutex
	hearts  map[id.ID]int64 // hearts received since the last flush
	viewers map[id.ID]int   // viewer count last announced per room

	streams chan struct{}
	endOnce sync.Once
}

// New returns the chat service; reward may be nil.
func New(d *db.DB, rooms Rooms, reward Rewarder) *Service {
	return &Service{db: d, Rooms: rooms, reward: reward, hub: NewHub(), Now: time.Now,
		hearts: map[id.ID]int64{}, viewers: map[id.ID]int{}, streams: make(chan struct{})}
}

// Hub is this server's fan-out.
func (s *Service) Hub() *Hub { return s.hub }

// Author is who wrote a message, as chat shows them.
type Author struct {
	ID          id.ID  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	AvatarURL   string `json:"avatar_url"`
}

// Message is one chat message. Body is plain text: clients must show it
// as text, never as markup.
type Message struct {
	ID        id.ID     `json:"id"`
	LiveID    id.ID     `json:"live_id"`
	User      Author    `json:"user"`
	Host      bool      `json:"host"` // written by the live's host
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// Send posts a message as me. Chat is open before and during the live;
// muted and banned users get 403.
func (s *Service) Send(ctx context.Context, me accounts.User, live id.ID, body string) (Message, error) {
	body, err := validate.Text("body", body, 1, MaxBody, false)
	if err != nil {
		return Message{}, err
	}
	host, status, err := s.Rooms.Room(ctx, live)
	if err != nil {
		return Message{}, err
	}
	if status == Ended {
		return Message{}, apperr.Conflict("the live has ended; chat is closed")
	}
	if err := s.mayTalk(ctx, live, me.ID); err != nil {
		return Message{}, err
	}
	now := s.Now()
	m := Message{ID: id.New(), LiveID: live, Host: me.ID == host, Body: body, CreatedAt: now.UTC().Truncate(time.Millisecond),
		User: Author{ID: me.ID, Username: me.Username, DisplayName: me.DisplayName, AvatarURL: me.AvatarURL}}
	if _, err := s.db.Writer(ctx).Exec(ctx, "INSERT INTO livechat_messages (id, live_id, user_id, body, created_at) VALUES (?, ?, ?, ?, ?)",
		m.ID, live, me.ID, body, now.UnixMilli()); err != nil {
		return Message{}, err
	}
	s.publish(live, messageFrame(m))
	return m, nil
}

// History pages the live's messages newest first: before is the cursor
// (0 for the newest). Deleted messages are not shown.
func (s *Service) History(ctx context.Context, live id.ID, before id.ID, limit int) ([]Message, error) {
	host, _, err := s.Rooms.Room(ctx, live)
	if err != nil {
		return nil, err
	}
	q := `SELECT m.id, m.user_id, u.username, u.display_name, u.avatar_url, m.body, m.created_at
		FROM livechat_messages m JOIN users u ON u.id = m.user_id
		WHERE m.live_id = ? AND m.deleted_at IS NULL`
	args := []any{live}
	if before != 0 {
		q += " AND m.id < ?"
		args = append(args, before)
	}
	q += " ORDER BY m.id DESC LIMIT ?"
	return s.messages(ctx, host, live, q, append(args, limit)...)
}

// Since is the live's messages after id after, oldest first (at most
// limit): what a reconnecting viewer missed.
func (s *Service) Since(ctx context.Context, live id.ID, after id.ID, limit int) ([]Message, error) {
	host, _, err := s.Rooms.Room(ctx, live)
	if err != nil {
		return nil, err
	}
	return s.messages(ctx, host, live, `SELECT m.id, m.user_id, u.username, u.display_name, u.avatar_url, m.body, m.created_at
		FROM livechat_messages m JOIN users u ON u.id = m.user_id
		WHERE m.live_id = ? AND m.deleted_at IS NULL AND m.id > ? ORDER BY m.id LIMIT ?`, live, after, limit)
}

func (s *Service) messages(ctx context.Context, host, live id.ID, q string, args ...any) ([]Message, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		m := Message{LiveID: live}
		var at int64
		if err := rows.Scan(&m.ID, &m.User.ID, &m.User.Username, &m.User.DisplayName, &m.User.AvatarURL, &m.Body, &at); err != nil {
			return nil, err
		}
		m.Host, m.CreatedAt = m.User.ID == host, time.UnixMilli(at).UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// MaxHeartsPerRequest bounds one request's hearts: clients gather taps
// and send them about once a second.
const MaxHeartsPerRequest = 20

// Heart adds n hearts to the live. They are counted in memory and written
// and announced once a second by Tick, as one event per room whatever the
// number of hearts, so a storm of taps is neither a storm of writes nor of
// messages to every viewer.
func (s *Service) Heart(ctx context.Context, me accounts.User, live id.ID, n int) error {
	if n < 1 || n > MaxHeartsPerRequest {
		return apperr.Invalid("count must be 1 to %d", MaxHeartsPerRequest)
	}
	_, status, err := s.Rooms.Room(ctx, live)
	if err != nil {
		return err
	}
	if status != Live {
		return apperr.Conflict("hearts are for lives on air")
	}
	if banned, err := s.Banned(ctx, live, me.ID); err != nil || banned {
		if err == nil {
			err = errBanned
		}
		return err
	}
	s.mu.Lock()
	s.hearts[live] += int64(n)
	s.mu.Unlock()
	return nil
}

// Hearts is the live's heart total as written (a second behind at most).
func (s *Service) Hearts(ctx context.Context, live id.ID) (int64, error) {
	var n int64
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT hearts FROM livechat_rooms WHERE live_id = ?", live).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// flushHearts writes the hearts gathered since the last flush and announces
// each room's new total. A failed write keeps its hearts for the next try.
func (s *Service) flushHearts(ctx context.Context) error {
	s.mu.Lock()
	pending := s.hearts
	s.hearts = map[id.ID]int64{}
	s.mu.Unlock()
	var firstErr error
	for live, n := range pending {
		var total int64
		err := s.db.Writer(ctx).QueryRow(ctx, `INSERT INTO livechat_rooms (live_id, hearts) VALUES (?, ?)
			ON CONFLICT (live_id) DO UPDATE SET hearts = livechat_rooms.hearts + excluded.hearts RETURNING hearts`, live, n).Scan(&total)
		if err != nil {
			s.mu.Lock()
			s.hearts[live] += n
			s.mu.Unlock()
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		s.publish(live, eventFrame("hearts", map[string]int64{"n": n, "total": total}))
	}
	return firstErr
}

// Tick is the chat's background work, run every second on every server
// (jobs.Local): hearts written and announced, viewer counts shared with
// the other servers and announced to each room when they changed.
func (s *Service) Tick(ctx context.Context) error {
	err := s.flushHearts(ctx)
	local := s.hub.Rooms()
	if s.cluster != nil {
		s.cluster.ShareViewers(local)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for live := range s.viewers {
		if _, ok := local[live]; !ok {
			delete(s.viewers, live)
		}
	}
	for live := range local {
		n := s.viewerCount(live)
		if s.viewers[live] != n {
			s.viewers[live] = n
			s.hub.Broadcast(live, eventFrame("viewers", map[string]int{"n": n}))
		}
	}
	return err
}

// Viewers is the number of people watching live's chat: this server's
// subscribers plus, in a cluster, the other servers' last reports.
func (s *Service) Viewers(live id.ID) int { return s.viewerCount(live) }

func (s *Service) viewerCount(live id.ID) int {
	n := s.hub.Count(live)
	if s.cluster != nil {
		n += s.cluster.RemoteViewers(live)
	}
	return n
}

// publish fans frame out to live's subscribers here and on the other servers.
func (s *Service) publish(live id.ID, frame []byte) {
	s.hub.Broadcast(live, frame)
	if s.cluster != nil {
		s.cluster.Publish(live, frame)
	}
}

// messageFrame is a message as a server-sent event; its id lets a
// reconnecting EventSource say where it stopped (Last-Event-ID).
func messageFrame(m Message) []byte {
	b, _ := json.Marshal(m)
	return fmt.Appendf(nil, "id: %s\nevent: message\ndata: %s\n\n", strconv.FormatInt(int64(m.ID), 10), b)
}

// eventFrame is any other event; JSON holds no newline, so one data line.
func eventFrame(event string, v any) []byte {
	b, _ := json.Marshal(v)
	return fmt.Appendf(nil, "event: %s\ndata: %s\n\n", event, b)
}

// Streams is closed when the server shuts down, so open chat streams end
// instead of holding the shutdown up (browsers reconnect elsewhere).
func (s *Service) Streams() <-chan struct{} { return s.streams }

// EndStreams closes Streams (idempotent).
func (s *Service) EndStreams() { s.endOnce.Do(func() { close(s.streams) }) }

// State is a room's counters as a viewer first sees them.
type State struct {
	Viewers int    `json:"viewers"`
	Hearts  int64  `json:"hearts"`
	Status  string `json:"status"`
}

// StateOf is live's state; not-found for an unknown live.
func (s *Service) StateOf(ctx context.Context, live id.ID) (State, error) {
	_, status, err := s.Rooms.Room(ctx, live)
	if err != nil {
		return State{}, err
	}
	hearts, err := s.Hearts(ctx, live)
	return State{Viewers: s.viewerCount(live), Hearts: hearts, Status: status}, err
}

// MaxCatchup bounds the messages replayed to a reconnecting stream.
const MaxCatchup = 100

// Opening is what a new stream sends first: the room's state and, when
// the viewer says which message it saw last (after), the messages since
// (at most MaxCatchup; older ones are in the history).
func (s *Service) Opening(ctx context.Context, live, after id.ID) ([][]byte, error) {
	st, err := s.StateOf(ctx, live)
	if err != nil {
		return nil, err
	}
	out := [][]byte{eventFrame("state", st)}
	if after == 0 {
		return out, nil
	}
	missed, err := s.Since(ctx, live, after, MaxCatchup)
	for _, m := range missed {
		out = append(out, messageFrame(m))
	}
	return out, err
}
