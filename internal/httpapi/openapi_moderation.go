package httpapi

// Reports and the moderation queue (T1) in the OpenAPI table.

import "github.com/redmark/redmark/internal/moderation"

var moderationOps = []op{
	{"POST", "/api/v1/reports", "moderation", "Report a note, comment, user, message, product or store; reports about one target fold into its open case (again: no-op)", true, "ReportInput", 201, "Report", nil},
	{"GET", "/api/v1/me/reports", "moderation", "Your reports, newest first, with each case's status and outcome", true, "", 200, "ReportList", nil},
	{"GET", "/api/v1/moderation/cases", "moderation", "Moderators: cases by ?status= (open, actioned, dismissed)", true, "", 200, "CaseList", []string{"status"}},
	{"GET", "/api/v1/moderation/cases/{id}", "moderation", "Moderators: one case with its reports", true, "", 200, "Case", nil},
	{"POST", "/api/v1/moderation/cases/{id}/resolve", "moderation", "Moderators: close an open case as actioned or dismissed; each reporter is notified", true, "CaseResolve", 200, "Case", nil},
	{"POST", "/api/v1/moderation/cases/{id}/actions", "moderation", "Moderators: act on the case's target (hide, delete, warn, mute, suspend, ban, delist, counterfeit, suspend_store); the affected user is notified, the audit log records it, an open case closes as actioned", true, "ActionInput", 201, "ModerationAction", nil},
	{"POST", "/api/v1/moderation/actions/{id}/revert", "moderation", "Moderators: undo an action (restore, unmute, relist…); 409 for a delete or an action already reverted", true, "Reason", 200, "ModerationAction", nil},
	{"GET", "/api/v1/moderation/appeals", "moderation", "Moderators: appeals by ?status= (open: the queue, oldest first; upheld, overturned)", true, "", 200, "AppealList", []string{"status"}},
	{"POST", "/api/v1/moderation/appeals/{id}/decide", "moderation", "Moderators: decide an open appeal (upheld, or overturned: the action is reverted); not by the moderator who acted (403)", true, "AppealDecision", 200, "Appeal", nil},
	{"GET", "/api/v1/moderation/audit", "moderation", "Moderators: the append-only audit log, newest first (no endpoint edits it)", true, "", 200, "AuditList", []string{"target_kind", "target_id", "cursor", "limit"}},
	{"GET", "/api/v1/moderation/filters", "moderation", "Moderators: the keyword and pattern filter lists", true, "", 200, "FilterList", nil},
	{"POST", "/api/v1/moderation/filters", "moderation", "Operators: add a keyword or RE2 pattern with its action (hold or reject)", true, "FilterInput", 201, "Filter", nil},
	{"DELETE", "/api/v1/moderation/filters/{id}", "moderation", "Operators: remove a filter", true, "", 204, "", nil},
	{"GET", "/api/v1/moderation/spot-checks", "moderation", "Operators: spot checks (抽查), scheduled first, optionally of one ?product_id=", true, "", 200, "SpotCheckList", []string{"product_id"}},
	{"POST", "/api/v1/moderation/spot-checks", "moderation", "Operators: schedule a spot check of a product", true, "SpotCheckInput", 201, "SpotCheck", nil},
	{"POST", "/api/v1/moderation/spot-checks/{id}/result", "moderation", "Operators: record a check's result once; the third failure delists the product (and by policy suspends the store)", true, "SpotCheckResult", 200, "SpotCheck", nil},
	{"GET", "/api/v1/me/moderation", "moderation", "What moderation did to you or your content, with reasons and appeals", true, "", 200, "ModerationActionList", nil},
	{"POST", "/api/v1/me/moderation/{id}/appeal", "moderation", "Appeal an action against you, once (409 for a second appeal)", true, "AppealInput", 201, "Appeal", nil},
	{"GET", "/api/v1/stores/{id}/service-levels", "shop", "A store's after-sales service levels over 90 days: ship time, refund time, dispute rate, failed spot checks", false, "", 200, "ServiceLevel", nil},
}

