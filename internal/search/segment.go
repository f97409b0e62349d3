package search

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-ego/gse"
)

// zhDict is the Chinese word list and the segmentation over it. It is the
// algorithm of gse's CutDAGNoHMM (a DAG of the dictionary words in a run of
// Han characters, then the most probable path, ties to the longer word),
// with gse's loading rules (first occurrence of a word wins, single
// characters count 2), so it cuts text exactly as gse does
// (TestSegmenterMatchesGse) — but over ten times faster and in a fraction
// of the memory: gse's trie, per-word search-mode segments and HMM model
// took ~26 MiB of heap and most of the indexing CPU, and looked every
// candidate word up from the root of its trie.
//
// The words are a trie over runes in flat arrays: the children of the
// root (the first characters, thousands of them) in a table indexed by
// rune for the common CJK blocks, deeper children sorted by rune, so a cut
// walks from each character one step per following character.
type zhDict struct {
	words    int
	logTotal float64

	rootDense []int32        // child of the root for runes in [denseLo, denseHi), 0: none
	rootMap   map[rune]int32 // other first characters
	nodes     []trieNode
	edgeRune  []rune  // children of each node, sorted by rune
	edgeNode  []int32 // (node indexes; 0 is the root, never a child)
}

// denseLo..denseHi covers CJK extension A and the unified ideographs.
const denseLo, denseHi = 0x3400, 0xA000

type trieNode struct {
	first, n int32   // edges[first : first+n]
	word     bool    // a dictionary word ends here
	logFreq  float64 // its log frequency
}

// minWordFreq mirrors gse: rarer entries are not loaded.
const minWordFreq = 2.0

// dictBuilder collects words (first frequency wins) before the trie is
// flattened.
type dictBuilder struct {
	freq  map[string]float64
	order []string
	total float64
}

func (b *dictBuilder) add(word string, freq float64) {
	if word == "" || freq < minWordFreq {
		return
	}
	if utf8.RuneCountInString(word) < 2 {
		freq = 2 // as gse: single characters get a token frequency
	}
	if _, ok := b.freq[word]; ok {
		return
	}
	b.freq[word] = freq
	b.order = append(b.order, word)
	b.total += freq
}

// build flattens the words into the trie, breadth first.
func (b *dictBuilder) build() *zhDict {
	type tmp struct {
		kids map[rune]int
		word bool
		freq float64
	}
	ns := []*tmp{{kids: map[rune]int{}}}
	for _, w := range b.order {
		at := 0
		for _, r := range w {
			c, ok := ns[at].kids[r]
			if !ok {
				c = len(ns)
				ns = append(ns, &tmp{kids: map[rune]int{}})
				ns[at].kids[r] = c
			}
			at = c
		}
		ns[at].word, ns[at].freq = true, b.freq[w]
	}
	d := &zhDict{words: len(b.order), logTotal: math.Log(b.total), rootDense: make([]int32, denseHi-denseLo), rootMap: map[rune]int32{}}
	// Breadth-first renumbering: new index for each temporary node.
	index := make([]int32, len(ns))
	queue := []int{0}
	d.nodes = append(d.nodes, trieNode{})
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		rs := make([]rune, 0, len(ns[t].kids))
		for r := range ns[t].kids {
			rs = append(rs, r)
		}
		slices.SortFunc(rs, cmp.Compare)
		me := index[t]
		d.nodes[me].first, d.nodes[me].n = int32(len(d.edgeRune)), int32(len(rs))
		for _, r := range rs {
			c := ns[t].kids[r]
			index[c] = int32(len(d.nodes))
			n := trieNode{word: ns[c].word}
			if n.word {
				n.logFreq = math.Log(ns[c].freq)
			}
			d.nodes = append(d.nodes, n)
			d.edgeRune = append(d.edgeRune, r)
			d.edgeNode = append(d.edgeNode, index[c])
			if t == 0 {
				if r >= denseLo && r < denseHi {
					d.rootDense[r-denseLo] = index[c]
				} else {
					d.rootMap[r] = index[c]
				}
			}
			queue = append(queue, c)
		}
	}
	return d
}

// child is the node after following r from node (0: none).
func (d *zhDict) child(node int32, r rune) int32 {
	if node == 0 {
		if r >= denseLo && r < denseHi {
			return d.rootDense[r-denseLo]
		}
		return d.rootMap[r]
	}
	n := d.nodes[node]
	rs := d.edgeRune[n.first : n.first+n.n]
	if i, ok := slices.BinarySearch(rs, r); ok {
		return d.edgeNode[n.first+int32(i)]
	}
	return 0
}

