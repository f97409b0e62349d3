package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	unitok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// Analyzer names registered with Bleve.
const (
	IndexAnalyzer = "redmark"   // search mode: words plus the dictionary words inside them
	QueryAnalyzer = "redmark_q" // accurate mode: the best segmentation only
)

// Dictionary choice (docs/discovery.md has the measurements). gse's full
// simplified-Chinese dictionary has 352k words and costs ~128 MiB of heap
// (+143 MiB RSS, 1.1 s to load): too much for a server whose whole budget
// is 200 MiB. We load the words of gse's IDF table with idf <= MaxIDF (the
// ~82k most common words; ~4 MiB of heap in segment.go's trie) plus a small
// list of community vocabulary (domainWords). Rarer words fall back to
// single characters, which still match (every character of the query must
// be present) but rank lower than whole-word hits.
const MaxIDF = 11.0

// domainWords are lifestyle and shopping words common in notes that the
// general dictionary lacks or rates as rare.
var domainWords = strings.Fields(`
	小红书 种草 拔草 好物 平替 测评 安利 探店 打卡 攻略 穿搭 通勤 显瘦 显白 氛围感 ootd
	防晒 防晒霜 防晒乳 防晒喷雾 面霜 精华 精华液 面膜 爽肤水 乳液 洗面奶 卸妆 卸妆油 粉底 粉底液 气垫 遮瑕 口红
	唇釉 眼影 腮红 眉笔 睫毛膏 香水 彩妆 底妆 护肤 美白 保湿 补水 控油 祛痘 敏感肌 油皮 干皮 混油 素颜 妆容
	减脂 增肌 健身 瑜伽 普拉提 跑步 徒步 露营 骑行 滑雪 冲浪 自驾 民宿 旅行 旅游 周末 citywalk 机票 酒店
	咖啡 奶茶 甜品 烘焙 早餐 便当 食谱 减脂餐 火锅 烧烤 日料 西餐 家常菜 网红 博主 学生党 上班族 宝妈
	数码 耳机 相机 手机 平板 键盘 桌搭 家居 收纳 装修 软装 租房 宠物 猫咪 狗狗 萌宠 母婴 读书 书单 学习 考研
	自律 vlog 日常 分享 推荐 合集 清单 教程 干货 避雷 性价比 平价 大牌 开箱 好用 回购 空瓶 无限回购
`)

// DictionaryWords is the number of words the segmenter knows.
func DictionaryWords() int { return zhWords().words }

func isHan(r rune) bool {
	switch {
	case r < 0x2E80: // below every Han block: Latin, digits, punctuation
		return false
	case r >= 0x4E00 && r <= 0x9FFF: // CJK Unified Ideographs, most of Chinese text
		return true
	}
	return unicode.Is(unicode.Han, r)
}

func hanOnly(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !isHan(r) {
			return false
		}
	}
	return true
}

// mixedTokenizer splits runs of Han characters with the dictionary
// (segment.go) and everything else with Bleve's Unicode word tokenizer
// (UAX #29), so "夏天skincare分享" is 夏天 / skincare / 分享 with correct
// byte offsets.
type mixedTokenizer struct {
	search  bool // also emit the dictionary words inside longer words
	unicode analysis.Tokenizer
}

func (t *mixedTokenizer) Tokenize(input []byte) analysis.TokenStream {
	loadFolds()
	var out analysis.TokenStream
	var slab tokenSlab
	pos := 1
	i := 0
	// Han runs are segmented and indexed folded (traditional → simplified,
	// fold.go): folded is input with the folds written in, copied on the
	// first one; a fold keeps every byte offset.
	folded := input
	for i < len(input) {
		r, n := utf8.DecodeRune(input[i:])
		j := i + n
		han := isHan(r)
		words := !han && isWordRune(r)
		for k := i; ; {
			if han && r <= hanHi {
				if f := hanFold[r-hanLo]; f != 0 {
					if &folded[0] == &input[0] {
						folded = append([]byte(nil), input...)
					}
					utf8.EncodeRune(folded[k:], f)
				}
			}
			if j >= len(input) {
				break
			}
			r2, n2 := utf8.DecodeRune(input[j:])
			if isHan(r2) != han {
				break
			}
			words = words || (!han && isWordRune(r2))
			k, r = j, r2
			j += n2
		}
		switch {
		case han:
			out, pos = t.han(out, &slab, folded, i, j, pos)
		case words:
			for _, tok := range t.unicode.Tokenize(input[i:j]) {
				tok.Start += i
				tok.End += i
				tok.Position = pos
				pos++
				out = append(out, tok)
			}
		}
		// A run of spaces and punctuation alone has no words (the Unicode
		// tokenizer would return none): most runs between Chinese ones.
		i = j
	}
	return out
}

