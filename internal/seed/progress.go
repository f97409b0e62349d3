package seed

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress draws one bar per phase on w; a nil *progress draws nothing.
type progress struct{ w io.Writer }

type bar struct{ b *progressbar.ProgressBar }

func (p *progress) start(phase string, total int64) *bar {
	if p == nil || p.w == nil {
		return nil
	}
	if total <= 0 {
		total = -1 // unknown: a spinner
	}
	return &bar{progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(fmt.Sprintf("%-15s", phase)),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
	)}
}

func (b *bar) add(n int) {
	if b != nil {
		_ = b.b.Add(n)
	}
}

func (b *bar) finish() {
	if b != nil {
		_ = b.b.Finish()
	}
}

// Phase is one step of a seed run.
type Phase struct {
	Name    string
	Rows    int64
	Elapsed time.Duration
}

// RowsPerSec is the phase's throughput.
func (p Phase) RowsPerSec() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Rows) / p.Elapsed.Seconds()
}

// Report summarises a seed run.
type Report struct {
	Phases []Phase
	Total  time.Duration
}

// Print writes the report as a table.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "%-16s %12s %10s %12s\n", "phase", "rows", "seconds", "rows/s")
	var rows int64
	for _, p := range r.Phases {
		rows += p.Rows
		fmt.Fprintf(w, "%-16s %12d %10.1f %12.0f\n", p.Name, p.Rows, p.Elapsed.Seconds(), p.RowsPerSec())
	}
	fmt.Fprintf(w, "%-16s %12d %10.1f %12.0f\n", "total", rows, r.Total.Seconds(), float64(rows)/max(r.Total.Seconds(), 1e-9))
}
