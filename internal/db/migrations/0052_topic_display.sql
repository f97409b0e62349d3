-- Topics keep the author's spelling for display (#早C晚A), while name stays
-- the case-folded key they are matched and grouped by. topics.display is
-- the first spelling used; note_topics.display the note's own ('' for rows
-- from before this migration: shown as the topic's), and position the
-- order of the note's topics (its #tags in text order, then the others).
-- Readers fall back to name where display is '' (rows written without it).
ALTER TABLE topics ADD COLUMN display TEXT NOT NULL DEFAULT '';
UPDATE topics SET display = name;
ALTER TABLE note_topics ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE note_topics ADD COLUMN display TEXT NOT NULL DEFAULT '';
