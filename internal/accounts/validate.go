package accounts

import (
	"strings"
	"unicode/utf8"

	"github.com/redmark/redmark/internal/apperr"
)

// Limits on account fields; the API documents the same numbers.
const (
	UsernameMin    = 3
	UsernameMax    = 30
	DisplayNameMax = 40
	BioMax         = 300
	PasswordMin    = 8
	PasswordMax    = 128
	RegionMax      = 60
)

// NormalizeUsername lower-cases a username and checks its alphabet:
// ASCII letters, digits, '_' and '.', starting with a letter or digit.
// Usernames appear in URLs and @mentions, so they stay ASCII.
func NormalizeUsername(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) < UsernameMin || len(s) > UsernameMax {
		return "", apperr.Invalid("username must be %d–%d characters", UsernameMin, UsernameMax)
	}
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || (i > 0 && (r == '_' || r == '.'))
		if !ok {
			return "", apperr.Invalid("username may contain only letters, digits, '_' and '.', and must start with a letter or digit")
		}
	}
	return s, nil
}

func checkPasswordRules(pw string) error {
	if !utf8.ValidString(pw) {
		return apperr.Invalid("password is not valid UTF-8")
	}
	if len(pw) < PasswordMin || len(pw) > PasswordMax {
		return apperr.Invalid("password must be %d–%d bytes", PasswordMin, PasswordMax)
	}
	return nil
}
