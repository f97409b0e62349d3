package notes

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseTags(t *testing.T) {
	cases := map[string]string{
		"#护肤 晚间#routine":              "[护肤]",   // '#' inside a word is not a tag
		"#OOTD, #ootd and #Ootd!":     "[OOTD]", // one topic, as first written
		"#早C晚A 和 #早c晚a":               "[早C晚A]",
		"#护肤#穿搭# (weibo style)":       "[护肤 穿搭]",
		"C# and page.html#anchor":     "[]",
		"#snake_case_2024 #":          "[snake_case_2024]",
		"#" + strings.Repeat("a", 31): "[]", // too long: plain text
		"(#trip)":                     "[trip]",
	}
	for in, want := range cases {
		var shown []string
		for _, tg := range parseTags(in) {
			shown = append(shown, tg.display)
			if tg.key != strings.ToLower(tg.display) {
				t.Errorf("parseTags(%q): key %q of %q is not case-folded", in, tg.key, tg.display)
			}
		}
		if got := fmt.Sprint(shown); got != want {
			t.Errorf("parseTags(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestParseMentions(t *testing.T) {
	cases := map[string]string{
		"thanks @Alice and @bob.":       "[alice bob]",
		"mail x@bob.com":                "[]",
		"@al":                           "[]", // shorter than a username can be
		"（@小红 is not a username）@carol": "[carol]",
		"@dave.lee's look @dave.lee":    "[dave.lee]",
	}
	for in, want := range cases {
		if got := fmt.Sprint(parseMentions(in)); got != want {
			t.Errorf("parseMentions(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestNormalizeTopic(t *testing.T) {
	for in, want := range map[string]string{"#Travel": "travel", " 旅行 ": "旅行", "a_b": "a_b"} {
		if got, err := NormalizeTopic(in); err != nil || got != want {
			t.Errorf("NormalizeTopic(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "#", "a b", "x-y", "<b>", strings.Repeat("长", 31), "\xff"} {
		if _, err := NormalizeTopic(bad); err == nil {
			t.Errorf("NormalizeTopic(%q) accepted", bad)
		}
	}
}
