// Package validate checks user-supplied text the same way everywhere.
package validate

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/redmark/redmark/internal/apperr"
)

// Text trims s and checks it is valid UTF-8 of min–max runes with no control
// characters (newlines and tabs are allowed when multiline).
func Text(field, s string, min, max int, multiline bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", apperr.Invalid("%s is not valid UTF-8", field)
	}
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n < min {
		if min == 1 {
			return "", apperr.Invalid("%s is required", field)
		}
		return "", apperr.Invalid("%s must be at least %d characters", field, min)
	}
	if n > max {
		return "", apperr.Invalid("%s must be at most %d characters", field, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t' || r == '\r')) {
			return "", apperr.Invalid("%s contains control characters", field)
		}
	}
	if multiline {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	return s, nil
}

// KeyMax bounds an Idempotency-Key.
const KeyMax = 200

// IdempotencyKey checks an Idempotency-Key: 1–KeyMax printable ASCII
// characters without spaces.
func IdempotencyKey(key string) error {
	if key == "" || len(key) > KeyMax {
		return apperr.Invalid("send an Idempotency-Key header of 1–%d characters", KeyMax)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return apperr.Invalid("Idempotency-Key must be printable ASCII without spaces")
		}
	}
	return nil
}
