package moderation_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/moderation"
	"github.com/redmark/redmark/internal/notes"
)

// held publishes and reports whether the note came out hidden, with the
// signal kinds of its case.
func (f *fixture) held(author accounts.User, title, body string) (bool, []string) {
	f.t.Helper()
	n, err := f.publishText(author, title, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if n.Status == notes.Published {
		return false, nil
	}
	q, err := f.m.Queue(f.ctx, f.mod, "", 100)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, c := range q {
		if c.TargetID == n.ID {
			full, err := f.m.Get(f.ctx, f.mod, c.ID)
			if err != nil {
				f.t.Fatal(err)
			}
			var kinds []string
			for _, s := range full.Signals {
				kinds = append(kinds, s.Kind)
			}
			if len(full.Actions) != 1 || full.Actions[0].Kind != moderation.Hold || full.Actions[0].ActorID != 0 {
				f.t.Fatalf("held note's case actions %+v", full.Actions)
			}
			return true, kinds
		}
	}
	f.t.Fatalf("note %s is %s without a case", n.ID, n.Status)
	return false, nil
}

// TestSignals: filters in zh and en (folded, traditional, spaced out),
// hold and reject; contact spam; near-duplicates from several accounts;
// a burst from a new account. Each hold opens a case with evidence; clean
// text is published.
func TestSignals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.m.Config = moderation.DefaultConfig
		f.m.Config.BurstNotes = 0 // until the burst below
		op := f.user("op", accounts.RoleOperator)
		_, err := f.m.AddFilter(f.ctx, f.mod, moderation.FilterInput{Kind: moderation.Keyword, Pattern: "代购", Action: moderation.Hold})
		wantCode(t, err, "forbidden")
		for _, in := range []moderation.FilterInput{
			{Kind: moderation.Keyword, Pattern: "代购", Action: moderation.Hold},
			{Kind: moderation.Keyword, Pattern: "replica", Action: moderation.Hold},
			{Kind: moderation.Pattern, Pattern: `(?:赌|博)彩`, Action: moderation.Reject},
			{Kind: moderation.Keyword, Pattern: "kill yourself", Action: moderation.Reject},
		} {
			if _, err := f.m.AddFilter(f.ctx, op, in); err != nil {
				t.Fatal(err)
			}
		}
		_, err = f.m.AddFilter(f.ctx, op, moderation.FilterInput{Kind: moderation.Keyword, Pattern: "代购", Action: moderation.Reject})
		wantCode(t, err, "conflict")
		_, err = f.m.AddFilter(f.ctx, op, moderation.FilterInput{Kind: moderation.Pattern, Pattern: "(", Action: moderation.Hold})
		wantCode(t, err, "invalid_input")

		u := f.user("writer", accounts.RoleUser)
		for _, tc := range []struct {
			title, body string
			hold        bool
			kind        string
		}{
			{"日本专业代购", "", true, "filter"},
			{"日本代購", "traditional characters fold", true, "filter"},
			{"代 购 小店", "", true, "filter"},
			{"REPLICA bags", "", true, "filter"},
			{"好物分享", "加微信 abc_12345 领券", true, "contact"},
			{"Call me", "138 1234 5678", true, "contact"},
			{"链接", "https://spam.example.com/deal", true, "contact"},
			{"福利", "扫码进群", true, "contact"},
			{"Sunday brunch", "eggs benedict and coffee at noon", false, ""},
		} {
			hold, kinds := f.held(u, tc.title, tc.body)
			if hold != tc.hold || (hold && !strings.Contains(strings.Join(kinds, ","), tc.kind)) {
				t.Errorf("%q %q: held %v %v", tc.title, tc.body, hold, kinds)
			}
		}
		_, err = f.publishText(u, "博彩平台", "")
		wantCode(t, err, "content_rejected")
		_, err = f.publishText(u, "Kill Yourself", "")
		wantCode(t, err, "content_rejected")
		nid := f.publish(op)
		_, err = f.a.Social.Comment(f.ctx, u, nid, "加vx: seller888 私聊", 0)
		if err != nil {
			t.Fatal(err)
		}
		cs, _ := f.a.Social.Comments(f.ctx, 0, nid, 0, 10)
		if len(cs) != 0 {
			t.Fatalf("a held comment shows: %+v", cs)
		}

		// Near-duplicates: three accounts post one text with small edits;
		// the third is held with the other two as evidence.
		spam := "超级好用的面霜，敏感肌也可以用，保湿一整天，价格很便宜，库存不多，赶快下单吧"
		for i := range 3 {
			a := f.user(fmt.Sprintf("dup%d", i), accounts.RoleUser)
			hold, kinds := f.held(a, "面霜推荐", spam+strings.Repeat("！", i))
			if want := i == 2; hold != want || (hold && kinds[0] != moderation.SignalDuplicate) {
				t.Fatalf("duplicate %d held %v %v", i, hold, kinds)
			}
		}
		// A burst: a new account's fifth note within minutes.
		f.m.Config.BurstNotes = moderation.DefaultConfig.BurstNotes
		b := f.user("burst", accounts.RoleUser)
		for i := range 5 {
			hold, kinds := f.held(b, fmt.Sprintf("day %d", i), fmt.Sprintf("note number %d", i))
			if want := i == 4; hold != want || (hold && kinds[0] != moderation.SignalBurst) {
				t.Fatalf("burst note %d held %v %v", i, hold, kinds)
			}
		}
	})
}

