package seed

import (
	"context"

	"github.com/redmark/redmark/internal/id"
)

// The denormalised counters are computed from the rows once everything is
// loaded, with portable correlated subqueries, so they are exact by
// construction: count column == COUNT(*) of the rows it counts.
const (
	noteCounts = `UPDATE notes SET
		like_count = (SELECT COUNT(*) FROM likes x WHERE x.note_id = notes.id),
		collect_count = (SELECT COUNT(*) FROM collects x WHERE x.note_id = notes.id),
		comment_count = (SELECT COUNT(*) FROM comments x WHERE x.note_id = notes.id AND x.deleted = 0),
		share_count = (SELECT COUNT(*) FROM shares x WHERE x.note_id = notes.id)
		WHERE id BETWEEN ? AND ?`
	// Views have no rows to count; they are made plausible from the rest.
	noteViews = `UPDATE notes SET view_count = 7 * like_count + 5 * collect_count + 4 * comment_count + id % 97
		WHERE id BETWEEN ? AND ?`
	userCounts = `UPDATE users SET
		follower_count = (SELECT COUNT(*) FROM follows x WHERE x.followee_id = users.id),
		following_count = (SELECT COUNT(*) FROM follows x WHERE x.follower_id = users.id),
		note_count = (SELECT COUNT(*) FROM notes x WHERE x.author_id = users.id AND x.status = 'published'),
		liked_collected_count = (SELECT COALESCE(SUM(x.like_count + x.collect_count), 0) FROM notes x
			WHERE x.author_id = users.id AND x.status = 'published')
		WHERE id BETWEEN ? AND ?`
	topicCounts = `UPDATE topics SET note_count = (SELECT COUNT(*) FROM note_topics x JOIN notes n ON n.id = x.note_id
		WHERE x.topic_id = topics.id AND n.status = 'published')`
	boardCounts = `UPDATE boards SET note_count = (SELECT COUNT(*) FROM collects x WHERE x.board_id = boards.id)`
)

// recountPerTx bounds each counting transaction.
const recountPerTx = 20_000

func (e *engine) recount(ctx context.Context) error {
	noteIDs := make([]id.ID, len(e.notes))
	for i, n := range e.notes {
		noteIDs[i] = n.id
	}
	userIDs := make([]id.ID, len(e.users))
	for i, u := range e.users {
		userIDs[i] = u.id
	}
	total := int64(len(noteIDs) + len(userIDs))
	return e.phase("counters", total, func(add func(int)) error {
		// Notes first: the users' likes-and-collects total sums them.
		if err := e.updateRanges(ctx, noteIDs, add, noteCounts, noteViews); err != nil {
			return err
		}
		if err := e.updateRanges(ctx, userIDs, add, userCounts); err != nil {
			return err
		}
		return e.d.InTx(ctx, func(ctx context.Context) error {
			for _, q := range []string{topicCounts, boardCounts} {
				if _, err := e.d.Writer(ctx).Exec(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// updateRanges runs the statements over ascending ids in slices of
// recountPerTx rows, each slice in one transaction.
func (e *engine) updateRanges(ctx context.Context, ids []id.ID, add func(int), stmts ...string) error {
	for lo := 0; lo < len(ids); lo += recountPerTx {
		hi := min(len(ids), lo+recountPerTx)
		err := e.d.InTx(ctx, func(ctx context.Context) error {
			for _, q := range stmts {
				if _, err := e.d.Writer(ctx).Exec(ctx, q, ids[lo], ids[hi-1]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		add(hi - lo)
	}
	return nil
}
