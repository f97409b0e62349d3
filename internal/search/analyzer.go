package search

import (
	"math"
	"strconv"
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
	"github.com/go-ego/gse"
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
// ~82k most common words: ~26 MiB heap, ~0.2 s) plus a small list of
// community vocabulary (domainWords). Rarer words fall back to single
// characters, which still match (every character of the query must be
// present) but rank lower than whole-word hits.
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

var (
	segOnce sync.Once
	seg     *gse.Segmenter
)

// segmenter loads the dictionary once per process (concurrent use is safe:
// cutting only reads it).
func segmenter() *gse.Segmenter {
	segOnce.Do(func() {
		var b strings.Builder
		b.Grow(2 << 20)
		// The IDF table is "word idf" per line; idf = ln(N/df), so df, the
		// frequency the segmenter wants, is proportional to e^-idf.
		for line := range strings.Lines(gse.ZhIdf) {
			word, v, ok := strings.Cut(strings.TrimSpace(line), " ")
			if !ok {
				continue
			}
			idf, err := strconv.ParseFloat(v, 64)
			if err != nil || idf > MaxIDF || !hanOnly(word) {
				continue
			}
			freq := max(1, int(math.Exp(14-idf)))
			b.WriteString(word + " " + strconv.Itoa(freq) + "\n")
		}
		for _, w := range domainWords {
			if hanOnly(w) {
				b.WriteString(w + " 300\n")
			}
		}
		s := &gse.Segmenter{}
		if err := s.LoadDictStr(b.String()); err != nil {
			panic("search: load dictionary: " + err.Error())
		}
		seg = s
	})
	return seg
}

// DictionaryWords is the number of words the segmenter knows.
func DictionaryWords() int { return segmenter().Dict.NumTokens() }

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

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

// mixedTokenizer splits runs of Han characters with gse and everything else
// with Bleve's Unicode word tokenizer (UAX #29), so "夏天skincare分享" is
// 夏天 / skincare / 分享 with correct byte offsets.
type mixedTokenizer struct {
	search  bool // also emit the dictionary words inside longer words
	unicode analysis.Tokenizer
}

func (t *mixedTokenizer) Tokenize(input []byte) analysis.TokenStream {
	var out analysis.TokenStream
	pos := 1
	i := 0
	for i < len(input) {
		r, n := utf8.DecodeRune(input[i:])
		j := i + n
		han := isHan(r)
		for j < len(input) {
			r2, n2 := utf8.DecodeRune(input[j:])
			if isHan(r2) != han {
				break
			}
			j += n2
		}
		if han {
			out, pos = t.han(out, input, i, j, pos)
		} else {
			for _, tok := range t.unicode.Tokenize(input[i:j]) {
				tok.Start += i
				tok.End += i
				tok.Position = pos
				pos++
				out = append(out, tok)
			}
		}
		i = j
	}
	return out
}

// han segments input[from:to], a run of Han characters. Without HMM the
// segmentation is deterministic: an unknown word is cut into characters the
// same way in a note and in a query.
func (t *mixedTokenizer) han(out analysis.TokenStream, input []byte, from, to, pos int) (analysis.TokenStream, int) {
	s := segmenter()
	text := string(input[from:to])
	words := s.CutDAGNoHMM(text)
	off := from
	for _, w := range words {
		if w == "" {
			continue
		}
		if !strings.HasPrefix(string(input[off:to]), w) {
			// The segmenter must cover the text exactly; if a future version
			// does not, fall back to characters rather than misplace offsets.
			return t.chars(out, input, off, to, pos), pos + utf8.RuneCount(input[off:to])
		}
		end := off + len(w)
		out = append(out, &analysis.Token{Start: off, End: end, Term: []byte(w), Position: pos, Type: analysis.Ideographic, KeyWord: true})
		if t.search {
			out = subWords(out, s, w, off, pos)
		}
		pos++
		off = end
	}
	return out, pos
}

func (t *mixedTokenizer) chars(out analysis.TokenStream, input []byte, from, to, pos int) analysis.TokenStream {
	for from < to {
		_, n := utf8.DecodeRune(input[from:])
		out = append(out, &analysis.Token{Start: from, End: from + n, Term: append([]byte(nil), input[from:from+n]...),
			Position: pos, Type: analysis.Ideographic, KeyWord: true})
		pos++
		from += n
	}
	return out
}

// subWords adds the dictionary words of 2..n-1 characters inside a word of
// n >= 3 characters (防晒霜 → 防晒), at the word's position, so a query for
// the shorter word finds the longer one.
func subWords(out analysis.TokenStream, s *gse.Segmenter, w string, off, pos int) analysis.TokenStream {
	rs := []rune(w)
	if len(rs) < 3 {
		return out
	}
	starts := make([]int, len(rs)+1)
	b := 0
	for k, r := range rs {
		starts[k] = b
		b += utf8.RuneLen(r)
	}
	starts[len(rs)] = b
	for size := 2; size < len(rs); size++ {
		for k := 0; k+size <= len(rs); k++ {
			sub := w[starts[k]:starts[k+size]]
			if freq, _, ok := s.Find(sub); ok && freq > 0 {
				out = append(out, &analysis.Token{Start: off + starts[k], End: off + starts[k+size], Term: []byte(sub),
					Position: pos, Type: analysis.Ideographic, KeyWord: true})
			}
		}
	}
	return out
}

// zhStop drops function words that would otherwise match nearly every note.
type zhStop struct{}

var zhStopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields("的 了 是 在 和 与 也 都 就 而 及 着 或 把 被 吗 呢 吧 啊 呀 哦 嗯 这 那 之 其 个 们 我 你 他 她 它") {
		zhStopWords[w] = true
	}
}

func (zhStop) Filter(in analysis.TokenStream) analysis.TokenStream {
	out := in[:0]
	for _, t := range in {
		if !zhStopWords[string(t.Term)] {
			out = append(out, t)
		}
	}
	return out
}

func newAnalyzer(search bool, cache *registry.Cache) (analysis.Analyzer, error) {
	uni, err := cache.TokenizerNamed(unitok.Name)
	if err != nil {
		return nil, err
	}
	var filters []analysis.TokenFilter
	// English: possessives off, lower case, stop words, Porter stemming
	// (Bleve's "en" analyzer chain). Han tokens are marked KeyWord, which
	// the stemmer leaves alone.
	for _, name := range []string{en.PossessiveName, lowercase.Name, en.StopName, porter.Name} {
		f, err := cache.TokenFilterNamed(name)
		if err != nil {
			return nil, err
		}
		filters = append(filters, f)
	}
	filters = append(filters, zhStop{})
	return &analysis.DefaultAnalyzer{Tokenizer: &mixedTokenizer{search: search, unicode: uni}, TokenFilters: filters}, nil
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
