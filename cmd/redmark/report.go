package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/redmark/redmark/internal/app"
)

// reportCmd writes the user-operations report (O3): HTML, or PDF when
// --out ends in .pdf (printed by headless Chromium).
func reportCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	var cfg app.Config
	commonFlags(fs, &cfg)
	lang := fs.String("lang", "zh", "language: zh or en")
	from := fs.String("from", "", "first day (YYYY-MM-DD, UTC; default 30 days before --to)")
	to := fs.String("to", "", "last day (default the last rolled-up day)")
	out := fs.String("out", "report.html", "output file: .html or .pdf")
	fs.Parse(args)
	if *lang != "zh" && *lang != "en" {
		return fmt.Errorf("--lang must be zh or en")
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	// Days that finished since the server last rolled up are counted first.
	if _, err := a.Analytics.Rollups.Run(ctx, time.Now()); err != nil {
		return err
	}
	r, err := a.Analytics.Metrics.ParseRange(ctx, *from, *to, time.Now())
	if err != nil {
		return err
	}
	var b []byte
	if strings.HasSuffix(strings.ToLower(*out), ".pdf") {
		b, err = a.ReportPDF(ctx, r, *lang)
	} else {
		b, err = a.Report(ctx, r, *lang)
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("report %s – %s written to %s (%d bytes)\n", r.From, r.To, *out, len(b))
	return nil
}
