package seed

import (
	"context"
	"errors"
	"io"
	"strconv"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/db"
)

// Options sizes a benchmark community for Large.
type Options struct {
	Users, Notes int
	// Follows, Likes and Collects are totals of those rows; Comments is the
	// number of comments (about a third of them replies).
	Follows, Likes, Collects, Comments int
	// Covers is the number of distinct generated images the notes share;
	// Avatars the number of profile pictures the users share.
	Covers, Avatars int
	// Password is every account's password.
	Password string
	Seed     uint64
	// Progress receives one progress bar per phase; nil for none.
	Progress io.Writer
}

// DefaultOptions is the benchmark size of `redmark seed`: 100k users, 1M
// notes and 10M likes and follows.
var DefaultOptions = Options{
	Users: 100_000, Notes: 1_000_000,
	Likes: 7_000_000, Follows: 3_000_000, Collects: 1_000_000, Comments: 500_000,
	Covers: 300, Avatars: 60, Password: "password123", Seed: 1,
}

// ErrNotEmpty is returned by Large for a database that already has users.
var ErrNotEmpty = errors.New("the database already has users: seed only fills an empty database (use a fresh --data directory or database)")

// Large fills an empty database with a big community for benchmarks and
// returns how long each phase took. It streams: memory grows with the
// number of users and notes (a few dozen bytes each), not with the number
// of interactions. Each batch of rows commits on its own, so an interrupted
// run leaves a partial community; start again on an empty database.
//
// Notes share the cover images: each generated cover has one media row,
// owned by a popular creator, that many notes point at.
func Large(ctx context.Context, a *app.App, o Options) (Report, error) {
	n, err := userCount(ctx, a.DB)
	if err != nil {
		return Report{}, err
	}
	if n > 0 {
		return Report{}, ErrNotEmpty
	}
	if a.DB.Dialect == db.SQLite {
		// A bigger page cache (128 MiB) for the bulk load, whose index
		// inserts land all over the big tables. The writer is a single,
		// long-lived connection; its setting comes back afterwards.
		var was int64
		w := a.DB.Writer(ctx)
		if err := w.QueryRow(ctx, "PRAGMA cache_size").Scan(&was); err != nil {
			return Report{}, err
		}
		if _, err := w.Exec(ctx, "PRAGMA cache_size = -131072"); err != nil {
			return Report{}, err
		}
		defer w.Exec(context.Background(), "PRAGMA cache_size = "+strconv.FormatInt(was, 10))
	}
	p := plan{
		users: o.Users, notes: o.Notes,
		follows: o.Follows, likes: o.Likes, collects: o.Collects, comments: o.Comments,
		covers: o.Covers, avatars: o.Avatars,
		password: o.Password, seed: o.Seed, span: history,
	}
	if o.Progress != nil {
		p.out = &progress{w: o.Progress}
	}
	e := newEngine(a, p)
	if err := e.run(ctx); err != nil {
		return e.report, err
	}
	if err := e.rebuildTimelines(ctx); err != nil {
		return e.report, err
	}
	return e.report, nil
}
