-- The address book (internal/orders/addresses.go). Orders copy an address
-- into orders.address, so rows here may change or go without touching them.
CREATE TABLE user_addresses (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  phone TEXT NOT NULL,
  country TEXT NOT NULL DEFAULT '',
  region TEXT NOT NULL,
  city TEXT NOT NULL DEFAULT '',
  district TEXT NOT NULL DEFAULT '',
  line TEXT NOT NULL,
  postcode TEXT NOT NULL DEFAULT '',
  is_default INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX user_addresses_user ON user_addresses(user_id, id);
-- At most one default per user, whatever races.
CREATE UNIQUE INDEX user_addresses_default ON user_addresses(user_id) WHERE is_default = 1;
