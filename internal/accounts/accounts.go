// Package accounts owns users, their profiles and private persona, and the
// sessions (bearer tokens and web cookies) that authenticate them.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/apperr"
	"github.com/redmark/redmark/internal/cache"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/outbox"
	"github.com/redmark/redmark/internal/validate"
)

// Roles a user can hold (C1).
const (
	RoleUser     = "user"
	RoleCreator  = "creator"
	RoleBrand    = "brand"
	RoleMerchant = "merchant"
	RoleOperator = "operator"
	// RoleModerator works the moderation queue (internal/moderation) and
	// has no other operator powers.
	RoleModerator = "moderator"
)

// SessionTTL is how long a token stays valid after login.
const SessionTTL = 90 * 24 * time.Hour

// User is an account. Persona is private: it is filled only when a user
// reads their own account and must never be sent to anyone else.
type User struct {
	ID                  id.ID     `json:"id"`
	Username            string    `json:"username"`
	DisplayName         string    `json:"display_name"`
	Bio                 string    `json:"bio"`
	AvatarURL           string    `json:"avatar_url"`
	Role                string    `json:"role"`
	FollowerCount       int64     `json:"follower_count"`
	FollowingCount      int64     `json:"following_count"`
	NoteCount           int64     `json:"note_count"`
	LikedCollectedCount int64     `json:"liked_collected_count"`
	CreatedAt           time.Time `json:"created_at"`
	Locale              string    `json:"-"`
	Persona             *Persona  `json:"persona,omitempty"`
}

// Persona holds the optional private profile fields (C1, O2).
type Persona struct {
	Gender    string `json:"gender"`
	BirthYear int    `json:"birth_year"`
	Region    string `json:"region"`
}

// Public returns the user without private fields.
func (u User) Public() User {
	u.Persona = nil
	return u
}

// Service manages accounts and sessions.
type Service struct {
	db *db.DB
	// users caches users by id (every note shown carries its author):
	// each write to a users row forgets it after commit; the TTL bounds
	// how long another server's write goes unseen.
	users *cache.Cache[id.ID, User]
	// sessions caches token hash → session, for the same reason (every
	// signed-in request). Logout drops its entry after commit;
	// on other servers a revoked token lives until sessionCacheTTL.
	sessions *cache.Cache[string, session]
	// MayLogIn, when set, refuses a log-in with the right password for an
	// account trust and safety suspended or banned (restrict.go).
	MayLogIn func(ctx context.Context, uid id.ID) error
}

type session struct {
	user    id.ID
	expires time.Time
}

const (
	userCacheEntries = 20000
	userCacheTTL     = 30 * time.Second
	sessionCacheTTL  = 10 * time.Second
)

func New(d *db.DB) *Service {
	return &Service{db: d,
		users:    cache.New[id.ID, User]("users", userCacheEntries, userCacheTTL, func(i id.ID) uint64 { return uint64(i) }),
		sessions: cache.New[string, session]("sessions", userCacheEntries, sessionCacheTTL, hashPrefix)}
}

// ShareCaches links the user and session caches to the other servers, so
// a profile change or a revoked session is seen everywhere at once.
func (s *Service) ShareCaches(p cache.Peers) {
	s.users.Share(p, "users", id.ID.String, id.ParseOK)
	s.sessions.Share(p, "sessions", func(h string) string { return h }, func(h string) (string, bool) { return h, len(h) >= 16 })
}

// hashPrefix spreads token hashes (hex SHA-256) over cache stripes.
func hashPrefix(h string) uint64 {
	v, _ := strconv.ParseUint(h[:16], 16, 64)
	return v
}

// forget drops a user's cached row once the transaction in ctx commits.
func (s *Service) forget(ctx context.Context, uid id.ID) {
	db.AfterCommit(ctx, func() { s.users.Forget(uid) })
}

const userCols = `id, username, display_name, bio, avatar_url, role, follower_count, following_count,
	note_count, liked_collected_count, created_at, locale, gender, birth_year, region`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created int64
	p := &Persona{}
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Bio, &u.AvatarURL, &u.Role, &u.FollowerCount,
		&u.FollowingCount, &u.NoteCount, &u.LikedCollectedCount, &created, &u.Locale, &p.Gender, &p.BirthYear, &p.Region)
	u.CreatedAt = time.UnixMilli(created).UTC()
	u.Persona = p
	return u, err
}