var moderationSchemas = map[string]any{
	"ReportInput": obj(map[string]any{"target_kind": map[string]any{"type": "string", "enum": moderation.Kinds},
		"target_id": idStr(), "reason": map[string]any{"type": "string", "enum": moderation.Reasons}, "details": str()}, "target_kind", "target_id", "reason"),
	"Report": obj(map[string]any{"id": idStr(), "case_id": idStr(), "reporter_id": idStr(), "target_kind": str(), "target_id": idStr(),
		"reason": str(), "details": str(), "status": str(), "outcome": str(), "created_at": timeStr()}),
	"ReportList": obj(map[string]any{"items": arr(ref("Report"))}, "items"),
	"Case": obj(map[string]any{"id": idStr(), "target_kind": str(), "target_id": idStr(), "target_user_id": idStr(), "status": str(),
		"outcome": str(), "report_count": integer(), "resolved_by": idStr(), "resolved_at": timeStr(), "created_at": timeStr(),
		"updated_at": timeStr(), "reports": arr(ref("Report"))}),
	"CaseList": obj(map[string]any{"items": arr(ref("Case"))}, "items"),
	"ActionInput": obj(map[string]any{"kind": map[string]any{"type": "string", "enum": []string{"hide", "delete", "warn", "mute", "suspend", "ban", "delist", "counterfeit", "suspend_store"}},
		"reason": str(), "hours": integer()}, "kind", "reason"),
	"ModerationAction": obj(map[string]any{"id": idStr(), "case_id": idStr(), "kind": str(), "target_kind": str(), "target_id": idStr(),
		"target_user_id": idStr(), "actor_id": idStr(), "reason": str(), "until": timeStr(), "state": map[string]any{"type": "string", "enum": []string{"active", "reverted"}},
		"created_at": timeStr(), "appeal": ref("Appeal")}),
	"ModerationActionList": obj(map[string]any{"items": arr(ref("ModerationAction"))}, "items"),
	"Reason":               obj(map[string]any{"reason": str()}, "reason"),
	"Appeal": obj(map[string]any{"id": idStr(), "action_id": idStr(), "user_id": idStr(), "body": str(), "status": str(), "decision": str(),
		"decided_by": idStr(), "decided_at": timeStr(), "created_at": timeStr(), "action": ref("ModerationAction")}),
	"AppealList":     obj(map[string]any{"items": arr(ref("Appeal"))}, "items"),
	"AppealInput":    obj(map[string]any{"body": str()}, "body"),
	"AppealDecision": obj(map[string]any{"status": map[string]any{"type": "string", "enum": []string{"upheld", "overturned"}}, "decision": str()}, "status", "decision"),
	"AuditEntry": obj(map[string]any{"id": idStr(), "actor_id": idStr(), "action": str(), "target_kind": str(), "target_id": idStr(), "case_id": idStr(),
		"reason": str(), "before": map[string]any{"type": "object"}, "after": map[string]any{"type": "object"}, "created_at": timeStr()}),
	"AuditList": obj(map[string]any{"items": arr(ref("AuditEntry")), "next_cursor": nullable(str())}, "items"),
	"Filter":    obj(map[string]any{"id": idStr(), "kind": str(), "pattern": str(), "action": str(), "created_by": idStr(), "created_at": timeStr()}),
	"FilterInput": obj(map[string]any{"kind": map[string]any{"type": "string", "enum": []string{"keyword", "pattern"}}, "pattern": str(),
		"action": map[string]any{"type": "string", "enum": []string{"hold", "reject"}}}, "kind", "pattern", "action"),
	"FilterList": obj(map[string]any{"items": arr(ref("Filter"))}, "items"),
	"SpotCheck": obj(map[string]any{"id": idStr(), "product_id": idStr(), "store_id": idStr(), "scheduled_by": idStr(), "due_at": timeStr(),
		"status": map[string]any{"type": "string", "enum": []string{"scheduled", "passed", "failed"}}, "result": str(), "recorded_by": idStr(),
		"recorded_at": timeStr(), "created_at": timeStr()}),
	"SpotCheckList":   obj(map[string]any{"items": arr(ref("SpotCheck"))}, "items"),
	"SpotCheckInput":  obj(map[string]any{"product_id": idStr(), "due_at": timeStr()}, "product_id", "due_at"),
	"SpotCheckResult": obj(map[string]any{"passed": boolean(), "result": str()}, "passed", "result"),
	"ServiceLevel": obj(map[string]any{"store_id": idStr(), "days": integer(), "orders": integer(), "ship_hours": map[string]any{"type": "number"},
		"refund_hours": map[string]any{"type": "number"}, "dispute_rate": map[string]any{"type": "number"}, "disputes": integer(), "spot_checks_failed": integer()}),
	"CaseResolve": obj(map[string]any{"status": map[string]any{"type": "string", "enum": []string{"actioned", "dismissed"}}, "outcome": str()}, "status", "outcome"),
}

func init() {
	ops = append(ops, moderationOps...)
	for k, v := range moderationSchemas {
		schemas[k] = v
	}
}
