-- The hot list and trending topics as last computed (internal/trends), so
-- on several servers one computes them (a cluster job) and the others
-- adopt the result. One row; body is JSON.
CREATE TABLE trend_snapshot (
  id INTEGER PRIMARY KEY,
  at BIGINT NOT NULL,
  body TEXT NOT NULL
);
