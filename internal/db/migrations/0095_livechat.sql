-- Live chat (issue 11, part B): messages kept with the live, hearts per
-- room, mutes and bans per room, and the one watch window per user that
-- watch-time rewards are counted in. live_id refers to lives (internal/live)
-- without a foreign key, so chat does not depend on that table's shape.

CREATE TABLE livechat_messages (
  id BIGINT PRIMARY KEY,
  live_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  deleted_at BIGINT,
  deleted_by BIGINT
);
CREATE INDEX livechat_messages_live ON livechat_messages(live_id, id);

CREATE TABLE livechat_rooms (
  live_id BIGINT PRIMARY KEY,
  hearts BIGINT NOT NULL DEFAULT 0
);

-- kind is 'mute' or 'ban'; until 0 means until lifted.
CREATE TABLE livechat_sanctions (
  live_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('mute', 'ban')),
  until BIGINT NOT NULL,
  by_user BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (live_id, user_id, kind)
);

-- One open watch window per user (whichever live or tab): last_at 0 means
-- closed; accrued_ms is watched time not yet credited; minutes numbers the
-- credited minutes, the ledger ref that makes each credit exactly-once.
CREATE TABLE livechat_watch (
  user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  live_id BIGINT NOT NULL,
  tab TEXT NOT NULL,
  last_at BIGINT NOT NULL,
  accrued_ms BIGINT NOT NULL,
  minutes BIGINT NOT NULL
);

-- Watch-time rewards are a growth earning rule (operator-configurable):
-- points per credited minute, minutes paid per day.
INSERT INTO growth_rules (rule, points, daily_cap) VALUES ('live_watch', 1, 30);
