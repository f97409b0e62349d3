package search

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/go-ego/gse"
)

// gseSegmenter loads gse with the dictionary zhWords loads, the way the
// analyzer did before it had its own segmentation.
func gseSegmenter(t testing.TB) *gse.Segmenter {
	var b strings.Builder
	for word, freq := range dictWords {
		b.WriteString(word + " " + strconv.Itoa(freq) + "\n")
	}
	s := &gse.Segmenter{NotLoadHMM: true}
	if err := s.LoadDictStr(b.String()); err != nil {
		t.Fatal(err)
	}
	return s
}

// The segmentation must cut exactly as gse's CutDAGNoHMM over the same
// dictionary: text indexed before and after must match the same queries.
func TestSegmenterMatchesGse(t *testing.T) {
	g := gseSegmenter(t)
	d := zhWords()
	if d.words != g.Dict.NumTokens() {
		t.Fatalf("dictionary has %d words, gse %d", d.words, g.Dict.NumTokens())
	}
	var words []string
	var chars []rune
	for line := range strings.Lines(gse.ZhIdf) {
		w, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if hanOnly(w) {
			words = append(words, w)
			chars = append(chars, []rune(w)...)
		}
	}
	texts := []string{"夏天通勤防晒霜推荐", "小红书种草平替好物", "今天去了一家超级好吃的火锅店", "蝴蝶", "蝴", "测", "无限回购的精华液",
		"周末和朋友去露营看星星", "敏感肌也能用的洗面奶", "氛围感穿搭公式学生党必看"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var s strings.Builder
		for range 1 + r.IntN(6) {
			if r.IntN(3) == 0 {
				s.WriteRune(chars[r.IntN(len(chars))])
			} else {
				s.WriteString(words[r.IntN(len(words))])
			}
		}
		texts = append(texts, s.String())
	}
	for _, text := range texts {
		want := g.CutDAGNoHMM(text)
		if got := d.cutStrings(text); !slices.Equal(got, want) {
			t.Fatalf("cut(%q) = %q, gse %q", text, got, want)
		}
		for _, w := range want {
			f, _, ok := g.Find(w)
			if (ok && f > 0) != d.isWord(w) {
				t.Fatalf("isWord(%q) = %v, gse %v", w, d.isWord(w), ok && f > 0)
			}
		}
	}
}

func BenchmarkCut(b *testing.B) {
	d := zhWords()
	text := "今天去了一家超级好吃的火锅店夏天通勤防晒霜推荐周末和朋友去露营看星星敏感肌也能用的洗面奶"
	in := []byte(text)
	var out []int
	for b.Loop() {
		out = d.cut(in, out[:0])
	}
}

func BenchmarkCutGse(b *testing.B) {
	g := gseSegmenter(b)
	text := "今天去了一家超级好吃的火锅店夏天通勤防晒霜推荐周末和朋友去露营看星星敏感肌也能用的洗面奶"
	for b.Loop() {
		g.CutDAGNoHMM(text)
	}
}
