package httpapi

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// The OpenAPI 3 document is built from the table below at first request.
// openapi_test.go checks that every route registered in this package is in
// the table and every table entry is a registered route.

type op struct {
	method, path, tag, summary string
	auth                       bool   // requires a signed-in user
	body                       string // request schema name ("" for none)
	status                     int    // success status
	resp                       string // response schema name ("" for no body)
	query                      []string
}

var cursorQuery = []string{"cursor", "limit"}

var ops = []op{
	{"POST", "/api/v1/auth/signup", "auth", "Create an account; returns a bearer token", false, "Signup", 201, "Auth", nil},
	{"POST", "/api/v1/auth/login", "auth", "Log in; returns a new bearer token", false, "Login", 200, "Auth", nil},
	{"POST", "/api/v1/auth/logout", "auth", "Revoke the token used for this request", true, "", 204, "", nil},
	{"GET", "/api/v1/me", "users", "The signed-in user, with the private persona", true, "", 200, "User", nil},
	{"PATCH", "/api/v1/me", "users", "Edit profile and private persona", true, "ProfilePatch", 200, "User", nil},
	{"GET", "/api/v1/users/{username}", "users", "A public profile with counts", false, "", 200, "User", nil},
	{"GET", "/api/v1/users/{username}/relationship", "social", "How the signed-in user and this user are related", true, "", 200, "Relationship", nil},
	{"PUT", "/api/v1/users/{username}/follow", "social", "Follow (idempotent)", true, "", 200, "FollowResult", nil},
	{"DELETE", "/api/v1/users/{username}/follow", "social", "Unfollow (idempotent)", true, "", 200, "FollowResult", nil},
	{"PUT", "/api/v1/users/{username}/block", "social", "Block: ends follows both ways, stops messages and comments", true, "", 204, "", nil},
	{"DELETE", "/api/v1/users/{username}/block", "social", "Unblock", true, "", 204, "", nil},
	{"GET", "/api/v1/users/{username}/followers", "social", "Followers, newest first", false, "", 200, "UserList", cursorQuery},
	{"GET", "/api/v1/users/{username}/following", "social", "Accounts followed, newest first", false, "", 200, "UserList", cursorQuery},
	{"GET", "/api/v1/users/{username}/likes", "social", "Notes the user liked", false, "", 200, "NoteList", cursorQuery},
	{"GET", "/api/v1/users/{username}/collects", "social", "Notes the user collected", false, "", 200, "NoteList", cursorQuery},
	{"GET", "/api/v1/users/{username}/boards", "social", "The user's boards", false, "", 200, "BoardList", nil},
	{"POST", "/api/v1/media", "media", "Upload an image or video (multipart field \"file\")", true, "Upload", 201, "Media", nil},
	{"POST", "/api/v1/notes", "notes", "Publish a note or save a draft", true, "NoteInput", 201, "Note", nil},
	{"GET", "/api/v1/notes", "notes", "A user's published notes (?author=username)", false, "", 200, "NoteList", []string{"author", "cursor", "limit"}},
	{"GET", "/api/v1/notes/latest", "notes", "Newest published notes (explore grid)", false, "", 200, "NoteList", cursorQuery},
	{"GET", "/api/v1/me/drafts", "notes", "The signed-in user's drafts", true, "", 200, "NoteList", cursorQuery},
	{"GET", "/api/v1/notes/{id}", "notes", "A note (drafts only for their author); counts a view", false, "", 200, "Note", nil},
	{"PATCH", "/api/v1/notes/{id}", "notes", "Edit a note, or publish a draft (author only)", true, "NotePatch", 200, "Note", nil},
	{"DELETE", "/api/v1/notes/{id}", "notes", "Delete a note (author or operator)", true, "", 204, "", nil},
	{"POST", "/api/v1/notes/{id}/share", "notes", "Count a share and get the share link", false, "ShareInput", 200, "ShareResult", nil},
	{"PUT", "/api/v1/notes/{id}/like", "social", "Like (idempotent)", true, "", 200, "LikeResult", nil},
	{"DELETE", "/api/v1/notes/{id}/like", "social", "Unlike (idempotent)", true, "", 200, "LikeResult", nil},
	{"PUT", "/api/v1/notes/{id}/collect", "social", "Collect, optionally into a board (idempotent)", true, "CollectInput", 200, "CollectResult", nil},
	{"DELETE", "/api/v1/notes/{id}/collect", "social", "Uncollect (idempotent)", true, "", 200, "CollectResult", nil},
	{"GET", "/api/v1/me/boards", "social", "The signed-in user's boards", true, "", 200, "BoardList", nil},
	{"POST", "/api/v1/me/boards", "social", "Create a board", true, "BoardInput", 201, "Board", nil},
	{"GET", "/api/v1/boards/{id}", "social", "A board and its notes", false, "", 200, "BoardPage", cursorQuery},
	{"PATCH", "/api/v1/boards/{id}", "social", "Rename or describe a board (owner only)", true, "BoardInput", 200, "Board", nil},
	{"DELETE", "/api/v1/boards/{id}", "social", "Delete a board (owner only); its notes stay collected", true, "", 204, "", nil},
	{"GET", "/api/v1/notes/{id}/comments", "comments", "Top-level comments, newest first, each with its first replies", false, "", 200, "CommentList", cursorQuery},
	{"POST", "/api/v1/notes/{id}/comments", "comments", "Comment, or reply with parent_id", true, "CommentInput", 201, "Comment", nil},
	{"GET", "/api/v1/comments/{id}/replies", "comments", "Replies in a thread, oldest first", false, "", 200, "CommentList", cursorQuery},
	{"DELETE", "/api/v1/comments/{id}", "comments", "Delete a comment (its author, the note's author, or an operator)", true, "", 204, "", nil},
	{"PUT", "/api/v1/comments/{id}/like", "comments", "Like a comment (idempotent)", true, "", 200, "LikeResult", nil},
	{"DELETE", "/api/v1/comments/{id}/like", "comments", "Unlike a comment (idempotent)", true, "", 200, "LikeResult", nil},
	{"GET", "/api/v1/feed/following", "feed", "Notes from followed accounts, newest first", true, "", 200, "NoteList", cursorQuery},
	{"GET", "/api/v1/topics/{name}/notes", "notes", "A topic and its notes", false, "", 200, "TopicNotes", cursorQuery},
	{"POST", "/api/v1/messages/{username}", "messages", "Send a direct message (once either of you follows the other)", true, "MessageInput", 201, "Message", nil},
	{"GET", "/api/v1/messages/{username}", "messages", "Conversation history, newest first; marks it read", true, "", 200, "MessageList", cursorQuery},
	{"GET", "/api/v1/conversations", "messages", "Conversations, most recent first, with unread counts", true, "", 200, "ConversationList", cursorQuery},
	{"GET", "/api/v1/notifications", "notifications", "Notifications (category likes|follows|comments|system, or all)", true, "", 200, "NotificationList", []string{"category", "cursor", "limit"}},
	{"GET", "/api/v1/notifications/unread", "notifications", "Unread counts per category and unread messages", true, "", 200, "Unread", nil},
	{"POST", "/api/v1/notifications/read", "notifications", "Mark a category (or all) read", true, "ReadInput", 204, "", nil},
	{"GET", "/api/openapi.json", "meta", "This document", false, "", 200, "", nil},
}

