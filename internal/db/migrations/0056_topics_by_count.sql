-- Discover's channel tabs list the most-used topics (notes.TopTopics).
CREATE INDEX topics_note_count ON topics(note_count);
