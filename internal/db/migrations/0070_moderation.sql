-- Trust and safety (internal/moderation, T1). See docs/moderation.md.

-- A case gathers every report about one target (note, comment, user,
-- message, product, store). While a case is open, new reports about the
-- same target fold into it: the partial unique index lets only one open
-- case exist per target. target_user_id is who owns the target (the
-- author, the sender, the store owner), so actions know whom to notify.
CREATE TABLE moderation_cases (
  id BIGINT PRIMARY KEY,
  target_kind TEXT NOT NULL,
  target_id BIGINT NOT NULL,
  target_user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'open',
  outcome TEXT NOT NULL DEFAULT '',
  report_count INTEGER NOT NULL DEFAULT 0,
  resolved_by BIGINT,
  resolved_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX moderation_cases_open ON moderation_cases(target_kind, target_id) WHERE status = 'open';
CREATE INDEX moderation_cases_status ON moderation_cases(status, updated_at);

-- One report per reporter per case: reporting the same thing again while
-- the case is open changes nothing.
CREATE TABLE moderation_reports (
  id BIGINT PRIMARY KEY,
  case_id BIGINT NOT NULL REFERENCES moderation_cases(id) ON DELETE CASCADE,
  reporter_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  reason TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  UNIQUE (case_id, reporter_id)
);
CREATE INDEX moderation_reports_reporter ON moderation_reports(reporter_id, id);
