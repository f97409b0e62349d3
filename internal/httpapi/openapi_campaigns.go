package httpapi

// Voting campaigns (G4) in the OpenAPI table (openapi.go).

var campaignOps = []op{
	{"POST", "/api/v1/campaigns", "campaigns", "Create a voting campaign: schedule, daily allowance, bonus rules, anti-fraud settings (operators)", true, "CampaignInput", 201, "Campaign", nil},
	{"GET", "/api/v1/campaigns", "campaigns", "Campaigns running or upcoming, then those ended in the last 90 days", false, "", 200, "CampaignList", []string{"limit"}},
	{"GET", "/api/v1/campaigns/{id}", "campaigns", "A campaign with its leaderboards and, signed in, the viewer's votes left today", false, "", 200, "CampaignPage", nil},
	{"GET", "/api/v1/campaigns/{id}/leaderboard", "campaigns", "Leaderboards per category (at most a second old); the web page streams them by SSE", false, "", 200, "CampaignLeaderboard", nil},
	{"POST", "/api/v1/campaigns/{id}/categories", "campaigns", "Add a category (operators; 409 after the end)", true, "CampaignCategoryInput", 201, "CampaignCategory", nil},
	{"POST", "/api/v1/campaigns/{id}/nominees", "campaigns", "Add a nominee: a product, note, creator (ref) or free entry (title) (operators)", true, "CampaignNomineeInput", 201, "CampaignNominee", nil},
	{"POST", "/api/v1/campaigns/{id}/votes", "campaigns", "Vote (header Idempotency-Key required, X-Device-ID optional): 201 the receipt, the same for a retried key; " +
		"429 no_votes_left or source_limit, 403 not_started, ended, excluded or account_too_new", true, "CampaignVoteInput", 201, "CampaignVoteReceipt", nil},
	{"GET", "/api/v1/campaigns/{id}/votes", "campaigns", "Every vote, newest first, for audit (operators; filters status, user_id, nominee_id)", true, "", 200, "CampaignVotes",
		[]string{"status", "user_id", "nominee_id", "cursor", "limit"}},
	{"POST", "/api/v1/campaigns/{id}/exclusions", "campaigns", "Exclude a voter: their votes become void and the tallies are recounted (operators)", true, "CampaignExclusion", 200, "CampaignVoided", nil},
	{"POST", "/api/v1/campaigns/{id}/flagged", "campaigns", "Approve or void the votes held by burst detection (one nominee's or all) (operators)", true, "CampaignDecision", 200, "CampaignChanged", nil},
	{"POST", "/api/v1/campaigns/{id}/recount", "campaigns", "Recount every tally from the vote rows; answers how many were corrected (operators)", true, "", 200, "CampaignRecount", nil},
	{"POST", "/api/v1/campaigns/{id}/end", "campaigns", "End voting now (operators; 409 when already ended)", true, "", 200, "Campaign", nil},
	{"POST", "/api/v1/campaigns/{id}/publish", "campaigns", "Publish and freeze the results of an ended campaign (operators)", true, "", 200, "Campaign", nil},
}

func campaignRules() map[string]any {
	return map[string]any{"daily_votes": integer(), "publish_bonus": integer(), "publish_cap": integer(), "share_bonus": integer(),
		"share_cap": integer(), "ip_daily": integer(), "device_daily": integer(), "new_days": integer(),
		"new_mode": shopEnum("count", "weight", "exclude"), "new_weight": integer(), "burst_votes": integer(), "burst_window_sec": integer()}
}

func withProps(base map[string]any, extra map[string]any) map[string]any {
	for k, v := range extra {
		base[k] = v
	}
	return base
}

var campaignSchemas = map[string]any{
	"CampaignInput": obj(withProps(campaignRules(), map[string]any{"title": str(), "description": str(), "topic": str(),
		"starts_at": timeStr(), "ends_at": timeStr()}), "title", "starts_at", "ends_at", "daily_votes"),
	"Campaign": obj(withProps(campaignRules(), map[string]any{"id": idStr(), "title": str(), "description": str(), "topic": str(),
		"starts_at": timeStr(), "ends_at": timeStr(), "published_at": timeStr(), "server_time": timeStr(),
		"status": shopEnum("upcoming", "live", "ended", "published")})),
	"CampaignList":          obj(map[string]any{"items": arr(ref("Campaign"))}, "items"),
	"CampaignCategoryInput": obj(map[string]any{"name": str()}, "name"),
	"CampaignNomineeInput": obj(map[string]any{"category_id": idStr(), "kind": shopEnum("product", "note", "creator", "free"),
		"ref": idStr(), "title": str()}, "category_id", "kind"),
	"CampaignNominee": obj(map[string]any{"id": idStr(), "category_id": idStr(), "kind": str(), "ref": idStr(), "title": str(),
		"votes": integer(), "score": integer()}),
	"CampaignCategory":    obj(map[string]any{"id": idStr(), "name": str(), "nominees": arr(ref("CampaignNominee"))}),
	"CampaignLeaderboard": obj(map[string]any{"categories": arr(ref("CampaignCategory")), "server_time": timeStr()}),
	"CampaignAllowance": obj(map[string]any{"day": integer(), "daily": integer(), "bonus": integer(), "used": integer(),
		"left": integer(), "excluded": boolean()}),
	"CampaignPage": obj(map[string]any{"campaign": ref("Campaign"), "categories": arr(ref("CampaignCategory")),
		"allowance": ref("CampaignAllowance")}),
	"CampaignVoteInput": obj(map[string]any{"nominee_id": idStr()}, "nominee_id"),
	"CampaignVoteReceipt": obj(map[string]any{"vote_id": idStr(), "nominee_id": idStr(), "status": shopEnum("valid", "flagged"),
		"weight": integer(), "created_at": timeStr()}),
	"CampaignVotes": obj(map[string]any{"items": arr(obj(map[string]any{"id": idStr(), "nominee_id": idStr(), "user_id": idStr(),
		"day": integer(), "ip": str(), "device": str(), "weight": integer(), "fresh": boolean(),
		"status": shopEnum("valid", "flagged", "void"), "reason": str(), "created_at": timeStr()})), "next_cursor": str()}, "items"),
	"CampaignExclusion": obj(map[string]any{"user_id": idStr()}, "user_id"),
	"CampaignVoided":    obj(map[string]any{"voided": integer()}),
	"CampaignDecision":  obj(map[string]any{"nominee_id": idStr(), "approve": boolean()}, "approve"),
	"CampaignChanged":   obj(map[string]any{"changed": integer()}),
	"CampaignRecount":   obj(map[string]any{"corrected": integer()}),
}

func init() {
	ops = append(ops, campaignOps...)
	for k, v := range campaignSchemas {
		schemas[k] = v
	}
}
