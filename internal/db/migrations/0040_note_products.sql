-- Notes ↔ products (E4): creators link up to five listed products to a
-- note; buyers review what they bought, once per order item, and may
-- publish the review as a note that links the product.

CREATE TABLE note_products (
  note_id BIGINT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  PRIMARY KEY (note_id, product_id)
);
-- "Creators' notes" of a product, newest first.
CREATE INDEX note_products_product ON note_products(product_id, note_id);

CREATE TABLE product_reviews (
  id BIGINT PRIMARY KEY,
  product_id BIGINT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  -- One review per order line: the unique key settles concurrent attempts.
  order_item_id BIGINT NOT NULL UNIQUE REFERENCES order_items(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  rating INTEGER NOT NULL CHECK (rating >= 1 AND rating <= 5),
  body TEXT NOT NULL,
  note_id BIGINT REFERENCES notes(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX product_reviews_product ON product_reviews(product_id, id);

CREATE TABLE review_media (
  review_id BIGINT NOT NULL REFERENCES product_reviews(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  media_id BIGINT NOT NULL REFERENCES media(id),
  PRIMARY KEY (review_id, position)
);
