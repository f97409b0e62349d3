package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Charts are drawn here as inline SVG: the HTML needs no script and the
// PDF prints them crisply.

var palette = []string{"#ff2442", "#3b82f6", "#10b981", "#f59e0b", "#8b5cf6"}

type series struct {
	Name   string
	Values []float64
}

const chartW, chartH, padL, padB, padT = 640.0, 220.0, 52.0, 28.0, 24.0

func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func shortNum(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e8:
		return fmt.Sprintf("%.1fe8", v/1e8)
	case a >= 1e4:
		return fmt.Sprintf("%.1fw", v/1e4)
	case a == math.Trunc(a):
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// axes draws the frame, y grid and every few x labels.
func axes(b *strings.Builder, labels []string, top float64) {
	plotW, plotH := chartW-padL-10, chartH-padB-padT
	for i := 0; i <= 4; i++ {
		y := padT + plotH - plotH*float64(i)/4
		fmt.Fprintf(b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#eee"/>`, padL, y, padL+plotW, y)
		fmt.Fprintf(b, `<text x="%.0f" y="%.1f" text-anchor="end" font-size="10" fill="#888">%s</text>`, padL-4, y+3, shortNum(top*float64(i)/4))
	}
	step := max(1, len(labels)/6)
	for i := 0; i < len(labels); i += step {
		x := padL + plotW*(float64(i)+0.5)/float64(len(labels))
		fmt.Fprintf(b, `<text x="%.1f" y="%.0f" text-anchor="middle" font-size="10" fill="#888">%s</text>`, x, chartH-8, html.EscapeString(labels[i]))
	}
}

func legend(b *strings.Builder, ss []series) {
	x := padL
	for i, s := range ss {
		fmt.Fprintf(b, `<rect x="%.0f" y="6" width="10" height="10" fill="%s"/><text x="%.0f" y="15" font-size="11" fill="#333">%s</text>`,
			x, palette[i%len(palette)], x+14, html.EscapeString(s.Name))
		x += 24 + 7*float64(len([]rune(s.Name)))*1.4
	}
}

func open(b *strings.Builder, title string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" class="chart">`, chartW, chartH, html.EscapeString(title))
}

// lineChart draws series over labels.
func lineChart(title string, labels []string, ss []series) template.HTML {
	var b strings.Builder
	open(&b, title)
	top := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			top = max(top, v)
		}
	}
	top = niceMax(top)
	axes(&b, labels, top)
	plotW, plotH := chartW-padL-10, chartH-padB-padT
	for i, s := range ss {
		var pts []string
		for j, v := range s.Values {
			x := padL + plotW*(float64(j)+0.5)/float64(len(labels))
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, padT+plotH-plotH*v/top))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.8" points="%s"/>`, palette[i%len(palette)], strings.Join(pts, " "))
	}
	legend(&b, ss)
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// barChart draws one or more series as grouped bars.
func barChart(title string, labels []string, ss []series) template.HTML {
	var b strings.Builder
	open(&b, title)
	top := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			top = max(top, v)
		}
	}
	top = niceMax(top)
	axes(&b, labels, top)
	plotW, plotH := chartW-padL-10, chartH-padB-padT
	slot := plotW / float64(max(1, len(labels)))
	w := slot * 0.8 / float64(len(ss))
	for i, s := range ss {
		for j, v := range s.Values {
			h := plotH * v / top
			x := padL + slot*float64(j) + slot*0.1 + w*float64(i)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x, padT+plotH-h, max(w, 0.5), h, palette[i%len(palette)])
		}
	}
	if len(ss) > 1 {
		legend(&b, ss)
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// hbars draws labelled horizontal bars with their values as shares of
// total (the whole population, suppressed groups included).
func hbars(title string, labels []string, values []float64, total float64) template.HTML {
	var b strings.Builder
	row := 22.0
	h := row*float64(len(labels)) + 8
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 %.0f" role="img" aria-label="%s" class="hbars">`, h, html.EscapeString(title))
	top := 0.0
	for _, v := range values {
		top = max(top, v)
	}
	for i, l := range labels {
		y := 4 + row*float64(i)
		w := 0.0
		if top > 0 {
			w = 170 * values[i] / top
		}
		share := 0.0
		if total > 0 {
			share = values[i] / total * 100
		}
		fmt.Fprintf(&b, `<text x="0" y="%.0f" font-size="11" fill="#333">%s</text><rect x="96" y="%.0f" width="%.1f" height="14" rx="3" fill="%s"/><text x="%.1f" y="%.0f" font-size="10" fill="#555">%.0f%%</text>`,
			y+12, html.EscapeString(l), y+1, w, palette[0], 100+w, y+12, share)
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}
