-- Flash sales (限时购/秒杀, E6). See docs/flashsale.md.

-- Orders made by a feature rather than checkout carry its tag (e.g. 'flash'),
-- so cancellation and expiry give their stock back to that feature.
ALTER TABLE orders ADD COLUMN source TEXT NOT NULL DEFAULT '';
CREATE INDEX orders_source_expiry ON orders(source, status, expires_at);

-- A sale's stock is taken out of the SKU when it is scheduled. remaining is
-- changed only by conditional UPDATEs; live orders + remaining + returned
-- = stock at every commit. returned is unsold stock given back to the SKU
-- after the sale.
CREATE TABLE flash_sales (
  id BIGINT PRIMARY KEY,
  sku_id BIGINT NOT NULL REFERENCES skus(id),
  product_id BIGINT NOT NULL REFERENCES products(id),
  store_id BIGINT NOT NULL REFERENCES stores(id),
  title TEXT NOT NULL,
  price BIGINT NOT NULL CHECK (price >= 0),
  list_price BIGINT NOT NULL CHECK (list_price >= 0),
  stock BIGINT NOT NULL CHECK (stock > 0),
  remaining BIGINT NOT NULL CHECK (remaining >= 0),
  returned BIGINT NOT NULL DEFAULT 0 CHECK (returned >= 0),
  per_user_limit BIGINT NOT NULL CHECK (per_user_limit > 0),
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  created_by BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  CHECK (remaining + returned <= stock),
  CHECK (ends_at > starts_at)
);
CREATE INDEX flash_sales_ends ON flash_sales(ends_at);

-- How many units each shopper holds in a sale (live orders only); the
-- per-user limit is a conditional upsert on this row.
CREATE TABLE flash_buyers (
  sale_id BIGINT NOT NULL REFERENCES flash_sales(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  bought BIGINT NOT NULL CHECK (bought >= 0),
  PRIMARY KEY (sale_id, user_id)
);

-- One row per successful purchase: the order, the Idempotency-Key that made
-- it (a retry finds it), and whether its units went back to the sale. It is
-- inserted first in the purchase transaction (it claims the key), so
-- order_id has no foreign key; the order row follows in the same commit.
CREATE TABLE flash_orders (
  order_id BIGINT PRIMARY KEY,
  sale_id BIGINT NOT NULL REFERENCES flash_sales(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  idempotency_key TEXT NOT NULL,
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  total BIGINT NOT NULL,
  pay_by BIGINT NOT NULL,
  released INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  UNIQUE (sale_id, user_id, idempotency_key)
);

-- Redis mode: units given back in the database (cancel, expiry) that still
-- have to be given back in Redis. Applying one is idempotent (Redis keeps
-- the set of applied order ids), and the row is deleted afterwards.
CREATE TABLE flash_redis_releases (
  order_id BIGINT PRIMARY KEY,
  sale_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  quantity BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