// node is the trie node of s (0: s is neither a word nor a prefix of one).
func (d *zhDict) node(s string) int32 {
	at := int32(0)
	for _, r := range s {
		if at = d.child(at, r); at == 0 {
			return 0
		}
	}
	return at
}

// isWord reports whether s is a dictionary word.
func (d *zhDict) isWord(s string) bool { n := d.node(s); return n != 0 && d.nodes[n].word }

type dagEdge struct {
	end int     // index of the word's last rune
	w   float64 // log frequency of the word; see cut for the fallback
}

type route struct {
	score float64
	end   int
}

// cutBuf is reused between cuts (one per goroutine via a pool).
type cutBuf struct {
	runes  []rune
	starts []int // byte offset of each rune, plus len(text)
	edges  []dagEdge
	first  []int // edges[first[k]:first[k+1]] start at rune k
	routes []route
}

var cutPool = sync.Pool{New: func() any { return &cutBuf{} }}

// cut appends to out the byte offset where each word of text (a run of
// Han characters) ends.
func (d *zhDict) cut(text []byte, out []int) []int {
	b := cutPool.Get().(*cutBuf)
	defer cutPool.Put(b)
	b.runes, b.starts = b.runes[:0], b.starts[:0]
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRune(text[i:])
		b.runes, b.starts = append(b.runes, r), append(b.starts, i)
		i += n
	}
	n := len(b.runes)
	b.starts = append(b.starts, len(text))

	// The DAG: for each rune k, the dictionary words that start there.
	// Edge weights are gse's log(freq); when no word starts at k, the
	// character alone weighs log 1 if the dictionary does not know it,
	// and log 0 (−Inf) if it only begins longer words, which gse also does.
	b.edges, b.first = b.edges[:0], b.first[:0]
	for k := range n {
		b.first = append(b.first, len(b.edges))
		found := false
		node := d.child(0, b.runes[k])
		start := node
		for i := k; node != 0; {
			if nd := &d.nodes[node]; nd.word {
				b.edges = append(b.edges, dagEdge{end: i, w: nd.logFreq})
				found = true
			}
			if i++; i == n {
				break
			}
			node = d.child(node, b.runes[i])
		}
		if !found {
			w := 0.0 // log 1
			if start != 0 {
				w = math.Inf(-1)
			}
			b.edges = append(b.edges, dagEdge{end: k, w: w})
		}
	}
	b.first = append(b.first, len(b.edges))

	// The best path from the end backwards.
	if cap(b.routes) < n+1 {
		b.routes = make([]route, n+1)
	}
	rs := b.routes[:n+1]
	rs[n] = route{}
	for k := n - 1; k >= 0; k-- {
		best, have := route{}, false
		for _, e := range b.edges[b.first[k]:b.first[k+1]] {
			r := route{score: e.w - d.logTotal + rs[e.end+1].score, end: e.end}
			if !have || best.score < r.score || (best.score == r.score && best.end < r.end) {
				best, have = r, true
			}
		}
		rs[k] = best
	}
	for k := 0; k < n; {
		e := rs[k].end + 1
		out = append(out, b.starts[e])
		k = e
	}
	return out
}

// cutStrings is cut returning the words (tests, tools).
func (d *zhDict) cutStrings(text string) []string {
	var out []string
	at := 0
	for _, end := range d.cut([]byte(text), nil) {
		out = append(out, text[at:end])
		at = end
	}
	return out
}

var (
	dictOnce sync.Once
	zh       *zhDict
)

// dictWords yields the dictionary's words with their frequencies: the Han
// words of gse's IDF table with idf <= MaxIDF, then domainWords. The IDF
// table is "word idf" per line; idf = ln(N/df), so df, the frequency the
// segmentation wants, is proportional to e^-idf.
func dictWords(yield func(word string, freq int) bool) {
	for line := range strings.Lines(gse.ZhIdf) {
		word, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		idf, err := strconv.ParseFloat(v, 64)
		if err != nil || idf > MaxIDF || !hanOnly(word) {
			continue
		}
		if !yield(word, max(1, int(math.Exp(14-idf)))) {
			return
		}
	}
	for _, w := range domainWords {
		if hanOnly(w) && !yield(w, 300) {
			return
		}
	}
}

// zhWords loads the dictionary once per process.
func zhWords() *zhDict {
	dictOnce.Do(func() {
		b := &dictBuilder{freq: map[string]float64{}}
		for word, freq := range dictWords {
			b.add(word, float64(freq))
		}
		zh = b.build()
	})
	return zh
}
