package httpapi

// Search, hot list and trending (D2, D3): their part of the OpenAPI table
// (openapi.go), kept next to their handlers.

var searchOps = []op{
	{"GET", "/api/v1/search", "search", "Search notes, products, users or topics (type); relevance blended with engagement and freshness, with highlights", false, "", 200, "SearchPage", []string{"q", "type", "cursor", "limit"}},
	{"GET", "/api/v1/search/suggest", "search", "Completions as you type: note titles, topics and users starting with q", false, "", 200, "SuggestList", []string{"q", "limit"}},
	{"GET", "/api/v1/search/hot", "search", "Hot searches: the queries most people searched (with results) in the last 24 hours, at least 3 people each", false, "", 200, "HotSearchList", nil},
	{"GET", "/api/v1/me/searches", "search", "The signed-in user's recent searches, newest first (at most 10)", true, "", 200, "RecentSearchList", nil},
	{"DELETE", "/api/v1/me/searches", "search", "Forget the signed-in user's recent searches", true, "", 204, "", nil},
	{"GET", "/api/v1/hot", "trends", "The hot list (热榜): weighted engagement with time decay, refreshed every minute; pinned entries first", false, "", 200, "HotList", []string{"limit"}},
	{"GET", "/api/v1/topics/trending", "trends", "Topics used today well above their own baseline; pinned first", false, "", 200, "TrendingList", []string{"limit"}},
	{"PUT", "/api/v1/hot/{id}/pin", "trends", "Pin a note to the top of the hot list (operators)", true, "", 204, "", nil},
	{"DELETE", "/api/v1/hot/{id}/pin", "trends", "Unpin a note (operators)", true, "", 204, "", nil},
	{"PUT", "/api/v1/hot/{id}/hide", "trends", "Hide a note from the hot list (operators)", true, "", 204, "", nil},
	{"DELETE", "/api/v1/hot/{id}/hide", "trends", "Stop hiding a note (operators)", true, "", 204, "", nil},
	{"PUT", "/api/v1/topics/{name}/pin", "trends", "Pin a topic to the top of trending (operators)", true, "", 204, "", nil},
	{"DELETE", "/api/v1/topics/{name}/pin", "trends", "Unpin a topic (operators)", true, "", 204, "", nil},
	{"PUT", "/api/v1/topics/{name}/hide", "trends", "Hide a topic from trending (operators)", true, "", 204, "", nil},
	{"DELETE", "/api/v1/topics/{name}/hide", "trends", "Stop hiding a topic (operators)", true, "", 204, "", nil},
}

var searchSchemas = map[string]any{
	"Highlighted": obj(map[string]any{"text": str(),
		"highlights": map[string]any{"type": "array", "description": "[start, end) ranges in Unicode code points of text; text is plain and must be escaped",
			"items": map[string]any{"type": "array", "items": integer(), "minItems": 2, "maxItems": 2}}}, "text", "highlights"),
	"SearchItem": obj(map[string]any{"note": ref("Note"), "user": ref("User"),
		"topic": obj(map[string]any{"name": str(), "note_count": integer()}), "product": ref("Product"),
		"title": ref("Highlighted"), "snippet": nullable(ref("Highlighted"))}, "title"),
	"SearchPage": obj(map[string]any{"type": map[string]any{"type": "string", "enum": []string{"notes", "products", "users", "topics"}},
		"items": arr(ref("SearchItem")), "total": integer(), "fallback": map[string]any{"type": "boolean",
			"description": "no result had every word; these have some"}, "next_cursor": nullable(str())}, "type", "items"),
	"SuggestList": obj(map[string]any{"items": arr(obj(map[string]any{
		"type": map[string]any{"type": "string", "enum": []string{"notes", "users", "topics"}}, "id": idStr(), "text": str()}))}, "items"),
	"HotSearchList":    obj(map[string]any{"items": arr(obj(map[string]any{"query": str(), "searchers": integer()}, "query", "searchers"))}, "items"),
	"RecentSearchList": obj(map[string]any{"items": arr(obj(map[string]any{"query": str(), "searched_at": timeStr()}, "query", "searched_at"))}, "items"),
	"HotList": obj(map[string]any{"items": arr(obj(map[string]any{"rank": integer(), "score": map[string]any{"type": "number"},
		"pinned": boolean(), "note": ref("Note")})), "updated_at": timeStr()}, "items"),
	"TrendingList": obj(map[string]any{"items": arr(obj(map[string]any{"name": str(), "uses_today": integer(),
		"expected": map[string]any{"type": "number"}, "score": map[string]any{"type": "number"}, "pinned": boolean()})),
		"updated_at": timeStr()}, "items"),
}

func init() {
	ops = append(ops, searchOps...)
	for k, v := range searchSchemas {
		schemas[k] = v
	}
}
