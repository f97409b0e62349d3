-- Destinations, shopping lists and editorial guides (internal/places, C8).

-- A destination: country → city → area/POI. path is the chain of ids from
-- the root to the place itself ("/1/2/3/"), so "this place and everything
-- under it" is one prefix match and a merge moves a subtree by rewriting
-- prefixes. Coordinates are integer micro-degrees (0,0: none).
CREATE TABLE places (
  id BIGINT PRIMARY KEY,
  parent_id BIGINT REFERENCES places(id),
  kind TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  -- other names a note's location may use, one per line
  aliases TEXT NOT NULL DEFAULT '',
  path TEXT NOT NULL,
  lat_e6 BIGINT NOT NULL DEFAULT 0,
  lng_e6 BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX places_parent ON places(parent_id);
CREATE INDEX places_path ON places(path);

-- The most specific place a note's location names; ancestors follow from path.
CREATE TABLE note_places (
  note_id BIGINT PRIMARY KEY REFERENCES notes(id) ON DELETE CASCADE,
  place_id BIGINT NOT NULL REFERENCES places(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX note_places_place ON note_places(place_id, note_id);

-- How far the attacher has read the notes (one row).
CREATE TABLE place_attach_cursor (
  name TEXT PRIMARY KEY,
  note_id BIGINT NOT NULL
);

-- A per-trip shopping list (清单). share_token is empty while private;
-- anyone holding the token may read a shared list.
CREATE TABLE trip_lists (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  place_id BIGINT REFERENCES places(id) ON DELETE SET NULL,
  share_token TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX trip_lists_user ON trip_lists(user_id, id);
CREATE INDEX trip_lists_token ON trip_lists(share_token);

CREATE TABLE trip_items (
  id BIGINT PRIMARY KEY,
  list_id BIGINT NOT NULL REFERENCES trip_lists(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  ref_id BIGINT NOT NULL,
  bought INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  UNIQUE (list_id, kind, ref_id)
);

-- Editorial guides: an intro and ordered sections of notes and products.
CREATE TABLE guides (
  id BIGINT PRIMARY KEY,
  place_id BIGINT NOT NULL REFERENCES places(id),
  author_id BIGINT NOT NULL REFERENCES users(id),
  title TEXT NOT NULL,
  intro TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  published_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX guides_place ON guides(place_id, status);

CREATE TABLE guide_sections (
  guide_id BIGINT NOT NULL REFERENCES guides(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (guide_id, position)
);

CREATE TABLE guide_items (
  guide_id BIGINT NOT NULL REFERENCES guides(id) ON DELETE CASCADE,
  section INTEGER NOT NULL,
  position INTEGER NOT NULL,
  kind TEXT NOT NULL,
  ref_id BIGINT NOT NULL,
  PRIMARY KEY (guide_id, section, position)
);
