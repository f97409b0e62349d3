package main

import (
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// bars draws one progress bar per phase on stderr.
type bars struct {
	phase string
	bar   *progressbar.ProgressBar
}

func (b *bars) progress(phase string, done, total int) {
	if phase != b.phase {
		if b.bar != nil {
			_ = b.bar.Finish()
		}
		b.phase = phase
		b.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr),
			progressbar.OptionSetDescription(fmt.Sprintf("%-14s", phase)), progressbar.OptionSetWidth(30),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(os.Stderr) }))
	}
	_ = b.bar.Set(done)
}

func (b *bars) finish() {
	if b.bar != nil {
		_ = b.bar.Finish()
	}
}
