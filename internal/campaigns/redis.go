package campaigns

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/redislog"
)

// Redis mode (docs/campaigns.md has the protocol and its failure cases).
//
// Per campaign, under one hash tag so a cluster keeps them on one slot:
//
//	{p}:ready    set once the campaign is primed from the database
//	{p}:keys     hash "user|Idempotency-Key" -> "vote|nominee|weight|createdMs|status|logID"
//	{p}:used     hash "user|day" -> votes used that local day
//	{p}:bonus    hash "user|day" -> bonus votes earned that day (copied from the database)
//	{p}:src      hash "ip|value|utcDay", "dev|value|utcDay" -> votes
//	{p}:tally    hash nominee -> valid votes, "nominee:s" -> score
//	{p}:excl     set of excluded voters
//	{p}:burst:N  sorted set of nominee N's new-account votes by time
//	{p}:log      stream of accepted votes not yet known to be in the database
//
// One script checks the key, the exclusion, the allowance + bonus, the
// source limits and burst detection, and counts the vote (used, sources,
// tally) and appends it to the log, atomically. The request then hands the
// vote to the lander, which writes the accepted votes in large batches (one
// row each, the database counters in the same transaction) and answers 201
// only after the commit; then the log entries are deleted. A crash in
// between leaves the entries in the log and reconciliation lands them. The
// database may still refuse a vote (its voter was excluded meanwhile, or
// the key already has a vote after Redis lost data): then the vote's counts
// are undone in Redis, once, by the script that deletes its log entry.
// Redis tallies therefore equal the database's plus the log's valid
// entries not yet landed; moderation and reconciliation re-establish that
// with the database locked (syncTallies).

// UseRedis moves allowances, limits and live tallies into Redis; prefix
// namespaces the keys. Call it before serving.
func (s *Service) UseRedis(c *redis.Client, prefix string) { s.rdb, s.rprefix = c, prefix }

// Redis reports whether the service runs in Redis mode.
func (s *Service) Redis() bool { return s.rdb != nil }

type rkeys struct{ ready, keys, used, bonus, src, tally, excl, log, burst string }

func (s *Service) rkeys(cid id.ID) rkeys {
	p := s.rprefix + ":{" + cid.String() + "}:"
	return rkeys{p + "ready", p + "keys", p + "used", p + "bonus", p + "src", p + "tally", p + "excl", p + "log", p + "burst:"}
}

// redisTTL: the keys outlive the campaign by a week (late retries, audits).
func redisTTL(c Campaign) int64 { return c.EndsAt.Add(7 * 24 * time.Hour).UnixMilli() }

// voteScript returns {0, status, log id} | {1, stored} (replay) | {-1} (not
// primed) | {2} (excluded) | {3, bonus} (no votes left) | {4} (source limit).
var voteScript = redis.NewScript(`
local prev = redis.call('HGET', KEYS[2], ARGV[1])
if prev then return {1, prev} end
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
if redis.call('SISMEMBER', KEYS[7], ARGV[2]) == 1 then return {2} end
local used = tonumber(redis.call('HGET', KEYS[3], ARGV[3]) or '0')
local bonus = tonumber(redis.call('HGET', KEYS[4], ARGV[3]) or '0')
if used >= tonumber(ARGV[4]) + bonus then return {3, bonus} end
if ARGV[5] ~= '' and tonumber(redis.call('HGET', KEYS[5], ARGV[5]) or '0') >= tonumber(ARGV[6]) then return {4} end
if ARGV[7] ~= '' and tonumber(redis.call('HGET', KEYS[5], ARGV[7]) or '0') >= tonumber(ARGV[8]) then return {4} end
local status = 'valid'
if ARGV[11] == '1' and ARGV[12] ~= '0' then
  redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', ARGV[13])
  if redis.call('ZCARD', KEYS[8]) >= tonumber(ARGV[12]) then status = 'flagged' end
  redis.call('ZADD', KEYS[8], ARGV[14], ARGV[15])
  redis.call('PEXPIREAT', KEYS[8], ARGV[17])
end
redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
if ARGV[5] ~= '' then redis.call('HINCRBY', KEYS[5], ARGV[5], 1) end
if ARGV[7] ~= '' then redis.call('HINCRBY', KEYS[5], ARGV[7], 1) end
if status == 'valid' then
  redis.call('HINCRBY', KEYS[6], ARGV[9], 1)
  redis.call('HINCRBY', KEYS[6], ARGV[9] .. ':s', ARGV[10])
end
local sid = redis.call('XADD', KEYS[9], '*', 'i', ARGV[15], 'n', ARGV[9], 'u', ARGV[2], 'd', ARGV[21], 'w', ARGV[10],
  'f', ARGV[11], 't', ARGV[14], 's', status, 'k', ARGV[18], 'ip', ARGV[19], 'dv', ARGV[20])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[16] .. '|' .. status .. '|' .. sid)
return {0, status, sid}`)

