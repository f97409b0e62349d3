-- Automatic signals (internal/moderation/screen.go). See docs/moderation.md.

-- Operator-edited filters: a keyword (matched folded, in zh or en) or an
-- RE2 pattern; action 'hold' (publish hidden, open a case) or 'reject'.
CREATE TABLE moderation_filters (
  id BIGINT PRIMARY KEY,
  kind TEXT NOT NULL,
  pattern TEXT NOT NULL,
  action TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (kind, pattern)
);

-- What an automatic signal saw, attached to the case it opened or joined.
CREATE TABLE moderation_signals (
  id BIGINT PRIMARY KEY,
  case_id BIGINT NOT NULL REFERENCES moderation_cases(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  evidence TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX moderation_signals_case ON moderation_signals(case_id, id);

-- SimHash of each note screened on publishing, split into four 16-bit
-- bands: two hashes within Hamming distance 3 share a band (pigeonhole),
-- so near-duplicates are found through the band indexes.
CREATE TABLE note_simhashes (
  note_id BIGINT PRIMARY KEY,
  author_id BIGINT NOT NULL,
  hash BIGINT NOT NULL,
  band0 INTEGER NOT NULL,
  band1 INTEGER NOT NULL,
  band2 INTEGER NOT NULL,
  band3 INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX note_simhashes_b0 ON note_simhashes(band0, created_at);
CREATE INDEX note_simhashes_b1 ON note_simhashes(band1, created_at);
CREATE INDEX note_simhashes_b2 ON note_simhashes(band2, created_at);
CREATE INDEX note_simhashes_b3 ON note_simhashes(band3, created_at);
