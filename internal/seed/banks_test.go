package seed

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/notes"
)

// Every template of every bank fills without leftovers, every topic is a
// valid topic name, and generated usernames are valid and unique.
func TestBanks(t *testing.T) {
	w := writer{r: rand.New(rand.NewPCG(1, 1)), memo: map[string]string{}}
	for c := range numCategories {
		for l := range lang(2) {
			b := banks[c][l]
			if len(b.titles) == 0 || len(b.opens) == 0 || len(b.lines) == 0 || len(b.closes) == 0 ||
				len(b.topics) == 0 || len(b.bios) == 0 || len(b.boards) == 0 {
				t.Errorf("%s/%d: an empty list", categoryNames[c], l)
			}
			for _, list := range [][]string{b.titles, b.opens, b.lines, b.closes} {
				for _, tmpl := range list {
					w.begin()
					if s := w.fill(l, c, tmpl); strings.ContainsAny(s, "{}") {
						t.Errorf("%s: unfilled slot in %q", categoryNames[c], s)
					}
				}
			}
			for _, tp := range append(b.topics, generalTopics[l]...) {
				if _, err := notes.NormalizeTopic(tp); err != nil {
					t.Errorf("topic %q: %v", tp, err)
				}
			}
			for range 50 {
				w.begin()
				if n := len([]rune(w.title(l, c))); n > notes.TitleMax {
					t.Errorf("title of %d runes", n)
				}
			}
		}
	}
	taken := map[string]bool{}
	for range 3000 {
		p := w.person(taken)
		if n, err := accounts.NormalizeUsername(p.username); err != nil || n != p.username {
			t.Errorf("username %q: %v", p.username, err)
		}
		if len([]rune(p.display)) > accounts.DisplayNameMax || len([]rune(p.bio)) > accounts.BioMax {
			t.Errorf("too long: %q %q", p.display, p.bio)
		}
	}
	if len(taken) != 3000 {
		t.Errorf("%d distinct usernames of 3000", len(taken))
	}
}
