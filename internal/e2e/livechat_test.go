package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/redmark/redmark/internal/apitest"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/livechat"
)

// TestLiveChatInBrowser: the host keeps the chat open; a viewer signs up,
// opens it, chats (markup shows as text) and sends hearts; the host's page
// shows the message live (SSE), deletes it, and it leaves the viewer's
// screen; the viewer count and heart total reach both pages.
func TestLiveChatInBrowser(t *testing.T) {
	path := chromium(t)
	e := apitest.New(t, dbtest.SQLite(t))
	host, err := e.App.Accounts.CreateOperator(context.Background(), "boss", "correct-horse-9")
	if err != nil {
		t.Fatal(err)
	}
	rooms := &livechat.MemRooms{}
	e.App.LiveChat.Rooms = rooms
	chat := e.URL + "/livechat/" + rooms.Add(host.ID, livechat.Live).String()
	e.App.StartLiveChat()

	hb, vb := browser(t, path), browser(t, path)
	signIn(t, hb, e.URL, "boss", "correct-horse-9")
	run(t, hb, "host opens the chat",
		chromedp.Navigate(chat),
		chromedp.WaitVisible(tid("livechat-form"), chromedp.ByQuery),
		waitText(tid("livechat-viewers"), "1"),
	)
	signup(t, vb, e.URL, "fan", "粉丝")
	run(t, vb, "viewer chats and taps hearts",
		chromedp.Navigate(chat),
		chromedp.WaitVisible(tid("livechat-form"), chromedp.ByQuery),
		waitText(tid("livechat-viewers"), "2"),
		chromedp.SendKeys(tid("livechat-input"), "主播好！<b>这支口红</b>多少钱？", chromedp.ByQuery),
		click(tid("livechat-send")),
		waitText(tid("livechat-list"), "<b>这支口红</b>"),
		click(tid("livechat-heart")),
		click(tid("livechat-heart")),
		click(tid("livechat-heart")),
		waitText(tid("livechat-hearts"), "3"),
	)
	screenshot(t, vb, "livechat-1-viewer")
	run(t, hb, "the host sees it live and deletes it",
		waitText(tid("livechat-list"), "多少钱"),
		waitText(tid("livechat-hearts"), "3"),
	)
	screenshot(t, hb, "livechat-2-host")
	run(t, hb, "delete", click(tid("livechat-delete")))
	run(t, vb, "the message leaves the viewer's screen",
		chromedp.WaitNotPresent(tid("livechat-message"), chromedp.ByQuery),
	)
	screenshot(t, vb, "livechat-3-deleted")
}
