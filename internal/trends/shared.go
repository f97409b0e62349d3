package trends

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/redmark/redmark/internal/id"
)

// On several servers the snapshot is computed once: the holder of the
// cluster lease Publishes it to the database and every server Follows it.
// A server computes its own only when no snapshot is fresh (no server has
// published for twice the refresh interval), so the lists stay up while
// the lease moves.

type stored struct {
	Hot    []storedHot   `json:"hot"`
	Topics []storedTopic `json:"topics"`
}

type storedHot struct {
	Note  id.ID   `json:"n"`
	Score float64 `json:"s"`
}

type storedTopic struct {
	ID        id.ID   `json:"id"`
	Name      string  `json:"name"`
	UsesToday int     `json:"uses"`
	Expected  float64 `json:"expected"`
	Score     float64 `json:"score"`
}

// Publish recomputes the snapshot as of now and stores it for the other servers.
func (s *Service) Publish(ctx context.Context, now time.Time) error {
	if err := s.Refresh(ctx, now); err != nil {
		return err
	}
	s.mu.Lock()
	var st stored
	for _, h := range s.hot {
		st.Hot = append(st.Hot, storedHot{h.NoteID, h.Score})
	}
	for _, t := range s.topics {
		st.Topics = append(st.Topics, storedTopic{t.ID, t.Name, t.UsesToday, t.Expected, t.Score})
	}
	at := s.at.UnixMilli()
	s.mu.Unlock()
	body, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = s.db.Writer(ctx).Exec(ctx, `INSERT INTO trend_snapshot (id, at, body) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET at = excluded.at, body = excluded.body`, at, string(body))
	return err
}

// Follow adopts the stored snapshot when it is newer than this server's,
// or computes one when none is fresh; operators' pins and hides are
// reloaded either way.
func (s *Service) Follow(ctx context.Context, now time.Time) error {
	var at int64
	var body string
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT at, body FROM trend_snapshot WHERE id = 1").Scan(&at, &body)
	if errors.Is(err, sql.ErrNoRows) || err == nil && now.Sub(time.UnixMilli(at)) > 2*RefreshInterval {
		return s.Refresh(ctx, now)
	}
	if err != nil {
		return err
	}
	ov, err := s.loadOverrides(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	newer := time.UnixMilli(at).After(s.at)
	s.mu.Unlock()
	var st stored
	if newer {
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.overrides = ov
	if newer {
		s.at, s.hot, s.topics = time.UnixMilli(at), make([]HotEntry, len(st.Hot)), make([]TopicTrend, len(st.Topics))
		for i, h := range st.Hot {
			s.hot[i] = HotEntry{NoteID: h.Note, Score: h.Score}
		}
		for i, t := range st.Topics {
			s.topics[i] = TopicTrend{ID: t.ID, Name: t.Name, UsesToday: t.UsesToday, Expected: t.Expected, Score: t.Score}
		}
	}
	return nil
}
