package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/moderation"
)

// moderationWorld gives the language walk something on every moderation
// page: bob reports alice's note through the form, the operator warns
// alice on it (an appealable action), adds a filter and schedules a spot
// check. It returns the case id and a report form's path.
func moderationWorld(t *testing.T, e *apitest.Env, w *consoleWorld, bob *browser, note string) (string, string) {
	t.Helper()
	ctx := context.Background()
	nid := strings.TrimPrefix(note, "/n/")
	form := "/report?kind=note&id=" + nid
	bob.post("/report", url.Values{"kind": {"note"}, "id": {nid}, "reason": {"spam"}, "details": {"ads"}}).redirectsTo("/me/moderation?reported=1")
	q, err := e.App.Moderation.Queue(ctx, w.opUser, "", 10)
	if err != nil || len(q) != 1 {
		t.Fatalf("queue %+v, %v", q, err)
	}
	if _, err := e.App.Moderation.Act(ctx, w.opUser, q[0].ID, moderation.ActionInput{Kind: moderation.Warn, Reason: "no ads"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Moderation.AddFilter(ctx, w.opUser, moderation.FilterInput{Kind: moderation.Keyword, Pattern: "代购", Action: moderation.Hold}); err != nil {
		t.Fatal(err)
	}
	return q[0].ID.String(), form
}

// TestModerationPages: the report form files a report; a moderator works
// the console's moderation area but no other console page; an ordinary
// user gets 403 everywhere in it; the author sees a hidden note with its
// banner, others get 404; the author appeals from /me/moderation and an
// operator overturns from the appeals page.
func TestModerationPages(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		w := newConsoleWorld(t, e)
		bob := signUp(t, e, "bob", "Bob")
		mod := signUp(t, e, "mia", "Mia")
		mu, err := e.App.Accounts.GetByUsername(ctx, "mia")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.App.Accounts.SetRole(ctx, mu.ID, accounts.RoleModerator); err != nil {
			t.Fatal(err)
		}
		note := publish(t, w.user, "Buy now", "cheap", nil)
		nid := strings.TrimPrefix(note, "/n/")
		if !strings.Contains(bob.get(note).Body, `data-testid="report-note"`) {
			t.Fatal("no report link on someone else's note")
		}
		bob.post("/report", url.Values{"kind": {"note"}, "id": {nid}, "reason": {"bogus"}}).want(400)
		form := bob.get("/report?kind=note&id=" + nid).Body
		for _, r := range []string{"undisclosed_ad", "prohibited_item"} {
			if !strings.Contains(form, `data-testid="reason-`+r+`"`) {
				t.Fatalf("the report form has no %s reason", r)
			}
		}
		bob.post("/report", url.Values{"kind": {"note"}, "id": {nid}, "reason": {"undisclosed_ad"}}).redirectsTo("/me/moderation?reported=1")
		if !strings.Contains(bob.get("/me/moderation").Body, "未标注的广告") {
			t.Fatal("the reporter's list does not name the reason")
		}
		for _, p := range []string{"/console/moderation", "/console/moderation/appeals", "/console/moderation/audit", "/console/moderation/filters"} {
			bob.get(p).want(403)
			mod.get(p).want(200)
		}
		mod.get("/console/moderation/quality").want(403)
		mod.get("/console/users").want(403)
		cid := regexpFind(t, mod.get("/console/moderation").Body, `href="/console/moderation/cases/([0-9]+)"`)
		bob.post("/console/moderation/cases/"+cid+"/act", url.Values{"kind": {"hide"}, "reason": {"x"}}).want(403)
		mod.post("/console/moderation/cases/"+cid+"/act", url.Values{"kind": {"hide"}, "reason": {"广告"}}).redirectsTo("/console/moderation/cases/" + cid)
		bob.get(note).want(404)
		if !strings.Contains(w.user.get(note).Body, `data-testid="hidden-notice"`) {
			t.Fatal("the author does not see the hidden banner")
		}
		mine := w.user.get("/me/moderation").Body
		aid := regexpFind(t, mine, `action="/me/moderation/([0-9]+)/appeal"`)
		bob.post("/me/moderation/"+aid+"/appeal", url.Values{"body": {"not yours"}}).want(404)
		w.user.post("/me/moderation/"+aid+"/appeal", url.Values{"body": {"这是原创"}}).redirectsTo("/me/moderation?appealed=1")
		appeals := mod.get("/console/moderation/appeals").Body
		if strings.Contains(appeals, `data-testid="overturn"`) {
			t.Fatal("the acting moderator is offered the decision")
		}
		pid := regexpFind(t, w.op.get("/console/moderation/appeals").Body, `action="/console/moderation/appeals/([0-9]+)/decide"`)
		mod.post("/console/moderation/appeals/"+pid+"/decide", url.Values{"status": {"overturned"}, "decision": {"x"}}).want(403)
		w.op.post("/console/moderation/appeals/"+pid+"/decide", url.Values{"status": {"overturned"}, "decision": {"恢复"}}).redirectsTo("/console/moderation/appeals")
		bob.get(note).want(200)
	})
}

// TestServiceLevelsShown: a store's after-sales record (E8) shows on its
// store page for shoppers, in its merchant console and in the operators'
// quality console, from the store's real orders.
func TestServiceLevelsShown(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		ctx := context.Background()
		w := newConsoleWorld(t, e)
		now, hour := time.Now().UnixMilli(), time.Hour.Milliseconds()
		store, err := id.Parse(w.store)
		if err != nil {
			t.Fatal(err)
		}
		// One order paid two days ago and shipped 12.5 hours later.
		if _, err := e.App.DB.Writer(ctx).Exec(ctx, `INSERT INTO orders (id, user_id, store_id, status, subtotal, total, address, expires_at,
			paid_at, shipped_at, created_at, updated_at) VALUES (?, ?, ?, 'shipped', 100, 100, '{}', ?, ?, ?, ?, ?)`,
			id.New(), w.alice.ID, store, now, now-48*hour, now-48*hour+25*hour/2, now, now); err != nil {
			t.Fatal(err)
		}
		page := w.user.get("/shop/s/" + w.store).Body
		line := regexpFind(t, page, `data-testid="store-levels">([^<]*)<`)
		if !strings.Contains(line, "发货用时 12.5 小时") {
			t.Fatalf("store page service line %q", line)
		}
		console := w.op.get("/console/moderation/quality").Body
		if !strings.Contains(console, "福利社") || !strings.Contains(console, "<td>12.5 小时</td>") {
			t.Fatal("the quality console does not show the store's ship time")
		}
		mine := regexpFind(t, w.op.get("/merchant?store="+w.store).Body, `data-testid="merchant-levels">([^<]*)<`)
		if !strings.Contains(mine, "发货用时 12.5 小时") {
			t.Fatalf("the merchant console's service line %q", mine)
		}
		w.user.get("/console/moderation/quality").want(403)
	})
}
