package web

import (
	"io/fs"
	"regexp"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/notify"
)

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	for k := range catalogEN {
		if _, ok := catalogZH[k]; !ok {
			t.Errorf("zh-CN lacks %q", k)
		}
	}
	for k := range catalogZH {
		if _, ok := catalogEN[k]; !ok {
			t.Errorf("en lacks %q", k)
		}
	}
}

// Every key the templates use exists.
func TestTemplateKeysExist(t *testing.T) {
	re := regexp.MustCompile(`\bt "([a-z0-9_.]+)"`)
	files, _ := fs.Glob(templateFS, "templates/*.html")
	for _, f := range files {
		b, _ := templateFS.ReadFile(f)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if _, ok := catalogEN[m[1]]; !ok {
				t.Errorf("%s uses unknown key %q", f, m[1])
			}
		}
	}
}

// Keys the templates build at run time.
func TestDynamicKeysExist(t *testing.T) {
	var keys []string
	for _, g := range accounts.Genders[1:] {
		keys = append(keys, "gender."+g)
	}
	for c, kinds := range notify.Categories {
		keys = append(keys, "notify.tab_"+c)
		for _, k := range kinds {
			keys = append(keys, "notify.kind_"+k)
		}
	}
	for _, k := range keys {
		if _, ok := catalogEN[k]; !ok {
			t.Errorf("catalog lacks %q", k)
		}
	}
}

func TestAcceptLanguage(t *testing.T) {
	cases := map[string]string{
		"":                        langZH,
		"en":                      langEN,
		"en-GB,en;q=0.9":          langEN,
		"zh-CN,zh;q=0.9,en;q=0.8": langZH,
		"ja, en;q=0.5":            langEN,
		"ja":                      langZH,
		"en;q=0.3, zh-TW;q=0.6":   langZH,
		"en;q=0":                  langZH,
		"zh;q=bad, en":            langEN,
	}
	for h, want := range cases {
		if got := acceptLanguage(h); got != want {
			t.Errorf("acceptLanguage(%q) = %s, want %s", h, got, want)
		}
	}
}

func TestRelTimeAndNumbers(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	if s := relTime(langZH, now.Add(-3*time.Hour), now); s != "3 小时前" {
		t.Errorf("zh: %q", s)
	}
	if s := relTime(langEN, now.Add(-3*time.Hour), now); s != "3h ago" {
		t.Errorf("en: %q", s)
	}
	if s := relTime(langEN, now.Add(-30*24*time.Hour), now); s != "05-02" {
		t.Errorf("old: %q", s)
	}
	if shortNum(langZH, 12345) != "1.2万" || shortNum(langEN, 12345) != "12.3k" || shortNum(langEN, 999) != "999" {
		t.Errorf("shortNum: %s %s", shortNum(langZH, 12345), shortNum(langEN, 12345))
	}
}

func TestTokenize(t *testing.T) {
	toks := tokenize("去 #上海旅行# 玩，见到 @Bob. 和 a@b.com #未知", []string{"上海旅行"}, []string{"bob"})
	var kinds []string
	for _, k := range toks {
		kinds = append(kinds, k.Kind+":"+k.Text)
	}
	want := []string{"text:去 ", "topic:#上海旅行#", "text: 玩，见到 ", "mention:@Bob", "text:. 和 a@b.com #未知"}
	if len(kinds) != len(want) {
		t.Fatalf("tokens %q", kinds)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("tokens %q, want %q", kinds, want)
		}
	}
	if toks[3].Name != "bob" || toks[1].Name != "上海旅行" {
		t.Fatalf("names: %+v", toks)
	}
}
