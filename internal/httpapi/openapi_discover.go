package httpapi

// The discover feed (D1): its part of the OpenAPI table (openapi.go).

var discoverOps = []op{
	{"GET", "/api/v1/feed/discover", "feed", "Discover feed: personalised when signed in, a cold-start mix otherwise; each note says why (reasons). Pass next_cursor back for the next page of the same session (no repeats)", false, "", 200, "DiscoverPage", cursorQuery},
	{"POST", "/api/v1/events", "feed", "Report client events in a batch (≤ 100): impression, open, dwell (dwell_ms), like, collect, comment, share, hide, not_interested, product_click (product_id: a product the note links). A batch with one bad event is refused whole (400)", false, "EventBatch", 204, "", nil},
	{"GET", "/api/v1/me/interests", "feed", "Onboarding interests and suggested topics", true, "", 200, "Interests", nil},
	{"PUT", "/api/v1/me/interests", "feed", "Replace onboarding interests (≤ 20 topic names)", true, "InterestsInput", 200, "Interests", nil},
}

var discoverSchemas = map[string]any{
	"Reason": obj(map[string]any{
		"source":          map[string]any{"type": "string", "enum": []string{"similar", "model", "topic", "following", "author", "fresh", "popular"}},
		"because_note_id": idStr(), "topic": str(), "author_id": idStr()}, "source"),
	"DiscoverNote": map[string]any{"allOf": []any{ref("Note"), obj(map[string]any{"reasons": arr(ref("Reason"))}, "reasons")}},
	"DiscoverPage": page("notes", "DiscoverNote"),
	"Event": obj(map[string]any{
		"type":       map[string]any{"type": "string", "enum": []string{"impression", "open", "dwell", "like", "collect", "comment", "share", "hide", "not_interested", "product_click"}},
		"note_id":    idStr(),
		"product_id": map[string]any{"type": "string", "description": "opaque id; product_click only"},
		"dwell_ms":   map[string]any{"type": "integer", "minimum": 0, "maximum": 21600000, "description": "dwell events only"},
		"at":         map[string]any{"type": "string", "format": "date-time", "description": "default now; at most 24 h old, not in the future"}},
		"type", "note_id"),
	"EventBatch":     obj(map[string]any{"events": map[string]any{"type": "array", "items": ref("Event"), "minItems": 1, "maxItems": 100}}, "events"),
	"InterestsInput": obj(map[string]any{"topics": map[string]any{"type": "array", "items": str(), "maxItems": 20}}, "topics"),
	"Interests":      obj(map[string]any{"topics": arr(str()), "suggested": arr(str())}, "topics"),
}

func init() {
	ops = append(ops, discoverOps...)
	for k, v := range discoverSchemas {
		schemas[k] = v
	}
}
