-- Indexes for the social lists (internal/social): a user's likes, collects,
-- followers and following are listed newest action first, paged by
-- (created_at, other id), so each page is one index range scan.
CREATE INDEX likes_user_time ON likes(user_id, created_at, note_id);
CREATE INDEX collects_user_time ON collects(user_id, created_at, note_id);
CREATE INDEX follows_follower_time ON follows(follower_id, created_at, followee_id);
CREATE INDEX follows_followee_time ON follows(followee_id, created_at, follower_id);
