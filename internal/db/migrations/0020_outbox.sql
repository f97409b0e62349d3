-- The durable outbox (internal/outbox): domain code inserts a row in the
-- same transaction as a change that something outside the database (the
-- search index) must follow; the consumer deletes the row only after it has
-- applied it, so a crash in between replays the change instead of losing it.
CREATE TABLE outbox (
  id BIGINT PRIMARY KEY,
  topic TEXT NOT NULL,
  ref BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX outbox_topic ON outbox(topic, id);
