package httpapi

// Search, hot list and trending (D2, D3): their part of the OpenAPI table
// (openapi.go), kept next to their handlers.

var searchOps = []op{
	{"GET", "/api/v1/search", "search", "Search notes, products, users or topics (type); relevance blended with engagement and freshness, with highlights", false, "", 200, "SearchPage", []string{"q", "type", "cursor", "limit"}},
	{"GET", "/api/v1/search/suggest", "search", "Completions as you type: note titles, topics and users starting with q", false, "", 200, "SuggestList", []string{"q", "limit"}},
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
}

func init() {
	ops = append(ops, searchOps...)
	for k, v := range searchSchemas {
		schemas[k] = v
	}
}
