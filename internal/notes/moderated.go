package notes

import (
	"context"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/outbox"
)

// Guard is what trust and safety (internal/moderation) asks of note
// writes; notes does not import it, app wires it in.
type Guard interface {
	// MayPost refuses an author who is muted, suspended or banned (403).
	MayPost(ctx context.Context, author id.ID) error
	// ScreenNote runs in the transaction that makes a note public, before
	// its row is written. hold keeps the note Hidden for review (the guard
	// has opened a case with its evidence); an error refuses the note.
	ScreenNote(ctx context.Context, author, noteID id.ID, title, body string) (hold bool, err error)
}

func (s *Service) mayPost(ctx context.Context, author id.ID) error {
	if s.Guard == nil {
		return nil
	}
	return s.Guard.MayPost(ctx, author)
}

// screen returns the status a note going out gets: Hidden when the guard
// holds it.
func (s *Service) screen(ctx context.Context, author, noteID id.ID, status, title, body string) (string, error) {
	if s.Guard == nil || status != Published {
		return status, nil
	}
	hold, err := s.Guard.ScreenNote(ctx, author, noteID, title, body)
	if err != nil || !hold {
		return status, err
	}
	return Hidden, nil
}

// Snapshot is what moderation records of a note before and after acting.
type Snapshot struct {
	ID       id.ID  `json:"id"`
	AuthorID id.ID  `json:"author_id"`
	Status   string `json:"status"`
	Title    string `json:"title"`
	Body     string `json:"body"`
}

// SetHidden takes a published note down (hide) or puts a hidden one back
// (restore), in the caller's transaction, moving the counters, topics,
// mentions, the following feed and the search index exactly as
// unpublishing and publishing do. Authorization is the caller's
// (moderation). It returns the note before the change; 409 when the note is
// not in the state the change starts from.
func (s *Service) SetHidden(ctx context.Context, noteID id.ID, hide bool) (Snapshot, error) {
	r, err := s.lock(ctx, noteID)
	if err != nil {
		return Snapshot{}, err
	}
	before := Snapshot{ID: noteID, AuthorID: r.author, Status: r.status, Title: r.title, Body: r.body}
	from, to := Published, Hidden
	if !hide {
		from, to = Hidden, Published
	}
	if r.status != from {
		return before, apperr.Conflict("the note is %s, not %s", r.status, from)
	}
	topics, err := s.topicNames(ctx, noteID)
	if err != nil {
		return before, err
	}
	if err := s.setTopics(ctx, noteID, topics, topics, !hide, !hide); err != nil {
		return before, err
	}
	if err := s.setMentions(ctx, r.author, noteID, r.body, !hide, !hide); err != nil {
		return before, err
	}
	now := db.Now()
	publishedAt := r.publishedAt
	if !hide && publishedAt == 0 {
		publishedAt = now
	}
	if _, err := s.db.Writer(ctx).Exec(ctx, "UPDATE notes SET status = ?, updated_at = ?, published_at = ? WHERE id = ?",
		to, now, publishedAt, noteID); err != nil {
		return before, err
	}
	s.Forget(ctx, noteID)
	if err := outbox.Add(ctx, s.db, outbox.Note, noteID); err != nil { // the search index drops or re-adds it
		return before, err
	}
	if hide {
		return before, s.published(ctx, r.author, noteID, -1)
	}
	if s.Located != nil && r.location != "" {
		if err := s.Located(ctx, noteID, r.location); err != nil {
			return before, err
		}
	}
	return before, s.published(ctx, r.author, noteID, 1)
}

// Remove deletes a note for moderation, in the caller's transaction, and
// returns what it was.
func (s *Service) Remove(ctx context.Context, noteID id.ID) (Snapshot, error) {
	r, err := s.lock(ctx, noteID)
	if err != nil {
		return Snapshot{}, err
	}
	return Snapshot{ID: noteID, AuthorID: r.author, Status: r.status, Title: r.title, Body: r.body}, s.remove(ctx, r, noteID)
}
