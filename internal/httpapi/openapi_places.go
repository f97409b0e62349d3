package httpapi

// Destinations, shopping lists and guides (C8) in the OpenAPI table.

var placeOps = []op{
	{"GET", "/api/v1/places", "places", "Places directly under ?parent= (an id), or the countries", false, "", 200, "PlaceList", []string{"parent"}},
	{"GET", "/api/v1/places/{slug}", "places", "A destination: the place, its ancestors (country first), children, note count, published guides", false, "", 200, "PlaceDetail", nil},
	{"GET", "/api/v1/places/{slug}/notes", "places", "Published notes at the place or under it, newest first", false, "", 200, "NoteList", cursorQuery},
	{"GET", "/api/v1/me/lists", "places", "Your shopping lists, newest first (without items)", true, "", 200, "TripLists", nil},
	{"POST", "/api/v1/me/lists", "places", "Create a shopping list, optionally for a destination", true, "TripListInput", 201, "TripList", nil},
	{"GET", "/api/v1/lists/{id}", "places", "One of your lists with its items (404 for anyone else's)", true, "", 200, "TripList", nil},
	{"DELETE", "/api/v1/lists/{id}", "places", "Delete one of your lists", true, "", 204, "", nil},
	{"POST", "/api/v1/lists/{id}/items", "places", "Add a note or product you can see to your list (again: no-op)", true, "TripItemInput", 200, "TripList", nil},
	{"PATCH", "/api/v1/lists/{id}/items/{item}", "places", "Tick an item bought (or not)", true, "TripItemPatch", 200, "TripList", nil},
	{"DELETE", "/api/v1/lists/{id}/items/{item}", "places", "Remove an item", true, "", 204, "", nil},
	{"PUT", "/api/v1/lists/{id}/share", "places", "Share the list read-only (on: true makes a new link) or revoke the link", true, "TripShareInput", 200, "TripShare", nil},
	{"POST", "/api/v1/lists/{id}/import", "places", "Add the notes of one of your collect boards", true, "TripImportInput", 200, "TripImport", nil},
	{"GET", "/api/v1/shared-lists/{token}", "places", "A shared list, read-only", false, "", 200, "TripList", nil},
	{"GET", "/api/v1/guides", "places", "Published guides (?place=slug), newest first", false, "", 200, "GuideList", []string{"place"}},
	{"GET", "/api/v1/guides/{id}", "places", "A published guide with its sections", false, "", 200, "Guide", nil},
	{"GET", "/api/v1/guides/{id}/guide.epub", "places", "The guide as EPUB 3 for offline reading (?lang=zh|en)", false, "", 200, "", []string{"lang"}},
	{"GET", "/api/v1/guides/{id}/guide.pdf", "places", "The guide as PDF (?lang=zh|en); 503 when the server has no Chromium to print with", false, "", 200, "", []string{"lang"}},
}

var placeSchemas = map[string]any{
	"Place": obj(map[string]any{"id": idStr(), "parent_id": idStr(), "kind": str(), "slug": str(), "name_zh": str(), "name_en": str(),
		"aliases": arr(str()), "lat": map[string]any{"type": "number"}, "lng": map[string]any{"type": "number"}}),
	"PlaceList":    obj(map[string]any{"places": arr(ref("Place"))}, "places"),
	"GuideSummary": obj(map[string]any{"id": idStr(), "place_id": idStr(), "title": str(), "status": str()}),
	"GuideList":    obj(map[string]any{"guides": arr(ref("GuideSummary"))}, "guides"),
	"PlaceDetail": obj(map[string]any{"place": ref("Place"), "ancestors": arr(ref("Place")), "children": arr(ref("Place")),
		"note_count": integer(), "guides": arr(ref("GuideSummary"))}),
	"TripItem": obj(map[string]any{"id": idStr(), "kind": map[string]any{"type": "string", "enum": []string{"note", "product"}},
		"ref_id": idStr(), "bought": boolean()}),
	"TripList": obj(map[string]any{"id": idStr(), "user_id": idStr(), "title": str(), "place_id": idStr(),
		"share_token": str(), "items": arr(ref("TripItem"))}),
	"TripLists":       obj(map[string]any{"lists": arr(ref("TripList"))}, "lists"),
	"TripListInput":   obj(map[string]any{"title": str(), "place_id": idStr()}, "title"),
	"TripItemInput":   obj(map[string]any{"kind": map[string]any{"type": "string", "enum": []string{"note", "product"}}, "ref_id": idStr()}, "kind", "ref_id"),
	"TripItemPatch":   obj(map[string]any{"bought": boolean()}, "bought"),
	"TripShareInput":  obj(map[string]any{"on": boolean()}, "on"),
	"TripShare":       obj(map[string]any{"share_token": str(), "share_url": nullable(str())}),
	"TripImportInput": obj(map[string]any{"board_id": idStr()}, "board_id"),
	"TripImport":      obj(map[string]any{"added": integer()}),
	"Guide": obj(map[string]any{"id": idStr(), "place_id": idStr(), "author_id": idStr(), "title": str(), "intro": str(), "status": str(),
		"sections": arr(obj(map[string]any{"title": str(), "body": str(),
			"items": arr(obj(map[string]any{"kind": str(), "ref_id": idStr()}))}))}),
}

func init() {
	ops = append(ops, placeOps...)
	for k, v := range placeSchemas {
		schemas[k] = v
	}
}
