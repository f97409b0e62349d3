-- Growth and rewards (internal/growth): levels and their task thresholds,
-- task progress, check-in, earning rules with daily caps, tips, invites and
-- channel attribution. Points themselves stay in point_ledger.

-- Ten levels; a user is at the highest level whose thresholds (and every
-- lower level's) their counts meet. Operators edit names and thresholds.
CREATE TABLE growth_levels (
  level INTEGER PRIMARY KEY,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  publish INTEGER NOT NULL DEFAULT 0,
  liked INTEGER NOT NULL DEFAULT 0,
  collect INTEGER NOT NULL DEFAULT 0,
  comment INTEGER NOT NULL DEFAULT 0,
  share INTEGER NOT NULL DEFAULT 0
);
INSERT INTO growth_levels (level, name_zh, name_en, publish, liked, collect, comment, share) VALUES
  (1, '新芽', 'Sprout', 0, 0, 0, 0, 0),
  (2, '小红薯', 'Newcomer', 1, 0, 1, 1, 0),
  (3, '探索者', 'Explorer', 3, 5, 5, 3, 1),
  (4, '分享家', 'Sharer', 5, 20, 10, 10, 5),
  (5, '种草达人', 'Tastemaker', 10, 50, 20, 20, 10),
  (6, '人气作者', 'Rising creator', 20, 200, 40, 40, 20),
  (7, '优质作者', 'Quality creator', 40, 500, 60, 80, 40),
  (8, '资深作者', 'Senior creator', 80, 2000, 100, 150, 80),
  (9, '明星作者', 'Star creator', 150, 5000, 200, 300, 150),
  (10, '红人', 'Icon', 300, 20000, 400, 600, 300);

-- Distinct acts that count towards tasks: a note published, a (liker, note)
-- pair liked, a note collected, commented or shared. Rows are never deleted,
-- so deleting and redoing an act cannot count it twice.
CREATE TABLE growth_acts (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  ref BIGINT NOT NULL,
  actor BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, kind, ref, actor)
);

-- Per-user state: counts per task kind (moved with the acts), level, time zone.
CREATE TABLE growth_users (
  user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  level INTEGER NOT NULL DEFAULT 1,
  publish INTEGER NOT NULL DEFAULT 0,
  liked INTEGER NOT NULL DEFAULT 0,
  collect INTEGER NOT NULL DEFAULT 0,
  comment INTEGER NOT NULL DEFAULT 0,
  share INTEGER NOT NULL DEFAULT 0,
  tz TEXT NOT NULL DEFAULT ''
);

CREATE TABLE growth_levelups (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  level INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, level)
);

-- One row per local calendar day (days since 1970-01-01 in the user's zone).
CREATE TABLE growth_checkins (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  day INTEGER NOT NULL,
  streak INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, day)
);

-- Earning rules: points per event and how many events pay per local day.
CREATE TABLE growth_rules (
  rule TEXT PRIMARY KEY,
  points INTEGER NOT NULL CHECK (points >= 0),
  daily_cap INTEGER NOT NULL CHECK (daily_cap >= 0)
);
INSERT INTO growth_rules (rule, points, daily_cap) VALUES
  ('checkin', 5, 1), ('streak7', 20, 1), ('share', 2, 5), ('first_purchase', 0, 1),
  ('order_paid', 0, 3), ('task', 20, 10), ('invite', 50, 10);

CREATE TABLE growth_daily (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  rule TEXT NOT NULL,
  day INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (user_id, rule, day)
);

-- Points paid for an order (per-order and first-purchase rewards), so a
-- refund claws back exactly what the order earned.
CREATE TABLE growth_order_rewards (
  order_id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  points BIGINT NOT NULL
);

CREATE TABLE growth_tips (
  id BIGINT PRIMARY KEY,
  note_id BIGINT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  from_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  to_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  points BIGINT NOT NULL CHECK (points > 0),
  idem_key TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX growth_tips_key ON growth_tips(from_id, idem_key);
CREATE INDEX growth_tips_note ON growth_tips(note_id, id);

CREATE TABLE growth_invite_codes (
  user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  code TEXT NOT NULL UNIQUE
);

-- How each user arrived: the inviter and campaign captured at first visit.
CREATE TABLE growth_signups (
  user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  inviter_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
  channel TEXT NOT NULL DEFAULT '',
  utm_source TEXT NOT NULL DEFAULT '',
  utm_medium TEXT NOT NULL DEFAULT '',
  utm_campaign TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '',
  suspect INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  active_at BIGINT
);
CREATE INDEX growth_signups_inviter ON growth_signups(inviter_id, created_at);
CREATE INDEX growth_signups_ip ON growth_signups(ip, created_at);
CREATE INDEX growth_signups_channel ON growth_signups(channel, created_at);
