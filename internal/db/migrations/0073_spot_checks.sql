-- Commerce quality (E8, internal/moderation/quality.go): merchant spot
-- checks (抽查) an operator schedules and records. See docs/moderation.md.
CREATE TABLE spot_checks (
  id BIGINT PRIMARY KEY,
  product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  store_id BIGINT NOT NULL REFERENCES stores(id) ON DELETE CASCADE,
  scheduled_by BIGINT NOT NULL,
  due_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'scheduled',
  result TEXT NOT NULL DEFAULT '',
  recorded_by BIGINT,
  recorded_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX spot_checks_product ON spot_checks(product_id, status);
CREATE INDEX spot_checks_status ON spot_checks(status, due_at);