// SignUp creates an account and a first session. It returns 409 when the
// username is taken.
func (s *Service) SignUp(ctx context.Context, username, password, displayName, userAgent string) (User, string, error) {
	return s.signUp(ctx, username, password, displayName, RoleUser, userAgent)
}

func (s *Service) signUp(ctx context.Context, username, password, displayName, role, userAgent string) (User, string, error) {
	name, err := NormalizeUsername(username)
	if err != nil {
		return User{}, "", err
	}
	if err := checkPasswordRules(password); err != nil {
		return User{}, "", err
	}
	if strings.TrimSpace(displayName) == "" {
		displayName = name
	}
	display, err := validate.Text("display_name", displayName, 1, DisplayNameMax, false)
	if err != nil {
		return User{}, "", err
	}
	hash := HashPassword(password)
	return s.create(ctx, name, display, hash, role, userAgent)
}

// CreateWithHash inserts an account whose password hash is already known
// (seeding uses one precomputed hash for thousands of demo users).
func (s *Service) CreateWithHash(ctx context.Context, username, displayName, hash, role string) (User, error) {
	u, _, err := s.create(ctx, username, displayName, hash, role, "")
	return u, err
}

func (s *Service) create(ctx context.Context, name, display, hash, role, userAgent string) (User, string, error) {
	var u User
	var token string
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		now := db.Now()
		uid := id.New()
		_, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO users (id, username, display_name, password_hash, role, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, uid, name, display, hash, role, now, now)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("username %q is taken", name)
		}
		if err != nil {
			return err
		}
		if err := outbox.Add(ctx, s.db, outbox.User, uid); err != nil { // search index follows
			return err
		}
		if userAgent != "" || hash != "" {
			if token, err = s.newSession(ctx, uid, userAgent); err != nil {
				return err
			}
		}
		u, err = s.Get(ctx, uid)
		return err
	})
	return u, token, err
}

// dummyHash is checked against when the username does not exist, so that a
// login for an unknown user takes as long as one with a wrong password.
var dummyHash = HashPassword("not-a-real-password")

// Login checks credentials and opens a session.
func (s *Service) Login(ctx context.Context, username, password, userAgent string) (User, string, error) {
	bad := apperr.Unauthorized("wrong username or password")
	name, err := NormalizeUsername(username)
	if err != nil || len(password) > PasswordMax {
		return User{}, "", bad
	}
	var uid id.ID
	var hash string
	err = s.db.Reader(ctx).QueryRow(ctx, "SELECT id, password_hash FROM users WHERE username = ?", name).Scan(&uid, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword(dummyHash, password)
		return User{}, "", bad
	}
	if err != nil {
		return User{}, "", err
	}
	if !checkPassword(hash, password) {
		return User{}, "", bad
	}
	if s.MayLogIn != nil {
		if err := s.MayLogIn(ctx, uid); err != nil {
			return User{}, "", err
		}
	}
	token, err := s.newSession(ctx, uid, userAgent)
	if err != nil {
		return User{}, "", err
	}
	u, err := s.Get(ctx, uid)
	return u, token, err
}

// NewSession opens a session for uid without a password: for tests and
// benchmark preparation, which make thousands of signed-in users without
// paying for thousands of password hashes. Never expose it over HTTP.
func (s *Service) NewSession(ctx context.Context, uid id.ID, userAgent string) (string, error) {
	return s.newSession(ctx, uid, userAgent)
}

