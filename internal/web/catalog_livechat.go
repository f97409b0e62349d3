package web

// Live chat (issue 11, part B): the chat panel livechat.js mounts on a
// live's page, and the watch-time earning rule.
func init() {
	addCatalog(map[string]string{
		"tasks.rule.live_watch": "Each minute watching a live",
	}, map[string]string{
		"tasks.rule.live_watch": "每观看直播 1 分钟",
	})
}
