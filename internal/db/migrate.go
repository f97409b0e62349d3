package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and '_'", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{v, e.Name(), string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("two migrations numbered %d", ms[i].version)
		}
	}
	return ms, nil
}

// Migrate applies every migration not yet applied, each in its own
// transaction together with its bookkeeping row, so a failure leaves the
// schema at the previous version. Migrations only ever add: a file that has
// shipped is never edited. On PostgreSQL an advisory lock keeps two starting
// servers from migrating at once.
func (d *DB) Migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if d.Dialect == Postgres {
		if _, err := d.w.ExecContext(ctx, "SELECT pg_advisory_lock(7263510)"); err != nil {
			return err
		}
		defer d.w.ExecContext(context.Background(), "SELECT pg_advisory_unlock(7263510)")
	}
	if _, err := d.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return err
	}
	applied := map[int]bool{}
	rows, err := d.w.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		err := d.InTx(ctx, func(ctx context.Context) error {
			for _, stmt := range splitStatements(m.sql) {
				if only, rest, ok := dialectOnly(stmt); ok {
					if only != d.Dialect {
						continue
					}
					stmt = rest
				}
				if d.Dialect == SQLite {
					stmt = sqliteStorage(stmt)
				}
				if _, err := d.Writer(ctx).Exec(ctx, stmt); err != nil {
					return fmt.Errorf("%w\nin statement: %s", err, stmt)
				}
			}
			_, err := d.Writer(ctx).Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.version, m.name, Now())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		slog.Info("applied migration", "name", m.name, "dialect", d.Dialect.String())
	}
	return nil
}

var (
	bigintKey    = regexp.MustCompile(`(?i)\bBIGINT PRIMARY KEY\b`)
	compositeKey = regexp.MustCompile(`(?im)^\s*PRIMARY KEY\s*\(`)
)

// sqliteStorage adapts a portable CREATE TABLE to SQLite's storage model,
// leaving its meaning unchanged: a BIGINT primary key becomes INTEGER (a
// 64-bit alias of the rowid, so rows live in the key's own B-tree instead of
// a rowid table plus a unique index), and a table whose primary key is a
// column list (likes, follows, timeline, …) becomes WITHOUT ROWID, stored
// once, clustered by that key.
func sqliteStorage(stmt string) string {
	if !strings.HasPrefix(strings.ToUpper(stmt), "CREATE TABLE") {
		return stmt
	}
	stmt = bigintKey.ReplaceAllString(stmt, "INTEGER PRIMARY KEY")
	if compositeKey.MatchString(stmt) {
		stmt += " WITHOUT ROWID"
	}
	return stmt
}

// dialectOnly recognises a statement meant for one database, written
// "SQLITE: …" or "POSTGRES: …" (triggers and functions have no portable
// form), and returns the dialect and the statement without the prefix.
func dialectOnly(stmt string) (Dialect, string, bool) {
	for pre, d := range map[string]Dialect{"SQLITE:": SQLite, "POSTGRES:": Postgres} {
		if rest, ok := strings.CutPrefix(stmt, pre); ok {
			return d, strings.TrimSpace(rest), true
		}
	}
	return 0, stmt, false
}

// splitStatements splits a migration on ';' at line ends. Migrations keep
// one statement per ';'-terminated block and use no ';' inside literals.
func splitStatements(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ";\n") {
		var lines []string
		for _, l := range strings.Split(part, "\n") {
			if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "--") {
				lines = append(lines, l)
			}
		}
		if stmt := strings.TrimSuffix(strings.TrimSpace(strings.Join(lines, "\n")), ";"); stmt != "" {
			out = append(out, stmt)
		}
	}
	return out
}
