package web_test

import (
	"html"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/livechat"
	"github.com/redmark/redmark/internal/web"
)

// leakMatcher recognises, in a page of one language, a text node that is
// exactly a catalogue string of the other language and of no string of its
// own. Whole-node matching (format verbs become wildcards) keeps user
// content and short words shared by both languages out of the check.
type leakMatcher struct {
	exact map[string]string // text -> catalogue key
	fmts  []fmtLeak
}

type fmtLeak struct {
	key string
	re  *regexp.Regexp
}

var fmtVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

func newLeakMatcher(lang, other string) *leakMatcher {
	own := map[string]bool{}
	for _, v := range web.Catalogs[lang] {
		own[normText(v)] = true
	}
	m := &leakMatcher{exact: map[string]string{}}
	keys := make([]string, 0, len(web.Catalogs[other]))
	for k := range web.Catalogs[other] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := normText(web.Catalogs[other][k])
		if own[v] || !hasWord(fmtVerb.ReplaceAllString(v, "")) {
			continue
		}
		if !fmtVerb.MatchString(v) {
			m.exact[v] = k
			continue
		}
		// Literal parts must carry a word of their own, so "%s" or "%d · %s"
		// never match arbitrary text.
		var b strings.Builder
		b.WriteString("^")
		last := 0
		for _, loc := range fmtVerb.FindAllStringIndex(v, -1) {
			b.WriteString(regexp.QuoteMeta(v[last:loc[0]]))
			if v[loc[0]:loc[1]] == "%%" {
				b.WriteString("%")
			} else {
				b.WriteString(".+?")
			}
			last = loc[1]
		}
		b.WriteString(regexp.QuoteMeta(v[last:]))
		b.WriteString("$")
		m.fmts = append(m.fmts, fmtLeak{k, regexp.MustCompile(b.String())})
	}
	return m
}

// hasWord: at least two letters (Latin or CJK) in a row, so punctuation
// and numbers are never taken for a language.
func hasWord(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			if n++; n >= 2 {
				return true
			}
		} else {
			n = 0
		}
	}
	return false
}

func normText(s string) string { return strings.Join(strings.Fields(s), " ") }

var (
	dropBlocks = regexp.MustCompile(`(?is)<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->`)
	htmlTag    = regexp.MustCompile(`(?s)<[^>]*>`)
	// Attributes a reader sees or hears.
	seenAttr = regexp.MustCompile(`\b(?:placeholder|title|aria-label|alt)="([^"]*)"`)
)

