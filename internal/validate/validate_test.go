package validate

import (
	"strings"
	"testing"
)

func TestIdempotencyKey(t *testing.T) {
	for key, ok := range map[string]bool{
		"a": true, "web-0f3a_9": true, strings.Repeat("k", KeyMax): true,
		"": false, strings.Repeat("k", KeyMax+1): false, "with space": false, "tab\t": false, "中文": false,
	} {
		if err := IdempotencyKey(key); (err == nil) != ok {
			t.Errorf("IdempotencyKey(%q) = %v, want ok=%v", key, err, ok)
		}
	}
}
