-- Voting campaigns (internal/campaigns, G4). See docs/campaigns.md.

-- A campaign: schedule, allowance and bonus rules, anti-fraud settings.
-- new_mode: 'count' (new accounts vote at full weight), 'weight' (their
-- votes weigh new_weight percent) or 'exclude' (they may not vote). An
-- account is new while younger than new_days. published_at: 0 until the
-- operator publishes the results; after that the tallies never change.
CREATE TABLE campaigns (
  id BIGINT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  topic TEXT NOT NULL DEFAULT '',
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  daily_votes INTEGER NOT NULL CHECK (daily_votes > 0),
  publish_bonus INTEGER NOT NULL DEFAULT 0,
  publish_cap INTEGER NOT NULL DEFAULT 0,
  share_bonus INTEGER NOT NULL DEFAULT 0,
  share_cap INTEGER NOT NULL DEFAULT 0,
  ip_daily INTEGER NOT NULL DEFAULT 0,
  device_daily INTEGER NOT NULL DEFAULT 0,
  new_days INTEGER NOT NULL DEFAULT 0,
  new_mode TEXT NOT NULL DEFAULT 'count',
  new_weight INTEGER NOT NULL DEFAULT 100,
  burst_votes INTEGER NOT NULL DEFAULT 0,
  burst_window_ms BIGINT NOT NULL DEFAULT 0,
  published_at BIGINT NOT NULL DEFAULT 0,
  created_by BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  CHECK (ends_at > starts_at)
);
CREATE INDEX campaigns_ends ON campaigns(ends_at);

CREATE TABLE campaign_categories (
  id BIGINT PRIMARY KEY,
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX campaign_categories_campaign ON campaign_categories(campaign_id, position);

-- A nominee: a product, note or creator (ref) or a free entry (ref 0).
-- votes and score (sum of weights, 100 per full vote) move in the same
-- transaction as the valid votes they count; a recount recomputes them.
CREATE TABLE campaign_nominees (
  id BIGINT PRIMARY KEY,
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  category_id BIGINT NOT NULL REFERENCES campaign_categories(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  ref BIGINT NOT NULL DEFAULT 0,
  title TEXT NOT NULL,
  votes BIGINT NOT NULL DEFAULT 0 CHECK (votes >= 0),
  score BIGINT NOT NULL DEFAULT 0 CHECK (score >= 0),
  created_at BIGINT NOT NULL
);
CREATE INDEX campaign_nominees_category ON campaign_nominees(category_id);

-- Every vote ever cast, never deleted. status: 'valid' (counted),
-- 'flagged' (held by burst detection until an operator decides) or 'void'
-- (the voter was excluded, or the operator voided it). day is the voter's
-- local day; fresh marks votes from new accounts (burst detection).
CREATE TABLE campaign_votes (
  id BIGINT PRIMARY KEY,
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  nominee_id BIGINT NOT NULL REFERENCES campaign_nominees(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  idempotency_key TEXT NOT NULL,
  day BIGINT NOT NULL,
  ip TEXT NOT NULL DEFAULT '',
  device TEXT NOT NULL DEFAULT '',
  weight INTEGER NOT NULL,
  fresh INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  UNIQUE (campaign_id, user_id, idempotency_key)
);
CREATE INDEX campaign_votes_nominee ON campaign_votes(nominee_id, fresh, created_at);
CREATE INDEX campaign_votes_user ON campaign_votes(campaign_id, user_id, day);
CREATE INDEX campaign_votes_status ON campaign_votes(campaign_id, status, id);

-- Per campaign and voter: exclusion. Every vote locks this row first, so an
-- exclusion and a vote of the same voter never interleave.
CREATE TABLE campaign_members (
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  excluded INTEGER NOT NULL DEFAULT 0,
  votes_cast BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, user_id)
);

-- Per voter and local day: votes used and bonus votes earned (by kind).
-- used <= allowance + bonus_publish + bonus_share is a conditional update.
CREATE TABLE campaign_days (
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  day BIGINT NOT NULL,
  used INTEGER NOT NULL DEFAULT 0,
  bonus_publish INTEGER NOT NULL DEFAULT 0,
  bonus_share INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, user_id, day)
);

-- Acts that earned bonus votes, one row per (kind, note): the same act can
-- never earn twice.
CREATE TABLE campaign_bonus_acts (
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  ref BIGINT NOT NULL,
  day BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (campaign_id, user_id, kind, ref)
);

-- Votes per source (kind 'ip' or 'device') and UTC day, for the per-source limits.
CREATE TABLE campaign_sources (
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  day BIGINT NOT NULL,
  used INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, kind, value, day)
);

-- The operators' audit trail: exclusions, decisions on flagged votes, recounts, publishing.
CREATE TABLE campaign_audit (
  id BIGINT PRIMARY KEY,
  campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  actor BIGINT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX campaign_audit_campaign ON campaign_audit(campaign_id, id);
