-- The live a cart line was added from (0: none), accepted only while that
-- live is on air and sells the product; checkout from the cart attributes
-- the order to the live of its latest such line (docs/live.md).
ALTER TABLE cart_items ADD COLUMN live_id BIGINT NOT NULL DEFAULT 0;
