package search

import (
	"fmt"
	"math"
	"testing"
	"time"
)

func terms(ts []Token) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Term
	}
	return out
}

func TestAnalyzerMixedText(t *testing.T) {
	text := "夏天通勤防晒霜推荐 Running shoes 和 skincare 的 citywalk"
	got := Analyze(text)
	if fmt.Sprint(terms(got)) != "[夏天 通勤 防晒霜 防晒 推荐 run shoe skincar citywalk]" {
		t.Fatalf("index terms: %v", terms(got))
	}
	for _, tok := range got {
		if tok.Start < 0 || tok.End > len(text) || tok.Start >= tok.End {
			t.Fatalf("bad offsets %+v", tok)
		}
	}
	if got := terms(AnalyzeQuery("防晒霜 the Running")); fmt.Sprint(got) != "[防晒霜 run]" {
		t.Fatalf("query terms: %v", got)
	}
}

func TestHighlightAndSnippet(t *testing.T) {
	h := Highlight("夏天通勤防晒霜推荐", QueryTerms("防晒"))
	if fmt.Sprint(h.Ranges) != "[[4 6]]" {
		t.Fatalf("ranges %v", h.Ranges)
	}
	var marked string
	for _, s := range h.Segments() {
		if s.Mark {
			marked += "[" + s.Text + "]"
		} else {
			marked += s.Text
		}
	}
	if marked != "夏天通勤[防晒]霜推荐" {
		t.Fatalf("segments %q", marked)
	}
	// Emoji and accents count as one code point each.
	h = Highlight("🌞 Café runs, run", QueryTerms("running"))
	if fmt.Sprint(h.Ranges) != "[[7 11] [13 16]]" {
		t.Fatalf("ranges %v", h.Ranges)
	}
	body := "开头" + repeat("很长的正文", 40) + "防晒霜真好用" + repeat("结尾", 40)
	s := Snippet(body, QueryTerms("防晒"), SnippetRunes)
	rs := []rune(s.Text)
	if len(s.Ranges) != 1 || string(rs[s.Ranges[0][0]:s.Ranges[0][1]]) != "防晒" || rs[0] != '…' || rs[len(rs)-1] != '…' {
		t.Fatalf("snippet %q %v", s.Text, s.Ranges)
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

func TestEditDistanceAndScores(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"skincar", "skincr", 1}, {"kitten", "sitting", 3}, {"abc", "abc", 0}, {"abcdef", "ab", 4}} {
		if got := editDistance(c.a, c.b, 2); min(got, 3) != min(c.want, 3) {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	if got := Engagement(1, 1, 1, 1); got != 9 {
		t.Fatalf("Engagement = %v", got)
	}
	fresh := NoteScore(1, 0, 0)
	week := NoteScore(1, 0, FreshnessHalfLife)
	if math.Abs(fresh-1.3) > 1e-12 || math.Abs(week-1.15) > 1e-12 {
		t.Fatalf("freshness: %v %v", fresh, week)
	}
	if loved := NoteScore(1, 1000, 30*24*time.Hour); loved <= NoteScore(1, 0, 30*24*time.Hour) {
		t.Fatal("engagement must raise the score")
	}
}

// Skipping the analysis of a text that cannot match (Chinese terms it does
// not contain) gives what analysing it would.
func TestHighlightShortcut(t *testing.T) {
	texts := []string{"夏天通勤防晒霜推荐", "Morning run 跑步 in the park", "防 晒", "今天天气很好", "周末露营攻略 camping"}
	queries := []string{"防晒", "跑步", "露营 攻略", "run", "防晒 run", "天气", "晒", "周末露营"}
	for _, text := range texts {
		for _, q := range queries {
			terms := QueryTerms(q)
			if got, want := Highlight(text, terms), highlight(text, terms); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("Highlight(%q, %q) = %v, analysed %v", text, q, got, want)
			}
		}
	}
}
