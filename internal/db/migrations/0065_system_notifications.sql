-- System notifications (growth level-ups) carry a number instead of a note or
-- comment: for level_up, the level reached. The user is their own actor.
ALTER TABLE notifications ADD COLUMN ref BIGINT NOT NULL DEFAULT 0;
