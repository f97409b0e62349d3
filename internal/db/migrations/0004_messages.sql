-- Indexes for notifications (internal/notify). Unread counts are read on
-- every page view, and marking a tab read looks for unread rows only; this
-- partial index holds just the unread rows, so both stay cheap for accounts
-- with hundreds of thousands of old notifications.
CREATE INDEX notifications_unread ON notifications(user_id, kind) WHERE read_at = 0;
