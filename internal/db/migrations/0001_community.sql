-- The community schema (C1–C7). Portable SQL for SQLite and PostgreSQL:
-- ids are application-generated BIGINTs (time-ordered, see internal/id),
-- times are UTC Unix milliseconds, booleans are INTEGER 0/1, counters are
-- kept in the same transaction as the rows they count.

CREATE TABLE users (
  id BIGINT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  bio TEXT NOT NULL DEFAULT '',
  avatar_url TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT 'user',
  gender TEXT NOT NULL DEFAULT '',
  birth_year INTEGER NOT NULL DEFAULT 0,
  region TEXT NOT NULL DEFAULT '',
  locale TEXT NOT NULL DEFAULT '',
  follower_count BIGINT NOT NULL DEFAULT 0,
  following_count BIGINT NOT NULL DEFAULT 0,
  note_count BIGINT NOT NULL DEFAULT 0,
  liked_collected_count BIGINT NOT NULL DEFAULT 0,
  feed_pull INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- Authors whose notes are pulled into following feeds at read time (see internal/feed).
CREATE INDEX users_feed_pull ON users(id) WHERE feed_pull = 1;

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE media (
  id BIGINT PRIMARY KEY,
  owner_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  storage_key TEXT NOT NULL,
  thumb_key TEXT NOT NULL DEFAULT '',
  poster_key TEXT NOT NULL DEFAULT '',
  content_type TEXT NOT NULL,
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  duration_ms BIGINT NOT NULL DEFAULT 0,
  size_bytes BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX media_owner ON media(owner_id);

CREATE TABLE notes (
  id BIGINT PRIMARY KEY,
  author_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  location TEXT NOT NULL DEFAULT '',
  cover_media_id BIGINT,
  like_count BIGINT NOT NULL DEFAULT 0,
  collect_count BIGINT NOT NULL DEFAULT 0,
  comment_count BIGINT NOT NULL DEFAULT 0,
  share_count BIGINT NOT NULL DEFAULT 0,
  view_count BIGINT NOT NULL DEFAULT 0,
  fanout INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  published_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notes_author ON notes(author_id, status, id);
CREATE INDEX notes_published ON notes(status, id);

CREATE TABLE note_media (
  note_id BIGINT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  media_id BIGINT NOT NULL REFERENCES media(id),
  PRIMARY KEY (note_id, position)
);

CREATE TABLE topics (
  id BIGINT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  note_count BIGINT NOT NULL DEFAULT 0,
  pinned INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);

CREATE TABLE note_topics (
  note_id BIGINT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  topic_id BIGINT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
  PRIMARY KEY (note_id, topic_id)
);
CREATE INDEX note_topics_topic ON note_topics(topic_id, note_id);

CREATE TABLE note_mentions (
  note_id BIGINT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (note_id, user_id)
);

CREATE TABLE likes (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  note_id BIGINT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, note_id)
);
CREATE INDEX likes_note ON likes(note_id);

CREATE TABLE boards (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  note_count BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  UNIQUE (user_id, name)
);

CREATE TABLE collects (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  note_id BIGINT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  board_id BIGINT REFERENCES boards(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, note_id)
);
CREATE INDEX collects_note ON collects(note_id);
CREATE INDEX collects_board ON collects(board_id, created_at);

CREATE TABLE comments (
  id BIGINT PRIMARY KEY,
  note_id BIGINT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  author_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  root_id BIGINT,
  parent_id BIGINT,
  reply_to_user_id BIGINT,
  body TEXT NOT NULL,
  like_count BIGINT NOT NULL DEFAULT 0,
  reply_count BIGINT NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX comments_note ON comments(note_id, root_id, id);

CREATE TABLE comment_likes (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  comment_id BIGINT NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, comment_id)
);

CREATE TABLE shares (
  id BIGINT PRIMARY KEY,
  note_id BIGINT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
  user_id BIGINT,
  channel TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX shares_note ON shares(note_id);

CREATE TABLE follows (
  follower_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  followee_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (follower_id, followee_id)
);
CREATE INDEX follows_followee ON follows(followee_id, follower_id);

CREATE TABLE blocks (
  blocker_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  blocked_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (blocker_id, blocked_id)
);

-- Materialised following timelines (see internal/feed): note ids pushed to
-- each follower of an ordinary author, in the same transaction as the note.
-- The biggest table by far, so it has no index but its primary key: rows
-- are found by reader (feed reads, unfollow) or through the author's
-- followers (note removal), and note_id has no foreign key because a
-- cascade would need an index on it; the feed removes rows itself.
CREATE TABLE timeline (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  note_id BIGINT NOT NULL,
  author_id BIGINT NOT NULL,
  PRIMARY KEY (user_id, note_id)
);

CREATE TABLE conversations (
  id BIGINT PRIMARY KEY,
  user_a BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  user_b BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  last_message_id BIGINT NOT NULL DEFAULT 0,
  last_message_at BIGINT NOT NULL DEFAULT 0,
  a_read_id BIGINT NOT NULL DEFAULT 0,
  b_read_id BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  UNIQUE (user_a, user_b)
);
CREATE INDEX conversations_a ON conversations(user_a, last_message_id);
CREATE INDEX conversations_b ON conversations(user_b, last_message_id);

CREATE TABLE messages (
  id BIGINT PRIMARY KEY,
  conversation_id BIGINT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  sender_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id, id);

CREATE TABLE notifications (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  actor_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  note_id BIGINT REFERENCES notes(id) ON DELETE CASCADE,
  comment_id BIGINT REFERENCES comments(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  read_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notifications_user ON notifications(user_id, kind, id);
