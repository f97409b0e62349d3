-- The shop (E1–E5, E7): stores, catalog, carts, orders, payments, refunds,
-- promotions, coupons and the points ledger. Money is integer fen (1/100
-- CNY); times are UTC Unix milliseconds; booleans are INTEGER 0/1. Counters
-- that guard invariants (stock, coupon quota, point balances, refunded
-- amounts) are changed only by conditional UPDATEs, and CHECK constraints
-- back them up.

CREATE TABLE stores (
  id BIGINT PRIMARY KEY,
  owner_id BIGINT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  logo_media_id BIGINT,
  official INTEGER NOT NULL DEFAULT 0,
  verified_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX stores_owner ON stores(owner_id);

CREATE TABLE categories (
  id BIGINT PRIMARY KEY,
  parent_id BIGINT REFERENCES categories(id),
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  name_zh TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);

CREATE TABLE products (
  id BIGINT PRIMARY KEY,
  store_id BIGINT NOT NULL REFERENCES stores(id),
  category_id BIGINT REFERENCES categories(id),
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  brand TEXT NOT NULL DEFAULT '',
  origin_country TEXT NOT NULL DEFAULT '',
  fulfilment TEXT NOT NULL,
  shipping_fee BIGINT NOT NULL DEFAULT 0 CHECK (shipping_fee >= 0),
  options TEXT NOT NULL DEFAULT '[]',
  listed INTEGER NOT NULL DEFAULT 1,
  price_min BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX products_listed ON products(listed, id);
CREATE INDEX products_store ON products(store_id, listed, id);
CREATE INDEX products_category ON products(category_id, listed, id);

CREATE TABLE product_media (
  product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  media_id BIGINT NOT NULL REFERENCES media(id),
  PRIMARY KEY (product_id, position)
);

CREATE TABLE skus (
  id BIGINT PRIMARY KEY,
  product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  options TEXT NOT NULL DEFAULT '{}',
  options_key TEXT NOT NULL DEFAULT '',
  code TEXT NOT NULL DEFAULT '',
  price BIGINT NOT NULL CHECK (price >= 0),
  stock BIGINT NOT NULL CHECK (stock >= 0),
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  UNIQUE (product_id, options_key)
);

CREATE TABLE cart_items (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  sku_id BIGINT NOT NULL REFERENCES skus(id) ON DELETE CASCADE,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, sku_id)
);

CREATE TABLE orders (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  store_id BIGINT NOT NULL REFERENCES stores(id),
  status TEXT NOT NULL,
  subtotal BIGINT NOT NULL,
  promotion_discount BIGINT NOT NULL DEFAULT 0,
  coupon_discount BIGINT NOT NULL DEFAULT 0,
  shipping BIGINT NOT NULL DEFAULT 0,
  points_used BIGINT NOT NULL DEFAULT 0,
  points_deduction BIGINT NOT NULL DEFAULT 0,
  total BIGINT NOT NULL CHECK (total >= 0),
  coupon_id BIGINT,
  breakdown TEXT NOT NULL DEFAULT '[]',
  address TEXT NOT NULL,
  carrier TEXT NOT NULL DEFAULT '',
  tracking_number TEXT NOT NULL DEFAULT '',
  paid_amount BIGINT NOT NULL DEFAULT 0,
  refunded_amount BIGINT NOT NULL DEFAULT 0,
  points_returned BIGINT NOT NULL DEFAULT 0,
  points_earned BIGINT NOT NULL DEFAULT 0,
  cancel_reason TEXT NOT NULL DEFAULT '',
  expires_at BIGINT NOT NULL,
  paid_at BIGINT NOT NULL DEFAULT 0,
  shipped_at BIGINT NOT NULL DEFAULT 0,
  delivered_at BIGINT NOT NULL DEFAULT 0,
  completed_at BIGINT NOT NULL DEFAULT 0,
  cancelled_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK (refunded_amount >= 0 AND refunded_amount <= paid_amount),
  CHECK (points_returned >= 0 AND points_returned <= points_used)
);
CREATE INDEX orders_user ON orders(user_id, id);
CREATE INDEX orders_store ON orders(store_id, id);
CREATE INDEX orders_status_expiry ON orders(status, expires_at);

-- One row per (user, Idempotency-Key): the key is claimed in the same
-- transaction that creates the order, so a retried or raced request finds
-- the order instead of making a second one.
CREATE TABLE order_requests (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  idempotency_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  order_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, idempotency_key)
);