// undoScript takes back the counts of a vote the database refused, once:
// only if its log entry is still there.
var undoScript = redis.NewScript(`
if redis.call('XDEL', KEYS[6], ARGV[1]) == 0 then return 0 end
local v = redis.call('HGET', KEYS[1], ARGV[2])
if v and string.sub(v, 1, #ARGV[3] + 1) == ARGV[3] .. '|' then redis.call('HDEL', KEYS[1], ARGV[2]) end
redis.call('HINCRBY', KEYS[2], ARGV[4], -1)
if ARGV[5] ~= '' then redis.call('HINCRBY', KEYS[3], ARGV[5], -1) end
if ARGV[6] ~= '' then redis.call('HINCRBY', KEYS[3], ARGV[6], -1) end
if ARGV[9] == 'valid' then
  redis.call('HINCRBY', KEYS[4], ARGV[7], -1)
  redis.call('HINCRBY', KEYS[4], ARGV[7] .. ':s', -tonumber(ARGV[8]))
end
redis.call('ZREM', KEYS[5], ARGV[3])
return 1`)

// syncScript sets the Redis tallies to the database's (ARGV: n, then n
// triples nominee, votes, score) plus the valid log entries not in the
// database (the remaining ARGV are the vote ids of entries that are);
// returns how many tallies it corrected.
var syncScript = redis.NewScript(`
local n = tonumber(ARGV[1])
local votes, score = {}, {}
for i = 0, n - 1 do
  local nid = ARGV[2 + 3 * i]
  votes[nid] = tonumber(ARGV[3 + 3 * i])
  score[nid] = tonumber(ARGV[4 + 3 * i])
end
local landed = {}
for i = 2 + 3 * n, #ARGV do landed[ARGV[i]] = true end
for _, e in ipairs(redis.call('XRANGE', KEYS[2], '-', '+')) do
  local f, kv = {}, e[2]
  for j = 1, #kv, 2 do f[kv[j]] = kv[j + 1] end
  if not landed[f.i] and f.s == 'valid' and votes[f.n] then
    votes[f.n] = votes[f.n] + 1
    score[f.n] = score[f.n] + tonumber(f.w)
  end
end
local fixed = 0
for nid, v in pairs(votes) do
  local cur = tonumber(redis.call('HGET', KEYS[1], nid) or '0')
  local cs = tonumber(redis.call('HGET', KEYS[1], nid .. ':s') or '0')
  if cur ~= v or cs ~= score[nid] then
    fixed = fixed + 1
    redis.call('HSET', KEYS[1], nid, v, nid .. ':s', score[nid])
  end
end
return fixed`)

