package search

import (
	_ "embed"

	"github.com/blevesearch/bleve/v2/analysis"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Folding makes spellings that readers treat as the same word one term, in
// the index and in queries alike: Latin letters lose case and accents
// (café → cafe) and traditional Chinese characters become simplified
// (口紅 → 口红). Every fold maps one code point to one code point, so
// positions counted in code points survive folding, and a Han fold keeps
// the UTF-8 length too: a run of Chinese is segmented folded and its words
// keep the original text's byte offsets.

// t2sTable is OpenCC's character table (t2s.txt, Apache-2.0, see
// t2s-LICENSE.txt): a traditional character, a tab, its simplified forms,
// the usual one first. Phrase tables are not used: a search folds both
// sides the same way, so only the characters need to agree.
//
//go:embed t2s.txt
var t2sTable string

// Han folds live in a dense table over the BMP's Han blocks (about 100 KiB)
// so the common case, a simplified character, costs an array read.
const hanLo, hanHi = 0x2E80, 0xFFFF

var (
	foldOnce sync.Once
	hanFold  []rune // index r-hanLo; 0: unchanged
	// latinFold holds the folds of U+0080..U+24FF (Latin-1 to Latin
	// Extended Additional; other scripts only lose case): 0 means unchanged.
	latinFold []rune
)

const latinHi = 0x2500

func loadFolds() {
	foldOnce.Do(func() {
		hanFold = make([]rune, hanHi-hanLo+1)
		for _, line := range strings.Split(t2sTable, "\n") {
			from, to, ok := strings.Cut(line, "\t")
			if !ok {
				continue
			}
			f, fn := utf8.DecodeRuneInString(from)
			t, tn := utf8.DecodeRuneInString(to) // the usual simplified form
			// Characters outside the table's range or whose simplified form
			// is longer in UTF-8 (a few rare ones in Extension B) stay as
			// they are: offsets must not move.
			if fn != len(from) || f < hanLo || f > hanHi || t == f || tn != fn {
				continue
			}
			hanFold[f-hanLo] = t
		}
		latinFold = make([]rune, latinHi)
		var buf [utf8.UTFMax * 4]byte
		for r := rune(0x80); r < latinHi; r++ {
			if f := foldLetter(r, buf[:0]); f != r {
				latinFold[r] = f
			}
		}
		for from, to := range latinExtra {
			latinFold[from] = to
			latinFold[unicode.ToUpper(from)] = to
		}
	})
}

// latinExtra are Latin letters with a stroke, which have no canonical
// decomposition but are read as the plain letter.
var latinExtra = map[rune]rune{'ø': 'o', 'đ': 'd', 'ł': 'l', 'ħ': 'h', 'ŧ': 't', 'ı': 'i'}

// foldLetter lower-cases r and, for a Latin letter, strips its accents: the
// first code point of its canonical decomposition when the rest are
// combining marks. (In other scripts a mark can make another letter:
// Russian й is not и.)
func foldLetter(r rune, buf []byte) rune {
	l := unicode.ToLower(r)
	if !unicode.Is(unicode.Latin, l) {
		return l
	}
	d := norm.NFD.AppendString(buf, string(l))
	base, n := utf8.DecodeRune(d)
	for _, m := range string(d[n:]) {
		if !unicode.Is(unicode.Mn, m) {
			return l
		}
	}
	return base
}

// foldRune is r folded for matching.
func foldRune(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	case r < latinHi:
		if f := latinFold[r]; f != 0 {
			return f
		}
	case r >= hanLo && r <= hanHi:
		if f := hanFold[r-hanLo]; f != 0 {
			return f
		}
	}
	return r
}

// foldHan folds the traditional characters of b, a run of Han characters:
// b itself when none are, else a folded copy of the same length.
func foldHan(b []byte) []byte {
	loadFolds()
	var out []byte
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r >= hanLo && r <= hanHi {
			if f := hanFold[r-hanLo]; f != 0 {
				if out == nil {
					out = append(make([]byte, 0, len(b)), b...)
				}
				utf8.EncodeRune(out[i:], f)
			}
		}
		i += n
	}
	if out == nil {
		return b
	}
	return out
}

// Fold is s folded as the index folds words (case, accents, traditional
// characters), code point for code point; s itself when nothing changes.
func Fold(s string) string {
	loadFolds()
	for i, r := range s {
		if foldRune(r) != r {
			var b strings.Builder
			b.Grow(len(s))
			b.WriteString(s[:i])
			for _, r := range s[i:] {
				b.WriteRune(foldRune(r))
			}
			return b.String()
		}
	}
	return s
}

// foldFilter folds the accents of Latin tokens after lower-casing (the
// term changes, the token's offsets in the text do not).
type foldFilter struct{}

func (foldFilter) Filter(ts analysis.TokenStream) analysis.TokenStream {
	for _, t := range ts {
		for _, c := range t.Term {
			if c >= utf8.RuneSelf {
				t.Term = []byte(Fold(string(t.Term)))
				break
			}
		}
	}
	return ts
}
