package search

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// SnippetRunes is the length of a body snippet; it starts a little before
// the first match so the match is seen in context.
const (
	SnippetRunes  = 80
	snippetBefore = 12
)

// matches reports whether a token of the text matches a query term: the
// same analysed term, a synonym, or, for long Latin words, within the typo
// distance the index allowed.
func matches(t Token, terms []Token) bool {
	for _, q := range terms {
		if t.Term == q.Term || slices.Contains(synonyms(q.Term), t.Term) {
			return true
		}
		if fz := fuzziness(q); fz > 0 && t.Latin && t.Term[0] == q.Term[0] && editDistance(t.Term, q.Term, fz) <= fz {
			return true
		}
	}
	return false
}

// Highlight marks the parts of text that match terms.
func Highlight(text string, terms []Token) Highlighted {
	if !mayMatch(text, terms) {
		return Highlighted{Text: text, Ranges: [][2]int{}}
	}
	return highlight(text, terms)
}

func highlight(text string, terms []Token) Highlighted {
	var byteRanges [][2]int
	for _, t := range Analyze(text) {
		if matches(t, terms) {
			byteRanges = append(byteRanges, [2]int{t.Start, t.End})
		}
	}
	return Highlighted{Text: text, Ranges: toRunes(text, merge(byteRanges))}
}

// mayMatch is false when no token of text can match terms, which is
// certain without analysing text when every term is Chinese (no stemming,
// no typos), without synonyms, and none occurs in the folded text.
func mayMatch(text string, terms []Token) bool {
	folded := ""
	for _, t := range terms {
		if !hanOnly(t.Term) || len(synonyms(t.Term)) > 0 || strings.Contains(text, t.Term) {
			return true
		}
		if folded == "" {
			folded = Fold(text)
		}
		if strings.Contains(folded, t.Term) {
			return true
		}
	}
	return false
}

// Snippet is Highlight over a window of about n code points of text
// starting a little before the first match, with "…" where text was cut.
// The window is found by looking for the query terms as plain substrings
// of the folded text (a Chinese word, or an English stem, which prefixes
// its inflections), so
// only the window is analysed, not the whole body; when no term occurs
// literally (a typo match) the window is the start of the text.
func Snippet(text string, terms []Token, n int) Highlighted {
	rs := []rune(text)
	if len(rs) <= n {
		return Highlight(text, terms)
	}
	folded := Fold(text) // code point for code point
	first := -1
	for _, t := range terms {
		for _, w := range append([]string{t.Term}, synonyms(t.Term)...) {
			if i := strings.Index(folded, w); i >= 0 && (first < 0 || i < first) {
				first = i
			}
		}
	}
	start := 0
	if first > 0 {
		start = max(0, utf8.RuneCountInString(folded[:first])-snippetBefore)
	}
	start = min(start, len(rs)-n)
	end := start + n
	h := Highlight(string(rs[start:end]), terms)
	var b strings.Builder
	shift := 0
	if start > 0 {
		b.WriteString("…")
		shift = 1
	}
	b.WriteString(h.Text)
	if end < len(rs) {
		b.WriteString("…")
	}
	out := Highlighted{Text: b.String(), Ranges: make([][2]int, 0, len(h.Ranges))}
	for _, r := range h.Ranges {
		out.Ranges = append(out.Ranges, [2]int{r[0] + shift, r[1] + shift})
	}
	return out
}

// merge sorts ranges and joins overlapping or touching ones (a word and the
// dictionary words inside it overlap).
func merge(rs [][2]int) [][2]int {
	if len(rs) == 0 {
		return nil
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i][0] < rs[j][0] })
	out := [][2]int{rs[0]}
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r[0] <= last[1] {
			last[1] = max(last[1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}

// toRunes converts sorted byte ranges to code-point ranges.
func toRunes(text string, rs [][2]int) [][2]int {
	out := make([][2]int, 0, len(rs))
	runes, at := 0, 0
	conv := func(b int) int {
		runes += utf8.RuneCountInString(text[at:b])
		at = b
		return runes
	}
	for _, r := range rs {
		s := conv(r[0])
		e := conv(r[1])
		out = append(out, [2]int{s, e})
	}
	return out
}

// Segment is a run of text, marked or not, for templates that escape each
// one (never template.HTML of user text).
type Segment struct {
	Text string
	Mark bool
}

// Segments splits h into plain and marked runs.
func (h Highlighted) Segments() []Segment {
	rs := []rune(h.Text)
	var out []Segment
	at := 0
	for _, r := range h.Ranges {
		s, e := max(r[0], at), min(r[1], len(rs))
		if s >= e {
			continue
		}
		if s > at {
			out = append(out, Segment{Text: string(rs[at:s])})
		}
		out = append(out, Segment{Text: string(rs[s:e]), Mark: true})
		at = e
	}
	if at < len(rs) {
		out = append(out, Segment{Text: string(rs[at:])})
	}
	return out
}

// editDistance is the Levenshtein distance of a and b, giving up (returning
// limit+1) once it must exceed limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
