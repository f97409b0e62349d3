-- Analytics windows: the console's ranges (the last 7, 30 or 90 days to a
-- day) answered from rankings and persona counts the rollup job keeps as
-- each day rolls up, instead of aggregating every day of the range.

-- Running funnel sums per item over the window of `days` days ending at the
-- last rolled-up day (analytics_state 'windows'): the day rolled up is
-- added, the day leaving the window subtracted.
CREATE TABLE analytics_window_items (
  days INTEGER NOT NULL,
  item_type INTEGER NOT NULL,
  item BIGINT NOT NULL,
  views BIGINT NOT NULL,
  clicks BIGINT NOT NULL,
  orders BIGINT NOT NULL,
  paid BIGINT NOT NULL,
  gmv BIGINT NOT NULL,
  PRIMARY KEY (days, item_type, item)
);

-- The top items of each window ending on day (by views, products by clicks).
CREATE TABLE analytics_top_items (
  day INTEGER NOT NULL,
  days INTEGER NOT NULL,
  item_type INTEGER NOT NULL,
  item BIGINT NOT NULL,
  lead BIGINT NOT NULL,
  views BIGINT NOT NULL,
  clicks BIGINT NOT NULL,
  orders BIGINT NOT NULL,
  paid BIGINT NOT NULL,
  gmv BIGINT NOT NULL,
  PRIMARY KEY (day, days, item_type, item)
);

-- Per user, the last day (up to the last rolled-up one) they were active,
-- paid and published; users idle for longer than the widest window leave.
CREATE TABLE analytics_last (
  user_id BIGINT PRIMARY KEY,
  active INTEGER NOT NULL DEFAULT 0,
  paid INTEGER NOT NULL DEFAULT 0,
  published INTEGER NOT NULL DEFAULT 0
);

-- Persona counts of each window ending on day, per population and
-- dimension (total, gender, birth_year, region, segment), before
-- suppression; rules identifies the segment rules they were counted with.
CREATE TABLE analytics_persona_days (
  day INTEGER NOT NULL,
  days INTEGER NOT NULL,
  rules BIGINT NOT NULL,
  population TEXT NOT NULL,
  dim TEXT NOT NULL,
  key TEXT NOT NULL,
  users BIGINT NOT NULL,
  PRIMARY KEY (day, days, rules, population, dim, key)
);
