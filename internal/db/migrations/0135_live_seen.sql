-- The media server's latest sign of life for a live on air (internal/live,
-- docs/live.md "Lives left on air"): on_publish sets it and on_update
-- (every 5 s while the stream runs) refreshes it at most every 30 s; the
-- live-sweep job ends lives on air silent for too long. Lives on air now
-- start from their last update.
ALTER TABLE lives ADD COLUMN seen_at BIGINT NOT NULL DEFAULT 0;
UPDATE lives SET seen_at = updated_at WHERE status = 'live';
CREATE INDEX lives_on_air ON lives(seen_at) WHERE status = 'live';
