package recommend

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/notes"
)

// Kind is an event type, stored as a small integer in rec_events.kind.
type Kind uint8

const (
	KindImpression Kind = iota + 1
	KindOpen
	KindDwell
	KindLike
	KindCollect
	KindComment
	KindShare
	KindHide
	KindNotInterested
	// Server-side actions read from their own tables, never sent by clients.
	KindFollow
	KindBuy
)

var kindNames = map[string]Kind{
	"impression": KindImpression, "open": KindOpen, "dwell": KindDwell, "like": KindLike, "collect": KindCollect,
	"comment": KindComment, "share": KindShare, "hide": KindHide, "not_interested": KindNotInterested,
}

// ParseKind reads a client event type.
func ParseKind(s string) (Kind, bool) {
	k, ok := kindNames[s]
	return k, ok
}

func (k Kind) negative() bool { return k == KindHide || k == KindNotInterested }

// Limits on client events.
const (
	MaxEventsPerBatch = 100
	MaxDwellMS        = 6 * 3600 * 1000 // a dwell over six hours is a tab left open
	maxEventAge       = 24 * time.Hour  // older events are stale: the client kept them too long
	maxClockSkew      = time.Minute     // how far in the future a client clock may be
	MaxInterests      = 20
)

// Event is a client event as the API receives it.
type Event struct {
	Type    string     `json:"type"`
	NoteID  id.ID      `json:"note_id"`
	DwellMS *int       `json:"dwell_ms,omitempty"`
	At      *time.Time `json:"at,omitempty"`
}

type checkedEvent struct {
	kind  Kind
	note  id.ID
	dwell int
	at    int64
}

// check validates a batch against the rules above.
func checkEvents(evs []Event, now time.Time) ([]checkedEvent, error) {
	if len(evs) == 0 {
		return nil, apperr.Invalid("events must not be empty")
	}
	if len(evs) > MaxEventsPerBatch {
		return nil, apperr.Invalid("at most %d events per batch", MaxEventsPerBatch)
	}
	out := make([]checkedEvent, len(evs))
	for i, e := range evs {
		k, ok := ParseKind(e.Type)
		if !ok {
			return nil, apperr.Invalid("events[%d]: unknown type %q", i, e.Type)
		}
		if e.NoteID <= 0 {
			return nil, apperr.Invalid("events[%d]: note_id is required", i)
		}
		c := checkedEvent{kind: k, note: e.NoteID, at: now.UnixMilli()}
		switch {
		case k == KindDwell && e.DwellMS == nil:
			return nil, apperr.Invalid("events[%d]: dwell_ms is required for dwell", i)
		case k == KindDwell && (*e.DwellMS < 0 || *e.DwellMS > MaxDwellMS):
			return nil, apperr.Invalid("events[%d]: dwell_ms must be 0–%d", i, MaxDwellMS)
		case k != KindDwell && e.DwellMS != nil:
			return nil, apperr.Invalid("events[%d]: dwell_ms is only for dwell events", i)
		}
		if e.DwellMS != nil {
			c.dwell = *e.DwellMS
		}
		if e.At != nil {
			switch {
			case e.At.After(now.Add(maxClockSkew)):
				return nil, apperr.Invalid("events[%d]: at is in the future", i)
			case e.At.Before(now.Add(-maxEventAge)):
				return nil, apperr.Invalid("events[%d]: at is older than %s", i, maxEventAge)
			}
			c.at = e.At.UnixMilli()
		}
		out[i] = c
	}
	return out, nil
}

// Record validates, stores and applies a batch of client events from
// user (0: signed out). Every note must exist and be published, else
// the whole batch is refused.
func (s *Service) Record(ctx context.Context, user id.ID, evs []Event) error {
	now := time.Now()
	cs, err := checkEvents(evs, now)
	if err != nil {
		return err
	}
	notes := map[id.ID]bool{}
	for _, c := range cs {
		notes[c.note] = true
	}
	args := make([]any, 0, len(notes))
	for n := range notes {
		args = append(args, n)
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id FROM notes WHERE status = 'published' AND id IN ("+
		db.Placeholders(len(args))+")", args...)
	if err != nil {
		return err
	}
	found := 0
	for rows.Next() {
		found++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if found != len(notes) {
		return apperr.Invalid("unknown note in events")
	}
	ids := make([]id.ID, len(cs))
	vals := make([]any, 0, 6*len(cs))
	var q strings.Builder
	q.WriteString("INSERT INTO rec_events (id, user_id, note_id, kind, dwell_ms, at) VALUES ")
	for i, c := range cs {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?)")
		ids[i] = id.New()
		vals = append(vals, ids[i], user, c.note, int(c.kind), c.dwell, c.at)
	}
	if _, err := s.db.Writer(ctx).Exec(ctx, q.String(), vals...); err != nil {
		return err
	}
	if user == 0 {
		return nil
	}
	// Apply at once to a loaded profile; an unloaded one reads the rows
	// when it loads. eventID keeps a load that already read them from
	// counting them again.
	p := s.profiles.peek(user)
	if p == nil {
		return nil
	}
	if err := s.syncNotes(ctx); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.loaded.IsZero() {
		return nil
	}
	for i, c := range cs {
		if ids[i] <= p.eventID {
			continue
		}
		p.apply(c.kind, c.note, c.dwell, c.at, s.info(c.note), now)
		p.eventID = ids[i]
	}
	return nil
}

// SetInterests replaces the user's onboarding interests: topic names
// (known or not yet used), at most MaxInterests; returns them normalised.
func (s *Service) SetInterests(ctx context.Context, user id.ID, topics []string) ([]string, error) {
	if len(topics) > MaxInterests {
		return nil, apperr.Invalid("at most %d interests", MaxInterests)
	}
	out := make([]string, 0, len(topics))
	seen := map[string]bool{}
	for _, t := range topics {
		n, err := notes.NormalizeTopic(t)
		if err != nil {
			return nil, err
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	slices.Sort(out)
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Writer(ctx).Exec(ctx, "DELETE FROM user_interests WHERE user_id = ?", user); err != nil {
			return err
		}
		for _, t := range out {
			if _, err := s.db.Writer(ctx).Exec(ctx, "INSERT INTO user_interests (user_id, topic, created_at) VALUES (?, ?, ?)",
				user, t, db.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if p := s.profiles.peek(user); p != nil {
		p.mu.Lock()
		p.interest = slices.Clone(out)
		p.mu.Unlock()
	}
	return out, nil
}

// Interests returns the user's onboarding interests, sorted.
func (s *Service) Interests(ctx context.Context, user id.ID) ([]string, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT topic FROM user_interests WHERE user_id = ? ORDER BY topic", user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SuggestedTopics are the topics offered at onboarding: pinned ones, then
// the most used.
func (s *Service) SuggestedTopics(ctx context.Context, n int) ([]string, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT name FROM topics ORDER BY pinned DESC, note_count DESC, name LIMIT ?", n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
