package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/redmark/redmark/internal/accounts"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/httpx"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/media"
	"github.com/redmark/redmark/internal/social"
)

// pageSize is how many notes, users or messages one page lists.
const pageSize = 24

func (w *Web) registerUsers(mux *http.ServeMux) {
	mux.Handle("GET /u/{username}", w.h(w.profile))
	mux.Handle("GET /u/{username}/followers", w.h(w.followList))
	mux.Handle("GET /u/{username}/following", w.h(w.followList))
	mux.Handle("POST /u/{username}/follow", w.h(w.follow))
	mux.Handle("GET /settings/profile", w.h(w.settingsPage))
	mux.Handle("POST /settings/profile", w.h(w.saveSettings))
}

// allowWrite applies the per-user write rate limit the API uses.
func (q *req) allowWrite(me accounts.User) error {
	return app.Allow(q.w.app.Limits.Write, me.ID.String())
}

type profileHead struct {
	User      accounts.User
	IsMe      bool
	Rel       social.Relationship
	CanFollow bool
	Level     int // growth level, shown as a badge
}

func (q *req) profileHead(username string) (profileHead, error) {
	u, err := q.w.app.Accounts.GetByUsername(q.r.Context(), username)
	if err != nil {
		return profileHead{}, err
	}
	h := profileHead{User: u.Public()}
	lv, err := q.w.app.Growth.UserLevels(q.r.Context(), []id.ID{u.ID})
	if err != nil {
		return profileHead{}, err
	}
	h.Level = lv[u.ID]
	if q.me != nil {
		h.IsMe = q.me.ID == u.ID
		if !h.IsMe {
			if h.Rel, err = q.w.app.Social.Relationship(q.r.Context(), q.me.ID, u.ID); err != nil {
				return profileHead{}, err
			}
		}
	}
	h.CanFollow = !h.IsMe
	return h, nil
}

type profileData struct {
	profileHead
	Tab    string
	Cards  []card
	Boards []social.Board
	More   string
	Empty  string
}

func (w *Web) profile(q *req) error {
	h, err := q.profileHead(q.r.PathValue("username"))
	if err != nil {
		return err
	}
	d := profileData{profileHead: h, Tab: q.r.URL.Query().Get("tab")}
	ctx := q.r.Context()
	cursor := q.r.URL.Query().Get("cursor")
	switch d.Tab {
	case "boards":
		if d.Boards, err = w.app.Social.Boards(ctx, h.User.ID); err != nil {
			return err
		}
		d.Empty = q.t("profile.no_boards")
	case "likes":
		c, err := social.ParseCursor(cursor)
		if err != nil {
			return err
		}
		ids, next, err := w.app.Social.LikedNotes(ctx, h.User.ID, c, pageSize)
		if err != nil {
			return err
		}
		if d.Cards, err = q.cardsByID(ids); err != nil {
			return err
		}
		if next.String() != "" {
			d.More = "?tab=likes&cursor=" + next.String()
		}
		d.Empty = q.t("profile.no_likes")
	default:
		d.Tab = "notes"
		before, err := httpx.IDCursor(cursor)
		if err != nil {
			return err
		}
		if d.Cards, d.More, err = q.authorCards(h.User.ID, before); err != nil {
			return err
		}
		d.Empty = q.t("profile.no_notes")
	}
	tab := ""
	if h.IsMe {
		tab = "me"
	}
	q.render(http.StatusOK, "profile", h.User.DisplayName, tab, d)
	return nil
}

type followListData struct {
	profileHead
	Followers bool
	Users     []accounts.User
	More      string
}