// isWordRune is true for what a word can contain.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// tokenSlab hands out tokens from blocks, one allocation per block rather
// than per token.
type tokenSlab []analysis.Token

func (s *tokenSlab) next() *analysis.Token {
	if len(*s) == 0 {
		*s = make([]analysis.Token, 64)
	}
	t := &(*s)[0]
	*s = (*s)[1:]
	return t
}

// han segments input[from:to], a run of Han characters. Without HMM the
// segmentation is deterministic: an unknown word is cut into characters the
// same way in a note and in a query. Terms share input's bytes: the
// filters leave Han tokens as they are (keywords, without case).
func (t *mixedTokenizer) han(out analysis.TokenStream, slab *tokenSlab, input []byte, from, to, pos int) (analysis.TokenStream, int) {
	d := zhWords()
	buf := endsPool.Get().(*[]int)
	ends := d.cut(input[from:to], (*buf)[:0])
	off := from
	for _, e := range ends {
		end := from + e
		tok := slab.next()
		*tok = analysis.Token{Start: off, End: end, Term: input[off:end:end], Position: pos, Type: analysis.Ideographic, KeyWord: true}
		out = append(out, tok)
		if t.search {
			out = subWords(out, slab, d, input, off, end, pos)
		}
		pos++
		off = end
	}
	*buf = ends
	endsPool.Put(buf)
	return out, pos
}

var endsPool = sync.Pool{New: func() any { return new([]int) }}

// subWords adds the dictionary words of 2..n-1 characters inside the word
// input[from:to] of n >= 3 characters (防晒霜 → 防晒), at the word's
// position, so a query for the shorter word finds the longer one.
func subWords(out analysis.TokenStream, slab *tokenSlab, d *zhDict, input []byte, from, to, pos int) analysis.TokenStream {
	starts := make([]int, 0, 16)
	for i := from; i < to; {
		starts = append(starts, i)
		_, size := utf8.DecodeRune(input[i:])
		i += size
	}
	n := len(starts)
	if n < 3 {
		return out
	}
	starts = append(starts, to)
	for k := 0; k+2 <= n; k++ {
		// Walk the trie from character k: every word met on the way that is
		// shorter than the whole is a sub-word.
		node := int32(0)
		for j := k; j < n; j++ {
			r, _ := utf8.DecodeRune(input[starts[j]:])
			if node = d.child(node, r); node == 0 {
				break
			}
			if size := j - k + 1; size >= 2 && size < n && d.nodes[node].word {
				tok := slab.next()
				*tok = analysis.Token{Start: starts[k], End: starts[j+1], Term: input[starts[k]:starts[j+1]:starts[j+1]],
					Position: pos, Type: analysis.Ideographic, KeyWord: true}
				out = append(out, tok)
			}
		}
	}
	return out
}

// zhStopWords are function words that would otherwise match nearly every note.
var zhStopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields("的 了 是 在 和 与 也 都 就 而 及 着 或 把 被 吗 呢 吧 啊 呀 哦 嗯 这 那 之 其 个 们 我 你 他 她 它") {
		zhStopWords[w] = true
	}
}

