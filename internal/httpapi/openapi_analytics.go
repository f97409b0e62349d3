package httpapi

// The operations console's numbers (O1, O2) in the OpenAPI table.

var rangeQuery = []string{"from", "to"}

var analyticsOps = []op{
	{"GET", "/api/v1/console/analytics/overview", "analytics", "Operators: DAU/WAU/MAU, stickiness, new users, orders, GMV (fen), content per day of ?from=&to= (UTC dates; default the 30 days to the last rolled-up day)", true, "", 200, "AnalyticsOverview", rangeQuery},
	{"GET", "/api/v1/console/analytics/retention", "analytics", "Operators: daily sign-up cohorts with D1/D7/D30 retention (null until that day is rolled up)", true, "", 200, "AnalyticsCohorts", rangeQuery},
	{"GET", "/api/v1/console/analytics/channels", "analytics", "Operators: sign-ups and their retention per channel (\"\" direct, \"invite\")", true, "", 200, "AnalyticsChannels", rangeQuery},
	{"GET", "/api/v1/console/analytics/funnel", "analytics", "Operators: the 种草 funnel (note view → product click → order → paid), overall and for the top notes, products and creators", true, "", 200, "AnalyticsFunnel", rangeQuery},
	{"GET", "/api/v1/console/analytics/terms", "analytics", "Operators: top search terms", true, "", 200, "AnalyticsTerms", rangeQuery},
	{"GET", "/api/v1/console/analytics/live", "analytics", "Operators: sales of live sessions (orders carrying a live id) and cart adds from them", true, "", 200, "AnalyticsLive", rangeQuery},
	{"GET", "/api/v1/console/analytics/campaigns", "analytics", "Operators: campaigns overlapping the range with their uplift on DAU, new users and GMV against the whole weeks before them (95 % bootstrap interval)", true, "", 200, "AnalyticsCampaigns", rangeQuery},
	{"GET", "/api/v1/console/analytics/uplift", "analytics", "Operators: uplift of ?metric= (dau, new_users, gmv, orders, views, notes) over the range against the whole weeks before it", true, "", 200, "Uplift", []string{"from", "to", "metric"}},
	{"GET", "/api/v1/console/analytics/personas", "analytics", "Operators: gender, age band, region and segments of active users, creators and buyers; cells under min_cell users are null (suppressed)", true, "", 200, "AnalyticsPersonas", rangeQuery},
}

func num() map[string]any { return map[string]any{"type": "number"} }

func rate() map[string]any { return nullable(num()) }

var analyticsSchemas = map[string]any{
	"AnalyticsRange": obj(map[string]any{"from": integer(), "to": integer()}, "from", "to"),
	"AnalyticsDay": obj(map[string]any{"date": str(), "dau": integer(), "wau": integer(), "mau": integer(), "stickiness": num(),
		"new_users": integer(), "orders": integer(), "paid_orders": integer(), "gmv": integer(), "refunds": integer(),
		"notes": integer(), "creators": integer(), "views": integer(), "searches": integer()}, "date"),
	"AnalyticsOverview": obj(map[string]any{"range": ref("AnalyticsRange"), "days": arr(ref("AnalyticsDay")), "avg_dau": num(), "mau": integer(),
		"stickiness": num(), "new_users": integer(), "orders": integer(), "paid_orders": integer(), "gmv": integer(), "notes": integer(),
		"creators": integer()}, "range", "days"),
	"Cohort": obj(map[string]any{"date": str(), "channel": str(), "size": integer(), "d1": integer(), "d7": integer(), "d30": integer(),
		"d1_rate": rate(), "d7_rate": rate(), "d30_rate": rate()}, "size"),
	"AnalyticsCohorts":  obj(map[string]any{"range": ref("AnalyticsRange"), "cohorts": arr(ref("Cohort"))}, "cohorts"),
	"AnalyticsChannels": obj(map[string]any{"range": ref("AnalyticsRange"), "channels": arr(ref("Cohort"))}, "channels"),
	"FunnelStage":       obj(map[string]any{"name": str(), "events": integer(), "amount": integer(), "rate": rate()}, "name", "events"),
	"FunnelItem": obj(map[string]any{"id": idStr(), "views": integer(), "clicks": integer(), "orders": integer(), "paid": integer(),
		"gmv": integer(), "click_rate": rate(), "order_rate": rate()}, "id"),
	"AnalyticsFunnel": obj(map[string]any{"stages": arr(ref("FunnelStage")), "attributed_orders": integer(), "notes": arr(ref("FunnelItem")),
		"products": arr(ref("FunnelItem")), "creators": arr(ref("FunnelItem"))}, "stages"),
	"AnalyticsTerms": obj(map[string]any{"range": ref("AnalyticsRange"), "terms": arr(obj(map[string]any{"term": str(), "searches": integer()}))}, "terms"),
	"AnalyticsLive": obj(map[string]any{"range": ref("AnalyticsRange"), "live": arr(obj(map[string]any{"live_id": idStr(), "add_to_cart": integer(),
		"orders": integer(), "paid": integer(), "gmv": integer()}))}, "live"),
	"Uplift": obj(map[string]any{"metric": str(), "campaign": ref("AnalyticsRange"), "baseline": ref("AnalyticsRange"), "campaign_mean": num(),
		"baseline_mean": num(), "lift": num(), "low": num(), "high": num(), "significant": boolean()}, "metric", "lift"),
	"AnalyticsCampaigns": obj(map[string]any{"range": ref("AnalyticsRange"), "campaigns": arr(obj(map[string]any{"id": idStr(), "title": str(),
		"range": ref("AnalyticsRange"), "effects": arr(ref("Uplift"))}))}, "campaigns"),
	"PersonaCell": obj(map[string]any{"key": str(), "users": nullable(integer())}, "key", "users"),
	"Persona": obj(map[string]any{"population": str(), "users": nullable(integer()), "gender": arr(ref("PersonaCell")),
		"age": arr(ref("PersonaCell")), "region": arr(ref("PersonaCell")), "segments": arr(ref("PersonaCell"))}, "population"),
	"AnalyticsPersonas": obj(map[string]any{"range": ref("AnalyticsRange"), "min_cell": integer(), "personas": arr(ref("Persona"))}, "personas"),
}

func init() {
	ops = append(ops, analyticsOps...)
	for k, v := range analyticsSchemas {
		schemas[k] = v
	}
}