// textNodes returns the visible text of a page: text between tags and the
// attributes shown to readers, unescaped and whitespace-collapsed.
func textNodes(body string) []string {
	body = dropBlocks.ReplaceAllString(body, "")
	var out []string
	for _, m := range seenAttr.FindAllStringSubmatch(body, -1) {
		out = append(out, normText(html.UnescapeString(m[1])))
	}
	for _, s := range htmlTag.Split(body, -1) {
		if s = normText(html.UnescapeString(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (m *leakMatcher) leaks(body string) []string {
	var out []string
	for _, s := range textNodes(body) {
		if k, ok := m.exact[s]; ok {
			out = append(out, k+" = "+s)
			continue
		}
		for _, f := range m.fmts {
			if f.re.MatchString(s) {
				out = append(out, f.key+" ~ "+s)
				break
			}
		}
	}
	return out
}

func TestLeakMatcherIsPrecise(t *testing.T) {
	zh := newLeakMatcher("zh-CN", "en")
	var enOnly string
	for v := range zh.exact {
		enOnly = v
		break
	}
	if enOnly == "" {
		t.Fatal("no English-only catalogue strings")
	}
	page := `<p>` + html.EscapeString(enOnly) + `</p><p>user wrote: ` + html.EscapeString(enOnly) + `</p><script>"` + enOnly + `"</script>`
	if got := zh.leaks(page); len(got) != 1 {
		t.Fatalf("leaks(%q) = %q, want exactly the one text node", page, got)
	}
	if got := zh.leaks(`<p>%</p><p>42</p><p>Alice</p>`); len(got) != 0 {
		t.Fatalf("false positives: %q", got)
	}
}

// TestNoLanguageLeaks walks the web app signed out, signed in and as an
// operator, in zh-CN and English, and fails on any text node that belongs
// only to the other language's catalogue.
func TestNoLanguageLeaks(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newConsoleWorld(t, e)
		fest := leakFestival(t, e, w)
		bob := signUp(t, e, "bob", "Bob")
		alice := w.user
		note := publish(t, alice, "Hello #world", "Body @bob #world", nil)
		bob.post("/u/alice/follow", nil).want(303)
		bob.post(note+"/like", nil)
		bob.post(note+"/comments", map[string][]string{"body": {"nice"}})
		bob.post(note+"/collect", map[string][]string{"new_board": {"Faves"}}).redirectsTo(note)
		bob.post("/messages/alice", map[string][]string{"body": {"hi"}}).redirectsTo("/messages/alice")
		board := regexpFind(t, bob.get("/u/bob?tab=boards").Body, `href="(/b/[0-9]+)"`)
		product := regexpFind(t, newBrowser(t, e).get("/shop/s/"+w.store).Body, `href="(/p/[^"]+)"`)
		lives := liveWorld(t, e, w.opUser, strings.TrimPrefix(product, "/p/"))
		alice.post("/me/addresses", addrForm("张三")).want(303)
		addrEdit := regexpFind(t, alice.get("/me/addresses").Body, `href="(/me/addresses/[0-9]+/edit)"`)
		modCase, modReport := moderationWorld(t, e, w, bob, note)

		rooms := &livechat.MemRooms{}
		e.App.LiveChat.Rooms = rooms
		chat := "/livechat/" + rooms.Add(w.opUser.ID, livechat.Live).String()
		common := []string{chat, chat + "/panel", "/", "/n/" + w.note, note, "/u/alice", "/u/alice?tab=boards", "/u/alice?tab=likes",
			"/u/alice/followers", "/u/alice/following", "/t/world", "/t/coffee", board, "/shop", product, "/shop/s/" + w.store,
			"/?channel=world", "/flash", "/flash/" + w.sale, "/hot", "/trending", "/places", "/campaigns", "/search?q=coffee",
			"/live", "/live/" + lives[0], "/live/" + lives[1], "/live/" + lives[2], product + "?live=" + lives[0],
			"/festivals", "/festivals/" + fest.Slug}
		signedIn := append([]string{"/publish", "/me/drafts", "/settings/profile", "/messages", "/messages/bob",
			"/notifications", "/notifications?tab=follows", "/notifications?tab=comments", "/cart", "/orders", "/orders?tab=after_sale",
			"/tasks", "/lists", "/onboarding", note + "/edit", "/following", "/me/addresses", "/me/addresses/new", addrEdit,
			"/checkout?sku=" + w.sku,
			"/creator", "/creator?days=7", note + "/disclosure", "/me/moderation", modReport}, common...)
		console := []string{chat, chat + "/panel", "/console/users", "/console/stores", "/console/flash", "/console/flash/" + w.sale,
			"/console/growth", "/console/hot", "/console/places", "/console/campaigns", "/console/promotions",
			"/console/live", "/live/new", "/live/" + lives[0] + "/manage", "/live/" + lives[2] + "/manage",
			"/console/festivals", "/console/festivals/" + fest.ID.String(), "/console/support", "/console/support/" + leakProgram(t, e, w),
			"/console/moderation", "/console/moderation?status=actioned", "/console/moderation/cases/" + modCase, "/console/moderation/appeals",
			"/console/moderation/audit", "/console/moderation/filters", "/console/moderation/quality"}
		// The analytics pages, with today's acts rolled up so their tables have rows.
		rollUpToday(t, e)
		for _, v := range []string{"overview", "retention", "funnel", "channels", "campaigns", "personas"} {
			console = append(console, "/console/analytics/"+v)
		}
		anon := newBrowser(t, e)
		walks := []struct {
			b     *browser
			pages []string
		}{
			{anon, append([]string{"/login", "/signup"}, common...)},
			{alice, signedIn},
			{w.op, console},
		}
		for _, pair := range [][2]string{{"zh-CN", "en"}, {"en", "zh-CN"}} {
			m := newLeakMatcher(pair[0], pair[1])
			for _, wk := range walks {
				wk.b.lang = pair[0]
				for _, p := range wk.pages {
					res := wk.b.get(p)
					if res.Status != 200 {
						t.Errorf("%s %s: status %d", pair[0], p, res.Status)
						continue
					}
					for _, l := range m.leaks(res.Body) {
						t.Errorf("%s page %s shows %s text: %s", pair[0], p, pair[1], l)
					}
				}
			}
		}
	})
}

var formError = regexp.MustCompile(`data-testid="(?:form|comment)-error"[^>]*>([^<]*)<`)

// TestRefusalsInReadersLanguage: what a page says when a service refuses a
// form (a bad coupon code, an unknown coupon, a bad username, a too-long
// comment, a note without an image) is a catalogue line of the reader's
// language, never the service's English message.
func TestRefusalsInReadersLanguage(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newConsoleWorld(t, e)
		alice, anon := w.user, newBrowser(t, e)
		note := "/n/" + w.note
		checkout := func(coupon string) url.Values {
			return url.Values{"sku": {w.sku}, "qty": {"1"}, "name": {"王小红"}, "phone": {"13800000000"}, "region": {"上海市 徐汇区"},
				"line": {"漕溪北路 1 号"}, "coupon": {coupon}, "action": {"preview"}}
		}
		for _, pair := range [][2]string{{"zh-CN", "en"}, {"en", "zh-CN"}} {
			own := newLeakMatcher(pair[1], pair[0]) // matches lines only pair[0]'s catalogue has
			alice.lang, anon.lang = pair[0], pair[0]
			for name, res := range map[string]*page{
				"bad coupon code": alice.post("/checkout", checkout("nope!")),
				"unknown coupon":  alice.post("/checkout", checkout("NOSUCH1")),
				"bad username":    anon.post("/signup", url.Values{"username": {"ab"}, "password": {"password123"}}),
				"long comment":    alice.post(note+"/comments", url.Values{"body": {strings.Repeat("好", 3000)}}),
				"note, no image":  alice.multipart("/publish", url.Values{"title": {"标题"}, "action": {"publish"}}),
				"bad quantity":    alice.post("/checkout", url.Values{"sku": {w.sku}, "qty": {"500"}, "action": {"preview"}}),
			} {
				m := formError.FindStringSubmatch(res.Body)
				if m == nil {
					t.Errorf("%s, %s: status %d and no form error", pair[0], name, res.Status)
					continue
				}
				msg := normText(html.UnescapeString(m[1]))
				if len(own.leaks("<p>"+html.EscapeString(msg)+"</p>")) != 1 {
					t.Errorf("%s, %s: the refusal %q is not a %s catalogue line", pair[0], name, msg, pair[0])
				}
			}
		}
	})
}
