package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/redmark/redmark/internal/app"
	"github.com/redmark/redmark/internal/seed"
)

// seedCmd generates a large community for benchmarks. It only fills an
// empty database: to seed again, point it at a fresh --data directory (or
// an empty PostgreSQL database).
func seedCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	var cfg app.Config
	commonFlags(fs, &cfg)
	o := seed.DefaultOptions
	fs.IntVar(&o.Users, "users", o.Users, "accounts to create")
	fs.IntVar(&o.Notes, "notes", o.Notes, "notes to publish")
	interactions := fs.Int("interactions", o.Likes+o.Follows, "likes and follows together: 70% likes, 30% follows")
	collects := fs.Int("collects", -1, "collects (default: a tenth of --interactions)")
	comments := fs.Int("comments", -1, "comments, a third of them replies (default: half of --notes)")
	fs.IntVar(&o.Covers, "covers", o.Covers, "distinct cover images the notes share")
	fs.StringVar(&o.Password, "password", o.Password, "password of every seeded account")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "random seed: the same seed makes the same community")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: redmark seed [flags]\n\nFills an EMPTY database with a generated community "+
			"for benchmarks (it refuses a database that has users).\n\n")
		fs.PrintDefaults()
	}
	fs.Parse(args)
	if *interactions < 0 || o.Users < 0 || o.Notes < 0 {
		return fmt.Errorf("sizes must not be negative")
	}
	o.Likes = *interactions * 7 / 10
	o.Follows = *interactions - o.Likes
	o.Collects = *collects
	if o.Collects < 0 {
		o.Collects = *interactions / 10
	}
	o.Comments = *comments
	if o.Comments < 0 {
		o.Comments = o.Notes / 2
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	slog.Info("seeding", "db", a.DB.Dialect.String(), "users", o.Users, "notes", o.Notes, "likes", o.Likes,
		"follows", o.Follows, "collects", o.Collects, "comments", o.Comments)
	o.Progress = os.Stderr
	rep, err := seed.Large(ctx, a, o)
	if len(rep.Phases) > 0 {
		rep.Print(os.Stdout)
	}
	if err != nil {
		return err
	}
	fmt.Printf("\nevery account's password is %q\n", o.Password)
	return nil
}