CREATE TABLE order_items (
  id BIGINT PRIMARY KEY,
  order_id BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  sku_id BIGINT NOT NULL REFERENCES skus(id),
  product_id BIGINT NOT NULL REFERENCES products(id),
  title TEXT NOT NULL,
  options TEXT NOT NULL DEFAULT '{}',
  unit_price BIGINT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  promotion_discount BIGINT NOT NULL DEFAULT 0,
  coupon_discount BIGINT NOT NULL DEFAULT 0,
  points_deduction BIGINT NOT NULL DEFAULT 0,
  points_used BIGINT NOT NULL DEFAULT 0,
  paid BIGINT NOT NULL DEFAULT 0,
  gift INTEGER NOT NULL DEFAULT 0,
  refunded_quantity INTEGER NOT NULL DEFAULT 0,
  CHECK (refunded_quantity >= 0 AND refunded_quantity <= quantity)
);
CREATE INDEX order_items_order ON order_items(order_id);

-- State changes and carrier tracking events of an order, oldest first.
CREATE TABLE order_events (
  id BIGINT PRIMARY KEY,
  order_id BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  location TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX order_events_order ON order_events(order_id, id);

CREATE TABLE after_sales (
  id BIGINT PRIMARY KEY,
  order_id BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id),
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  items TEXT NOT NULL DEFAULT '[]',
  amount BIGINT NOT NULL CHECK (amount >= 0),
  points BIGINT NOT NULL DEFAULT 0,
  reply TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  decided_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX after_sales_order ON after_sales(order_id, id);
-- At most one open request per order: approving one never races another.
CREATE UNIQUE INDEX after_sales_open ON after_sales(order_id) WHERE status = 'requested';

CREATE TABLE payments (
  id BIGINT PRIMARY KEY,
  order_id BIGINT NOT NULL REFERENCES orders(id),
  provider TEXT NOT NULL,
  intent_id TEXT NOT NULL,
  amount BIGINT NOT NULL CHECK (amount > 0),
  status TEXT NOT NULL,
  refunded BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (provider, intent_id),
  CHECK (refunded >= 0 AND refunded <= amount)
);
CREATE INDEX payments_order ON payments(order_id);

-- Every webhook event a provider delivered, by its own id: a duplicate
-- delivery hits the primary key and changes nothing.
CREATE TABLE payment_events (
  provider TEXT NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  intent_id TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (provider, event_id)
);

CREATE TABLE refunds (
  id BIGINT PRIMARY KEY,
  payment_id BIGINT NOT NULL REFERENCES payments(id),
  order_id BIGINT NOT NULL REFERENCES orders(id),
  amount BIGINT NOT NULL CHECK (amount > 0),
  status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  provider_refund_id TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX refunds_status ON refunds(status, id);
CREATE INDEX refunds_order ON refunds(order_id);

CREATE TABLE promotions (
  id BIGINT PRIMARY KEY,
  created_by BIGINT NOT NULL REFERENCES users(id),
  store_id BIGINT REFERENCES stores(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  scope_id BIGINT,
  percent_off INTEGER NOT NULL DEFAULT 0,
  amount_off BIGINT NOT NULL DEFAULT 0,
  threshold BIGINT NOT NULL DEFAULT 0,
  fulfilment TEXT NOT NULL DEFAULT '',
  gift_sku_id BIGINT REFERENCES skus(id),
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX promotions_window ON promotions(ends_at, starts_at);

CREATE TABLE coupons (
  id BIGINT PRIMARY KEY,
  created_by BIGINT NOT NULL REFERENCES users(id),
  store_id BIGINT REFERENCES stores(id),
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  percent_off INTEGER NOT NULL DEFAULT 0,
  amount_off BIGINT NOT NULL DEFAULT 0,
  threshold BIGINT NOT NULL DEFAULT 0,
  scope TEXT NOT NULL,
  scope_id BIGINT,
  per_user_limit INTEGER NOT NULL,
  quota BIGINT NOT NULL,
  used BIGINT NOT NULL DEFAULT 0,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  CHECK (used >= 0 AND used <= quota)
);

CREATE TABLE coupon_uses (
  coupon_id BIGINT NOT NULL REFERENCES coupons(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  used INTEGER NOT NULL CHECK (used >= 0),
  PRIMARY KEY (coupon_id, user_id)
);

CREATE TABLE point_accounts (
  user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  balance BIGINT NOT NULL CHECK (balance >= 0),
  updated_at BIGINT NOT NULL
);

-- The points ledger: the balance is the sum of a user's rows. ref_id ties a
-- row to what caused it (an order, a refund); the unique index makes an
-- event post at most once.
CREATE TABLE point_ledger (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  delta BIGINT NOT NULL,
  kind TEXT NOT NULL,
  ref_id BIGINT,
  note TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX point_ledger_user ON point_ledger(user_id, id);
CREATE UNIQUE INDEX point_ledger_ref ON point_ledger(user_id, kind, ref_id);
