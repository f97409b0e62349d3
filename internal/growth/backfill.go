package growth

import (
	"context"

	"github.com/redmark/redmark/internal/activity"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// backfillActs derive the acts of users with ids in [?, ?] from the rows
// that exist, with the rules the live hooks follow: published notes, likes
// by others on their notes, collects of and (distinct) comments on others'
// notes, their shares. The first argument is the time stamp.
var backfillActs = []string{
	`INSERT INTO growth_acts (user_id, kind, ref, actor, created_at)
		SELECT author_id, '` + activity.Publish + `', id, 0, CAST(? AS BIGINT) FROM notes WHERE status = 'published' AND author_id BETWEEN ? AND ?
		ON CONFLICT DO NOTHING`,
	`INSERT INTO growth_acts (user_id, kind, ref, actor, created_at)
		SELECT n.author_id, '` + activity.Liked + `', l.note_id, l.user_id, CAST(? AS BIGINT) FROM likes l JOIN notes n ON n.id = l.note_id
		WHERE n.author_id BETWEEN ? AND ? AND l.user_id <> n.author_id ON CONFLICT DO NOTHING`,
	`INSERT INTO growth_acts (user_id, kind, ref, actor, created_at)
		SELECT c.user_id, '` + activity.Collect + `', c.note_id, 0, CAST(? AS BIGINT) FROM collects c JOIN notes n ON n.id = c.note_id
		WHERE c.user_id BETWEEN ? AND ? AND n.author_id <> c.user_id ON CONFLICT DO NOTHING`,
	`INSERT INTO growth_acts (user_id, kind, ref, actor, created_at)
		SELECT DISTINCT c.author_id, '` + activity.Comment + `', c.note_id, 0, CAST(? AS BIGINT) FROM comments c JOIN notes n ON n.id = c.note_id
		WHERE c.author_id BETWEEN ? AND ? AND n.author_id <> c.author_id ON CONFLICT DO NOTHING`,
	`INSERT INTO growth_acts (user_id, kind, ref, actor, created_at)
		SELECT DISTINCT user_id, '` + activity.Share + `', note_id, 0, CAST(? AS BIGINT) FROM shares WHERE user_id BETWEEN ? AND ?
		ON CONFLICT DO NOTHING`,
}

// backfillCounts sets the counters of users in [?, ?] to their acts.
const backfillCounts = `UPDATE growth_users SET
	publish = (SELECT COUNT(*) FROM growth_acts a WHERE a.user_id = growth_users.user_id AND a.kind = '` + activity.Publish + `'),
	liked = (SELECT COUNT(*) FROM growth_acts a WHERE a.user_id = growth_users.user_id AND a.kind = '` + activity.Liked + `'),
	collect = (SELECT COUNT(*) FROM growth_acts a WHERE a.user_id = growth_users.user_id AND a.kind = '` + activity.Collect + `'),
	comment = (SELECT COUNT(*) FROM growth_acts a WHERE a.user_id = growth_users.user_id AND a.kind = '` + activity.Comment + `'),
	share = (SELECT COUNT(*) FROM growth_acts a WHERE a.user_id = growth_users.user_id AND a.kind = '` + activity.Share + `')
	WHERE user_id BETWEEN ? AND ?`

// Backfill computes task progress for users with ids in [from, to] from
// rows that were bulk-loaded past the activity hooks (the seed), then levels
// them up through the live path (level-up rows, task rewards, notifications).
// Acts already counted are skipped, so it can run again; it is meant for a
// quiet database (seeding), not alongside live traffic on the same users.
// It returns how many users moved up.
func (s *Service) Backfill(ctx context.Context, from, to id.ID) (int, error) {
	moved := 0
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		now := db.Now()
		for _, q := range backfillActs {
			if _, err := w.Exec(ctx, q, now, from, to); err != nil {
				return err
			}
		}
		if _, err := w.Exec(ctx, `INSERT INTO growth_users (user_id) SELECT DISTINCT user_id FROM growth_acts
			WHERE user_id BETWEEN ? AND ? ON CONFLICT DO NOTHING`, from, to); err != nil {
			return err
		}
		if _, err := w.Exec(ctx, backfillCounts, from, to); err != nil {
			return err
		}
		rows, err := w.Query(ctx, `SELECT user_id, level, publish, liked, collect, comment, share FROM growth_users
			WHERE user_id BETWEEN ? AND ? ORDER BY user_id`, from, to)
		if err != nil {
			return err
		}
		type state struct {
			uid id.ID
			lv  int
			c   Counts
		}
		var all []state
		for rows.Next() {
			var st state
			var p, li, co, cm, sh int64
			if err := rows.Scan(&st.uid, &st.lv, &p, &li, &co, &cm, &sh); err != nil {
				rows.Close()
				return err
			}
			st.c = Counts{activity.Publish: p, activity.Liked: li, activity.Collect: co, activity.Comment: cm, activity.Share: sh}
			all = append(all, st)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		levels, err := s.Levels(ctx)
		if err != nil {
			return err
		}
		for _, st := range all {
			if reached(levels, st.c) > st.lv {
				moved++
				if err := s.levelUp(ctx, st.uid, st.lv, st.c); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return moved, err
}
