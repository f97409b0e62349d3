package web_test

import (
	"net/url"
	"testing"

	"github.com/redmark/redmark/internal/apitest"
)

func TestExploreDiscoverOnboardingAndNotInterested(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		author := e.SignUp("author")
		img := author.Upload("/api/v1/media", "a.png", pngBytes(t, 40, 30)).Want(201).Str("id")
		var food string
		for _, topic := range []string{"美食", "旅行", "穿搭"} {
			n := author.Do("POST", "/api/v1/notes", map[string]any{"title": "关于" + topic, "media_ids": []string{img},
				"topics": []string{topic}}).Want(201).Str("id")
			if topic == "美食" {
				food = n
			}
		}
		// Signed out: the cold-start feed, with a reason line and no form.
		newBrowser(t, e).get("/").want(200).has(`data-testid="note-card"`, `data-testid="card-why"`).
			lacks(`data-testid="not-interested"`)

		b := signUp(t, e, "reader", "Reader")
		b.get("/onboarding").want(200).has(`data-testid="onboarding"`, `value="美食"`, `data-testid="onboarding-skip"`)
		b.post("/onboarding", url.Values{"topic": {"美食"}, "next": {"/"}}).redirectsTo("/")
		b.get("/").want(200).has(`data-testid="not-interested"`, "因为你喜欢 #美食")
		// Not interested (the form post): the note leaves the feed.
		b.post("/n/"+food+"/not-interested", url.Values{"back": {"/"}}).redirectsTo("/")
		b.get("/").want(200).lacks("/n/" + food + `"`)
		b.get("/n/" + food).want(200).has(`data-testid="not-interested"`)
		// Too many interests re-render the form with the reason.
		many := url.Values{"next": {"/"}}
		for i := 0; i < 21; i++ {
			many.Add("topic", "t"+string(rune('a'+i)))
		}
		b.post("/onboarding", many).want(400).has(`data-testid="form-error"`)
		newBrowser(t, e).get("/onboarding").redirectsTo("/login")
	})
}
