-- The creator centre (internal/creators, G2). See docs/campaigns.md.

-- A brand collaboration the author declares on a note: kind 'collab'
-- (合作) or 'sponsored' (赞助), with the brand's account. Shown as a
-- disclosure label on the note and its cards.
CREATE TABLE note_disclosures (
  note_id BIGINT PRIMARY KEY REFERENCES notes(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  brand_id BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX note_disclosures_brand ON note_disclosures(brand_id);

-- What a note got on one of its author's local days, moved in the
-- transaction of each act by the activity hook. sales is in fen.
CREATE TABLE creator_note_days (
  note_id BIGINT NOT NULL,
  day BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  views BIGINT NOT NULL DEFAULT 0,
  likes BIGINT NOT NULL DEFAULT 0,
  collects BIGINT NOT NULL DEFAULT 0,
  comments BIGINT NOT NULL DEFAULT 0,
  shares BIGINT NOT NULL DEFAULT 0,
  tips BIGINT NOT NULL DEFAULT 0,
  tip_points BIGINT NOT NULL DEFAULT 0,
  clicks BIGINT NOT NULL DEFAULT 0,
  orders BIGINT NOT NULL DEFAULT 0,
  sales BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (note_id, day)
);
CREATE INDEX creator_note_days_author ON creator_note_days(author_id, day);

-- New followers per creator-local day.
CREATE TABLE creator_days (
  user_id BIGINT NOT NULL,
  day BIGINT NOT NULL,
  followers BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, day)
);

-- A signed-in reader's click from a note to a product it links: one per
-- reader, product, note and day; the latest one within the attribution
-- window credits the note with a purchase of the product.
CREATE TABLE creator_clicks (
  user_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  note_id BIGINT NOT NULL,
  day BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, product_id, note_id, day)
);
CREATE INDEX creator_clicks_recent ON creator_clicks(user_id, product_id, created_at);

-- A paid order credited to a note (once per order and note).
CREATE TABLE creator_sales (
  order_id BIGINT NOT NULL,
  note_id BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (order_id, note_id)
);