func (w *Web) followList(q *req) error {
	h, err := q.profileHead(q.r.PathValue("username"))
	if err != nil {
		return err
	}
	c, err := social.ParseCursor(q.r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	d := followListData{profileHead: h, Followers: strings.HasSuffix(q.r.URL.Path, "/followers")}
	list := w.app.Social.Following
	title := q.t("profile.following_of", h.User.DisplayName)
	if d.Followers {
		list = w.app.Social.Followers
		title = q.t("profile.followers_of", h.User.DisplayName)
	}
	ids, next, err := list(q.r.Context(), h.User.ID, c, pageSize)
	if err != nil {
		return err
	}
	if d.Users, err = q.users(ids); err != nil {
		return err
	}
	if next.String() != "" {
		d.More = "?cursor=" + next.String()
	}
	q.render(http.StatusOK, "follows", title, "", d)
	return nil
}

// users loads users in the order of ids, skipping missing ones.
func (q *req) users(ids []id.ID) ([]accounts.User, error) {
	m, err := q.w.app.Accounts.GetMany(q.r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]accounts.User, 0, len(ids))
	for _, i := range ids {
		if u, ok := m[i]; ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// follow handles the follow button without JavaScript.
func (w *Web) follow(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return err
	}
	u, err := w.app.Accounts.GetByUsername(q.r.Context(), q.r.PathValue("username"))
	if err != nil {
		return err
	}
	if q.r.PostFormValue("action") == "unfollow" {
		_, err = w.app.Social.Unfollow(q.r.Context(), me.ID, u.ID)
	} else {
		_, err = w.app.Social.Follow(q.r.Context(), me.ID, u.ID)
	}
	if err != nil {
		return err
	}
	q.back("/u/" + u.Username)
	return nil
}

type settingsData struct {
	User    accounts.User
	Genders []string
	Error   string
	Saved   bool
}

func (w *Web) settingsPage(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	q.render(http.StatusOK, "settings", q.t("settings.title"), "me",
		settingsData{User: me, Genders: accounts.Genders, Saved: q.r.URL.Query().Get("saved") == "1"})
	return nil
}

// maxAvatarForm bounds the settings form: an avatar image and a few fields.
const maxAvatarForm = media.MaxImageBytes + 1<<20

func (w *Web) saveSettings(q *req) error {
	me, err := q.requireUser()
	if err != nil {
		return err
	}
	if err := q.allowWrite(me); err != nil {
		return err
	}
	fail := func(err error) error {
		var ae *apperr.Error
		if !errors.As(err, &ae) {
			return err
		}
		q.render(ae.Status, "settings", q.t("settings.title"), "me", settingsData{User: me, Genders: accounts.Genders, Error: q.problem(ae)})
		return nil
	}
	if err := parseMultipart(q, maxAvatarForm); err != nil {
		return fail(err)
	}
	f := q.r.PostForm
	p := accounts.ProfileUpdate{}
	for _, x := range []struct {
		name string
		dst  **string
	}{{"display_name", &p.DisplayName}, {"bio", &p.Bio}, {"gender", &p.Gender}, {"region", &p.Region}, {"locale", &p.Locale}} {
		if v, ok := f[x.name]; ok && len(v) > 0 {
			s := v[0]
			*x.dst = &s
		}
	}
	if v, ok := f["birth_year"]; ok && len(v) > 0 {
		y := 0
		if s := strings.TrimSpace(v[0]); s != "" {
			if y, err = strconv.Atoi(s); err != nil {
				return fail(apperr.Invalid("birth_year must be a number"))
			}
		}
		p.BirthYear = &y
	}
	if fh := formFile(q.r, "avatar"); fh != nil {
		m, err := upload(q, me, fh)
		if err != nil {
			return fail(err)
		}
		if m.Kind != media.Image {
			return fail(apperr.Invalid("the avatar must be an image"))
		}
		u := m.ThumbnailURL
		if u == "" {
			u = m.URL
		}
		p.AvatarURL = &u
	}
	u, err := w.app.Accounts.UpdateProfile(q.r.Context(), me.ID, p)
	if err != nil {
		return fail(err)
	}
	if validLang(u.Locale) {
		q.setLangCookie(u.Locale)
	}
	q.redirect("/settings/profile?saved=1")
	return nil
}

// parseMultipart reads a multipart form of at most limit bytes. The server
// middleware may already have parsed it (to read the CSRF field); then the
// parsed form is used as is.
func parseMultipart(q *req, limit int64) error {
	if q.r.MultipartForm != nil {
		return nil
	}
	q.r.Body = http.MaxBytesReader(q.rw, q.r.Body, limit)
	err := q.r.ParseMultipartForm(8 << 20)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return apperr.TooLarge("the upload is too large")
	case errors.Is(err, http.ErrNotMultipart):
		return q.r.ParseForm()
	case err != nil:
		return apperr.Invalid("could not read the form")
	}
	return nil
}

// formFile returns the named upload, or nil when none was chosen.
func formFile(r *http.Request, field string) *multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	for _, fh := range r.MultipartForm.File[field] {
		if fh.Size > 0 {
			return fh
		}
	}
	return nil
}

// upload hands one uploaded file to the media service, which checks its
// type by content, its size, and re-encodes it.
func upload(q *req, me accounts.User, fh *multipart.FileHeader) (media.Media, error) {
	f, err := fh.Open()
	if err != nil {
		return media.Media{}, apperr.Invalid("could not read the upload")
	}
	defer f.Close()
	return q.w.app.Media.Upload(q.r.Context(), me.ID, fh.Filename, io.Reader(f))
}
