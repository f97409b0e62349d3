package httpapi

// Reports and the moderation queue (T1) in the OpenAPI table.

var moderationOps = []op{
	{"POST", "/api/v1/reports", "moderation", "Report a note, comment, user, message, product or store; reports about one target fold into its open case (again: no-op)", true, "ReportInput", 201, "Report", nil},
	{"GET", "/api/v1/me/reports", "moderation", "Your reports, newest first, with each case's status and outcome", true, "", 200, "ReportList", nil},
	{"GET", "/api/v1/moderation/cases", "moderation", "Moderators: cases by ?status= (open, actioned, dismissed)", true, "", 200, "CaseList", []string{"status"}},
	{"GET", "/api/v1/moderation/cases/{id}", "moderation", "Moderators: one case with its reports", true, "", 200, "Case", nil},
	{"POST", "/api/v1/moderation/cases/{id}/resolve", "moderation", "Moderators: close an open case as actioned or dismissed; each reporter is notified", true, "CaseResolve", 200, "Case", nil},
}

var moderationSchemas = map[string]any{
	"ReportInput": obj(map[string]any{"target_kind": map[string]any{"type": "string", "enum": []string{"note", "comment", "user", "message", "product", "store"}},
		"target_id": idStr(), "reason": str(), "details": str()}, "target_kind", "target_id", "reason"),
	"Report": obj(map[string]any{"id": idStr(), "case_id": idStr(), "reporter_id": idStr(), "target_kind": str(), "target_id": idStr(),
		"reason": str(), "details": str(), "status": str(), "outcome": str(), "created_at": timeStr()}),
	"ReportList": obj(map[string]any{"items": arr(ref("Report"))}, "items"),
	"Case": obj(map[string]any{"id": idStr(), "target_kind": str(), "target_id": idStr(), "target_user_id": idStr(), "status": str(),
		"outcome": str(), "report_count": integer(), "resolved_by": idStr(), "resolved_at": timeStr(), "created_at": timeStr(),
		"updated_at": timeStr(), "reports": arr(ref("Report"))}),
	"CaseList":    obj(map[string]any{"items": arr(ref("Case"))}, "items"),
	"CaseResolve": obj(map[string]any{"status": map[string]any{"type": "string", "enum": []string{"actioned", "dismissed"}}, "outcome": str()}, "status", "outcome"),
}

func init() {
	ops = append(ops, moderationOps...)
	for k, v := range moderationSchemas {
		schemas[k] = v
	}
}