// Schema helpers keep the table below readable.
func str() map[string]any   { return map[string]any{"type": "string"} }
func idStr() map[string]any { return map[string]any{"type": "string", "description": "opaque id"} }
func integer() map[string]any {
	return map[string]any{"type": "integer", "format": "int64"}
}
func boolean() map[string]any     { return map[string]any{"type": "boolean"} }
func timeStr() map[string]any     { return map[string]any{"type": "string", "format": "date-time"} }
func ref(n string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + n} }
func arr(items map[string]any) map[string]any {
	return map[string]any{"type": "array", "items": items}
}
func nullable(s map[string]any) map[string]any {
	return map[string]any{"allOf": []any{s}, "nullable": true}
}
func obj(props map[string]any, required ...string) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}
func page(field, item string) map[string]any {
	return obj(map[string]any{field: arr(ref(item)), "next_cursor": nullable(str())}, field)
}

var schemas = map[string]any{
	"Error": obj(map[string]any{"error": obj(map[string]any{"code": str(), "message": str()}, "code", "message")}, "error"),
	"Signup": obj(map[string]any{"username": map[string]any{"type": "string", "pattern": "^[a-z0-9][a-z0-9_.]{2,29}$"},
		"password": map[string]any{"type": "string", "minLength": 8, "maxLength": 128}, "display_name": str(),
		"source": obj(map[string]any{"invite": str(), "channel": str(), "utm_source": str(), "utm_medium": str(), "utm_campaign": str()})}, "username", "password"),
	"Login": obj(map[string]any{"username": str(), "password": str()}, "username", "password"),
	"Auth":  obj(map[string]any{"token": str(), "user": ref("User")}, "token", "user"),
	"Persona": obj(map[string]any{"gender": map[string]any{"type": "string", "enum": []string{"", "female", "male", "other"}},
		"birth_year": integer(), "region": str()}),
	"User": obj(map[string]any{"id": idStr(), "username": str(), "display_name": str(), "bio": str(), "avatar_url": str(),
		"role":           map[string]any{"type": "string", "enum": []string{"user", "creator", "brand", "merchant", "operator"}},
		"follower_count": integer(), "following_count": integer(), "note_count": integer(), "liked_collected_count": integer(),
		"created_at": timeStr(), "persona": ref("Persona")}),
	"ProfilePatch": obj(map[string]any{"display_name": str(), "bio": str(), "avatar_media_id": idStr(), "locale": str(),
		"gender": str(), "birth_year": integer(), "region": str()}),
	"Relationship": obj(map[string]any{"following": boolean(), "followed_by": boolean(), "blocking": boolean(), "blocked_by": boolean()}),
	"FollowResult": obj(map[string]any{"following": boolean(), "follower_count": integer()}),
	"UserList":     page("users", "User"),
	"Upload":       obj(map[string]any{"file": map[string]any{"type": "string", "format": "binary"}}, "file"),
	"Media": obj(map[string]any{"id": idStr(), "kind": map[string]any{"type": "string", "enum": []string{"image", "video"}},
		"url": str(), "thumbnail_url": str(), "poster_url": str(), "width": integer(), "height": integer(),
		"duration_ms": integer(), "content_type": str()}),
	"NoteInput": obj(map[string]any{"title": map[string]any{"type": "string", "maxLength": 60}, "body": map[string]any{"type": "string", "maxLength": 5000},
		"media_ids": arr(idStr()), "topics": arr(str()), "location": str(), "draft": boolean()}),
	"NotePatch": obj(map[string]any{"title": str(), "body": str(), "media_ids": arr(idStr()), "topics": arr(str()), "location": str(),
		"publish": boolean()}),
	"Note": obj(map[string]any{"id": idStr(), "author": ref("User"), "status": map[string]any{"type": "string", "enum": []string{"draft", "published"}},
		"kind": map[string]any{"type": "string", "enum": []string{"image", "video"}}, "title": str(), "body": str(), "location": str(),
		"topics": arr(str()), "mentions": arr(str()), "media": arr(ref("Media")), "like_count": integer(), "collect_count": integer(),
		"comment_count": integer(), "share_count": integer(), "view_count": integer(), "liked": boolean(), "collected": boolean(),
		"created_at": timeStr(), "updated_at": timeStr(), "published_at": timeStr()}),
	"NoteList":      page("notes", "Note"),
	"TopicNotes":    obj(map[string]any{"topic": obj(map[string]any{"name": str(), "note_count": integer()}), "notes": arr(ref("Note")), "next_cursor": nullable(str())}),
	"ShareInput":    obj(map[string]any{"channel": str()}),
	"ShareResult":   obj(map[string]any{"share_count": integer(), "share_url": str()}),
	"LikeResult":    obj(map[string]any{"liked": boolean(), "like_count": integer()}),
	"CollectInput":  obj(map[string]any{"board_id": idStr()}),
	"CollectResult": obj(map[string]any{"collected": boolean(), "collect_count": integer()}),
	"BoardInput":    obj(map[string]any{"name": str(), "description": str()}),
	"Board": obj(map[string]any{"id": idStr(), "user_id": idStr(), "name": str(), "description": str(), "note_count": integer(),
		"created_at": timeStr()}),
	"BoardList":    obj(map[string]any{"boards": arr(ref("Board"))}, "boards"),
	"BoardPage":    obj(map[string]any{"board": ref("Board"), "notes": arr(ref("Note")), "next_cursor": nullable(str())}),
	"CommentInput": obj(map[string]any{"body": map[string]any{"type": "string", "maxLength": 1000}, "parent_id": idStr()}, "body"),
	"Comment": obj(map[string]any{"id": idStr(), "note_id": idStr(), "author": nullable(ref("User")), "body": str(),
		"like_count": integer(), "reply_count": integer(), "liked": boolean(), "deleted": boolean(), "created_at": timeStr(),
		"root_id": idStr(), "parent_id": idStr(), "reply_to": nullable(ref("User")), "replies": arr(ref("Comment"))}),
	"CommentList":      page("comments", "Comment"),
	"MessageInput":     obj(map[string]any{"body": map[string]any{"type": "string", "maxLength": 2000}}, "body"),
	"Message":          obj(map[string]any{"id": idStr(), "sender_id": idStr(), "body": str(), "created_at": timeStr()}),
	"MessageList":      page("messages", "Message"),
	"Conversation":     obj(map[string]any{"id": idStr(), "user": ref("User"), "last_message": ref("Message"), "unread_count": integer()}),
	"ConversationList": page("conversations", "Conversation"),
	"Notification": obj(map[string]any{"id": idStr(),
		"kind":  map[string]any{"type": "string", "enum": []string{"like", "collect", "comment_like", "follow", "comment", "reply", "mention", "level_up"}},
		"ref":   integer(), // level_up: the level reached
		"actor": ref("User"), "note": nullable(obj(map[string]any{"id": idStr(), "title": str(), "cover_url": str()})),
		"comment": nullable(obj(map[string]any{"id": idStr(), "body": str()})), "created_at": timeStr(), "read": boolean()}),
	"NotificationList": obj(map[string]any{"notifications": arr(ref("Notification")), "unread": ref("Unread"), "next_cursor": nullable(str())}),
	"Unread":           obj(map[string]any{"likes": integer(), "follows": integer(), "comments": integer(), "system": integer(), "messages": integer()}),
	"ReadInput":        obj(map[string]any{"category": str()}),
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func buildOpenAPI() map[string]any {
	paths := map[string]any{}
	for _, o := range ops {
		item, _ := paths[o.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[o.path] = item
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(o.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": str()})
		}
		for _, q := range o.query {
			params = append(params, map[string]any{"name": q, "in": "query", "schema": str()})
		}
		success := map[string]any{"description": http.StatusText(o.status)}
		if o.resp != "" {
			success["content"] = map[string]any{"application/json": map[string]any{"schema": ref(o.resp)}}
		}
		errRef := map[string]any{"description": "error", "content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
		responses := map[string]any{strconv.Itoa(o.status): success, "400": errRef, "404": errRef, "429": errRef}
		if o.auth {
			responses["401"], responses["403"] = errRef, errRef
		}
		operation := map[string]any{"tags": []string{o.tag}, "summary": o.summary, "responses": responses,
			"operationId": strings.ToLower(o.method) + strings.NewReplacer("/api/v1/", "", "/", "_", "{", "", "}", "").Replace(o.path)}
		if params != nil {
			operation["parameters"] = params
		}
		if o.auth {
			operation["security"] = []any{map[string]any{"bearer": []string{}}}
		}
		if o.body != "" {
			ct := "application/json"
			if o.body == "Upload" {
				ct = "multipart/form-data"
			}
			operation["requestBody"] = map[string]any{"required": o.method != "PUT" && o.body != "ShareInput",
				"content": map[string]any{ct: map[string]any{"schema": ref(o.body)}}}
		}
		item[strings.ToLower(o.method)] = operation
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "Redmark API", "version": "1",
			"description": "JSON API of Redmark. Ids are opaque strings, money is integer fen, times are UTC RFC 3339. " +
				"Errors are {\"error\":{\"code\",\"message\"}}. Authenticate with Authorization: Bearer <token> from signup or login."},
		"servers":    []any{map[string]any{"url": "/"}},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas, "securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}}},
	}
}

var openAPIDoc = sync.OnceValue(func() []byte {
	b, err := json.MarshalIndent(buildOpenAPI(), "", "  ")
	if err != nil {
		panic(err)
	}
	return b
})

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDoc())
}
