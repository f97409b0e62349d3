-- Recent and hot searches (internal/search/history.go).
-- A signed-in user's recent searches, one row per folded query, newest kept.
CREATE TABLE recent_searches (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  query_key TEXT NOT NULL,
  query TEXT NOT NULL,
  searched_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, query_key)
);
CREATE INDEX recent_searches_user ON recent_searches(user_id, searched_at);
-- Who searched what in which UTC hour, one row per searcher (a user id or a
-- keyed hash of the address), so a hot search counts people, not requests.
-- Rows older than the hot window are deleted.
CREATE TABLE search_counts (
  hour BIGINT NOT NULL,
  query_key TEXT NOT NULL,
  searcher TEXT NOT NULL,
  query TEXT NOT NULL,
  PRIMARY KEY (hour, query_key, searcher)
);
