package dashboard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/ratecheck/ratecheck/report/dashboard/widgets"
)

// Chart geometry.
const (
	chartSeconds   = 60 // seconds of history shown at most
	chartMaxRows   = 3  // rows per series at most
	chartMaxZoom   = 3  // columns per second at most
	chartLabelSize = len("admitted ")
)

// chartBlock draws admitted and 429 answers per second: a header, then the two
// series on one scale.
func (m model) chartBlock() block {
	return block{prio: prioChart, grow: growChart, min: 3, max: 1 + 2*chartMaxRows, draw: m.chartLines}
}

// chartLines draws the chart in n lines. A run of up to a minute is shown
// whole, filling in from the left as it goes; a longer one shows its last
// minute. Each second takes as many columns (up to chartMaxZoom) as fit.
func (m model) chartLines(n int) []string {
	s := m.common.styles
	room := m.common.width - chartLabelSize
	span := m.chartSpan()
	span = min(span, room)
	if span < 1 || n < 3 {
		return nil
	}
	zoom := min(max(room/span, 1), chartMaxZoom)
	first, admitted, limited := m.perSecond(span)
	top := 0.0
	for i := range admitted {
		top = max(top, admitted[i], limited[i])
	}
	rows := min(max((n-1)/2, 1), chartMaxRows)
	what := fmt.Sprintf("seconds %d–%d", first, first+span)
	if first == 0 {
		what = fmt.Sprintf("%ds of the run", span)
	}
	head := s.heading.Render("per second") + s.dim.Render(fmt.Sprintf("  %s · peak %s", what, count(int64(top))))
	lines := []string{head}
	lines = append(lines, m.series("admitted", s.admitted, widen(admitted, zoom), top, rows)...)
	return append(lines, m.series("429s", s.limited, widen(limited, zoom), top, rows)...)
}

// chartSpan is how many seconds the chart covers: the planned run when it is
// no longer than chartSeconds, else chartSeconds.
func (m model) chartSpan() int {
	total := int((m.frame.total() + 999_999_999) / 1_000_000_000) // whole seconds, rounded up
	if total <= 0 || total > chartSeconds {
		return chartSeconds
	}
	return total
}

// series draws one labelled sparkline.
func (m model) series(label string, style lipgloss.Style, vs []float64, top float64, rows int) []string {
	sp := widgets.Sparkline{Style: style}
	sp.SetSize(len(vs), rows)
	lines := strings.Split(sp.View(vs, top), "\n")
	for i := range lines {
		l := strings.Repeat(" ", chartLabelSize)
		if i == 0 {
			l = m.common.styles.dim.Render(fmt.Sprintf("%-*s", chartLabelSize, label))
		}
		lines[i] = l + lines[i]
	}
	return lines
}

// perSecond returns span seconds of admitted and 429 counts, oldest first,
// starting at second first: 0 while the run fits, else so that the latest
// second is the last. Seconds without answers are zero.
func (m model) perSecond(span int) (first int, admitted, limited []float64) {
	recent := m.frame.Metrics.Recent
	admitted, limited = make([]float64, span), make([]float64, span)
	last := 0
	for _, sc := range recent {
		last = max(last, sc.Second)
	}
	first = max(last-span+1, 0)
	for _, sc := range recent {
		if i := sc.Second - first; i >= 0 && i < span {
			admitted[i] += float64(sc.Admitted)
			limited[i] += float64(sc.Limited)
		}
	}
	return first, admitted, limited
}

// widen repeats every value zoom times.
func widen(vs []float64, zoom int) []float64 {
	out := make([]float64, 0, len(vs)*zoom)
	for _, v := range vs {
		for range zoom {
			out = append(out, v)
		}
	}
	return out
}
