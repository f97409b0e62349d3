package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/accounts"
)

// Languages the web app speaks. zh-CN is the default: the community is
// Chinese-first, so English is chosen only when asked for.
const (
	langZH = "zh-CN"
	langEN = "en"
)

var langs = []string{langZH, langEN}

// LangCookie remembers the language picked with the switcher.
const LangCookie = "lang"

var catalogs = map[string]map[string]string{langZH: catalogZH, langEN: catalogEN}

// translate looks key up in lang's catalog and formats args into it. A
// missing key shows itself, which the catalog tests catch before release.
func translate(lang, key string, args ...any) string {
	s, ok := catalogs[lang][key]
	if !ok {
		s = key
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

func validLang(s string) bool { return s == langZH || s == langEN }

// pickLang chooses the page language: the switcher's cookie, then the
// signed-in user's saved preference, then Accept-Language, then zh-CN.
func pickLang(r *http.Request, me *accounts.User) string {
	if c, err := r.Cookie(LangCookie); err == nil && validLang(c.Value) {
		return c.Value
	}
	if me != nil && validLang(me.Locale) {
		return me.Locale
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// acceptLanguage returns the supported language the header prefers most
// (by q-value, then order); zh-CN when it names neither.
func acceptLanguage(h string) string {
	best, bestQ := langZH, -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		tag = strings.ToLower(tag)
		var l string
		switch {
		case tag == "zh" || strings.HasPrefix(tag, "zh-"):
			l = langZH
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			l = langEN
		default:
			continue
		}
		if q > bestQ && q > 0 {
			best, bestQ = l, q
		}
	}
	return best
}

// relTime renders t relative to now: "3 小时前" / "3h ago", falling back to a
// date after a week.
func relTime(lang string, t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return translate(lang, "time.just_now")
	case d < time.Hour:
		return translate(lang, "time.minutes_ago", int(d/time.Minute))
	case d < 24*time.Hour:
		return translate(lang, "time.hours_ago", int(d/time.Hour))
	case d < 7*24*time.Hour:
		return translate(lang, "time.days_ago", int(d/(24*time.Hour)))
	case t.Year() == now.Year():
		return t.Format("01-02")
	default:
		return t.Format("2006-01-02")
	}
}

// shortNum abbreviates counts the way the app shows them: 1.2万 in Chinese,
// 12.3k in English.
func shortNum(lang string, n int64) string {
	if lang == langZH && n >= 10000 {
		return trimZero(float64(n)/10000) + "万"
	}
	if lang == langEN && n >= 1000 {
		if n >= 1000000 {
			return trimZero(float64(n)/1000000) + "m"
		}
		return trimZero(float64(n)/1000) + "k"
	}
	return strconv.FormatInt(n, 10)
}

func trimZero(f float64) string {
	s := strconv.FormatFloat(float64(int64(f*10))/10, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}
