package httpapi

// Live rooms (issue 11 part A) in the OpenAPI table; see docs/live.md.

var liveOps = []op{
	{"POST", "/api/v1/lives", "live", "Creators, brands, merchants: schedule a live with products to sell; the stream key is in this answer only", true, "LiveInput", 201, "LiveKey", nil},
	{"GET", "/api/v1/lives", "live", "Lives by ?status= (scheduled: soonest first; live, ended, all: newest first) and ?host_id=", false, "", 200, "LiveList", []string{"status", "host_id", "cursor", "limit"}},
	{"GET", "/api/v1/lives/{id}", "live", "A live with its products (pinned first), HLS playback_url while on air, replay_url once converted", false, "", 200, "Live", nil},
	{"PATCH", "/api/v1/lives/{id}", "live", "Host or operator: edit title, cover, schedule and products of a live that has not ended", true, "LiveInput", 200, "Live", nil},
	{"POST", "/api/v1/lives/{id}/key", "live", "Host or operator: a new stream key (the old one stops working); shown once", true, "", 200, "LiveKey", nil},
	{"DELETE", "/api/v1/lives/{id}/key", "live", "Host or operator: revoke the stream key; the media server refuses it and drops a running stream", true, "", 204, "", nil},
	{"POST", "/api/v1/lives/{id}/end", "live", "Host or operator: end the live (a scheduled one is cancelled)", true, "", 200, "Live", nil},
	{"PUT", "/api/v1/lives/{id}/pins/{product}", "live", "Host or operator: pin one of the live's products (shown first, as the product card)", true, "", 200, "Live", nil},
	{"DELETE", "/api/v1/lives/{id}/pins/{product}", "live", "Host or operator: unpin a product", true, "", 200, "Live", nil},
	{"GET", "/api/v1/lives/{id}/sales", "live", "Host or operator: orders placed from the live and their GMV (paid less refunds, fen)", true, "", 200, "LiveSales", nil},
	{"GET", "/api/v1/console/lives", "live", "Operators: the latest lives with their orders and GMV", true, "", 200, "LiveConsole", nil},
	{"POST", "/api/v1/live/hooks/{secret}/{call}", "live", "nginx-rtmp callbacks (form-encoded; secret from live-hook.key): call=publish answers 302 to the relay or 403, update 204 or 403, publish_done 204", false, "", 204, "", []string{"relay"}},
}

var liveSchemas = map[string]any{
	"LiveInput": obj(map[string]any{"title": str(), "cover_media_id": idStr(), "scheduled_at": timeStr(),
		"product_ids": arr(idStr())}, "title"),
	"LiveProduct": obj(map[string]any{"id": idStr(), "title": str(), "price": integer(), "cover_url": str(), "store_name": str(),
		"listed": boolean(), "pinned": boolean()}),
	"Live": obj(map[string]any{"id": idStr(), "host_id": idStr(), "host_username": str(), "host_display_name": str(), "title": str(),
		"cover_media_id": nullable(idStr()), "cover_url": str(),
		"status":       map[string]any{"type": "string", "enum": []string{"scheduled", "live", "ended"}},
		"scheduled_at": timeStr(), "started_at": nullable(timeStr()), "ended_at": nullable(timeStr()), "has_stream_key": boolean(),
		"replay_status": map[string]any{"type": "string", "enum": []string{"", "pending", "ready", "failed"}},
		"replay_url":    str(), "replay_poster_url": str(), "playback_url": str(), "products": arr(ref("LiveProduct")), "created_at": timeStr()}),
	"LiveKey":     obj(map[string]any{"live": ref("Live"), "stream_key": str(), "rtmp_url": str()}, "stream_key", "rtmp_url"),
	"LiveList":    page("items", "Live"),
	"LiveSales":   obj(map[string]any{"orders": integer(), "paid_orders": integer(), "gmv": integer()}),
	"LiveConsole": obj(map[string]any{"items": arr(map[string]any{"allOf": []any{ref("Live"), ref("LiveSales")}})}, "items"),
}

func init() {
	ops = append(ops, liveOps...)
	for k, v := range liveSchemas {
		schemas[k] = v
	}
}
