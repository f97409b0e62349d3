// Package db opens the relational store (SQLite by default, PostgreSQL when a
// postgres:// DSN is configured) and gives domain packages one way to run
// hand-written SQL on either: queries are written with '?' placeholders and
// rebound for PostgreSQL, and a transaction travels in the context so several
// domains can write atomically.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"

	"github.com/redmark/redmark/internal/id"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialect names the SQL engine behind a DB.
type Dialect int

const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// DB holds a writer and a reader pool. On SQLite the writer is a single
// connection: SQLite allows one writer at a time, and serialising writers in
// Go avoids SQLITE_BUSY storms under load; readers run in parallel thanks to
// WAL. On PostgreSQL both are the same pool.
type DB struct {
	Dialect      Dialect
	w, r         *sql.DB
	wStmt, rStmt *stmtCache // nil on PostgreSQL
}

// Open connects to dsn: "postgres://…" or "postgresql://…" selects
// PostgreSQL; anything else is a SQLite file path (optionally "sqlite:"-prefixed).
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		p, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		p.SetMaxOpenConns(32)
		p.SetMaxIdleConns(32)
		p.SetConnMaxIdleTime(5 * time.Minute)
		d := &DB{Dialect: Postgres, w: p, r: p}
		if err := p.PingContext(ctx); err != nil {
			p.Close()
			return nil, fmt.Errorf("connect postgres: %w", err)
		}
		return d, nil
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	// A small page cache (2 MB per connection) on purpose: in WAL mode a
	// reader discards its whole cache whenever another connection has
	// written since its last read, which on a busy server is every few
	// milliseconds, and freeing a 16 MB cache page by page cost a quarter
	// of the CPU of a note read (BENCHMARKS.md). Hot rows live in the
	// application's caches; the rest comes from the OS page cache.
	params := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=foreign_keys(1)&_pragma=cache_size(-2000)&_pragma=temp_store(MEMORY)"
	w, err := sql.Open("sqlite", "file:"+path+params+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", "file:"+path+params+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, 2*runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	d := &DB{Dialect: SQLite, w: w, r: r, wStmt: newStmtCache(w), rStmt: newStmtCache(r)}
	if err := w.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return d, nil
}

// Close closes both pools.
func (d *DB) Close() error {
	if d.wStmt != nil {
		d.wStmt.close()
		d.rStmt.close()
	}
	err := d.w.Close()
	if d.r != d.w {
		err = errors.Join(err, d.r.Close())
	}
	return err
}

// Ping checks that the database answers (used by /readyz).
func (d *DB) Ping(ctx context.Context) error { return d.r.PingContext(ctx) }

// Querier runs SQL written with '?' placeholders.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

type conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type querier struct {
	c     conn
	d     *DB
	cache *stmtCache // SQLite only: prepared statements of this pool
	tx    *sql.Tx    // set when c is a transaction
}

func (q querier) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query = q.d.Rebind(query)
	if st := q.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.c.ExecContext(ctx, query, args...)
}
func (q querier) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = q.d.Rebind(query)
	if st := q.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.c.QueryContext(ctx, query, args...)
}
func (q querier) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = q.d.Rebind(query)
	if st := q.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.c.QueryRowContext(ctx, query, args...)
}

// prepared returns a cached prepared statement for query, or nil to run it
// unprepared. Parsing SQL is a fifth of the CPU of a typical read on
// SQLite, so statements are prepared once per connection and reused.
// PostgreSQL's driver (pgx) caches prepared statements itself.
func (q querier) prepared(ctx context.Context, query string) *sql.Stmt {
	if q.cache == nil {
		return nil
	}
	// Inside a transaction the pool's only writer connection is taken, so a
	// statement not yet prepared cannot be prepared on the pool now.
	st := q.cache.get(query, q.tx == nil)
	if st == nil || q.tx == nil {
		return st
	}
	return q.tx.StmtContext(ctx, st)
}

// maxCachedStatements bounds the cache: queries with IN lists come in one
// shape per list length.
const maxCachedStatements = 2000

type stmtCache struct {
	pool *sql.DB
	mu   sync.RWMutex
	m    map[string]*sql.Stmt
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}}
}

