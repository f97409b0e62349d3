package httpapi

// Live chat (issue 11, part B) in the OpenAPI table (openapi.go).

var liveChatOps = []op{
	{"GET", "/api/v1/lives/{id}/chat", "live", "The chat's state (viewers, hearts, live status), the heartbeat interval and, signed in, the viewer's standing (moderator, muted, banned)", false, "", 200, "LiveChatPage", nil},
	{"GET", "/api/v1/lives/{id}/chat/stream", "live", "Server-sent events (text/event-stream): state, then message (id: the message id), delete {id}, hearts {n, total} once a second, " +
		"viewers {n}. Last-Event-ID or ?after= replays up to 100 messages missed; 403 when banned. Slow readers are dropped and reconnect", false, "", 200, "", []string{"after"}},
	{"GET", "/api/v1/lives/{id}/chat/messages", "live", "Chat history, newest first (deleted messages left out)", false, "", 200, "LiveChatMessages", cursorQuery},
	{"POST", "/api/v1/lives/{id}/chat/messages", "live", "Send a message: plain text, 1–200 characters, one line (20 a minute); 403 muted or banned, 409 after the live ended", true, "LiveChatInput", 201, "LiveChatMessage", nil},
	{"DELETE", "/api/v1/lives/{id}/chat/messages/{msg}", "live", "Delete a message (the host, operators and moderators)", true, "", 204, "", nil},
	{"POST", "/api/v1/lives/{id}/chat/hearts", "live", "Send 1–20 hearts (gathered taps); counted and announced once a second; 409 unless on air", true, "LiveChatHearts", 202, "", nil},
	{"PUT", "/api/v1/lives/{id}/chat/mutes/{user}", "live", "Mute a user in this chat for 1 to 10080 minutes (the host, operators and moderators; not the host)", true, "LiveChatMute", 200, "LiveChatMuted", nil},
	{"DELETE", "/api/v1/lives/{id}/chat/mutes/{user}", "live", "Lift a mute", true, "", 204, "", nil},
	{"PUT", "/api/v1/lives/{id}/chat/bans/{user}", "live", "Ban a user from this chat (no messages, hearts or stream) until lifted", true, "", 204, "", nil},
	{"DELETE", "/api/v1/lives/{id}/chat/bans/{user}", "live", "Lift a ban", true, "", 204, "", nil},
	{"POST", "/api/v1/lives/{id}/watch", "live", "Watch-time heartbeat, every 30 s while the video plays in a visible tab (playing false on pause or hide). " +
		"One window per user: another tab's beats answer busy; each minute watched pays the live_watch rule once (daily cap)", true, "LiveWatchBeat", 200, "LiveWatchResult", nil},
}

var liveChatSchemas = map[string]any{
	"LiveChatState":    obj(map[string]any{"viewers": integer(), "hearts": integer(), "status": shopEnum("scheduled", "live", "ended")}),
	"LiveChatStanding": obj(map[string]any{"can_moderate": boolean(), "banned": boolean(), "muted_until": nullable(timeStr())}),
	"LiveChatPage":     obj(map[string]any{"state": ref("LiveChatState"), "me": nullable(ref("LiveChatStanding")), "beat_every_s": integer()}, "state"),
	"LiveChatMessage": obj(map[string]any{"id": idStr(), "live_id": idStr(), "host": boolean(), "body": str(), "created_at": timeStr(),
		"user": obj(map[string]any{"id": idStr(), "username": str(), "display_name": str(), "avatar_url": str()})}),
	"LiveChatMessages": page("items", "LiveChatMessage"),
	"LiveChatInput":    obj(map[string]any{"body": map[string]any{"type": "string", "minLength": 1, "maxLength": 200}}, "body"),
	"LiveChatHearts":   obj(map[string]any{"count": integer()}, "count"),
	"LiveChatMute":     obj(map[string]any{"minutes": integer()}, "minutes"),
	"LiveChatMuted":    obj(map[string]any{"muted_until": timeStr()}),
	"LiveWatchBeat":    obj(map[string]any{"tab": str(), "playing": boolean()}, "tab", "playing"),
	"LiveWatchResult":  obj(map[string]any{"counted": boolean(), "minutes": integer(), "points": integer(), "busy": boolean()}),
}

func init() {
	ops = append(ops, liveChatOps...)
	for k, v := range liveChatSchemas {
		schemas[k] = v
	}
}
