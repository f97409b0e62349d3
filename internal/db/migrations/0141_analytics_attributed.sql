-- Orders of a day attributed to a note click, on the day's order row
-- (kind 12, analytics.Order), so the funnel sums days instead of counting
-- the range's orders row by row.
ALTER TABLE analytics_daily ADD COLUMN attributed BIGINT NOT NULL DEFAULT 0;
UPDATE analytics_daily SET attributed = (SELECT COUNT(*) FROM analytics_orders o
  WHERE o.day = analytics_daily.day AND o.note_id <> 0) WHERE kind = 12;
