package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/validate"
)

// Vote statuses.
const (
	Valid   = "valid"   // counted
	Flagged = "flagged" // held by burst detection until an operator decides
	Void    = "void"    // not counted: voter excluded or vote voided
)

// Answers of a vote other than 201, each with its own code. A rejected
// vote changed nothing, so a retry of its key is decided afresh.
var (
	errNotStarted = &apperr.Error{Status: http.StatusForbidden, Code: "not_started", Message: "voting has not started yet"}
	errEnded      = &apperr.Error{Status: http.StatusForbidden, Code: "ended", Message: "voting has ended"}
	errExcluded   = &apperr.Error{Status: http.StatusForbidden, Code: "excluded", Message: "your account may not vote in this campaign"}
	errNewAccount = &apperr.Error{Status: http.StatusForbidden, Code: "account_too_new", Message: "accounts this new may not vote in this campaign"}
	errNoVotes    = &apperr.Error{Status: http.StatusTooManyRequests, Code: "no_votes_left", Message: "you have used all your votes for today"}
	errSource     = &apperr.Error{Status: http.StatusTooManyRequests, Code: "source_limit", Message: "too many votes from this network or device today"}
)

// Source is where a vote comes from (for the per-IP and per-device limits).
type Source struct {
	IP     string
	Device string
}

// Receipt is the answer to a vote; a retried key gets the same one.
type Receipt struct {
	VoteID    id.ID     `json:"vote_id"`
	Nominee   id.ID     `json:"nominee_id"`
	Status    string    `json:"status"`
	Weight    int       `json:"weight"`
	CreatedAt time.Time `json:"created_at"`
}

// nominee finds which campaign a nominee belongs to (nominees never move,
// so the answer is cached).
func (s *Service) nomineeCampaign(ctx context.Context, nid id.ID) (id.ID, error) {
	if c, ok := s.nominees.Load(nid); ok {
		return c.(id.ID), nil
	}
	var cid id.ID
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT campaign_id FROM campaign_nominees WHERE id = ?", nid).Scan(&cid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.Invalid("nominee %s is not in this campaign", nid)
	}
	if err != nil {
		return 0, err
	}
	s.nominees.Store(nid, cid)
	return cid, nil
}

// fresh reports whether u counts as a new account in c.
func (c Campaign) fresh(u accounts.User, now time.Time) bool {
	return c.NewDays > 0 && now.Sub(u.CreatedAt) < time.Duration(c.NewDays)*24*time.Hour
}

// Vote casts one vote of voter for nominee under an Idempotency-Key.
func (s *Service) Vote(ctx context.Context, voter accounts.User, cid, nominee id.ID, key string, src Source) (Receipt, error) {
	if voter.ID == 0 {
		return Receipt{}, apperr.Unauthorized("sign in to vote")
	}
	if err := validate.IdempotencyKey(key); err != nil {
		return Receipt{}, err
	}
	c, err := s.load(ctx, cid)
	if err != nil {
		return Receipt{}, err
	}
	ncid, err := s.nomineeCampaign(ctx, nominee)
	if err != nil {
		return Receipt{}, err
	}
	if ncid != cid {
		return Receipt{}, apperr.Invalid("nominee %s is not in this campaign", nominee)
	}
	src.IP, src.Device = truncate(src.IP, 64), truncate(src.Device, 64)
	now := s.Now()
	// The stored vote first. In Redis mode the gate's script finds the key,
	// so the database is only asked before a refusal here.
	if s.rdb == nil {
		if r, ok, err := s.replay(ctx, cid, voter.ID, key); err != nil || ok {
			return r, err
		}
	}
	refuse := func(e error) (Receipt, error) {
		if s.rdb != nil {
			if r, ok, err := s.replay(ctx, cid, voter.ID, key); err != nil || ok {
				return r, err
			}
		}
		return Receipt{}, e
	}
	switch {
	case now.Before(c.StartsAt):
		return refuse(errNotStarted)
	case !now.Before(c.EndsAt) || c.PublishedAt != nil:
		return refuse(errEnded)
	}
	fresh := c.fresh(voter, now)
	weight := FullWeight
	if fresh {
		switch c.NewMode {
		case NewExclude:
			return refuse(errNewAccount)
		case NewWeight:
			weight = c.NewWeight
		}
	}
	day, err := s.days.Today(ctx, voter.ID)
	if err != nil {
		return Receipt{}, err
	}
	now = now.UTC().Truncate(time.Millisecond)
	j := &job{c: c, voter: voter.ID, nominee: nominee, key: key, src: src, fresh: fresh, day: day, now: now,
		r: Receipt{VoteID: id.New(), Nominee: nominee, Status: Valid, Weight: weight, CreatedAt: now}}
	if s.rdb != nil {
		return s.voteRedis(ctx, j) // the lander marks the change
	}
	if s.db.Dialect == db.SQLite {
		err = s.group.submit(j) // one writer anyway: many votes share a commit
	} else {
		err = s.db.InTx(ctx, func(ctx context.Context) error { return s.apply(ctx, j) })
	}
	if err != nil {
		return Receipt{}, err
	}
	if j.replayed {
		r, _, err := s.replay(ctx, cid, voter.ID, key)
		return r, err
	}
	s.changed(cid)
	return j.r, nil
}