// bonusScript raises a voter-day's bonus to the database's value (never
// lowers it: callbacks of two acts may run in either order).
var bonusScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1`)

func dayField(user id.ID, day int64) string { return user.String() + "|" + strconv.FormatInt(day, 10) }

// sourceFields are the vote's per-source counters ("" when not limited);
// the rules never change after creation, so undo derives the same fields.
func (j *job) sourceFields() (ip, dev string) {
	utc := strconv.FormatInt(j.now.UTC().Unix()/86400, 10)
	if j.c.IPDaily > 0 && j.src.IP != "" {
		ip = "ip|" + j.src.IP + "|" + utc
	}
	if j.c.DeviceDaily > 0 && j.src.Device != "" {
		dev = "dev|" + j.src.Device + "|" + utc
	}
	return ip, dev
}

func (r Receipt) stored() string {
	return fmt.Sprintf("%s|%s|%d|%d", r.VoteID, r.Nominee, r.Weight, r.CreatedAt.UnixMilli())
}

// parseStored reads a receipt and its log id from a keys value.
func parseStored(v string) (Receipt, string, error) {
	p := strings.Split(v, "|")
	if len(p) != 6 {
		return Receipt{}, "", fmt.Errorf("campaigns: bad stored vote %q", v)
	}
	var r Receipt
	vid, err1 := id.Parse(p[0])
	nid, err2 := id.Parse(p[1])
	w, err3 := strconv.Atoi(p[2])
	ms, err4 := strconv.ParseInt(p[3], 10, 64)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return Receipt{}, "", fmt.Errorf("campaigns: bad stored vote %q: %w", v, err)
	}
	r.VoteID, r.Nominee, r.Weight, r.CreatedAt, r.Status = vid, nid, w, time.UnixMilli(ms).UTC(), p[4]
	return r, p[5], nil
}

// voteRedis passes the vote through the Redis gate and waits for the lander
// to commit it.
func (s *Service) voteRedis(ctx context.Context, j *job) (Receipt, error) {
	k := s.rkeys(j.c.ID)
	ukey := j.voter.String() + "|" + j.key
	df := dayField(j.voter, j.day)
	ip, dev := j.sourceFields()
	r := &j.r
	now := j.now.UnixMilli()
	repaired := false
	for try := 0; try < 4; try++ {
		res, err := voteScript.Run(ctx, s.rdb, []string{k.ready, k.keys, k.used, k.bonus, k.src, k.tally, k.excl,
			k.burst + j.nominee.String(), k.log},
			ukey, j.voter.String(), df, j.c.DailyVotes, ip, j.c.IPDaily, dev, j.c.DeviceDaily, j.nominee.String(), r.Weight,
			boolInt(j.fresh), j.c.BurstVotes, now-int64(j.c.BurstWindowSec)*1000, now, r.VoteID.String(), r.stored(),
			redisTTL(j.c), j.key, j.src.IP, j.src.Device, j.day).Slice()
		if err != nil {
			return Receipt{}, err
		}
		switch res[0].(int64) {
		case -1:
			if err := s.prime(ctx, j.c); err != nil {
				return Receipt{}, err
			}
			continue
		case 1:
			rc, ok, err := s.replayRedis(ctx, j, res[1].(string))
			if err != nil || ok {
				return rc, err
			}
			continue // refused at landing just now: decide afresh
		case 2:
			return Receipt{}, errExcluded
		case 3:
			// Redis may have missed a bonus (the server died between the
			// act's commit and copying it): compare with the database once.
			if !repaired {
				repaired = true
				var bonus int64
				err := s.db.Reader(ctx).QueryRow(ctx, `SELECT bonus_publish + bonus_share FROM campaign_days
					WHERE campaign_id = ? AND user_id = ? AND day = ?`, j.c.ID, j.voter, j.day).Scan(&bonus)
				if err == nil && bonus > res[1].(int64) {
					if err := bonusScript.Run(ctx, s.rdb, []string{k.ready, k.bonus}, df, bonus).Err(); err != nil {
						return Receipt{}, err
					}
					continue
				}
			}
			return Receipt{}, errNoVotes
		case 4:
			return Receipt{}, errSource
		}
		r.Status, j.sid = res[1].(string), res[2].(string)
		if err := s.lander.submit(j); err != nil {
			return Receipt{}, err
		}
		if j.replayed {
			rc, _, err := s.replay(ctx, j.c.ID, j.voter, j.key)
			return rc, err
		}
		return *r, nil
	}
	return Receipt{}, apperr.Unavailable("the vote could not be settled, try again")
}

// replayRedis answers a key Redis already has: from the database once the
// vote is there, else by landing it from the log (the first request died,
// or is still on its way). ok is false when the vote was refused meanwhile.
func (s *Service) replayRedis(ctx context.Context, j *job, stored string) (Receipt, bool, error) {
	if rc, ok, err := s.replay(ctx, j.c.ID, j.voter, j.key); err != nil || ok {
		return rc, ok, err
	}
	_, sid, err := parseStored(stored)
	if err != nil {
		return Receipt{}, false, err
	}
	es, err := s.rdb.XRange(ctx, s.rkeys(j.c.ID).log, sid, sid).Result()
	if err != nil {
		return Receipt{}, false, err
	}
	if len(es) == 1 {
		lj, err := s.entryJob(j.c, es[0])
		if err != nil {
			return Receipt{}, false, err
		}
		if err := s.lander.submit(lj); err != nil {
			return Receipt{}, false, err
		}
	}
	return s.replay(ctx, j.c.ID, j.voter, j.key)
}

// entryJob rebuilds a vote from its log entry.
func (s *Service) entryJob(c Campaign, e redis.XMessage) (*job, error) {
	f := func(k string) string { v, _ := e.Values[k].(string); return v }
	vid, err1 := id.Parse(f("i"))
	nid, err2 := id.Parse(f("n"))
	uid, err3 := id.Parse(f("u"))
	day, err4 := strconv.ParseInt(f("d"), 10, 64)
	w, err5 := strconv.Atoi(f("w"))
	ms, err6 := strconv.ParseInt(f("t"), 10, 64)
	if err := errors.Join(err1, err2, err3, err4, err5, err6); err != nil {
		return nil, fmt.Errorf("campaigns: bad log entry %s: %w", e.ID, err)
	}
	at := time.UnixMilli(ms).UTC()
	return &job{c: c, voter: uid, nominee: nid, key: f("k"), src: Source{IP: f("ip"), Device: f("dv")}, fresh: f("f") == "1",
		day: day, now: at, sid: e.ID, r: Receipt{VoteID: vid, Nominee: nid, Status: f("s"), Weight: w, CreatedAt: at}}, nil
}

// land is the lander's batch: per campaign, one transaction writes the
// accepted votes and the database's counters; then the log entries go.
func (s *Service) land(batch []*pending) {
	byCampaign := map[id.ID][]*pending{}
	var order []id.ID
	for _, p := range batch {
		p.err, p.j.replayed, p.refused = nil, false, nil
		cid := p.j.c.ID
		if _, ok := byCampaign[cid]; !ok {
			order = append(order, cid)
		}
		byCampaign[cid] = append(byCampaign[cid], p)
	}
	ctx := context.Background()
	for _, cid := range order {
		ps := byCampaign[cid]
		err := s.db.InTx(ctx, func(ctx context.Context) error { return s.landTx(ctx, cid, ps) })
		if err == nil {
			err = s.afterLanding(ctx, cid, ps)
		}
		for _, p := range ps {
			if err != nil {
				p.err = err // the entries stay in the log for reconciliation
			} else if p.refused != nil {
				p.err = p.refused
			}
			close(p.done)
		}
		if err == nil {
			s.changed(cid)
		}
	}
}

// chunk bounds the rows of one multi-row statement (bind parameters).
const chunk = 400

// inIDs runs q (ending in "IN ") over ids in chunks and collects the ids it returns.
func inIDs(ctx context.Context, w db.Querier, q string, head []any, ids []id.ID) (map[id.ID]bool, error) {
	out := map[id.ID]bool{}
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		args := append(append([]any{}, head...), db.Args(ids[:n])...)
		got, err := db.IDs(w.Query(ctx, q+"("+db.Placeholders(n)+")", args...))
		if err != nil {
			return nil, err
		}
		for _, v := range got {
			out[v] = true
		}
		ids = ids[n:]
	}
	return out, nil
}

// landTx writes one campaign's accepted votes. The nominee rows are locked
// first, in the same order as moderation takes them, so an exclusion or a
// recount and a landing never interleave. A vote already in the database
// (landed before a crash, or by a racing request) is answered from there; a
// vote of an excluded voter, or a key that already has another vote, is
// refused and undone in Redis after the commit.
func (s *Service) landTx(ctx context.Context, cid id.ID, ps []*pending) error {
	if err := s.lockTallies(ctx, cid); err != nil {
		return err
	}
	w := s.db.Writer(ctx)
	var voters []id.ID
	seen := map[id.ID]bool{}
	for _, p := range ps {
		if !seen[p.j.voter] {
			seen[p.j.voter] = true
			voters = append(voters, p.j.voter)
		}
	}
	excluded, err := inIDs(ctx, w, "SELECT user_id FROM campaign_members WHERE campaign_id = ? AND excluded = 1 AND user_id IN ",
		[]any{cid}, voters)
	if err != nil {
		return err
	}
	var todo []*pending
	for _, p := range ps {
		if !excluded[p.j.voter] {
			todo = append(todo, p)
		}
	}
	inserted := map[id.ID]bool{}
	for rest := todo; len(rest) > 0; {
		n := min(chunk, len(rest))
		args := make([]any, 0, 13*n)
		for _, p := range rest[:n] {
			j := p.j
			args = append(args, j.r.VoteID, cid, j.nominee, j.voter, j.key, j.day, j.src.IP, j.src.Device, j.r.Weight,
				boolInt(j.fresh), j.r.Status, reasonOf(j.r.Status), j.r.CreatedAt.UnixMilli())
		}
		got, err := db.IDs(w.Query(ctx, `INSERT INTO campaign_votes (id, campaign_id, nominee_id, user_id, idempotency_key, day, ip,
			device, weight, fresh, status, reason, created_at) VALUES `+db.RowsPlaceholders(n, 13)+` ON CONFLICT DO NOTHING RETURNING id`, args...))
		if err != nil {
			return err
		}
		for _, v := range got {
			inserted[v] = true
		}
		rest = rest[n:]
	}
	var missing []id.ID
	for _, p := range ps {
		if !inserted[p.j.r.VoteID] {
			missing = append(missing, p.j.r.VoteID)
		}
	}
	present, err := inIDs(ctx, w, "SELECT id FROM campaign_votes WHERE id IN ", nil, missing)
	if err != nil {
		return err
	}
	type dayKey struct {
		user id.ID
		day  int64
	}
	type srcKey struct{ kind, value string }
	members, days := map[id.ID]int{}, map[dayKey]int{}
	sources := map[srcKey]map[int64]int{}
	tallies := map[id.ID][2]int64{}
	counted := map[id.ID]bool{} // a vote can be in a batch twice (its retry landing it from the log)
	for _, p := range ps {
		j := p.j
		switch {
		case inserted[j.r.VoteID] && !counted[j.r.VoteID]:
			counted[j.r.VoteID] = true
		case inserted[j.r.VoteID] || present[j.r.VoteID]:
			j.replayed = true // landed before: answer what the database has now
			continue
		case excluded[j.voter]:
			p.refused = errExcluded
			continue
		default:
			j.replayed, p.refused = true, errUndo // the key already voted
			continue
		}
		members[j.voter]++
		days[dayKey{j.voter, j.day}]++
		ip, dev := j.sourceFields()
		for _, f := range []struct{ kind, field, value string }{{"ip", ip, j.src.IP}, {"device", dev, j.src.Device}} {
			if f.field != "" {
				k := srcKey{f.kind, f.value}
				if sources[k] == nil {
					sources[k] = map[int64]int{}
				}
				sources[k][j.now.UTC().Unix()/86400]++
			}
		}
		if j.r.Status == Valid {
			t := tallies[j.nominee]
			tallies[j.nominee] = [2]int64{t[0] + 1, t[1] + int64(j.r.Weight)}
		}
	}
	// The counters, each upsert's rows in a fixed order.
	mk := sortedIDs(members)
	for rest := mk; len(rest) > 0; {
		n := min(chunk, len(rest))
		args := make([]any, 0, 3*n)
		for _, u := range rest[:n] {
			args = append(args, cid, u, members[u])
		}
		if _, err := w.Exec(ctx, `INSERT INTO campaign_members (campaign_id, user_id, votes_cast) VALUES `+db.RowsPlaceholders(n, 3)+`
			ON CONFLICT (campaign_id, user_id) DO UPDATE SET votes_cast = campaign_members.votes_cast + excluded.votes_cast`, args...); err != nil {
			return err
		}
		rest = rest[n:]
	}
	dk := make([]dayKey, 0, len(days))
	for k := range days {
		dk = append(dk, k)
	}
	sort.Slice(dk, func(a, b int) bool {
		return dk[a].user < dk[b].user || dk[a].user == dk[b].user && dk[a].day < dk[b].day
	})
	for rest := dk; len(rest) > 0; {
		n := min(chunk, len(rest))
		args := make([]any, 0, 4*n)
		for _, k := range rest[:n] {
			args = append(args, cid, k.user, k.day, days[k])
		}
		if _, err := w.Exec(ctx, `INSERT INTO campaign_days (campaign_id, user_id, day, used) VALUES `+db.RowsPlaceholders(n, 4)+`
			ON CONFLICT (campaign_id, user_id, day) DO UPDATE SET used = campaign_days.used + excluded.used`, args...); err != nil {
			return err
		}
		rest = rest[n:]
	}
	var srcArgs []any
	sk := make([]srcKey, 0, len(sources))
	for k := range sources {
		sk = append(sk, k)
	}
	sort.Slice(sk, func(a, b int) bool {
		return sk[a].kind < sk[b].kind || sk[a].kind == sk[b].kind && sk[a].value < sk[b].value
	})
	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		_, err := w.Exec(ctx, `INSERT INTO campaign_sources (campaign_id, kind, value, day, used) VALUES `+db.RowsPlaceholders(rows, 5)+`
			ON CONFLICT (campaign_id, kind, value, day) DO UPDATE SET used = campaign_sources.used + excluded.used`, srcArgs...)
		srcArgs, rows = srcArgs[:0], 0
		return err
	}
	for _, k := range sk {
		for day, n := range sources[k] {
			srcArgs, rows = append(srcArgs, cid, k.kind, k.value, day, n), rows+1
			if rows == chunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	for _, nid := range sortedIDs(tallies) {
		t := tallies[nid]
		if _, err := w.Exec(ctx, "UPDATE campaign_nominees SET votes = votes + ?, score = score + ? WHERE id = ?", t[0], t[1], nid); err != nil {
			return err
		}
	}
	return nil
}

// errUndo marks a vote whose key already had another vote in the database:
// its counts are undone and the request answers the stored vote.
var errUndo = errors.New("campaigns: key already voted")

func reasonOf(status string) string {
	if status == Flagged {
		return "burst"
	}
	return ""
}

func sortedIDs[V any](m map[id.ID]V) []id.ID {
	out := make([]id.ID, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}

// afterLanding deletes the landed votes' log entries and undoes the
// refused ones in Redis (idempotent: the undo acts only while the entry is
// there, so a crash before it leaves the entry, which reconciliation lands
// again and the database refuses again).
func (s *Service) afterLanding(ctx context.Context, cid id.ID, ps []*pending) error {
	k := s.rkeys(cid)
	var done []string
	for _, p := range ps {
		j := p.j
		if p.refused == nil {
			if j.sid != "" {
				done = append(done, j.sid)
			}
			continue
		}
		if p.refused == errUndo {
			p.refused = nil // answered with the key's stored vote
		}
		ip, dev := j.sourceFields()
		if err := undoScript.Run(ctx, s.rdb, []string{k.keys, k.used, k.src, k.tally, k.burst + j.nominee.String(), k.log},
			j.sid, j.voter.String()+"|"+j.key, j.r.VoteID.String(), dayField(j.voter, j.day), ip, dev, j.nominee.String(),
			j.r.Weight, j.r.Status).Err(); err != nil {
			return err
		}
	}
	if len(done) > 0 {
		// Best effort: a leftover entry is found landed by reconciliation.
		_ = s.rdb.XDel(ctx, k.log, done...).Err()
	}
	return nil
}

// prime loads a campaign into Redis unless it is there already (first use,
// or Redis lost its data), with the database locked against landings.
func (s *Service) prime(ctx context.Context, c Campaign) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.lockTallies(ctx, c.ID); err != nil {
			return err
		}
		k := s.rkeys(c.ID)
		r := s.db.Writer(ctx)
		now := s.Now()
		utcDay := now.UTC().Unix() / 86400
		type kv struct {
			f string
			v int64
		}
		var tally, used, bonus, src []kv
		var noms, excl []string
		rows, err := r.Query(ctx, "SELECT id, votes, score FROM campaign_nominees WHERE campaign_id = ?", c.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var nid id.ID
			var v, sc int64
			if err := rows.Scan(&nid, &v, &sc); err != nil {
				rows.Close()
				return err
			}
			noms = append(noms, nid.String())
			tally = append(tally, kv{nid.String(), v}, kv{nid.String() + ":s", sc})
		}
		rows.Close()
		// Local days differ from the UTC day by less than one.
		rows, err = r.Query(ctx, "SELECT user_id, day, used, bonus_publish + bonus_share FROM campaign_days WHERE campaign_id = ? AND day >= ?",
			c.ID, utcDay-1)
		if err != nil {
			return err
		}
		for rows.Next() {
			var u id.ID
			var day, n, b int64
			if err := rows.Scan(&u, &day, &n, &b); err != nil {
				rows.Close()
				return err
			}
			used = append(used, kv{dayField(u, day), n})
			bonus = append(bonus, kv{dayField(u, day), b})
		}
		rows.Close()
		rows, err = r.Query(ctx, "SELECT kind, value, day, used FROM campaign_sources WHERE campaign_id = ? AND day = ?", c.ID, utcDay)
		if err != nil {
			return err
		}
		for rows.Next() {
			var kind, value string
			var day, n int64
			if err := rows.Scan(&kind, &value, &day, &n); err != nil {
				rows.Close()
				return err
			}
			if kind == "device" {
				kind = "dev"
			}
			src = append(src, kv{kind + "|" + value + "|" + strconv.FormatInt(day, 10), n})
		}
		rows.Close()
		ex, err := db.IDs(r.Query(ctx, "SELECT user_id FROM campaign_members WHERE campaign_id = ? AND excluded = 1", c.ID))
		if err != nil {
			return err
		}
		for _, u := range ex {
			excl = append(excl, u.String())
		}
		type fresh struct {
			nominee, vote string
			at            int64
		}
		var burst []fresh
		if c.BurstVotes > 0 {
			rows, err = r.Query(ctx, "SELECT nominee_id, id, created_at FROM campaign_votes WHERE campaign_id = ? AND fresh = 1 AND created_at > ?",
				c.ID, now.Add(-time.Duration(c.BurstWindowSec)*time.Second).UnixMilli())
			if err != nil {
				return err
			}
			for rows.Next() {
				var nid, vid id.ID
				var at int64
				if err := rows.Scan(&nid, &vid, &at); err != nil {
					rows.Close()
					return err
				}
				burst = append(burst, fresh{nid.String(), vid.String(), at})
			}
			rows.Close()
		}
		logExists, err := s.rdb.Exists(ctx, k.log).Result()
		if err != nil {
			return err
		}
		ttl := time.UnixMilli(redisTTL(c))
		err = s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			if n, err := tx.Exists(ctx, k.ready).Result(); err != nil || n == 1 {
				return err
			}
			_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				dels := []string{k.used, k.bonus, k.src, k.tally, k.excl}
				for _, n := range noms {
					dels = append(dels, k.burst+n)
				}
				p.Del(ctx, dels...)
				// Placeholders so that every key exists and carries its expiry.
				for _, h := range []struct {
					key string
					kvs []kv
				}{{k.tally, tally}, {k.used, used}, {k.bonus, bonus}, {k.src, src}, {k.keys, nil}} {
					args := []any{"-", 0}
					for _, e := range h.kvs {
						args = append(args, e.f, e.v)
					}
					p.HSet(ctx, h.key, args...)
				}
				p.SAdd(ctx, k.excl, append([]any{"-"}, db.Args(excl)...)...)
				for _, b := range burst {
					p.ZAdd(ctx, k.burst+b.nominee, redis.Z{Score: float64(b.at), Member: b.vote})
					p.PExpireAt(ctx, k.burst+b.nominee, ttl)
				}
				if logExists == 0 {
					p.XAdd(ctx, &redis.XAddArgs{Stream: k.log, ID: "0-1", Values: []any{"-", "-"}})
					p.XDel(ctx, k.log, "0-1")
				}
				p.Set(ctx, k.ready, 1, 0)
				for _, key := range []string{k.ready, k.keys, k.used, k.bonus, k.src, k.tally, k.excl, k.log} {
					p.PExpireAt(ctx, key, ttl)
				}
				return nil
			})
			return err
		}, k.ready)
		if err != nil && !errors.Is(err, redis.TxFailedErr) { // TxFailed: another server primed it
			return err
		}
		_, err = s.syncTallies(ctx, c.ID)
		return err
	})
}

// syncTallies sets the campaign's Redis tallies to the database's plus the
// votes in the log not yet landed, and reports how many it corrected. It
// runs inside a transaction that holds the nominee rows (lockTallies; on
// SQLite the one writer), so no landing commits meanwhile: an entry is
// either in the database already (and counted there) or still to land.
func (s *Service) syncTallies(ctx context.Context, cid id.ID) (int, error) {
	if s.rdb == nil {
		return 0, nil
	}
	k := s.rkeys(cid)
	if n, err := s.rdb.Exists(ctx, k.ready).Result(); err != nil || n == 0 {
		return 0, err // not primed: priming reads the database
	}
	w := s.db.Writer(ctx)
	args := []any{0}
	rows, err := w.Query(ctx, "SELECT id, votes, score FROM campaign_nominees WHERE campaign_id = ?", cid)
	if err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		var nid id.ID
		var v, sc int64
		if err := rows.Scan(&nid, &v, &sc); err != nil {
			rows.Close()
			return 0, err
		}
		args = append(args, nid.String(), v, sc)
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	args[0] = n
	es, err := s.rdb.XRange(ctx, k.log, "-", "+").Result()
	if err != nil {
		return 0, err
	}
	var ids []id.ID
	for _, e := range es {
		if v, err := id.Parse(fmt.Sprint(e.Values["i"])); err == nil {
			ids = append(ids, v)
		}
	}
	landed, err := inIDs(ctx, w, "SELECT id FROM campaign_votes WHERE id IN ", nil, ids)
	if err != nil {
		return 0, err
	}
	for v := range landed {
		args = append(args, v.String())
	}
	fixed, err := syncScript.Run(ctx, s.rdb, []string{k.tally, k.log}, args...).Int()
	return fixed, err
}

// redisBonus copies a voter-day's bonus (the database's value after the
// act's commit) to Redis.
func (s *Service) redisBonus(ctx context.Context, cid, uid id.ID, day int64, bonus int64) {
	if s.rdb == nil {
		return
	}
	db.AfterCommit(ctx, func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		k := s.rkeys(cid)
		// A failure leaves Redis short of the bonus; the vote that runs out
		// compares with the database (voteRedis).
		_ = bonusScript.Run(c, s.rdb, []string{k.ready, k.bonus}, dayField(uid, day), bonus).Err()
	})
}

// excludeRedis refuses the voter's next votes at the gate (after the
// exclusion committed; votes accepted before are refused at landing).
func (s *Service) excludeRedis(ctx context.Context, cid, uid id.ID) {
	if s.rdb == nil {
		return
	}
	db.AfterCommit(ctx, func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		k := s.rkeys(cid)
		if n, err := s.rdb.Exists(c, k.ready).Result(); err == nil && n == 1 {
			_ = s.rdb.SAdd(c, k.excl, uid.String()).Err() // else the lander refuses them
		}
	})
}

// RunRedis is the reconciliation job (once across servers, every second,
// and at start): it lands the log entries older than redislog.Grace — votes
// whose server died between Redis and the database, or whose landing
// failed — and, on its first run in this process, re-establishes every
// recent campaign's Redis tallies from the database (syncTallies).
func (s *Service) RunRedis(ctx context.Context) error {
	if s.rdb == nil {
		return nil
	}
	cids, err := db.IDs(s.db.Reader(ctx).Query(ctx, "SELECT id FROM campaigns WHERE ends_at > ?",
		s.Now().Add(-7*24*time.Hour).UnixMilli()))
	if err != nil {
		return err
	}
	first := !s.synced.Load()
	for _, cid := range cids {
		c, err := s.load(ctx, cid)
		if err != nil {
			return err
		}
		for {
			es, err := redislog.Stale(ctx, s.rdb, s.rkeys(cid).log, s.Now(), landBatch)
			if err != nil {
				return err
			}
			if len(es) == 0 {
				break
			}
			var batch []*pending
			for _, e := range es {
				j, err := s.entryJob(c, e)
				if err != nil {
					return err
				}
				batch = append(batch, &pending{j: j, done: make(chan struct{})})
			}
			s.land(batch)
			for _, p := range batch {
				if p.err != nil && !isRefusal(p.err) {
					return p.err
				}
			}
			if len(es) < landBatch {
				break
			}
		}
		if first {
			if err := s.db.InTx(ctx, func(ctx context.Context) error {
				if err := s.lockTallies(ctx, cid); err != nil {
					return err
				}
				n, err := s.syncTallies(ctx, cid)
				if n > 0 {
					s.changed(cid)
				}
				return err
			}); err != nil {
				return err
			}
		}
	}
	s.synced.Store(true)
	return nil
}

func isRefusal(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae)
}

// redisTallies overlays the live Redis tallies on cats and re-ranks them.
func (s *Service) redisTallies(ctx context.Context, cid id.ID, cats []Category) error {
	m, err := s.rdb.HGetAll(ctx, s.rkeys(cid).tally).Result()
	if err != nil || len(m) == 0 {
		return err // not primed: the database's tallies are current
	}
	for ci := range cats {
		ns := cats[ci].Nominees
		for i := range ns {
			key := ns[i].ID.String()
			ns[i].Votes, _ = strconv.ParseInt(m[key], 10, 64)
			ns[i].Score, _ = strconv.ParseInt(m[key+":s"], 10, 64)
		}
		sort.SliceStable(ns, func(a, b int) bool {
			if ns[a].Score != ns[b].Score {
				return ns[a].Score > ns[b].Score
			}
			if ns[a].Votes != ns[b].Votes {
				return ns[a].Votes > ns[b].Votes
			}
			return ns[a].ID < ns[b].ID
		})
	}
	return nil
}
