package accounts

import (
	"context"
	"strings"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/id"
)

// FindMax caps the rows of one Find.
const FindMax = 100

// Find lists users whose username or display name contains q (all users
// when q is empty), newest first — the operator console's user search.
func (s *Service) Find(ctx context.Context, actor User, q string, limit int) ([]User, error) {
	if actor.Role != RoleOperator {
		return nil, apperr.Forbidden("only operators can search accounts")
	}
	limit = min(max(limit, 1), FindMax)
	q = strings.TrimSpace(q)
	if len([]rune(q)) > 50 {
		return nil, apperr.Invalid("the search is at most 50 characters")
	}
	// LIKE wildcards typed by the operator match literally.
	pat := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+userCols+` FROM users
		WHERE username LIKE ? ESCAPE '\' OR LOWER(display_name) LIKE ? ESCAPE '\' ORDER BY id DESC LIMIT ?`, pat, pat, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// ChangeRole is SetRole on behalf of an operator. An operator cannot take
// their own operator role away, so an install always keeps one.
func (s *Service) ChangeRole(ctx context.Context, actor User, uid id.ID, role string) error {
	if actor.Role != RoleOperator {
		return apperr.Forbidden("only operators can change roles")
	}
	if uid == actor.ID && role != RoleOperator {
		return apperr.Conflict("you cannot remove your own operator role")
	}
	return s.SetRole(ctx, uid, role)
}

// CreateOperator makes an operator account (the CLI's first operator on a
// fresh install), or promotes an existing account when the password is empty.
func (s *Service) CreateOperator(ctx context.Context, username, password string) (User, error) {
	if password == "" {
		u, err := s.GetByUsername(ctx, username)
		if err != nil {
			return User{}, err
		}
		if err := s.SetRole(ctx, u.ID, RoleOperator); err != nil {
			return User{}, err
		}
		return s.Get(ctx, u.ID)
	}
	u, _, err := s.signUp(ctx, username, password, "", RoleOperator, "cli")
	return u, err
}

// RequireOperator answers 403 "only operators can <what>" unless u is an
// operator: the check of every operator-only service call.
func RequireOperator(u User, what string) error {
	if u.Role != RoleOperator {
		return apperr.Forbidden("only operators can %s", what)
	}
	return nil
}
