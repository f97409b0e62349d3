package search

import "sync"

// synonymGroups are words readers use for the same thing, across English
// and Chinese: a query word also matches the others of its group
// (synonymWeight as much as itself). Folding (fold.go) already makes café
// and cafe one word; this list is for different words. It is applied to
// queries only, so changing it needs no rebuild. Keep it short and sure:
// a wrong pair costs precision on every query with that word.
var synonymGroups = [][]string{
	{"coffee", "café", "咖啡"},
}

// synonymWeight: a synonym's matches count this much of the word's own.
const synonymWeight = 0.7

var (
	synOnce sync.Once
	synOf   map[string][]string // analysed term → the other terms of its group
)

// synonyms returns the analysed terms that mean the same as term.
func synonyms(term string) []string {
	synOnce.Do(func() {
		synOf = map[string][]string{}
		for _, g := range synonymGroups {
			var terms []string
			for _, w := range g {
				if ts := AnalyzeQuery(w); len(ts) == 1 {
					terms = append(terms, ts[0].Term)
				}
			}
			for _, t := range terms {
				for _, o := range terms {
					if o != t {
						synOf[t] = append(synOf[t], o)
					}
				}
			}
		}
	})
	return synOf[term]
}
