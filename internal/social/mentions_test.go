package social

import (
	"strings"
	"testing"
)

func TestMentions(t *testing.T) {
	cases := map[string]string{
		"hi @Alice and @bob_2.":           "alice,bob_2",
		"@alice @ALICE @alice":            "alice",
		"mail x@alice.com, not a mention": "",
		"(@carol)@dave":                   "carol,dave",
		"@ab too short, @中文 not a name":   "",
		"谢谢@alice！":                       "alice",
	}
	for in, want := range cases {
		if got := strings.Join(mentions(in), ","); got != want {
			t.Errorf("mentions(%q) = %q, want %q", in, got, want)
		}
	}
	many := ""
	for i := range 20 {
		many += " @user" + string(rune('a'+i)) + "x"
	}
	if n := len(mentions(many)); n != MentionsPerComment {
		t.Errorf("%d mentions kept, want %d", n, MentionsPerComment)
	}
}