// job is one vote on its way to the database.
type job struct {
	c        Campaign
	voter    id.ID
	nominee  id.ID
	key      string
	src      Source
	fresh    bool
	day      int64
	now      time.Time
	r        Receipt
	replayed bool
	sid      string // Redis mode: the vote's log entry
}

// apply writes one vote inside the transaction in ctx; each statement
// guards one rule and a refusal is returned as an *apperr.Error.
func (s *Service) apply(ctx context.Context, j *job) error {
	c, r := j.c, &j.r
	w := s.db.Writer(ctx)
	r.Status = Valid
	reason := ""
	if j.fresh && c.BurstVotes > 0 {
		// Burst detection: many new-account votes for one nominee in a
		// short window hold the newest ones for review.
		var recent int
		if err := w.QueryRow(ctx, `SELECT COUNT(*) FROM campaign_votes WHERE nominee_id = ? AND fresh = 1 AND created_at > ?`,
			j.nominee, j.now.Add(-time.Duration(c.BurstWindowSec)*time.Second).UnixMilli()).Scan(&recent); err != nil {
			return err
		}
		if recent >= c.BurstVotes {
			r.Status, reason = Flagged, "burst"
		}
	}
	// 1. The key: nothing inserted means a replay.
	res, err := w.Exec(ctx, `INSERT INTO campaign_votes (id, campaign_id, nominee_id, user_id, idempotency_key, day, ip, device,
		weight, fresh, status, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		r.VoteID, c.ID, j.nominee, j.voter, j.key, j.day, j.src.IP, j.src.Device, r.Weight, boolInt(j.fresh), r.Status, reason, r.CreatedAt.UnixMilli())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		j.replayed = true
		return nil
	}
	// 2. The voter's member row, locked before anything else of theirs,
	// so an exclusion and a vote are ordered.
	var cast int64
	err = w.QueryRow(ctx, `INSERT INTO campaign_members (campaign_id, user_id, votes_cast) VALUES (?, ?, 1)
		ON CONFLICT (campaign_id, user_id) DO UPDATE SET votes_cast = campaign_members.votes_cast + 1
		WHERE campaign_members.excluded = 0 RETURNING votes_cast`, c.ID, j.voter).Scan(&cast)
	if errors.Is(err, sql.ErrNoRows) {
		return errExcluded
	}
	if err != nil {
		return err
	}
	// 3. The day's allowance plus the bonus earned that day.
	var used int
	err = w.QueryRow(ctx, `INSERT INTO campaign_days (campaign_id, user_id, day, used) VALUES (?, ?, ?, 1)
		ON CONFLICT (campaign_id, user_id, day) DO UPDATE SET used = campaign_days.used + 1
		WHERE campaign_days.used < ? + campaign_days.bonus_publish + campaign_days.bonus_share RETURNING used`,
		c.ID, j.voter, j.day, c.DailyVotes).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		return errNoVotes
	}
	if err != nil {
		return err
	}
	// 4. Per-source limits (UTC day).
	utcDay := j.now.UTC().Unix() / 86400
	for _, l := range []struct {
		kind, value string
		limit       int
	}{{"ip", j.src.IP, c.IPDaily}, {"device", j.src.Device, c.DeviceDaily}} {
		if l.limit == 0 || l.value == "" {
			continue
		}
		err = w.QueryRow(ctx, `INSERT INTO campaign_sources (campaign_id, kind, value, day, used) VALUES (?, ?, ?, ?, 1)
			ON CONFLICT (campaign_id, kind, value, day) DO UPDATE SET used = campaign_sources.used + 1
			WHERE campaign_sources.used < ? RETURNING used`, c.ID, l.kind, l.value, utcDay, l.limit).Scan(&used)
		if errors.Is(err, sql.ErrNoRows) {
			return errSource
		}
		if err != nil {
			return err
		}
	}
	// 5. The tally, last: the hot row is locked for the shortest time.
	if r.Status == Valid {
		_, err = w.Exec(ctx, "UPDATE campaign_nominees SET votes = votes + 1, score = score + ? WHERE id = ?", r.Weight, j.nominee)
	}
	return err
}

// replay returns the vote stored under key, if any. It reads from the
// reader pool (not the one SQLite writer): a vote committed before this
// read is seen; one in flight is caught by the key's unique row.
func (s *Service) replay(ctx context.Context, cid, uid id.ID, key string) (Receipt, bool, error) {
	var r Receipt
	var at int64
	err := s.db.Reader(ctx).QueryRow(ctx, `SELECT id, nominee_id, status, weight, created_at FROM campaign_votes
		WHERE campaign_id = ? AND user_id = ? AND idempotency_key = ?`, cid, uid, key).Scan(&r.VoteID, &r.Nominee, &r.Status, &r.Weight, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Receipt{}, false, nil
	}
	r.CreatedAt = time.UnixMilli(at).UTC()
	return r, err == nil, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Allowance is a voter's day in a campaign.
type Allowance struct {
	Day      int64 `json:"day"` // local day number
	Daily    int   `json:"daily"`
	Bonus    int   `json:"bonus"` // earned today by publishing and sharing
	Used     int   `json:"used"`
	Left     int   `json:"left"`
	Excluded bool  `json:"excluded"`
}

// MyAllowance is what uid has left to vote today.
func (s *Service) MyAllowance(ctx context.Context, cid, uid id.ID) (Allowance, error) {
	c, err := s.load(ctx, cid)
	if err != nil {
		return Allowance{}, err
	}
	day, err := s.days.Today(ctx, uid)
	if err != nil {
		return Allowance{}, err
	}
	a := Allowance{Day: day, Daily: c.DailyVotes}
	var bp, bs int
	err = s.db.Reader(ctx).QueryRow(ctx, "SELECT used, bonus_publish, bonus_share FROM campaign_days WHERE campaign_id = ? AND user_id = ? AND day = ?",
		cid, uid, day).Scan(&a.Used, &bp, &bs)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Allowance{}, err
	}
	a.Bonus = bp + bs
	var ex int
	err = s.db.Reader(ctx).QueryRow(ctx, "SELECT excluded FROM campaign_members WHERE campaign_id = ? AND user_id = ?", cid, uid).Scan(&ex)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Allowance{}, err
	}
	a.Excluded = ex == 1
	a.Left = max(0, a.Daily+a.Bonus-a.Used)
	if a.Excluded {
		a.Left = 0
	}
	return a, nil
}
