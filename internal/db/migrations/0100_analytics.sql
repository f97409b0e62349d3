-- Analytics (O1–O3): one compact raw event table, written in batches by the
-- buffered recorder, and daily rollups the console and the report read.
-- Raw events are deleted after the retention period once rolled up.
CREATE TABLE analytics_events (
  id BIGINT PRIMARY KEY,            -- assigned when recorded: a retried batch inserts nothing twice
  kind INTEGER NOT NULL,            -- analytics.Kind
  user_id BIGINT NOT NULL DEFAULT 0,
  ref BIGINT NOT NULL DEFAULT 0,    -- note, order, campaign, followee …
  ref2 BIGINT NOT NULL DEFAULT 0,   -- product of a click from a note, live id of an order
  amount BIGINT NOT NULL DEFAULT 0, -- fen, or dwell ms
  label TEXT NOT NULL DEFAULT '',   -- sign-up channel, search term
  at BIGINT NOT NULL,
  day INTEGER NOT NULL              -- UTC days since 1970-01-01
);
CREATE INDEX analytics_events_day ON analytics_events(day, kind);
CREATE INDEX analytics_events_user ON analytics_events(user_id, at);

-- How far the rollups have gone (name 'rolled': the last complete day).
CREATE TABLE analytics_state (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);

-- Per day and kind: events, distinct users, summed amount.
CREATE TABLE analytics_daily (
  day INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  events BIGINT NOT NULL,
  users BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  PRIMARY KEY (day, kind)
);

-- Per day, kind and item (item_type 1 note, 2 product, 3 creator, 4 live):
-- views, product clicks, attributed orders and payments.
CREATE TABLE analytics_items (
  day INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  item_type INTEGER NOT NULL,
  item BIGINT NOT NULL,
  events BIGINT NOT NULL,
  users BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  PRIMARY KEY (day, kind, item_type, item)
);
CREATE INDEX analytics_items_type ON analytics_items(item_type, kind, day);

-- Who was active each day (any event), the base of WAU/MAU and retention.
CREATE TABLE analytics_active (
  day INTEGER NOT NULL,
  user_id BIGINT NOT NULL,
  PRIMARY KEY (day, user_id)
);

-- Per day: DAU, WAU (7 days to it), MAU (30 days to it), new users.
CREATE TABLE analytics_actives (
  day INTEGER PRIMARY KEY,
  dau BIGINT NOT NULL,
  wau BIGINT NOT NULL,
  mau BIGINT NOT NULL,
  new_users BIGINT NOT NULL
);

-- Sign-up cohorts: everyone who signed up on day under channel, and how many
-- of them were active 1, 7 and 30 days later (filled in as those days roll up).
CREATE TABLE analytics_cohorts (
  day INTEGER NOT NULL,
  channel TEXT NOT NULL,
  size BIGINT NOT NULL,
  d1 BIGINT NOT NULL DEFAULT 0,
  d7 BIGINT NOT NULL DEFAULT 0,
  d30 BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (day, channel)
);

-- Members of the cohorts.
CREATE TABLE analytics_signups (
  user_id BIGINT PRIMARY KEY,
  day INTEGER NOT NULL,
  channel TEXT NOT NULL
);
CREATE INDEX analytics_signups_day ON analytics_signups(day);

-- Orders with the note click they are attributed to (last click on one of
-- the order's products from a note in the 7 days before) and payment.
CREATE TABLE analytics_orders (
  order_id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  day INTEGER NOT NULL,
  note_id BIGINT NOT NULL DEFAULT 0,
  product_id BIGINT NOT NULL DEFAULT 0,
  creator_id BIGINT NOT NULL DEFAULT 0,
  live_id BIGINT NOT NULL DEFAULT 0,
  total BIGINT NOT NULL,
  paid_day INTEGER NOT NULL DEFAULT 0,
  paid BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX analytics_orders_day ON analytics_orders(day);
CREATE INDEX analytics_orders_paid ON analytics_orders(paid_day);

-- Search terms per day.
CREATE TABLE analytics_terms (
  day INTEGER NOT NULL,
  term TEXT NOT NULL,
  searches BIGINT NOT NULL,
  PRIMARY KEY (day, term)
);
