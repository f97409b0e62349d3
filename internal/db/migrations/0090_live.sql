-- Live rooms (internal/live, issue 11 part A). See docs/live.md.

-- A live is hosted by one account and goes scheduled → live → ended.
-- key_hash is the SHA-256 (hex) of the secret stream key; the key itself is
-- shown once and never stored. '' means revoked: no key publishes.
-- replay_status: '' (nothing yet), pending (ended, recording waiting for
-- conversion), ready (replay_media_id set), failed.
CREATE TABLE lives (
  id BIGINT PRIMARY KEY,
  host_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  cover_media_id BIGINT REFERENCES media(id),
  status TEXT NOT NULL DEFAULT 'scheduled',
  scheduled_at BIGINT NOT NULL,
  started_at BIGINT NOT NULL DEFAULT 0,
  ended_at BIGINT NOT NULL DEFAULT 0,
  key_hash TEXT NOT NULL DEFAULT '',
  replay_status TEXT NOT NULL DEFAULT '',
  replay_media_id BIGINT REFERENCES media(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX lives_key ON lives(key_hash) WHERE key_hash <> '';
CREATE INDEX lives_status ON lives(status, scheduled_at);
CREATE INDEX lives_host ON lives(host_id, id);
CREATE INDEX lives_replay ON lives(replay_status) WHERE replay_status = 'pending';

-- The products a live sells, in the host's order; pinned_at > 0 while the
-- host has the product pinned (the latest pin shows first).
CREATE TABLE live_products (
  live_id BIGINT NOT NULL REFERENCES lives(id) ON DELETE CASCADE,
  product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  pinned_at BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (live_id, product_id)
);
CREATE INDEX live_products_product ON live_products(product_id);

-- Orders placed from a live: written in the order's own transaction, only
-- when the live exists and the order holds one of its products.
CREATE TABLE live_orders (
  order_id BIGINT PRIMARY KEY REFERENCES orders(id) ON DELETE CASCADE,
  live_id BIGINT NOT NULL REFERENCES lives(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL
);
CREATE INDEX live_orders_live ON live_orders(live_id, order_id);
