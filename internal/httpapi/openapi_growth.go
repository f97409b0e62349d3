package httpapi

// Growth (G1, E7, G3, G6) in the OpenAPI table (openapi.go).

var growthOps = []op{
	{"GET", "/api/v1/me/growth", "growth", "Task centre: level, the next level's tasks and progress, recent level-ups, the 30-day check-in calendar, earning rules", true, "", 200, "Growth", nil},
	{"PATCH", "/api/v1/me/growth", "growth", "Set the IANA time zone check-in days and daily caps are counted in", true, "GrowthPatch", 204, "", nil},
	{"POST", "/api/v1/me/checkin", "growth", "Check in for today (local day); repeating it the same day pays nothing and answers already=true", true, "", 200, "CheckIn", nil},
	{"GET", "/api/v1/me/invites", "growth", "Your invite code and link, and the people who signed up with it", true, "", 200, "Invites", nil},
	{"GET", "/api/v1/me/tips", "growth", "Tips your notes received, per note", true, "", 200, "TipsByNote", nil},
	{"POST", "/api/v1/notes/{id}/tips", "growth", "Tip a note's author with your points (key or Idempotency-Key makes retries one tip); " +
		"403 your own note, 404 a note you cannot see, 409 not enough points", true, "TipInput", 201, "Tip", nil},
	{"GET", "/api/v1/growth/levels", "growth", "The ten levels and what each asks for", false, "", 200, "Levels", nil},
	{"GET", "/api/v1/growth/signups", "growth", "Sign-ups of the last 7 days and how many became active, by=channel or by=inviter (operators)", true, "", 200, "SignupReport", []string{"by"}},
}

var growthSchemas = map[string]any{
	"Counts": obj(map[string]any{"publish": integer(), "liked": integer(), "collect": integer(), "comment": integer(), "share": integer()}),
	"Level":  obj(map[string]any{"level": integer(), "name_zh": str(), "name_en": str(), "needs": ref("Counts")}),
	"Levels": obj(map[string]any{"levels": arr(ref("Level"))}, "levels"),
	"Growth": obj(map[string]any{
		"status": obj(map[string]any{"level": ref("Level"), "next": ref("Level"), "counts": ref("Counts"),
			"tasks":     arr(obj(map[string]any{"kind": str(), "have": integer(), "need": integer(), "done": boolean()})),
			"level_ups": arr(obj(map[string]any{"level": integer(), "at": timeStr()}))}),
		"checkins": obj(map[string]any{"today": str(), "checked": boolean(), "streak": integer(), "days": arr(str())}),
		"rules":    arr(obj(map[string]any{"rule": str(), "points": integer(), "daily_cap": integer()})),
	}, "status", "checkins", "rules"),
	"GrowthPatch": obj(map[string]any{"time_zone": str()}, "time_zone"),
	"CheckIn":     obj(map[string]any{"day": str(), "streak": integer(), "points": integer(), "already": boolean()}),
	"Invites": obj(map[string]any{"code": str(), "link": str(),
		"invitees": arr(obj(map[string]any{"user_id": idStr(), "active": boolean(), "created_at": timeStr()}))}),
	"TipInput":   obj(map[string]any{"points": integer(), "key": str()}, "points"),
	"Tip":        obj(map[string]any{"id": idStr(), "note_id": idStr(), "from_id": idStr(), "to_id": idStr(), "points": integer(), "created_at": timeStr()}),
	"TipsByNote": obj(map[string]any{"notes": arr(obj(map[string]any{"note_id": idStr(), "count": integer(), "points": integer()}))}),
	"SignupReport": obj(map[string]any{"rows": arr(obj(map[string]any{"key": str(), "signups": integer(), "active": integer(),
		"suspect": integer()}))}),
}

func init() {
	ops = append(ops, growthOps...)
	for k, v := range growthSchemas {
		schemas[k] = v
	}
}
