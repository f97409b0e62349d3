package web

// Live chat (issue 11, part B): the chat panel livechat.js mounts on a
// live's page, and the watch-time earning rule.
func init() {
	addCatalog(map[string]string{
		"tasks.rule.live_watch": "Each minute watching a live",
		"lc.title":              "Live chat",
		"lc.viewers":            "%d watching",
		"lc.hearts":             "♥ %d",
		"lc.host":               "Host",
		"lc.placeholder":        "Say something…",
		"lc.send":               "Send",
		"lc.heart":              "Send a heart",
		"lc.login":              "Sign in to chat",
		"lc.empty":              "No messages yet. Say hello!",
		"lc.delete":             "Delete",
		"lc.mute":               "Mute 10 min",
		"lc.ban":                "Ban",
		"lc.done":               "Done.",
		"lc.muted":              "You are muted in this chat for now.",
		"lc.banned":             "You can no longer take part in this chat.",
		"lc.ended":              "The live has ended; chat is closed.",
		"lc.slow":               "You are sending too fast. Wait a moment.",
		"lc.failed":             "Could not send. Try again.",
		"lc.offline":            "Reconnecting…",
	}, map[string]string{
		"tasks.rule.live_watch": "每观看直播 1 分钟",
		"lc.title":              "直播聊天",
		"lc.viewers":            "%d 人在看",
		"lc.hearts":             "♥ %d",
		"lc.host":               "主播",
		"lc.placeholder":        "说点什么…",
		"lc.send":               "发送",
		"lc.heart":              "点赞",
		"lc.login":              "登录后参与聊天",
		"lc.empty":              "还没有消息，来打个招呼吧！",
		"lc.delete":             "删除",
		"lc.mute":               "禁言 10 分钟",
		"lc.ban":                "移出聊天",
		"lc.done":               "已处理。",
		"lc.muted":              "你已被禁言，暂时不能发言。",
		"lc.banned":             "你已被移出本直播间聊天。",
		"lc.ended":              "直播已结束，聊天已关闭。",
		"lc.slow":               "发言太快了，请稍后再试。",
		"lc.failed":             "发送失败，请重试。",
		"lc.offline":            "正在重新连接…",
	})
}
