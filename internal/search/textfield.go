package search

import (
	"math"

	"github.com/blevesearch/bleve/v2/analysis"
	index "github.com/blevesearch/bleve_index_api"
)

// One posting list per word, three fields' statistics in it.
//
// A document's title, tags and body are indexed as a single Bleve field
// per kind ("notes_text"), so a query word walks one posting list instead
// of three (at a million notes a common word's title, tags and body lists
// held 1.8 times as many postings as the documents containing it; reading
// them was most of a query's time). The per-field statistics that
// relevance needs survive in the posting's two numbers, which Bleve stores
// verbatim as varints:
//
//   - the term frequency packs the word's count in each field:
//     title<<11 | tags<<6 | body (at most 31, 31 and 63; a word in the
//     body only, most postings, takes one byte);
//   - the "norm", which Bleve stores as the field length, packs the three
//     field lengths as 5-bit codes: title<<10 | tags<<5 | body, where a
//     length of n tokens is 1 + round(2·log₂ n) (0 for an empty field): a
//     length known within ±19%, the precision of Lucene's one-byte norms,
//     so 1/√length within ±9%.
//
// Both stay far below 31 bits (Bleve's one-hit posting encoding keeps 31)
// and the norm is never 0 for a word that occurs (that encoding uses 0 as
// "none"). The engine (engine.go) reads postings below Bleve's searchers
// and unpacks both numbers; TestPackedFieldSurvivesIndexing checks the
// round trip through segments and merges.

const (
	bodyTFBits  = 6
	otherTFBits = 5
	bodyTFMax   = 1<<bodyTFBits - 1
	otherTFMax  = 1<<otherTFBits - 1
	lenCodeBits = 5
	lenCodeMax  = 1<<lenCodeBits - 1
)

func packTF(title, tags, body int) int {
	return min(title, otherTFMax)<<(bodyTFBits+otherTFBits) | min(tags, otherTFMax)<<bodyTFBits | min(body, bodyTFMax)
}

func unpackTF(v uint64) (title, tags, body uint64) {
	return v >> (bodyTFBits + otherTFBits) & otherTFMax, v >> bodyTFBits & otherTFMax, v & bodyTFMax
}

// lenCode is the 5-bit code of a field length in tokens.
func lenCode(n int) int {
	if n <= 0 {
		return 0
	}
	return min(lenCodeMax, 1+int(math.Round(2*math.Log2(float64(n)))))
}

func packLen(title, tags, body int) int {
	return lenCode(title)<<(2*lenCodeBits) | lenCode(tags)<<lenCodeBits | lenCode(body)
}

func unpackLen(v uint64) (title, tags, body uint64) {
	return v >> (2 * lenCodeBits) & lenCodeMax, v >> lenCodeBits & lenCodeMax, v & lenCodeMax
}

// invSqrtLen[code] is 1/√length for the lengths a code stands for.
var invSqrtLen = func() (t [lenCodeMax + 1]float64) {
	for c := 1; c < len(t); c++ {
		t[c] = math.Exp2(-float64(c-1) / 4) // length 2^((c−1)/2)
	}
	return
}()

// textField is the Bleve field of a document's three texts: analysed by
// the index analyzer (in Bleve's analysis workers, in parallel), neither
// stored nor given term vectors: results are ids, and highlighting reads
// the database text.
type textField struct {
	name              string
	title, tags, body string
	length            int
	freqs             index.TokenFrequencies
}

func newTextField(name, title, tags, body string) *textField {
	return &textField{name: name, title: title, tags: tags, body: body}
}

func (f *textField) Name() string                                     { return f.name }
func (f *textField) ArrayPositions() []uint64                         { return nil }
func (f *textField) Options() index.FieldIndexingOptions              { return index.IndexField }
func (f *textField) Value() []byte                                    { return nil }
func (f *textField) EncodedFieldType() byte                           { return 't' }
func (f *textField) AnalyzedLength() int                              { return f.length }
func (f *textField) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }

func (f *textField) NumPlainTextBytes() uint64 {
	return uint64(len(f.title) + len(f.tags) + len(f.body))
}

func (f *textField) Size() int {
	n := 96 + len(f.name) + len(f.title) + len(f.tags) + len(f.body)
	for k := range f.freqs {
		n += 48 + len(k)
	}
	return n
}

// fieldStep is what one occurrence adds to a packed frequency in each
// field, and fieldCap the largest count a field holds.
var (
	fieldStep = [3]int{1 << (bodyTFBits + otherTFBits), 1 << bodyTFBits, 1}
	fieldCap  = [3]int{otherTFMax, otherTFMax, bodyTFMax}
)

func (f *textField) Analyze() {
	an, _ := analyzers()
	var toks [3]analysis.TokenStream
	var lens [3]int
	n := 0
	for i, text := range [3]string{f.title, f.tags, f.body} {
		if text != "" {
			toks[i] = an.Analyze([]byte(text))
			lens[i] = len(toks[i])
			n += lens[i]
		}
	}
	f.length = packLen(lens[0], lens[1], lens[2])
	f.freqs = make(index.TokenFrequencies, n*2/3) // distinct terms: most of the tokens
	for i := range toks {
		for _, t := range toks[i] {
			tf := f.freqs[string(t.Term)]
			if tf == nil {
				tf = &index.TokenFreq{Term: t.Term}
				f.freqs[string(t.Term)] = tf
			}
			// Count in place, saturating at the field's cap.
			v := tf.Frequency()
			if v/fieldStep[i]&fieldCap[i] < fieldCap[i] {
				tf.SetFrequency(v + fieldStep[i])
			}
		}
	}
}

// sqrtTF[n] is √n for every count a posting can hold.
var sqrtTF = func() (t [bodyTFMax + 1]float64) {
	for i := range t {
		t[i] = math.Sqrt(float64(i))
	}
	return
}()

// fieldScore is Σ boost(f) · √tf(f) / √len(f) over the three fields of one
// posting (the word's idf² multiplies it).
func fieldScore(tf, norm uint64) float64 {
	tt, tg, tb := unpackTF(tf)
	lt, lg, lb := unpackLen(norm)
	var s float64
	if tt > 0 {
		s += boostTitle * sqrtTF[tt] * invSqrtLen[lt]
	}
	if tg > 0 {
		s += boostTags * sqrtTF[tg] * invSqrtLen[lg]
	}
	if tb > 0 {
		s += boostBody * sqrtTF[tb] * invSqrtLen[lb]
	}
	return s
}
