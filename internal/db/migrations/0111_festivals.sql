-- Festivals (internal/festivals, G5): a scheduled event ("6.6 周年庆",
-- "红色星期五") tying a landing page to shop promotions and flash sales, a
-- topic, a vote (a campaign) and the mark shown across the app while it
-- runs. Its status derives from the clock; nothing changes at start or end.
CREATE TABLE festivals (
  id BIGINT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  mark TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  topic TEXT NOT NULL DEFAULT '',
  campaign_id BIGINT REFERENCES campaigns(id),
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  created_by BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK (ends_at > starts_at)
);
CREATE INDEX festivals_ends ON festivals(ends_at);

-- What a festival features from the shop: kind 'promotion' or 'flash'
-- (a flash sale), ref its id.
CREATE TABLE festival_items (
  festival_id BIGINT NOT NULL REFERENCES festivals(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  ref BIGINT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (festival_id, kind, ref)
);
