package seed

import (
	"context"
	"strings"

	"github.com/redmark/redmark/internal/db"
)

// batchRows is how many rows go into one multi-row INSERT: big enough that
// per-statement overhead vanishes, small enough to stay far below the bind
// parameter limits (SQLite 32766, PostgreSQL 65535) for the widest table.
const batchRows = 500

// inserter buffers rows for one table and writes them with multi-row
// INSERTs through the writer of the context it is flushed with, which is the
// transaction of the chunk being loaded.
type inserter struct {
	d      *db.DB
	head   string // "INSERT INTO t (a, b) VALUES "
	tail   string // e.g. " ON CONFLICT DO NOTHING"
	cols   int
	full   string // the statement for a full batch, built once
	args   []any
	rows   int
	total  int64
	onRows func(n int) // progress callback, may be nil
	// parents are flushed first: rows here reference rows there, and
	// foreign keys are checked at the end of each statement.
	parents []*inserter
}

func newInserter(d *db.DB, table string, cols []string, tail string) *inserter {
	in := &inserter{
		d:    d,
		head: "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ",
		tail: tail,
		cols: len(cols),
		args: make([]any, 0, batchRows*len(cols)),
	}
	in.full = in.statement(batchRows)
	return in
}

func (in *inserter) statement(rows int) string {
	tuple := "(" + db.Placeholders(in.cols) + ")"
	var b strings.Builder
	b.Grow(len(in.head) + rows*(len(tuple)+2) + len(in.tail))
	b.WriteString(in.head)
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
	}
	b.WriteString(in.tail)
	return b.String()
}

// after declares that rows of in reference rows of ps.
func (in *inserter) after(ps ...*inserter) *inserter {
	in.parents = append(in.parents, ps...)
	return in
}

// add queues one row (exactly cols values) and writes a full batch.
func (in *inserter) add(ctx context.Context, vals ...any) error {
	in.args = append(in.args, vals...)
	in.rows++
	if in.rows == batchRows {
		return in.flush(ctx)
	}
	return nil
}

// flush writes the queued rows.
func (in *inserter) flush(ctx context.Context) error {
	if in.rows == 0 {
		return nil
	}
	for _, p := range in.parents {
		if err := p.flush(ctx); err != nil {
			return err
		}
	}
	q := in.full
	if in.rows != batchRows {
		q = in.statement(in.rows)
	}
	if _, err := in.d.Writer(ctx).Exec(ctx, q, in.args...); err != nil {
		return err
	}
	in.total += int64(in.rows)
	if in.onRows != nil {
		in.onRows(in.rows)
	}
	clear(in.args)
	in.args = in.args[:0]
	in.rows = 0
	return nil
}

// chunked runs fn over [0, n) in slices of at most size items, each slice in
// its own transaction with every inserter flushed before commit. Big
// transactions are what make bulk loading fast; bounded ones keep the
// SQLite WAL and PostgreSQL's memory from growing with the whole data set.
func chunked(ctx context.Context, d *db.DB, n, size int, ins []*inserter, fn func(ctx context.Context, lo, hi int) error) error {
	for lo := 0; lo < n; lo += size {
		hi := min(n, lo+size)
		err := d.InTx(ctx, func(ctx context.Context) error {
			if err := fn(ctx, lo, hi); err != nil {
				return err
			}
			for _, in := range ins {
				if err := in.flush(ctx); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
