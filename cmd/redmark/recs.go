package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/redmark/redmark/internal/recommend"
)

const recsUsage = `Usage:
  redmark recs eval   --interactions FILE [--split time|leave-last-out] [--k 10] [--min-value 0] [--epochs 25]
                      [--ease-max-items 3000] [--ials=true]
  redmark recs export [--data DIR] [--db DSN] > interactions.csv
  redmark recs synth  [--users 2000] [--items 3000] [--seed 1] > interactions.csv
  redmark recs train  [--data DIR] [--db DSN]

eval reads "user,item,value,timestamp" rows (a header is allowed), holds
out the latest interaction of each user (leave-last-out) or the last 20%
in time (time), trains every algorithm on the rest and prints
precision@k, recall@k, HR@k, NDCG@k, catalogue coverage and training time:
popularity, item-kNN, BPR, the reference models EASE and implicit ALS,
and the feed's blend. EASE's λ, iALS's constants and the blend's weights
are chosen on a validation split carved the same way from the training
data, never on the held-out items.
export writes this community's interactions in that format; synth
generates a log with series, freshness, tastes and popularity (where no
public data set is at hand); train builds
the discover feed's models once and reports their size.
`

func recsCmd(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, recsUsage)
		os.Exit(2)
	}
	switch args[0] {
	case "eval":
		return recsEval(args[1:])
	case "export":
		return recsExport(ctx, args[1:])
	case "train":
		return recsTrain(ctx, args[1:])
	case "synth":
		return recsSynth(args[1:])
	}
	fmt.Fprintf(os.Stderr, "unknown recs command %q\n\n%s", args[0], recsUsage)
	os.Exit(2)
	return nil
}

func recsEval(args []string) error {
	fs := flag.NewFlagSet("recs eval", flag.ExitOnError)
	file := fs.String("interactions", "", "CSV of user,item,value,timestamp (required)")
	split := fs.String("split", "leave-last-out", "time or leave-last-out")
	k := fs.Int("k", 10, "list length for the metrics")
	minValue := fs.Float64("min-value", 0, "drop rows with a smaller value (e.g. 4 for MovieLens ratings)")
	ec := recommend.DefaultEval
	cfg := &ec.BPR
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "BPR training epochs")
	fs.IntVar(&cfg.Dim, "dim", cfg.Dim, "BPR factors")
	fs.IntVar(&ec.EASEMaxItems, "ease-max-items", ec.EASEMaxItems, "skip EASE above this many items")
	ials := fs.Bool("ials", true, "train the implicit-ALS reference row")
	fs.Parse(args)
	if *file == "" || *k < 1 || cfg.Epochs < 1 || cfg.Dim < 1 || (*split != "time" && *split != "leave-last-out") {
		fs.Usage()
		os.Exit(2)
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	defer f.Close()
	d, err := recommend.ReadCSV(bufio.NewReader(f), *minValue)
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	var s recommend.Split
	if *split == "time" {
		s = recommend.SplitByTime(d, 0.8)
	} else {
		s = recommend.SplitLeaveLastOut(d)
	}
	fmt.Printf("%d users, %d items, %d interactions; split %s: %d training interactions\n\n",
		len(d.Users), len(d.Items), len(d.Triples), *split, s.Train.NNZ())
	ec.K = *k
	if !*ials {
		ec.IALS = nil
	}
	b := &bars{}
	ms, notes := recommend.Evaluate(s, ec, b.progress)
	b.finish()
	recommend.PrintMetrics(os.Stdout, *k, ms)
	for _, n := range notes {
		fmt.Println(n)
	}
	return nil
}

func recsExport(ctx context.Context, args []string) error {
	a, err := openApp(ctx, "recs export", args)
	if err != nil {
		return err
	}
	defer a.Close()
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(w, "user,item,value,timestamp")
	n, err := a.Recs.Export(ctx, func(user, item string, value float32, at int64) error {
		_, err := io.WriteString(w, user+","+item+","+strconv.FormatFloat(float64(value), 'g', -1, 32)+","+strconv.FormatInt(at, 10)+"\n")
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "exported %d interactions\n", n)
	return w.Flush()
}

func recsTrain(ctx context.Context, args []string) error {
	a, err := openApp(ctx, "recs train", args)
	if err != nil {
		return err
	}
	defer a.Close()
	b := &bars{}
	start := time.Now()
	if err := a.Recs.Build(ctx, b.progress); err != nil {
		return err
	}
	b.finish()
	st := a.Recs.Stats()
	fmt.Printf("built in %s: %d notes, %d interactions from %d users; catalogue %.1f MiB, models %.1f MiB\n",
		time.Since(start).Round(time.Millisecond), st.Notes, st.Interactions, st.Users,
		float64(st.CatalogBytes)/(1<<20), float64(st.ModelBytes)/(1<<20))
	return nil
}

func recsSynth(args []string) error {
	fs := flag.NewFlagSet("recs synth", flag.ExitOnError)
	users := fs.Int("users", 2000, "readers")
	items := fs.Int("items", 3000, "items")
	seed := fs.Uint64("seed", 1, "random seed")
	fs.Parse(args)
	if *users < 1 || *users > 10_000_000 || *items < 10 || *items > 10_000_000 {
		fs.Usage()
		os.Exit(2)
	}
	w := bufio.NewWriter(os.Stdout)
	if err := recommend.Synthetic(w, *users, *items, *seed); err != nil {
		return err
	}
	return w.Flush()
}
