package httpapi

// Festivals (G5) in the OpenAPI table (openapi.go).

var festivalOps = []op{
	{"GET", "/api/v1/festivals", "festivals", "Festivals running or upcoming, then those ended in the last 90 days", false, "", 200, "FestivalList", []string{"limit"}},
	{"GET", "/api/v1/festivals/current", "festivals", "The festivals running now: their marks show on cards and note pages", false, "", 200, "FestivalList", nil},
	{"GET", "/api/v1/festivals/{slug}", "festivals", "A festival by its landing page's slug", false, "", 200, "Festival", nil},
	{"POST", "/api/v1/festivals", "festivals", "Create a festival: schedule, mark, topic, vote, featured promotions and flash sales (operators; 409 slug taken)", true, "FestivalInput", 201, "Festival", nil},
	{"PUT", "/api/v1/festivals/{id}", "festivals", "Replace a festival's settings (operators)", true, "FestivalInput", 200, "Festival", nil},
}

var festivalSchemas = map[string]any{
	"FestivalInput": obj(map[string]any{"slug": str(), "title": str(), "mark": str(), "description": str(), "topic": str(),
		"campaign_id": idStr(), "promotion_ids": arr(idStr()), "flash_sale_ids": arr(idStr()), "starts_at": timeStr(), "ends_at": timeStr()},
		"slug", "title", "mark", "starts_at", "ends_at"),
	"Festival": obj(map[string]any{"id": idStr(), "slug": str(), "title": str(), "mark": str(), "description": str(), "topic": str(),
		"campaign_id": idStr(), "promotion_ids": arr(idStr()), "flash_sale_ids": arr(idStr()), "flash_product_ids": arr(idStr()),
		"starts_at": timeStr(), "ends_at": timeStr(), "status": shopEnum("upcoming", "live", "ended"), "server_time": timeStr()}),
	"FestivalList": obj(map[string]any{"items": arr(ref("Festival"))}, "items"),
	"CampaignMark": obj(map[string]any{"slug": str(), "text": str(), "title": str()}),
}

func init() {
	ops = append(ops, festivalOps...)
	for k, v := range festivalSchemas {
		schemas[k] = v
	}
	// A note shows the mark of the running festival whose topic it carries.
	schemas["Note"].(map[string]any)["properties"].(map[string]any)["campaign_mark"] = ref("CampaignMark")
}