func (c *stmtCache) get(query string, mayPrepare bool) *sql.Stmt {
	c.mu.RLock()
	st, n := c.m[query], len(c.m)
	c.mu.RUnlock()
	if st != nil || !mayPrepare || !cacheable(query) || n >= maxCachedStatements {
		return st
	}
	// Prepare without holding the lock: on SQLite's writer pool, preparing
	// waits for the one connection, and the transaction holding it may be
	// asking this cache for a statement.
	st, err := c.pool.PrepareContext(context.Background(), query) // outlives the request
	if err != nil {
		return nil // run unprepared; the error shows there
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if have := c.m[query]; have != nil {
		st.Close()
		return have
	}
	c.m[query] = st
	return st
}

// cacheable: data statements only (not PRAGMA or DDL).
func cacheable(query string) bool {
	q := strings.TrimSpace(query)
	if len(q) < 6 {
		return false
	}
	switch strings.ToUpper(q[:6]) {
	case "SELECT", "INSERT", "UPDATE", "DELETE":
		return true
	}
	return false
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	clear(c.m)
}

type txKey struct{}

type txState struct {
	tx          *sql.Tx
	afterCommit []func()
}

// Reader returns the transaction in ctx, or the read pool. Use it for SELECTs.
func (d *DB) Reader(ctx context.Context) Querier {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		return querier{c: st.tx, d: d, cache: d.wStmt, tx: st.tx}
	}
	return querier{c: d.r, d: d, cache: d.rStmt}
}

// Writer returns the transaction in ctx, or the write pool. Every statement
// that changes data must go through Writer (or InTx): on SQLite the write
// pool has one connection, so writing through the read pool fails and
// grabbing the write pool inside InTx would deadlock.
func (d *DB) Writer(ctx context.Context) Querier {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		return querier{c: st.tx, d: d, cache: d.wStmt, tx: st.tx}
	}
	return querier{c: d.w, d: d, cache: d.wStmt}
}

// InTx runs fn in a transaction carried by the context passed to fn. A nested
// InTx joins the outer transaction. fn's error rolls everything back.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*txState); ok {
		return fn(ctx)
	}
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	st := &txState{tx: tx}
	if err := fn(context.WithValue(ctx, txKey{}, st)); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, f := range st.afterCommit {
		f()
	}
	return nil
}

// AfterCommit runs f once the transaction in ctx commits (never if it rolls
// back), or at once when ctx carries no transaction. Use it for side effects
// outside the database, such as cache invalidation or deleting files.
func AfterCommit(ctx context.Context, f func()) {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		st.afterCommit = append(st.afterCommit, f)
		return
	}
	f()
}

var rebound sync.Map // query string -> postgres form

// Rebind turns '?' placeholders into $1, $2, … for PostgreSQL. Queries must
// not contain a literal '?' in strings.
func (d *DB) Rebind(query string) string {
	if d.Dialect != Postgres || !strings.Contains(query, "?") {
		return query
	}
	if s, ok := rebound.Load(query); ok {
		return s.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	s := b.String()
	rebound.Store(query, s)
	return s
}

// Placeholders returns "?, ?, …" with n marks, for IN lists.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// Args turns values into a statement's arguments (for an IN list or a
// multi-row insert).
func Args[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// RowsPlaceholders is "(?, ?), (?, ?)" for rows rows of cols columns.
func RowsPlaceholders(rows, cols int) string {
	one := "(" + Placeholders(cols) + ")"
	return strings.Repeat(one+", ", rows-1) + one
}

// IsUniqueViolation reports whether err is a unique or primary-key conflict.
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == 2067 || se.Code() == 1555 // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// Now is the storage form of time: UTC Unix milliseconds.
func Now() int64 { return time.Now().UnixMilli() }

// IDs reads a one-column result of ids, closing the rows; it takes Query's
// two results directly: db.IDs(q.Query(ctx, "SELECT id …", args...)).
func IDs(rows *sql.Rows, err error) ([]id.ID, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []id.ID
	for rows.Next() {
		var v id.ID
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
