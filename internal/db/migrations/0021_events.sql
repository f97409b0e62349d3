-- Discover feed (D1, internal/recommend). Client events are kept compact:
-- the kind is a small integer (see recommend.Kind), times are Unix ms, and
-- there are no foreign keys, so deleting a note or user costs no lookups
-- here; the recommender ignores events about notes that no longer exist.
-- user_id 0 is a signed-out reader (counted for popularity only).
CREATE TABLE rec_events (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  note_id BIGINT NOT NULL,
  kind SMALLINT NOT NULL,
  dwell_ms INTEGER NOT NULL DEFAULT 0,
  at BIGINT NOT NULL
);
CREATE INDEX rec_events_user ON rec_events(user_id, id);

-- Topics a user picked at onboarding (normalised names, at most 20).
CREATE TABLE user_interests (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  topic TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, topic)
);

-- A user's comments, newest first: read when the recommender loads a
-- reader's profile (comments are a strong positive signal).
CREATE INDEX comments_author ON comments(author_id, id);
