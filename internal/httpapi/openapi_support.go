package httpapi

// Creator support programs (G2) in the OpenAPI table (openapi.go).

var supportOps = []op{
	{"POST", "/api/v1/support/programs", "support", "Start a support program: boost multiplier, holdout share, how long notes stay new, optional rule (level ≥ N, new accounts) (operators)", true, "ProgramInput", 201, "Program", nil},
	{"GET", "/api/v1/support/programs", "support", "Support programs, newest first (operators)", true, "", 200, "ProgramList", nil},
	{"GET", "/api/v1/support/programs/{id}", "support", "A program with its measured effect (impressions per 100 feed pages, boosted vs holdout) overall and per creator (operators)", true, "", 200, "ProgramPage", nil},
	{"POST", "/api/v1/support/programs/{id}/members", "support", "Enrol a creator by username (operators; 409 after the end)", true, "ProgramMemberInput", 204, "", nil},
	{"DELETE", "/api/v1/support/programs/{id}/members/{user}", "support", "Take a creator out of a program (operators)", true, "", 204, "", nil},
	{"GET", "/api/v1/me/support", "support", "The programs you are in, with your notes' boosted and held-out impressions", true, "", 200, "MyPrograms", nil},
}

var supportSchemas = map[string]any{
	"ProgramInput": obj(map[string]any{"name": str(), "boost_pct": integer(), "holdout_pct": integer(), "note_days": integer(),
		"rule_min_level": integer(), "rule_new_days": integer(), "starts_at": timeStr(), "ends_at": timeStr()},
		"name", "boost_pct", "holdout_pct", "note_days", "starts_at", "ends_at"),
	"Program": obj(map[string]any{"id": idStr(), "name": str(), "boost_pct": integer(), "holdout_pct": integer(), "note_days": integer(),
		"rule_min_level": integer(), "rule_new_days": integer(), "starts_at": timeStr(), "ends_at": timeStr(), "members": integer(),
		"status": shopEnum("upcoming", "live", "ended")}),
	"ProgramList": obj(map[string]any{"items": arr(ref("Program"))}, "items"),
	"ProgramArm":  obj(map[string]any{"pages": integer(), "impressions": integer(), "per_100_pages": map[string]any{"type": "number"}}),
	"ProgramEffect": obj(map[string]any{"boost": ref("ProgramArm"), "holdout": ref("ProgramArm"),
		"lift_pct": map[string]any{"type": "number", "nullable": true}}),
	"ProgramPage": obj(map[string]any{"program": ref("Program"), "effect": ref("ProgramEffect"), "members": arr(obj(map[string]any{
		"user_id": idStr(), "username": str(), "name": str(), "source": shopEnum("operator", "rule"), "effect": ref("ProgramEffect")}))}),
	"ProgramMemberInput": obj(map[string]any{"username": str()}, "username"),
	"MyPrograms":         obj(map[string]any{"items": arr(obj(map[string]any{"program": ref("Program"), "effect": ref("ProgramEffect")}))}, "items"),
}

func init() {
	ops = append(ops, supportOps...)
	for k, v := range supportSchemas {
		schemas[k] = v
	}
}
