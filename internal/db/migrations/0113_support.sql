-- Creator support programs (internal/support, G2): enrolled creators' new
-- notes are lifted in the discover feed for the program's period, except
-- for a fixed holdout of readers, so boosted and held-out impressions can
-- be compared. See docs/campaigns.md.

-- boost_pct: the ranking score multiplier in percent (150: ×1.5).
-- holdout_pct: readers who never get the boost (chosen by a hash of the
-- reader and the program). note_days: a note published after enrolment is
-- new for this long. rule_min_level > 0 enrols creators at that growth
-- level or above automatically, only those whose account is younger than
-- rule_new_days when that is > 0.
CREATE TABLE support_programs (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  boost_pct INTEGER NOT NULL CHECK (boost_pct > 100),
  holdout_pct INTEGER NOT NULL CHECK (holdout_pct >= 1 AND holdout_pct <= 50),
  note_days INTEGER NOT NULL,
  rule_min_level INTEGER NOT NULL DEFAULT 0,
  rule_new_days INTEGER NOT NULL DEFAULT 0,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  created_by BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  CHECK (ends_at > starts_at)
);

-- source: 'operator' or 'rule'.
CREATE TABLE support_members (
  program_id BIGINT NOT NULL REFERENCES support_programs(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id),
  source TEXT NOT NULL,
  enrolled_at BIGINT NOT NULL,
  PRIMARY KEY (program_id, user_id)
);
CREATE INDEX support_members_user ON support_members(user_id);

-- Discover-feed impressions of enrolled creators' new notes per UTC day and
-- arm ('boost' or 'holdout'); the row with user_id 0 counts the feed pages
-- served to signed-in readers of that arm (the denominator).
CREATE TABLE support_impressions (
  program_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  day BIGINT NOT NULL,
  arm TEXT NOT NULL,
  impressions BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (program_id, user_id, day, arm)
);
