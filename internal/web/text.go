package web

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is a piece of note or comment text: plain text, a #topic or an
// @mention. Templates render each kind with its own element, so links are
// built by html/template from escaped parts, never by concatenating HTML.
type token struct {
	Kind string // "text", "topic" or "mention"
	Text string // what is shown, including the # or @
	Name string // topic name or username, for the link
}

func nameRune(r rune, topic bool) bool {
	if topic {
		return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
	}
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.')
}

// tokenize splits s into tokens. Only #topics and @mentions the notes
// service recorded for the note (topics, mentions) become links, so the page
// links exactly what the service parsed; pass nil to link every candidate
// (comments).
func tokenize(s string, topics, mentions []string) []token {
	linkTopic := func(n string) bool { return topics == nil || containsFold(topics, n) }
	linkMention := func(n string) bool { return mentions == nil || containsFold(mentions, n) }
	var out []token
	text := 0 // start of the pending plain text
	flush := func(end int) {
		if end > text {
			out = append(out, token{Kind: "text", Text: s[text:end]})
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c != '#' && c != '@' {
			i++
			continue
		}
		topic := c == '#'
		j := i + 1
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !nameRune(r, topic) {
				break
			}
			j += n
		}
		name := s[i+1 : j]
		if !topic {
			name = strings.TrimRight(name, ".") // "@bob." ends a sentence
			j = i + 1 + len(name)
		}
		// An @ right after a word character is an e-mail address, not a mention.
		prevWord := false
		if i > 0 {
			r, _ := utf8.DecodeLastRuneInString(s[:i])
			prevWord = nameRune(r, false)
		}
		if name == "" || (!topic && prevWord) || (topic && !linkTopic(name)) || (!topic && !linkMention(name)) {
			i = j
			continue
		}
		end := j
		if topic && end < len(s) && s[end] == '#' { // RED style "#话题#"
			end++
		}
		flush(i)
		kind := "topic"
		if !topic {
			kind = "mention"
		}
		name = strings.ToLower(name)
		out = append(out, token{Kind: kind, Text: s[i:end], Name: name})
		text, i = end, end
	}
	flush(len(s))
	return out
}

// topicsNotIn lists the topics that tokens do not already link, in order:
// a note's topics are shown once, in its text where it names them.
func topicsNotIn(topics []string, tokens []token) []string {
	var out []string
	for _, t := range topics {
		linked := false
		for _, k := range tokens {
			if k.Kind == "topic" && strings.EqualFold(k.Name, t) {
				linked = true
				break
			}
		}
		if !linked {
			out = append(out, t)
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
