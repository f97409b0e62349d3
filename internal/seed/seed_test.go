package seed_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/redmark/redmark/internal/analytics"
	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/campaigns"
	"github.com/redmark/redmark/internal/db"
	"github.com/redmark/redmark/internal/dbtest"
	"github.com/redmark/redmark/internal/id"
	"github.com/redmark/redmark/internal/seed"
)

func newApp(t *testing.T, d *db.DB) *app.App {
	t.Helper()
	a, err := app.New(app.Config{DataDir: t.TempDir()}, d, []byte("test-secret"))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func count(t *testing.T, d *db.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.Reader(context.Background()).QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// invariants are queries that count rows breaking a rule; each must be 0.
var invariants = map[string]string{
	"notes.like_count":      `SELECT COUNT(*) FROM notes n WHERE like_count <> (SELECT COUNT(*) FROM likes x WHERE x.note_id = n.id)`,
	"notes.collect_count":   `SELECT COUNT(*) FROM notes n WHERE collect_count <> (SELECT COUNT(*) FROM collects x WHERE x.note_id = n.id)`,
	"notes.comment_count":   `SELECT COUNT(*) FROM notes n WHERE comment_count <> (SELECT COUNT(*) FROM comments x WHERE x.note_id = n.id AND x.deleted = 0)`,
	"notes.share_count":     `SELECT COUNT(*) FROM notes n WHERE share_count <> (SELECT COUNT(*) FROM shares x WHERE x.note_id = n.id)`,
	"notes.view_count":      `SELECT COUNT(*) FROM notes WHERE view_count < like_count`,
	"users.follower_count":  `SELECT COUNT(*) FROM users u WHERE follower_count <> (SELECT COUNT(*) FROM follows x WHERE x.followee_id = u.id)`,
	"users.following_count": `SELECT COUNT(*) FROM users u WHERE following_count <> (SELECT COUNT(*) FROM follows x WHERE x.follower_id = u.id)`,
	"users.note_count": `SELECT COUNT(*) FROM users u WHERE note_count <>
		(SELECT COUNT(*) FROM notes x WHERE x.author_id = u.id AND x.status = 'published')`,
	"users.liked_collected_count": `SELECT COUNT(*) FROM users u WHERE liked_collected_count <>
		(SELECT COUNT(*) FROM likes l JOIN notes n ON n.id = l.note_id WHERE n.author_id = u.id AND n.status = 'published') +
		(SELECT COUNT(*) FROM collects c JOIN notes n ON n.id = c.note_id WHERE n.author_id = u.id AND n.status = 'published')`,
	"topics.note_count": `SELECT COUNT(*) FROM topics t WHERE note_count <>
		(SELECT COUNT(*) FROM note_topics x JOIN notes n ON n.id = x.note_id WHERE x.topic_id = t.id AND n.status = 'published')`,
	"boards.note_count":      `SELECT COUNT(*) FROM boards b WHERE note_count <> (SELECT COUNT(*) FROM collects x WHERE x.board_id = b.id)`,
	"comments.reply_count":   `SELECT COUNT(*) FROM comments c WHERE reply_count <> (SELECT COUNT(*) FROM comments x WHERE x.root_id = c.id AND x.deleted = 0)`,
	"comments.like_count":    `SELECT COUNT(*) FROM comments c WHERE like_count <> (SELECT COUNT(*) FROM comment_likes x WHERE x.comment_id = c.id)`,
	"collects on own boards": `SELECT COUNT(*) FROM collects c JOIN boards b ON b.id = c.board_id WHERE b.user_id <> c.user_id`,
	"no self follows":        `SELECT COUNT(*) FROM follows WHERE follower_id = followee_id`,
	"replies in their thread": `SELECT COUNT(*) FROM comments c JOIN comments r ON r.id = c.root_id
		WHERE r.note_id <> c.note_id OR r.root_id IS NOT NULL OR c.id <= r.id OR c.parent_id IS NULL OR c.reply_to_user_id IS NULL`,
	"replies newer than parents": `SELECT COUNT(*) FROM comments c JOIN comments p ON p.id = c.parent_id WHERE c.id <= p.id OR c.created_at < p.created_at`,
	"comments after notes":       `SELECT COUNT(*) FROM comments c JOIN notes n ON n.id = c.note_id WHERE c.created_at < n.created_at`,
	"likes after notes":          `SELECT COUNT(*) FROM likes l JOIN notes n ON n.id = l.note_id WHERE l.created_at < n.created_at`,
	"notes after authors":        `SELECT COUNT(*) FROM notes n JOIN users u ON u.id = n.author_id WHERE n.created_at < u.created_at`,
	"cover is first image": `SELECT COUNT(*) FROM notes n WHERE cover_media_id IS NULL OR cover_media_id <>
		(SELECT media_id FROM note_media x WHERE x.note_id = n.id AND x.position = 0)`,
	"notes without media":  `SELECT COUNT(*) FROM notes n WHERE NOT EXISTS (SELECT 1 FROM note_media x WHERE x.note_id = n.id)`,
	"notes without topics": `SELECT COUNT(*) FROM notes n WHERE NOT EXISTS (SELECT 1 FROM note_topics x WHERE x.note_id = n.id)`,
}

func checkInvariants(t *testing.T, d *db.DB) {
	t.Helper()
	for name, q := range invariants {
		if n := count(t, d, q); n != 0 {
			t.Errorf("%s: %d rows break it", name, n)
		}
	}
	// Ids follow time: ordering by id never puts a later row first.
	for _, table := range []string{"users", "notes", "comments", "media", "boards", "notifications"} {
		rows, err := d.Reader(context.Background()).Query(context.Background(), "SELECT id, created_at FROM "+table+" ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		var last int64
		for rows.Next() {
			var i id.ID
			var at int64
			if err := rows.Scan(&i, &at); err != nil {
				t.Fatal(err)
			}
			// Rows written through the services take the id and the clock
			// in two calls, which may straddle a millisecond tick.
			if at < last-1000 || abs(i.Time().UnixMilli()-at) > 1000 {
				t.Errorf("%s %d: created_at %d out of id order (previous %d)", table, i, at, last)
				break
			}
			last = at
		}
		rows.Close()
	}
}

func TestDemo(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := newApp(t, d)
		opts := seed.DemoOptions{Users: 40, Notes: 200, Covers: 14, Avatars: 3, Seed: 7}
		if err := seed.DemoWith(ctx, a, opts); err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, d)
		if n := count(t, d, "SELECT COUNT(*) FROM users"); n != 40 {
			t.Errorf("users = %d, want 40", n)
		}
		// The generated notes, and the festival's few carrying its topic.
		festNotes := count(t, d, `SELECT COUNT(*) FROM note_topics x JOIN topics t ON t.id = x.topic_id JOIN festivals f ON f.topic = t.name`)
		if n := count(t, d, "SELECT COUNT(*) FROM notes WHERE status = 'published' AND kind = 'image'"); n != 200+festNotes || festNotes == 0 {
			t.Errorf("notes = %d with %d carrying the festival's topic, want 200 and some", n, festNotes)
		}
		for _, table := range []string{"follows", "likes", "collects", "boards", "comments", "comment_likes", "shares",
			"notifications", "note_mentions", "timeline", "growth_checkins", "growth_signups", "places", "note_places", "trip_items", "lives"} {
			if count(t, d, "SELECT COUNT(*) FROM "+table) == 0 {
				t.Errorf("no %s", table)
			}
		}
		if count(t, d, "SELECT COUNT(*) FROM growth_signups WHERE inviter_id IS NOT NULL") == 0 ||
			count(t, d, "SELECT COUNT(*) FROM growth_checkins WHERE streak >= 7") == 0 {
			t.Error("no invite trees or week-long check-in streaks in the demo")
		}
		// Levels come from the bulk-loaded activity (the growth backfill).
		if n := count(t, d, "SELECT COUNT(DISTINCT level) FROM growth_users"); n < 3 {
			t.Errorf("demo users span %d levels, want a spread", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM growth_users g WHERE g.liked <> (SELECT COUNT(*) FROM likes l JOIN notes n
			ON n.id = l.note_id WHERE n.author_id = g.user_id AND l.user_id <> g.user_id)`); n != 0 {
			t.Errorf("%d users' liked counts differ from the likes on their notes", n)
		}
		if count(t, d, "SELECT COUNT(*) FROM campaigns WHERE published_at > 0") != 1 ||
			count(t, d, "SELECT COUNT(*) FROM campaigns WHERE published_at = 0 AND ends_at > starts_at") != 1 ||
			count(t, d, "SELECT COUNT(*) FROM campaign_votes") == 0 {
			t.Error("the demo lacks a finished and a running campaign with votes")
		}
		cids, err := db.IDs(d.Reader(ctx).Query(ctx, "SELECT id FROM campaigns"))
		if err != nil {
			t.Fatal(err)
		}
		for _, cid := range cids {
			if err := campaigns.Verify(ctx, d, cid); err != nil {
				t.Error(err)
			}
		}
		if count(t, d, "SELECT COUNT(*) FROM guides WHERE status = 'published'") != 1 {
			t.Error("no published demo guide")
		}
		if count(t, d, "SELECT COUNT(*) FROM comments WHERE root_id IS NOT NULL") == 0 {
			t.Error("no replies")
		}
		// Every image belongs to the note's author, and its files exist.
		if n := count(t, d, `SELECT COUNT(*) FROM note_media x JOIN media m ON m.id = x.media_id JOIN notes n ON n.id = x.note_id
			WHERE m.owner_id <> n.author_id`); n != 0 {
			t.Errorf("%d note images owned by someone else", n)
		}
		rows, err := d.Reader(ctx).Query(ctx, "SELECT DISTINCT storage_key, thumb_key, width, height FROM media")
		if err != nil {
			t.Fatal(err)
		}
		files := 0
		for rows.Next() {
			var key, thumb string
			var w, h int
			if err := rows.Scan(&key, &thumb, &w, &h); err != nil {
				t.Fatal(err)
			}
			if w <= 0 || h <= 0 {
				t.Errorf("%s has no size", key)
			}
			for _, k := range []string{key, thumb} {
				o, err := a.Media.Store().Open(ctx, k)
				if err != nil {
					t.Errorf("media file %s: %v", k, err)
					continue
				}
				if o.Size == 0 {
					t.Errorf("media file %s is empty", k)
				}
				o.Close()
				files++
			}
		}
		rows.Close()
		if files == 0 {
			t.Fatal("no media files")
		}
		// Both languages, with #topics and @mentions written in the text.
		var zh, en int
		rows, err = d.Reader(ctx).Query(ctx, "SELECT title, body FROM notes")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var title, body string
			if err := rows.Scan(&title, &body); err != nil {
				t.Fatal(err)
			}
			if hasHan(title) {
				zh++
			} else {
				en++
			}
			if !strings.Contains(body, "#") {
				t.Errorf("body without topics: %q", body)
			}
		}
		rows.Close()
		if zh < 100 || en < 20 {
			t.Errorf("languages: %d Chinese, %d English notes", zh, en)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM note_mentions x JOIN notes n ON n.id = x.note_id JOIN users u ON u.id = x.user_id
			WHERE n.body NOT LIKE '%@' || u.username || '%'`); n != 0 {
			t.Errorf("%d mentions not in the text", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM note_topics x JOIN notes n ON n.id = x.note_id JOIN topics t ON t.id = x.topic_id
			WHERE LOWER(n.body) NOT LIKE '%#' || t.name || '%'`); n != 0 {
			t.Errorf("%d topics not in the text", n)
		}

		// The known logins work, and the demo user reads a following feed.
		demo, _, err := a.Accounts.Login(ctx, seed.DemoUsername, seed.DemoPassword, "test")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.Accounts.Login(ctx, seed.AdminUsername, seed.AdminPassword, "test"); err != nil {
			t.Fatal(err)
		}
		if demo.FollowingCount == 0 || demo.NoteCount == 0 {
			t.Errorf("demo user follows %d and has %d notes", demo.FollowingCount, demo.NoteCount)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM boards WHERE user_id = ? AND name = ?", demo.ID, "想去的地方"); n != 1 {
			t.Error("the demo user has no 想去的地方 board")
		}
		if n := count(t, d, "SELECT COUNT(*) FROM notifications WHERE user_id = ?", demo.ID); n == 0 {
			t.Error("the demo user has no notifications")
		}
		convs, err := a.Messages.Conversations(ctx, demo.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(convs) == 0 {
			t.Error("the demo user has no conversations")
		}
		feed, err := a.Feed.Following(ctx, demo.ID, 0, 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(feed) == 0 {
			t.Error("the demo user's following feed is empty")
		}
		for _, nid := range feed {
			if n := count(t, d, `SELECT COUNT(*) FROM notes n JOIN follows f ON f.followee_id = n.author_id
				WHERE n.id = ? AND f.follower_id = ?`, nid, demo.ID); n != 1 {
				t.Errorf("feed note %d is not by someone the demo user follows", nid)
			}
		}

		// Analytics history: 90+ rolled-up days of activity, growing, and a
		// campaign whose days lift DAU with an interval above zero.
		m := a.Analytics.Metrics
		rolled, ok, err := m.Rolled(ctx)
		if err != nil || !ok {
			t.Fatalf("no analytics rollups: %v", err)
		}
		o, err := m.Overview(ctx, analytics.Range{From: rolled - seed.AnalyticsDays + 1, To: rolled})
		if err != nil {
			t.Fatal(err)
		}
		first := slices.IndexFunc(o.Days, func(p analytics.DayPoint) bool { return p.DAU > 0 })
		avg := func(ps []analytics.DayPoint) (s float64) {
			for _, p := range ps {
				s += float64(p.DAU)
			}
			return s / float64(len(ps))
		}
		if first != 0 || len(o.Days) < 90 || avg(o.Days[len(o.Days)-30:]) <= 2*avg(o.Days[first:first+30]) {
			t.Errorf("demo history: first active day %d of %d, average DAU %.1f in the first 30 days, %.1f in the last",
				first, len(o.Days), avg(o.Days[:30]), avg(o.Days[len(o.Days)-30:]))
		}
		cs, err := m.Campaigns(ctx, o.Range)
		if err != nil {
			t.Fatal(err)
		}
		lifted := map[string]bool{}
		for _, c := range cs {
			for _, u := range c.Effects {
				if u.Significant && u.Low > 0 {
					lifted[u.Metric] = true
				}
			}
		}
		if !lifted["dau"] {
			t.Errorf("no campaign with a clear DAU uplift: %+v", cs)
		}

		// The creator centre counts the analytics history's acts on each
		// author's notes by others, every one once.
		for kind, col := range map[analytics.Kind]string{analytics.View: "views", analytics.Like: "likes", analytics.Collect: "collects",
			analytics.ProductClick: "clicks"} {
			events := count(t, d, `SELECT COUNT(*) FROM analytics_events e JOIN notes n ON n.id = e.ref
				WHERE e.kind = ? AND e.user_id <> n.author_id`, int(kind))
			if got := count(t, d, "SELECT COALESCE(SUM("+col+"), 0) FROM creator_note_days"); got != events || (kind == analytics.View && got == 0) {
				t.Errorf("creator centre %s = %d, the history has %d", col, got, events)
			}
		}
		st, err := a.Creators.Stats(ctx, demo.ID, 30)
		if err != nil {
			t.Fatal(err)
		}
		if st.Totals.Views == 0 || len(st.Notes) == 0 {
			t.Errorf("the demo user's creator centre is empty: %+v", st.Totals)
		}
		mine, err := a.Support.ForCreator(ctx, demo.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(mine) != 1 || mine[0].Program.Status != "live" {
			t.Errorf("the demo user's support programs: %+v", mine)
		}

		// A second start leaves the data alone.
		before := count(t, d, "SELECT COUNT(*) FROM notes")
		if err := seed.DemoWith(ctx, a, opts); err != nil {
			t.Fatal(err)
		}
		if after := count(t, d, "SELECT COUNT(*) FROM notes"); after != before {
			t.Errorf("second demo load changed notes from %d to %d", before, after)
		}
	})
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

func TestLarge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a := newApp(t, d)
		o := seed.Options{Users: 200, Notes: 1000, Follows: 1500, Likes: 3500, Collects: 400, Comments: 600,
			Covers: 14, Avatars: 2, Password: "password123", Seed: 3}
		rep, err := seed.Large(ctx, a, o)
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, d)
		want := map[string]int64{"users": 200, "notes": 1000, "follows": 1500, "likes": 3500, "collects": 400, "comments": 600,
			"media": 14}
		for table, n := range want {
			if got := count(t, d, "SELECT COUNT(*) FROM "+table); got != n {
				t.Errorf("%s = %d, want %d", table, got, n)
			}
		}
		if len(rep.Phases) == 0 || rep.Total <= 0 {
			t.Errorf("empty report %+v", rep)
		}
		// The follow graph is skewed: someone has many followers.
		if top := count(t, d, "SELECT MAX(follower_count) FROM users"); top < 40 {
			t.Errorf("most followed has %d followers; want a power law", top)
		}
		if _, _, err := a.Accounts.Login(ctx, pickUser(t, d), "password123", "test"); err != nil {
			t.Fatal(err)
		}
		if count(t, d, "SELECT COUNT(*) FROM timeline") == 0 {
			t.Error("timelines were not built")
		}
		if _, err := seed.Large(ctx, a, o); err != seed.ErrNotEmpty {
			t.Errorf("second run: %v, want ErrNotEmpty", err)
		}
	})
}

func pickUser(t *testing.T, d *db.DB) string {
	var name string
	if err := d.Reader(context.Background()).QueryRow(context.Background(), "SELECT username FROM users ORDER BY id LIMIT 1").Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
