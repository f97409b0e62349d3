package growth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/points"
)

// codeAlphabet avoids look-alikes (0/O, 1/I/L) so codes can be typed.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// InviteCode returns uid's invite code, creating it on first use.
func (s *Service) InviteCode(ctx context.Context, uid id.ID) (string, error) {
	var code string
	err := s.db.Reader(ctx).QueryRow(ctx, "SELECT code FROM growth_invite_codes WHERE user_id = ?", uid).Scan(&code)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return code, err
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	if _, err := s.db.Writer(ctx).Exec(ctx, "INSERT INTO growth_invite_codes (user_id, code) VALUES (?, ?) ON CONFLICT DO NOTHING",
		uid, string(b)); err != nil {
		return "", err
	}
	err = s.db.Writer(ctx).QueryRow(ctx, "SELECT code FROM growth_invite_codes WHERE user_id = ?", uid).Scan(&code)
	return code, err
}

// Source is how a visitor arrived, captured at first visit.
type Source struct {
	Invite   string `json:"invite,omitempty"`
	Channel  string `json:"channel,omitempty"`
	Source   string `json:"utm_source,omitempty"`
	Medium   string `json:"utm_medium,omitempty"`
	Campaign string `json:"utm_campaign,omitempty"`
}

// SourceMax bounds each attribution field.
const SourceMax = 64

// clean keeps a field printable and short: it comes from a URL anyone can craft.
func clean(v string) string {
	v = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.TrimSpace(v))
	if r := []rune(v); len(r) > SourceMax {
		v = string(r[:SourceMax])
	}
	return v
}

// Channel is the campaign a sign-up is reported under: channel, else utm_source.
func (src Source) channel() string {
	if c := clean(src.Channel); c != "" {
		return c
	}
	return clean(src.Source)
}

// Attribute records how a new user arrived. An unknown invite code is
// ignored (the sign-up still counts under its channel). Sign-ups beyond
// IPBurst from one IP in a day are marked suspect: they pay their inviter nothing.
func (s *Service) Attribute(ctx context.Context, uid id.ID, src Source, ip string) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		w := s.db.Writer(ctx)
		var inviter any
		if code := strings.ToUpper(clean(src.Invite)); code != "" {
			var iid id.ID
			err := w.QueryRow(ctx, "SELECT user_id FROM growth_invite_codes WHERE code = ?", code).Scan(&iid)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if iid != 0 && iid != uid {
				inviter = iid
			}
		}
		now := s.Now().UnixMilli()
		var sameIP int
		if err := w.QueryRow(ctx, "SELECT COUNT(*) FROM growth_signups WHERE ip = ? AND created_at > ?", ip, now-int64(24*time.Hour/time.Millisecond)).
			Scan(&sameIP); err != nil {
			return err
		}
		suspect := 0
		if ip != "" && sameIP >= s.cfg.IPBurst {
			suspect = 1
		}
		_, err := w.Exec(ctx, `INSERT INTO growth_signups (user_id, inviter_id, channel, utm_source, utm_medium, utm_campaign, ip, suspect, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, uid, inviter, src.channel(), clean(src.Source), clean(src.Medium),
			clean(src.Campaign), ip, suspect, now)
		return err
	})
}

// activate marks uid active (first publish or purchase within ActiveWithin
// of signing up) and rewards their inviter once, unless the sign-up is suspect.
func (s *Service) activate(ctx context.Context, uid id.ID) error {
	now := s.Now().UnixMilli()
	var inviter sql.NullInt64
	var suspect int
	err := s.db.Writer(ctx).QueryRow(ctx, `UPDATE growth_signups SET active_at = ? WHERE user_id = ? AND active_at IS NULL AND created_at >= ?
		RETURNING inviter_id, suspect`, now, uid, now-s.cfg.ActiveWithin.Milliseconds()).Scan(&inviter, &suspect)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil || !inviter.Valid || suspect != 0 {
		return err
	}
	_, err = s.earn(ctx, id.ID(inviter.Int64), RuleInvite, points.InviteReward, uid, "invited friend became active")
	return err
}

// ChannelRow is sign-ups of one channel (or inviter) and how many became active.
type ChannelRow struct {
	Key     string `json:"key"` // channel name, or inviter id
	Signups int64  `json:"signups"`
	Active  int64  `json:"active"` // published or bought within the activation window
	Suspect int64  `json:"suspect"`
}

// ByChannel reports sign-ups since a time per channel ("" is direct).
func (s *Service) ByChannel(ctx context.Context, since time.Time) ([]ChannelRow, error) {
	return s.report(ctx, "channel", since)
}

// ByInviter reports sign-ups since a time per inviter (Key: the inviter's id).
func (s *Service) ByInviter(ctx context.Context, since time.Time) ([]ChannelRow, error) {
	return s.report(ctx, "inviter_id", since)
}

func (s *Service) report(ctx context.Context, col string, since time.Time) ([]ChannelRow, error) {
	where := ""
	if col == "inviter_id" {
		where = " AND inviter_id IS NOT NULL"
	}
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT `+col+`, COUNT(*), COUNT(active_at), SUM(suspect) FROM growth_signups
		WHERE created_at >= ?`+where+` GROUP BY `+col+` ORDER BY COUNT(*) DESC LIMIT 200`, since.UnixMilli())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ChannelRow{}
	for rows.Next() {
		var r ChannelRow
		var key any
		if err := rows.Scan(&key, &r.Signups, &r.Active, &r.Suspect); err != nil {
			return nil, err
		}
		switch k := key.(type) {
		case string:
			r.Key = k
		case []byte:
			r.Key = string(k)
		case int64:
			r.Key = id.ID(k).String()
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Invitee is someone a user invited.
type Invitee struct {
	UserID    id.ID     `json:"user_id"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

// Invitees returns the people uid invited.
func (s *Service) Invitees(ctx context.Context, uid id.ID, limit int) ([]Invitee, error) {
	rows, err := s.db.Reader(ctx).Query(ctx, `SELECT user_id, active_at IS NOT NULL, created_at FROM growth_signups
		WHERE inviter_id = ? ORDER BY created_at DESC LIMIT ?`, uid, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Invitee{}
	for rows.Next() {
		var v Invitee
		var created int64
		if err := rows.Scan(&v.UserID, &v.Active, &created); err != nil {
			return nil, err
		}
		v.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}
