package seed

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/redmark/redmark/internal/notes"
)

// writer assembles text from the banks with its own random source, so the
// same seed always yields the same community. Within one note a slot keeps
// the value it first got (memo), so the title, body and location talk
// about the same city, product or film.
type writer struct {
	r    *rand.Rand
	memo map[string]string
}

// begin starts a new note.
func (w writer) begin() { clear(w.memo) }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// fill replaces every {slot} in tmpl.
func (w writer) fill(l lang, c category, tmpl string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	b := banks[c][l]
	var out strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			out.WriteString(tmpl)
			return out.String()
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			out.WriteString(tmpl)
			return out.String()
		}
		out.WriteString(tmpl[:i])
		key := tmpl[i+1 : i+j]
		v, ok := w.memo[key]
		if !ok {
			vals, found := b.slots[key]
			if !found {
				vals = sharedSlots[l][key]
			}
			v = pick(w.r, vals)
			w.memo[key] = v
		}
		out.WriteString(v)
		tmpl = tmpl[i+j+1:]
	}
}

// title fills a title template, drawing again when the filled title is
// longer than a note title may be (seeded notes obey the same rules as
// published ones, so they stay editable).
func (w writer) title(l lang, c category) string {
	var t string
	for range 20 {
		if t = w.fill(l, c, pick(w.r, banks[c][l].titles)); utf8.RuneCountInString(t) <= notes.TitleMax {
			return t
		}
	}
	return string([]rune(t)[:notes.TitleMax])
}

// topics picks two to four distinct topic names for a note.
func (w writer) topics(l lang, c category) []string {
	pool := banks[c][l].topics
	n := 2 + w.r.IntN(3)
	seen := map[string]bool{}
	var out []string
	for range n + 3 {
		t := pick(w.r, pool)
		if len(out) == n-1 && w.r.IntN(3) == 0 {
			t = pick(w.r, generalTopics[l])
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
		if len(out) == n {
			break
		}
	}
	return out
}

var (
	zhThanks = []string{"感谢 @%s 的安利", "和 @%s 一起", "灵感来自 @%s", "@%s 快来看"}
	enThanks = []string{"Thanks @%s for the rec", "with @%s", "inspired by @%s", "@%s you need this"}
	zhBullet = []string{"", "· ", "✔️ "}
)

// body writes the note text: an opening, a few points, a closing line, the
// #topics and any @mentions, the way people write on RED.
func (w writer) body(l lang, c category, topics, mentions []string) string {
	b := banks[c][l]
	var s strings.Builder
	s.WriteString(w.fill(l, c, pick(w.r, b.opens)))
	s.WriteString("\n\n")
	n := 2 + w.r.IntN(3)
	numbered := w.r.IntN(3) == 0
	bullet := ""
	if l == zh {
		bullet = pick(w.r, zhBullet)
	}
	used := map[int]bool{}
	for k := 0; k < n; k++ {
		i := w.r.IntN(len(b.lines))
		if used[i] {
			continue
		}
		used[i] = true
		if numbered {
			s.WriteString(strconv.Itoa(len(used)) + ". ")
		} else {
			s.WriteString(bullet)
		}
		s.WriteString(w.fill(l, c, b.lines[i]))
		s.WriteString("\n")
	}
	for _, m := range mentions {
		f := pick(w.r, zhThanks)
		if l == en {
			f = pick(w.r, enThanks)
		}
		s.WriteString(strings.Replace(f, "%s", m, 1))
		s.WriteString("\n")
	}
	s.WriteString("\n")
	s.WriteString(w.fill(l, c, pick(w.r, b.closes)))
	s.WriteString("\n\n")
	for i, t := range topics {
		if i > 0 {
			s.WriteString(" ")
		}
		s.WriteString("#" + t)
	}
	return s.String()
}

// location is set on most travel and food notes and a few others: the
// city the note talks about, if any.
func (w writer) location(l lang, c category) string {
	p := 8
	if c == travel || c == food {
		p = 85
	}
	if w.r.IntN(100) >= p {
		return ""
	}
	if city, ok := w.memo["city"]; ok {
		return city
	}
	return pick(w.r, locations[l])
}

func (w writer) comment(l lang) string { return pick(w.r, comments[l]) }
func (w writer) reply(l lang) string   { return pick(w.r, replies[l]) }

// person is a generated account.
type person struct {
	username, display, bio string
	lang                   lang
	cat                    category // what they mostly post about
	gender, region         string
	birthYear              int
}

// person invents an account whose username is not in taken (and adds it).
// Usernames stay within [a-z0-9_.], 3–30 characters, starting with a letter.
func (w writer) person(taken map[string]bool) person {
	p := person{cat: category(w.r.IntN(int(numCategories)))}
	if w.r.IntN(10) < 3 {
		p.lang = en
	}
	var base string
	if p.lang == zh {
		f, s := pick(w.r, zhFirst), pick(w.r, zhSuffix)
		p.display = f.show + s.show
		base = f.latin
		if s.latin != "" {
			base += pick(w.r, []string{"", "_", "."}) + s.latin
		}
	} else {
		f, l := pick(w.r, enFirst), pick(w.r, enLast)
		switch w.r.IntN(3) {
		case 0:
			p.display = f + " " + l
			base = strings.ToLower(f) + pick(w.r, []string{".", "_", ""}) + strings.ToLower(l)
		case 1:
			t := pick(w.r, enTag)
			p.display = f + " | " + t
			base = strings.ToLower(f) + pick(w.r, []string{".", "_", ""}) + t
		default:
			p.display = f
			base = strings.ToLower(f) + "." + strings.ToLower(l)
		}
	}
	p.username = base
	for digits := 2; taken[p.username]; digits++ {
		p.username = base + strconv.Itoa(w.r.IntN(pow10(min(digits, 8))))
	}
	taken[p.username] = true
	p.bio = w.bio(p.lang, p.cat)
	if w.r.IntN(10) < 7 { // the private persona is optional: most fill it in
		p.gender = pick(w.r, []string{"female", "female", "female", "male", "other"})
		p.birthYear = 1985 + w.r.IntN(21)
		p.region = pick(w.r, regions)
	}
	return p
}

func pow10(n int) int {
	v := 1
	for range n {
		v *= 10
	}
	return v
}

func (w writer) bio(l lang, c category) string {
	b := pick(w.r, banks[c][l].bios)
	extra := zhBioExtra
	if l == en {
		extra = enBioExtra
	}
	switch w.r.IntN(3) {
	case 0:
		return b
	case 1:
		return b + " | " + pick(w.r, extra)
	default:
		return pick(w.r, extra) + " | " + b
	}
}
