-- Moderation actions, appeals, account restrictions and the audit log
-- (internal/moderation, T1). See docs/moderation.md.

-- An action a moderator (or an automatic signal: actor_id 0) took on a
-- case's target. state is 'active' until an appeal overturns it or a
-- moderator reverts it ('reverted'). until bounds a mute or suspension
-- (0: no end).
CREATE TABLE moderation_actions (
  id BIGINT PRIMARY KEY,
  case_id BIGINT NOT NULL REFERENCES moderation_cases(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  target_kind TEXT NOT NULL,
  target_id BIGINT NOT NULL,
  target_user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  actor_id BIGINT NOT NULL DEFAULT 0,
  reason TEXT NOT NULL,
  until_at BIGINT NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'active',
  created_at BIGINT NOT NULL
);
CREATE INDEX moderation_actions_case ON moderation_actions(case_id, id);
CREATE INDEX moderation_actions_user ON moderation_actions(target_user_id, id);

-- One appeal per action (the unique key): the affected user explains, a
-- moderator other than the one who acted decides.
CREATE TABLE moderation_appeals (
  id BIGINT PRIMARY KEY,
  action_id BIGINT NOT NULL UNIQUE REFERENCES moderation_actions(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open',
  decision TEXT NOT NULL DEFAULT '',
  decided_by BIGINT,
  decided_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX moderation_appeals_status ON moderation_appeals(status, id);

-- What an account may not do, and until when (0: not restricted; banned
-- is for good). Write paths read it before posting.
CREATE TABLE moderation_restrictions (
  user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  muted_until BIGINT NOT NULL DEFAULT 0,
  suspended_until BIGINT NOT NULL DEFAULT 0,
  banned INTEGER NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL
);

-- A product delisted by moderation (1) or by its store's suspension (2)
-- stays unlisted whatever the merchant sets; a suspended store sells
-- nothing.
ALTER TABLE products ADD COLUMN blocked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stores ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;

-- The append-only audit log: who did what to which target, when, why, and
-- the target before and after (JSON). No code path updates or deletes it,
-- and the database refuses to.
CREATE TABLE moderation_audit (
  id BIGINT PRIMARY KEY,
  actor_id BIGINT NOT NULL,
  action TEXT NOT NULL,
  target_kind TEXT NOT NULL,
  target_id BIGINT NOT NULL,
  case_id BIGINT NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  before_json TEXT NOT NULL DEFAULT '{}',
  after_json TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL
);
CREATE INDEX moderation_audit_target ON moderation_audit(target_kind, target_id, id);

SQLITE: CREATE TRIGGER moderation_audit_no_update BEFORE UPDATE ON moderation_audit BEGIN SELECT RAISE(ABORT, 'moderation_audit is append-only'); END;

SQLITE: CREATE TRIGGER moderation_audit_no_delete BEFORE DELETE ON moderation_audit BEGIN SELECT RAISE(ABORT, 'moderation_audit is append-only'); END;

POSTGRES: CREATE FUNCTION moderation_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'moderation_audit is append-only'; END $$;

POSTGRES: CREATE TRIGGER moderation_audit_append_only BEFORE UPDATE OR DELETE ON moderation_audit FOR EACH ROW EXECUTE FUNCTION moderation_audit_refuse();

POSTGRES: CREATE TRIGGER moderation_audit_no_truncate BEFORE TRUNCATE ON moderation_audit FOR EACH STATEMENT EXECUTE FUNCTION moderation_audit_refuse();