// newSession stores only the SHA-256 of the token, so a database leak does
// not leak usable tokens.
func (s *Service) newSession(ctx context.Context, uid id.ID, userAgent string) (string, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := "rm_" + base64.RawURLEncoding.EncodeToString(b)
	now := db.Now()
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	_, err := s.db.Writer(ctx).Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, user_agent)
		VALUES (?, ?, ?, ?, ?)`, hashToken(token), uid, now, now+SessionTTL.Milliseconds(), userAgent)
	return token, err
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// Authenticate returns the user a token belongs to, or 401.
func (s *Service) Authenticate(ctx context.Context, token string) (User, error) {
	if token == "" || len(token) > 100 {
		return User{}, apperr.Unauthorized("missing or invalid token")
	}
	h := hashToken(token)
	now := time.Now()
	sess, ok := s.sessions.Get(h)
	if !ok {
		tok := s.sessions.Token(h)
		var expires int64
		err := s.db.Reader(ctx).QueryRow(ctx, "SELECT user_id, expires_at FROM sessions WHERE token_hash = ?", h).Scan(&sess.user, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return User{}, apperr.Unauthorized("missing or invalid token")
		}
		if err != nil {
			return User{}, err
		}
		sess.expires = time.UnixMilli(expires)
		s.sessions.Put(h, sess, tok)
	}
	if !now.Before(sess.expires) {
		return User{}, apperr.Unauthorized("missing or invalid token")
	}
	u, err := s.Get(ctx, sess.user)
	if errors.Is(err, apperr.ErrNotFound) { // the user is gone
		return User{}, apperr.Unauthorized("missing or invalid token")
	}
	return u, err
}

// Logout revokes one token.
func (s *Service) Logout(ctx context.Context, token string) error {
	h := hashToken(token)
	db.AfterCommit(ctx, func() { s.sessions.Forget(h) })
	_, err := s.db.Writer(ctx).Exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", h)
	return err
}

// Get returns a user by id, with persona; callers strip it with Public.
func (s *Service) Get(ctx context.Context, uid id.ID) (User, error) {
	if u, ok := s.users.Get(uid); ok {
		return u, nil
	}
	tok := s.users.Token(uid)
	u, err := scanUser(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE id = ?", uid))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, apperr.NotFound("user")
	}
	if err == nil {
		s.users.Put(uid, u, tok)
	}
	return u, err
}

// GetByUsername returns a user by (case-insensitive) username.
func (s *Service) GetByUsername(ctx context.Context, username string) (User, error) {
	name := strings.ToLower(strings.TrimSpace(username))
	u, err := scanUser(s.db.Reader(ctx).QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE username = ?", name))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, apperr.NotFound("user")
	}
	return u, err
}

// GetMany returns the public form of the given users, keyed by id; unknown
// ids are absent.
func (s *Service) GetMany(ctx context.Context, ids []id.ID) (map[id.ID]User, error) {
	out := make(map[id.ID]User, len(ids))
	tok := make(map[id.ID]uint64, len(ids))
	uniq := make([]any, 0, len(ids))
	for _, i := range ids {
		if u, ok := s.users.Get(i); ok {
			out[i] = u.Public()
		} else if _, seen := tok[i]; !seen {
			tok[i] = s.users.Token(i)
			uniq = append(uniq, i)
		}
	}
	if len(uniq) == 0 {
		return out, nil
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT "+userCols+" FROM users WHERE id IN ("+db.Placeholders(len(uniq))+")", uniq...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		s.users.Put(u.ID, u, tok[u.ID])
		out[u.ID] = u.Public()
	}
	return out, rows.Err()
}

// IDsByUsernames resolves usernames (e.g. @mentions) to ids, skipping unknown ones.
func (s *Service) IDsByUsernames(ctx context.Context, names []string) (map[string]id.ID, error) {
	out := map[string]id.ID{}
	if len(names) == 0 {
		return out, nil
	}
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = strings.ToLower(n)
	}
	rows, err := s.db.Reader(ctx).Query(ctx, "SELECT id, username FROM users WHERE username IN ("+db.Placeholders(len(args))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var uid id.ID
		var n string
		if err := rows.Scan(&uid, &n); err != nil {
			return nil, err
		}
		out[n] = uid
	}
	return out, rows.Err()
}

// ProfileUpdate lists the fields PATCH /me may change; nil means unchanged.
type ProfileUpdate struct {
	DisplayName *string `json:"display_name"`
	Bio         *string `json:"bio"`
	AvatarURL   *string `json:"-"`
	Locale      *string `json:"locale"`
	Gender      *string `json:"gender"`
	BirthYear   *int    `json:"birth_year"`
	Region      *string `json:"region"`
}

// Genders accepted for the private persona; "" means not said.
var Genders = []string{"", "female", "male", "other"}

// UpdateProfile validates and applies a profile change.
func (s *Service) UpdateProfile(ctx context.Context, uid id.ID, p ProfileUpdate) (User, error) {
	u, err := s.Get(ctx, uid)
	if err != nil {
		return User{}, err
	}
	if p.DisplayName != nil {
		if u.DisplayName, err = validate.Text("display_name", *p.DisplayName, 1, DisplayNameMax, false); err != nil {
			return User{}, err
		}
	}
	if p.Bio != nil {
		if u.Bio, err = validate.Text("bio", *p.Bio, 0, BioMax, true); err != nil {
			return User{}, err
		}
	}
	if p.AvatarURL != nil {
		u.AvatarURL = *p.AvatarURL
	}
	if p.Locale != nil {
		if *p.Locale != "" && *p.Locale != "en" && *p.Locale != "zh-CN" {
			return User{}, apperr.Invalid("locale must be \"en\" or \"zh-CN\"")
		}
		u.Locale = *p.Locale
	}
	if p.Gender != nil {
		ok := false
		for _, g := range Genders {
			ok = ok || g == *p.Gender
		}
		if !ok {
			return User{}, apperr.Invalid("gender must be one of female, male, other or empty")
		}
		u.Persona.Gender = *p.Gender
	}
	if p.BirthYear != nil {
		y := *p.BirthYear
		if y != 0 && (y < 1900 || y > time.Now().UTC().Year()) {
			return User{}, apperr.Invalid("birth_year must be between 1900 and this year, or 0")
		}
		u.Persona.BirthYear = y
	}
	if p.Region != nil {
		if u.Persona.Region, err = validate.Text("region", *p.Region, 0, RegionMax, false); err != nil {
			return User{}, err
		}
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		s.forget(ctx, uid)
		_, err := s.db.Writer(ctx).Exec(ctx, `UPDATE users SET display_name = ?, bio = ?, avatar_url = ?, locale = ?, gender = ?,
		birth_year = ?, region = ?, updated_at = ? WHERE id = ?`, u.DisplayName, u.Bio, u.AvatarURL, u.Locale,
			u.Persona.Gender, u.Persona.BirthYear, u.Persona.Region, db.Now(), uid)
		if err != nil {
			return err
		}
		return outbox.Add(ctx, s.db, outbox.User, uid) // search index follows
	})
	if err != nil {
		return User{}, err
	}
	return s.Get(ctx, uid)
}

// SetRole changes a user's role (operator tooling).
func (s *Service) SetRole(ctx context.Context, uid id.ID, role string) error {
	switch role {
	case RoleUser, RoleCreator, RoleBrand, RoleMerchant, RoleOperator, RoleModerator:
	default:
		return apperr.Invalid("unknown role %q", role)
	}
	s.forget(ctx, uid)
	res, err := s.db.Writer(ctx).Exec(ctx, "UPDATE users SET role = ?, updated_at = ? WHERE id = ?", role, db.Now(), uid)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound("user")
	}
	return nil
}

// Counter names a denormalised count on users, kept by other domains in the
// same transaction as the rows they count.
type Counter string

const (
	Followers      Counter = "follower_count"
	Following      Counter = "following_count"
	Notes          Counter = "note_count"
	LikedCollected Counter = "liked_collected_count"
)

// AddCount adds delta to one of a user's counters.
func (s *Service) AddCount(ctx context.Context, uid id.ID, c Counter, delta int64) error {
	switch c {
	case Followers, Following, Notes, LikedCollected:
	default:
		return errors.New("accounts: unknown counter " + string(c))
	}
	s.forget(ctx, uid)
	_, err := s.db.Writer(ctx).Exec(ctx, "UPDATE users SET "+string(c)+" = "+string(c)+" + ? WHERE id = ?", delta, uid)
	return err
}
