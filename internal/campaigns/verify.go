package campaigns

import (
	"context"
	"fmt"

	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
)

// Verify checks a campaign's invariants with SQL, for tests, the benchmark
// and operators' peace of mind:
//   - every nominee's votes and score equal the count and weight sum of its valid votes;
//   - every voter's day: used = votes cast that day ≤ allowance + bonus earned that day;
//   - each bonus column is within its cap and backed by as many earning acts;
//   - an excluded voter has no valid or flagged vote.
func Verify(ctx context.Context, d *db.DB, cid id.ID) error {
	r := d.Reader(ctx)
	var bad int
	check := func(what, q string, args ...any) error {
		if err := r.QueryRow(ctx, q, args...).Scan(&bad); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if bad != 0 {
			return fmt.Errorf("campaign %s: %d rows break %q", cid, bad, what)
		}
		return nil
	}
	for _, c := range []struct{ what, q string }{
		{"tally = valid votes", `SELECT COUNT(*) FROM campaign_nominees n WHERE n.campaign_id = ? AND (
			n.votes <> (SELECT COUNT(*) FROM campaign_votes v WHERE v.nominee_id = n.id AND v.status = 'valid') OR
			n.score <> (SELECT COALESCE(SUM(v.weight), 0) FROM campaign_votes v WHERE v.nominee_id = n.id AND v.status = 'valid'))`},
		{"used = votes cast that day", `SELECT COUNT(*) FROM campaign_days d WHERE d.campaign_id = ? AND
			d.used <> (SELECT COUNT(*) FROM campaign_votes v WHERE v.campaign_id = d.campaign_id AND v.user_id = d.user_id AND v.day = d.day)`},
		{"votes cast that day have their day row", `SELECT COUNT(*) FROM (SELECT v.user_id, v.day FROM campaign_votes v WHERE v.campaign_id = ?
			AND NOT EXISTS (SELECT 1 FROM campaign_days d WHERE d.campaign_id = v.campaign_id AND d.user_id = v.user_id AND d.day = v.day)
			GROUP BY v.user_id, v.day) x`},
		{"used <= allowance + bonus", `SELECT COUNT(*) FROM campaign_days d JOIN campaigns c ON c.id = d.campaign_id
			WHERE d.campaign_id = ? AND d.used > c.daily_votes + d.bonus_publish + d.bonus_share`},
		{"bonus within caps and earned", `SELECT COUNT(*) FROM campaign_days d JOIN campaigns c ON c.id = d.campaign_id
			WHERE d.campaign_id = ? AND (d.bonus_publish > c.publish_cap OR d.bonus_share > c.share_cap OR
			d.bonus_publish > c.publish_bonus * (SELECT COUNT(*) FROM campaign_bonus_acts a WHERE a.campaign_id = d.campaign_id
				AND a.user_id = d.user_id AND a.day = d.day AND a.kind = 'publish') OR
			d.bonus_share > c.share_bonus * (SELECT COUNT(*) FROM campaign_bonus_acts a WHERE a.campaign_id = d.campaign_id
				AND a.user_id = d.user_id AND a.day = d.day AND a.kind = 'share'))`},
		{"excluded voters count nothing", `SELECT COUNT(*) FROM campaign_votes v JOIN campaign_members m
			ON m.campaign_id = v.campaign_id AND m.user_id = v.user_id WHERE v.campaign_id = ? AND m.excluded = 1 AND v.status <> 'void'`},
	} {
		if err := check(c.what, c.q, cid); err != nil {
			return err
		}
	}
	return nil
}

// VerifyRedis checks, in Redis mode with no vote in flight, that every vote
// Redis accepted has landed (the log is empty) and that the Redis tallies
// equal the database's (the benchmark's verify, after the server stopped).
func (s *Service) VerifyRedis(ctx context.Context, cid id.ID) error {
	if s.rdb == nil {
		return nil
	}
	k := s.rkeys(cid)
	if n, err := s.rdb.XLen(ctx, k.log).Result(); err != nil || n != 0 {
		return fmt.Errorf("campaign %s: %d votes in the Redis log not landed (%v)", cid, n, err)
	}
	cats, err := s.Categories(ctx, cid)
	if err != nil {
		return err
	}
	live := append([]Category(nil), cats...)
	for i := range live {
		live[i].Nominees = append([]Nominee(nil), cats[i].Nominees...)
	}
	if err := s.redisTallies(ctx, cid, live); err != nil {
		return err
	}
	want := map[id.ID]Nominee{}
	for _, c := range cats {
		for _, n := range c.Nominees {
			want[n.ID] = n
		}
	}
	for _, c := range live {
		for _, n := range c.Nominees {
			if w := want[n.ID]; w.Votes != n.Votes || w.Score != n.Score {
				return fmt.Errorf("nominee %s: database %d/%d, Redis %d/%d", n.ID, w.Votes, w.Score, n.Votes, n.Score)
			}
		}
	}
	return nil
}