func newAnalyzer(search bool, cache *registry.Cache) (analysis.Analyzer, error) {
	uni, err := cache.TokenizerNamed(unitok.Name)
	if err != nil {
		return nil, err
	}
	var filters []analysis.TokenFilter
	// English: possessives off, lower case, accents off, stop words, Porter
	// stemming (Bleve's "en" analyzer chain plus the accent fold).
	for _, name := range []string{en.PossessiveName, lowercase.Name, en.StopName, porter.Name} {
		f, err := cache.TokenFilterNamed(name)
		if err != nil {
			return nil, err
		}
		filters = append(filters, f)
		if name == lowercase.Name {
			filters = append(filters, foldFilter{}) // café → cafe, before the stop list and the stemmer
		}
	}
	return &mixedAnalyzer{tokenizer: &mixedTokenizer{search: search, unicode: uni}, latin: filters}, nil
}

// mixedAnalyzer sends Han tokens through the Chinese stop list only and
// everything else through the English chain: the English filters cannot
// change a Han token (no case, no English stop word, no possessive; the
// stemmer skips keywords), and skipping them saves a tenth of the
// analysis. The output keeps the tokenizer's order.
type mixedAnalyzer struct {
	tokenizer analysis.Tokenizer
	latin     []analysis.TokenFilter
}

func (a *mixedAnalyzer) Analyze(input []byte) analysis.TokenStream {
	all := a.tokenizer.Tokenize(input)
	var han, other analysis.TokenStream
	for _, t := range all {
		if t.Type == analysis.Ideographic {
			if !zhStopWords[string(t.Term)] {
				han = append(han, t)
			}
		} else {
			other = append(other, t)
		}
	}
	if len(other) == 0 {
		return han
	}
	for _, f := range a.latin {
		other = f.Filter(other)
	}
	if len(han) == 0 {
		return other
	}
	// Merge back in order: tokens of different runs never overlap, so
	// their start offsets order them.
	out := all[:0]
	i, j := 0, 0
	for i < len(han) || j < len(other) {
		if j == len(other) || (i < len(han) && han[i].Start < other[j].Start) {
			out = append(out, han[i])
			i++
		} else {
			out = append(out, other[j])
			j++
		}
	}
	return out
}

func init() {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(registry.RegisterAnalyzer(IndexAnalyzer, func(_ map[string]any, c *registry.Cache) (analysis.Analyzer, error) {
		return newAnalyzer(true, c)
	}))
	must(registry.RegisterAnalyzer(QueryAnalyzer, func(_ map[string]any, c *registry.Cache) (analysis.Analyzer, error) {
		return newAnalyzer(false, c)
	}))
}

var (
	analyzersOnce       sync.Once
	indexAn, queryAn    analysis.Analyzer
	errAnalyzerRegistry error
)

func analyzers() (analysis.Analyzer, analysis.Analyzer) {
	analyzersOnce.Do(func() {
		c := registry.NewCache()
		if indexAn, errAnalyzerRegistry = c.AnalyzerNamed(IndexAnalyzer); errAnalyzerRegistry != nil {
			panic(errAnalyzerRegistry)
		}
		if queryAn, errAnalyzerRegistry = c.AnalyzerNamed(QueryAnalyzer); errAnalyzerRegistry != nil {
			panic(errAnalyzerRegistry)
		}
	})
	return indexAn, queryAn
}

// Token is an analysed term with its byte range in the text.
type Token struct {
	Term       string
	Start, End int
	Latin      bool // alphabetic (typo tolerance applies)
}

// Analyze runs the index analyzer (search mode) over text.
func Analyze(text string) []Token { a, _ := analyzers(); return collect(a.Analyze([]byte(text))) }

// AnalyzeQuery runs the query analyzer (accurate mode) over text.
func AnalyzeQuery(text string) []Token { _, a := analyzers(); return collect(a.Analyze([]byte(text))) }

func collect(ts analysis.TokenStream) []Token {
	out := make([]Token, 0, len(ts))
	for _, t := range ts {
		out = append(out, Token{Term: string(t.Term), Start: t.Start, End: t.End, Latin: t.Type == analysis.AlphaNumeric && isLatin(t.Term)})
	}
	return out
}

func isLatin(b []byte) bool {
	letters := 0
	for _, r := range string(b) {
		if unicode.IsLetter(r) {
			if !unicode.Is(unicode.Latin, r) {
				return false
			}
			letters++
		}
	}
	return letters > 0
}