// TestSimHash: planted near-duplicates are within the distance, unrelated
// texts are far apart.
func TestSimHash(t *testing.T) {
	a, _ := moderation.SimHash("超级好用的面霜，敏感肌也可以用，保湿一整天，价格很便宜", 4)
	b, _ := moderation.SimHash("超级好用的面霜！敏感肌也可以用，保湿一整天，价格很便宜！", 4)
	c, _ := moderation.SimHash("周末去杭州西湖散步，看了断桥和雷峰塔，晚上吃了东坡肉", 4)
	if d := moderation.Distance(a, b); d > 3 {
		t.Errorf("near-duplicates %d bits apart", d)
	}
	if d := moderation.Distance(a, c); d < 10 {
		t.Errorf("unrelated texts only %d bits apart", d)
	}
	if _, ok := moderation.SimHash("short", 4); ok {
		t.Error("a one-word text was hashed")
	}
}

// FuzzContactHits: the contact patterns never panic and report substrings
// of the folded text.
func FuzzContactHits(f *testing.F) {
	for _, s := range []string{"加微信 abc_12345", "138 1234 5678", "+86 13812345678", "https://x.cn/a", "扫码", "ＷＸ：ａｂｃ１２３４５", "", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		folded := moderation.Fold(s)
		for kind, hits := range moderation.ContactHits(s) {
			for _, h := range hits {
				if !strings.Contains(folded, h) {
					t.Fatalf("%s hit %q is not in %q", kind, h, folded)
				}
			}
		}
	})
}

// FuzzFilter: any keyword the lists accept matches a text that contains
// it, whatever the case or width; patterns either compile or are refused.
func FuzzFilter(f *testing.F) {
	f.Add("代购", "日本代购小店")
	f.Add("Replica", "REPLICA bags")
	f.Add("(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, kw, text string) {
		text = strings.ToValidUTF8(text, "")
		in, err := moderation.CheckFilter(moderation.FilterInput{Kind: moderation.Keyword, Pattern: kw, Action: moderation.Hold})
		if err == nil && !moderation.FilterMatches(in, text+in.Pattern+text) {
			t.Fatalf("keyword %q does not match a text containing it", in.Pattern)
		}
		if _, err := moderation.CheckFilter(moderation.FilterInput{Kind: moderation.Pattern, Pattern: kw, Action: moderation.Reject}); err == nil {
			moderation.FilterMatches(moderation.FilterInput{Kind: moderation.Pattern, Pattern: kw}, text)
		}
	})
}

// FuzzReportInput: report validation never panics, and what it accepts
// is within bounds.
func FuzzReportInput(f *testing.F) {
	f.Add("note", int64(1), "spam", "加微信")
	f.Add("store", int64(-1), "counterfeit", strings.Repeat("假", 600))
	f.Add("bogus", int64(0), "", "\x00")
	f.Fuzz(func(t *testing.T, kind string, target int64, reason, details string) {
		in, err := moderation.CheckReport(moderation.Input{TargetKind: kind, TargetID: id.ID(target), Reason: reason, Details: details})
		if err != nil {
			return
		}
		if in.TargetID <= 0 || utf8.RuneCountInString(in.Details) > moderation.DetailsMax || !utf8.ValidString(in.Details) {
			t.Fatalf("accepted %+v", in)
		}
	})
}
