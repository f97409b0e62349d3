package httpapi

// The creator centre (G2) and disclosures in the OpenAPI table (openapi.go).

var creatorOps = []op{
	{"GET", "/api/v1/me/creator", "creators", "Your creator statistics per day over ?days= (1–90, default 30): views, likes, collects, comments, shares, tips, product clicks, orders and sales from your notes, new followers; totals; per note", true, "", 200, "CreatorStats", []string{"days"}},
	{"GET", "/api/v1/me/creator/notes/{id}", "creators", "One of your notes per day (404 for anyone else's note)", true, "", 200, "CreatorNote", []string{"days"}},
	{"POST", "/api/v1/notes/{id}/products/{product}/click", "creators", "Record a click from a note to a product it links (once per reader, product, note and day); credits the note with a purchase within 7 days", true, "", 204, "", nil},
	{"PUT", "/api/v1/notes/{id}/disclosure", "creators", "Declare a brand collaboration on your note: kind collab (合作) or sponsored (赞助), brand a brand or merchant account's username (author only)", true, "DisclosureInput", 200, "Disclosure", nil},
	{"DELETE", "/api/v1/notes/{id}/disclosure", "creators", "Remove the disclosure from your note (author only)", true, "", 204, "", nil},
}

func creatorCounts() map[string]any {
	return map[string]any{"views": integer(), "likes": integer(), "collects": integer(), "comments": integer(), "shares": integer(),
		"tips": integer(), "tip_points": integer(), "clicks": integer(), "orders": integer(), "sales": integer(), "new_followers": integer()}
}

var creatorSchemas = map[string]any{
	"CreatorDay":       obj(withProps(creatorCounts(), map[string]any{"day": integer(), "date": str()})),
	"CreatorNoteStats": obj(withProps(creatorCounts(), map[string]any{"note_id": idStr(), "title": str()})),
	"CreatorStats": obj(map[string]any{"days": arr(ref("CreatorDay")), "totals": obj(creatorCounts()),
		"notes": arr(ref("CreatorNoteStats"))}, "days", "totals", "notes"),
	"CreatorNote":     obj(map[string]any{"note": ref("CreatorNoteStats"), "days": arr(ref("CreatorDay"))}),
	"DisclosureInput": obj(map[string]any{"kind": shopEnum("collab", "sponsored"), "brand": str()}, "kind", "brand"),
	"Disclosure":      obj(map[string]any{"kind": shopEnum("collab", "sponsored"), "brand_id": idStr(), "brand": str(), "brand_name": str()}),
}

func init() {
	ops = append(ops, creatorOps...)
	for k, v := range creatorSchemas {
		schemas[k] = v
	}
	schemas["Note"].(map[string]any)["properties"].(map[string]any)["disclosure"] = ref("Disclosure")
}
