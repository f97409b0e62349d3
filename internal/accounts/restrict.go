package accounts

import (
	"context"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// RevokeSessions ends every session of uid (a suspension or ban), in the
// caller's transaction; the cached sessions go when it commits.
func (s *Service) RevokeSessions(ctx context.Context, uid id.ID) error {
	w := s.db.Writer(ctx)
	rows, err := w.Query(ctx, "SELECT token_hash FROM sessions WHERE user_id = ?", uid)
	if err != nil {
		return err
	}
	var hashes []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return err
		}
		hashes = append(hashes, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	db.AfterCommit(ctx, func() {
		for _, h := range hashes {
			s.sessions.Forget(h)
		}
	})
	_, err = w.Exec(ctx, "DELETE FROM sessions WHERE user_id = ?", uid)
	return err
}
