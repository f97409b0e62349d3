package places

import (
	"context"
	"encoding/base64"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// PDFPrinter turns a self-contained HTML page into a PDF.
type PDFPrinter interface {
	PrintPDF(ctx context.Context, html []byte) ([]byte, error)
}

// Chromium prints with a headless Chromium at Path: its print engine lays
// out CJK text and images far better than any pure-Go PDF writer.
// PaperW and PaperH are the page size in inches (default A5, the guides').
type Chromium struct {
	Path           string
	PaperW, PaperH float64
}

// PrintPDF starts a browser for the one job; guides are printed once per
// published version and cached by the caller, so the start-up cost is rare.
func (c Chromium) PrintPDF(ctx context.Context, html []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(c.Path), chromedp.NoSandbox)
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	w, h := c.PaperW, c.PaperH
	if w <= 0 || h <= 0 {
		w, h = 5.8, 8.3
	}
	var pdf []byte
	// A data URL: the page needs nothing from the network or the disk.
	url := "data:text/html;base64," + base64.StdEncoding.EncodeToString(html)
	err := chromedp.Run(bctx, chromedp.Navigate(url), chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		pdf, _, err = page.PrintToPDF().WithPrintBackground(true).WithPaperWidth(w).WithPaperHeight(h).Do(ctx)
		return err
	}))
	return pdf, err
}

// PDF prints a book with the service's printer.
func (s *Service) PDF(ctx context.Context, b Book) ([]byte, error) {
	if s.pdf == nil {
		return nil, errNoPrinter
	}
	return s.pdf.PrintPDF(ctx, b.HTML())
}
