package search

import (
	"testing"
	"unicode/utf8"
)

func TestFoldAccentsAndTraditional(t *testing.T) {
	for in, want := range map[string]string{
		"Café":         "cafe",
		"CRÈME Brûlée": "creme brulee",
		"Smørrebrød":   "smorrebrod",
		"口紅":           "口红",
		"護膚 與 彩妝":      "护肤 与 彩妆",
		"口红 plain":     "口红 plain",
		"йогурт":       "йогурт", // Cyrillic: case only, й stays й
	} {
		got := Fold(in)
		if got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(in) {
			t.Errorf("Fold(%q) changed the number of code points", in)
		}
	}
	if s := "plain ascii"; Fold(s) != s {
		t.Error("unchanged text must come back as it is")
	}
}

func TestAnalyzerFolds(t *testing.T) {
	// Index and query sides agree, whatever spelling each uses.
	for _, c := range [][2]string{
		{"Café Lune 的拿铁", "cafe"},
		{"a cafe near home", "café"},
		{"Cafés of Paris", "cafe"},
		{"夏天必備的口紅推薦", "口红"},
		{"夏天必备的口红推荐", "口紅"},
		{"敏感肌護膚", "护肤"},
	} {
		doc, q := Analyze(c[0]), AnalyzeQuery(c[1])
		if len(q) != 1 {
			t.Fatalf("query %q analysed to %v", c[1], terms(q))
		}
		found := false
		for _, tok := range doc {
			if tok.Term == q[0].Term {
				found = true
				// The token's offsets are those of the original text.
				if got := c[0][tok.Start:tok.End]; Fold(got) != tok.Term && Analyze(got)[0].Term != tok.Term {
					t.Errorf("%q: token %q spans %q", c[0], tok.Term, got)
				}
			}
		}
		if !found {
			t.Errorf("%q (%v) has no term %q", c[0], terms(doc), q[0].Term)
		}
	}
	// The traditional word is segmented as the simplified one is.
	if got, want := terms(AnalyzeQuery("防曬霜推薦")), terms(AnalyzeQuery("防晒霜推荐")); len(got) != len(want) || got[0] != want[0] {
		t.Errorf("traditional cut %v, simplified %v", got, want)
	}
}

func TestHighlightFolded(t *testing.T) {
	h := Highlight("我的口紅合集", AnalyzeQuery("口红"))
	if len(h.Ranges) != 1 || h.Ranges[0] != [2]int{2, 4} {
		t.Errorf("ranges %v, want [[2 4]]", h.Ranges)
	}
	h = Highlight("Best Café in town", AnalyzeQuery("cafe"))
	if len(h.Ranges) != 1 || h.Ranges[0] != [2]int{5, 9} {
		t.Errorf("ranges %v, want [[5 9]]", h.Ranges)
	}
	long := "很长的开头" + "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十最後是口紅"
	s := Snippet(long, AnalyzeQuery("口红"), 20)
	if len(s.Ranges) != 1 {
		t.Errorf("snippet %q ranges %v: the traditional match is not in the window", s.Text, s.Ranges)
	}
}
