package db

import "testing"

func TestSQLiteStorage(t *testing.T) {
	cases := []struct{ in, want string }{
		{"CREATE TABLE a (\n  id BIGINT PRIMARY KEY,\n  n TEXT\n)", "CREATE TABLE a (\n  id INTEGER PRIMARY KEY,\n  n TEXT\n)"},
		{"CREATE TABLE l (\n  u BIGINT NOT NULL,\n  n BIGINT NOT NULL,\n  PRIMARY KEY (u, n)\n)", "CREATE TABLE l (\n  u BIGINT NOT NULL,\n  n BIGINT NOT NULL,\n  PRIMARY KEY (u, n)\n) WITHOUT ROWID"},
		{"CREATE TABLE s (\n  token TEXT PRIMARY KEY\n)", "CREATE TABLE s (\n  token TEXT PRIMARY KEY\n)"},
		{"CREATE INDEX x ON a(id)", "CREATE INDEX x ON a(id)"},
	}
	for _, c := range cases {
		if got := sqliteStorage(c.in); got != c.want {
			t.Errorf("sqliteStorage(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
