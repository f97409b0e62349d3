package seed

import (
	"context"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/id"
)

// demoChats are short exchanges between the demo user and a few of their
// followers, so the message list is not empty on first look. Each pair is
// (what the follower says, what the demo user answers).
var demoChats = [][2]string{
	{"你好！想问下你上次笔记里的防晒是哪一款？", "是一款清爽型的，油皮也能用，我周末发个详细测评～"},
	{"Loved your Kyoto itinerary. Was the early temple visit worth it?", "Totally — go before 8am and you'll have it almost to yourself."},
	{"求那家火锅店的地址🙏", "在春熙路附近，晚上排队比较久，建议五点前到"},
}

// demoConversations sends demoChats through the messages service, which
// checks the follow rule like any other message.
func demoConversations(ctx context.Context, a *app.App) error {
	demo, err := a.Accounts.GetByUsername(ctx, DemoUsername)
	if err != nil {
		return err
	}
	rows, err := a.DB.Reader(ctx).Query(ctx, `SELECT follower_id FROM follows WHERE followee_id = ? ORDER BY follower_id LIMIT ?`,
		demo.ID, len(demoChats))
	if err != nil {
		return err
	}
	var fans []id.ID
	for rows.Next() {
		var f id.ID
		if err := rows.Scan(&f); err != nil {
			rows.Close()
			return err
		}
		fans = append(fans, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, f := range fans {
		if _, err := a.Messages.Send(ctx, f, demo.ID, demoChats[i][0]); err != nil {
			return err
		}
		if i%2 == 0 { // leave some unanswered, so unread badges show
			if _, err := a.Messages.Send(ctx, demo.ID, f, demoChats[i][1]); err != nil {
				return err
			}
		}
	}
	return nil
}
