package httpapi

// Notes ↔ products (E4) in the OpenAPI table: the product routes, and the
// product fields the note schemas gain.

var productNoteOps = []op{
	{"GET", "/api/v1/products/{id}/notes", "shop", "Creators' notes that link the product, newest first", false, "", 200, "NoteList", cursorQuery},
	{"GET", "/api/v1/products/{id}/reviews", "shop", "Buyers' reviews, newest first, with the rating summary", false, "", 200, "ReviewList", cursorQuery},
	{"POST", "/api/v1/products/{id}/reviews", "shop", "Review a product you received (one review per order line); publish_as_note also publishes a note linking it", true, "ReviewInput", 201, "Review", nil},
}

var productNoteSchemas = map[string]any{
	"ProductCard": obj(map[string]any{"id": idStr(), "title": str(), "price": shopFen(), "cover_url": str(), "store_name": str(),
		"official": boolean()}),
	"ReviewInput": obj(map[string]any{"rating": map[string]any{"type": "integer", "minimum": 1, "maximum": 5},
		"body": map[string]any{"type": "string", "maxLength": 1000}, "media_ids": arr(idStr()), "publish_as_note": boolean()},
		"rating", "body"),
	"Review": obj(map[string]any{"id": idStr(), "product_id": idStr(), "author": ref("User"), "rating": integer(), "body": str(),
		"media": arr(ref("Media")), "note_id": idStr(), "created_at": timeStr()}),
	"ReviewList": obj(map[string]any{"items": arr(ref("Review")), "rating": obj(map[string]any{"count": integer(),
		"average": map[string]any{"type": "number"}}), "next_cursor": nullable(str())}, "items"),
}

func init() {
	ops = append(ops, productNoteOps...)
	for k, v := range productNoteSchemas {
		schemas[k] = v
	}
	// Notes carry their linked products; writes name them by id.
	addProp := func(schema, name string, v map[string]any) {
		schemas[schema].(map[string]any)["properties"].(map[string]any)[name] = v
	}
	addProp("NoteInput", "product_ids", map[string]any{"type": "array", "items": idStr(), "maxItems": 5})
	addProp("NotePatch", "product_ids", map[string]any{"type": "array", "items": idStr(), "maxItems": 5})
	addProp("Note", "products", arr(ref("ProductCard")))
}
