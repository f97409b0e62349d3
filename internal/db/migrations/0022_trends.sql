-- Operator moderation of the hot list and trending topics (internal/trends):
-- an entry is pinned (shown first, marked) or hidden (never shown).
CREATE TABLE trend_overrides (
  kind TEXT NOT NULL,
  ref BIGINT NOT NULL,
  action TEXT NOT NULL,
  created_by BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (kind, ref)
);
