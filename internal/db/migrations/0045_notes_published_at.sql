-- The hot list and trending topics read notes by publication time: an hour
-- of trending topic use is an index range, and a draft published long after
-- it was created is found by when it went out, not by its creation id.
CREATE INDEX notes_published_at ON notes(status, published_at);
