package dashboard

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/report/dashboard/widgets"
)

// Chart geometry.
const (
	chartSeconds   = 60 // seconds of history shown at most
	chartMaxRows   = 3  // rows per series at most
	chartMaxZoom   = 3  // columns per bucket at most
	chartLabelSize = len("admitted ")
)

// chartBlock draws admitted and 429 answers per window of the selected
// limit, against that limit drawn as a line: a header, the admissions over
// the line above it, the line, the admissions up to the line below it, then
// the 429s. The bars count seconds of the run, which the limiter's own
// windows need not match (a correct fixed window admits up to twice its limit
// across one of its boundaries), so a bar over the line is drawn, never
// called a violation: the checks judge the limiter's windows, and a failing
// check shows its first evidence below.
func (m model) chartBlock() block {
	least := 3
	if m.bucketing().line > 0 {
		least = 4 // header, line, admitted, 429s
	}
	return block{prio: prioChart, grow: growChart, min: least, max: 3 + 2*chartMaxRows, draw: m.chartLines}
}

// bucketing is how the chart groups seconds: bars of `seconds` seconds each,
// and the selected limit's line in requests per bar (0: no line).
type bucketing struct {
	seconds int
	line    float64
	limit   LimitLine
	ok      bool // a limit is selected
}

// bucketing chooses the bars for the selected limit: one bar per window
// (whole seconds, aligned to the run's start) with the limit as its line; a
// window under a second is drawn per second with the limit scaled to one
// second (20 per 500ms: a line at 40). A window longer than the chart is not
// drawn as a line.
func (m model) bucketing() bucketing {
	lims := m.frame.Limits
	if len(lims) == 0 {
		return bucketing{seconds: 1}
	}
	l := lims[m.limit%len(lims)]
	b := bucketing{seconds: 1, limit: l, ok: true}
	if l.Window <= 0 || l.Requests <= 0 {
		return b
	}
	b.seconds = max(int(math.Ceil(l.Window.Seconds()-1e-9)), 1)
	if b.seconds > chartSeconds/2 {
		b.seconds = 1
		return b
	}
	b.line = float64(l.Requests) * float64(time.Duration(b.seconds)*time.Second) / float64(l.Window)
	return b
}

// chartLines draws the chart in n lines. A run of up to a minute is shown
// whole, filling in from the left as it goes; a longer one shows its last
// minute. Each bar takes as many columns (up to chartMaxZoom) as fit.
func (m model) chartLines(n int) []string {
	s := m.common.styles
	b := m.bucketing()
	room := m.common.width - chartLabelSize
	bars := min((m.chartSpan()+b.seconds-1)/b.seconds, room)
	if bars < 1 || n < 3 {
		return nil
	}
	zoom := min(max(room/bars, 1), chartMaxZoom)
	first, admitted, limited := m.perBucket(bars, b.seconds)
	top := 0.0
	for i := range admitted {
		top = max(top, admitted[i], limited[i])
	}
	lines := []string{m.chartHeader(b, first, bars, top)}
	avail := n - 1
	if b.line <= 0 || avail < 3 {
		rows := min(max(avail/2, 1), chartMaxRows)
		lines = append(lines, m.series("admitted", s.admitted, widen(admitted, zoom), top, rows)...)
		return append(lines, m.series("429s", s.limited, widen(limited, zoom), top, rows)...)
	}
	over := 0
	if avail >= 5 {
		over = 1
	}
	rows := min(max((avail-1-over)/2, 1), chartMaxRows)
	under, above := make([]float64, len(admitted)), make([]float64, len(admitted))
	overTop := b.line / 4 // admitted a quarter over the limit fills the row above the line
	for i, v := range admitted {
		under[i], above[i] = min(v, b.line), max(v-b.line, 0)
		overTop = max(overTop, above[i])
	}
	if over > 0 {
		lines = append(lines, m.series("", s.admitted, widen(above, zoom), overTop, over)...)
	}
	lines = append(lines, m.limitRow(b, widen(admitted, zoom)))
	lines = append(lines, m.series("admitted", s.admitted, widen(under, zoom), b.line, rows)...)
	return append(lines, m.series("429s", s.limited, widen(limited, zoom), max(top, b.line), rows)...)
}

// chartHeader names what the bars count and which limit the line is.
func (m model) chartHeader(b bucketing, first, bars int, top float64) string {
	s := m.common.styles
	unit := "per second"
	if b.seconds > 1 {
		unit = fmt.Sprintf("per %ds window", b.seconds)
	}
	what := fmt.Sprintf("  seconds %d–%d", first*b.seconds, (first+bars)*b.seconds)
	if first == 0 {
		what = fmt.Sprintf("  %ds of the run", bars*b.seconds)
	}
	head := s.heading.Render(unit) + s.dim.Render(what+" · peak "+count(int64(top)))
	if !b.ok {
		return head
	}
	l := b.limit
	switch {
	case b.line > 0:
		head += s.dim.Render(" · ") + s.limitLine.Render("─") + s.dim.Render(fmt.Sprintf(" %s: %d per %s", l.Name, l.Requests, check.FormatWindow(l.Window)))
		if b.seconds == 1 && l.Window < time.Second {
			head += s.dim.Render(fmt.Sprintf(" (%s/s)", trimFloat(b.line)))
		}
	default:
		head += s.dim.Render(fmt.Sprintf(" · %s: %d per %s", l.Name, l.Requests, check.FormatWindow(l.Window)))
		if used, ok := m.frame.Metrics.WindowUse[l.Window]; ok {
			head += s.dim.Render(" · used ") + useGauge(s, used, l.Requests)
		} else {
			head += s.dim.Render(", too long to draw")
		}
	}
	if len(m.frame.Limits) > 1 {
		head += s.dim.Render(fmt.Sprintf(" · tab: limit %d/%d", m.limit%len(m.frame.Limits)+1, len(m.frame.Limits)))
	}
	return head
}

// useGaugeWidth is how many cells the gauge of a window's use takes.
const useGaugeWidth = 10

// useGauge writes how much of a limit the requests admitted within its
// current window used: "1,358 of 5,000 (27%) ███░░░░░░░", the bar full at
// the limit; a window used past it shows in the over colour.
func useGauge(s styles, used, limit int64) string {
	share := float64(used) / float64(limit)
	full := min(int(math.Round(share*useGaugeWidth)), useGaugeWidth)
	if used > 0 && full == 0 {
		full = 1
	}
	text := fmt.Sprintf("%s of %s (%d%%) ", count(used), count(limit), int(math.Round(100*share)))
	bar := s.admitted
	if used > limit {
		bar = s.limitLine
	}
	return s.dim.Render(text) + bar.Render(strings.Repeat("█", full)) + s.dim.Render(strings.Repeat("░", useGaugeWidth-full))
}

// limitRow is the limit line: ─ where a bar stays under it, ┼ where a bar
// crosses it.
func (m model) limitRow(b bucketing, admitted []float64) string {
	s := m.common.styles
	var row strings.Builder
	for _, v := range admitted {
		if v > b.line {
			row.WriteString(s.admitted.Render("┼"))
		} else {
			row.WriteString(s.limitLine.Render("─"))
		}
	}
	label := fmt.Sprintf("%-*s", chartLabelSize, "limit "+trimFloat(b.line))
	if len(label) > chartLabelSize {
		label = fmt.Sprintf("%-*s", chartLabelSize, "limit")
	}
	return s.dim.Render(label) + row.String()
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

// perBucket returns bars buckets of `seconds` seconds of admitted and 429
// counts, oldest first, starting at bucket first: 0 while the run fits, else
// so that the latest bucket is the last. Buckets without answers are zero.
func (m model) perBucket(bars, seconds int) (first int, admitted, limited []float64) {
	recent := m.frame.Metrics.Recent
	admitted, limited = make([]float64, bars), make([]float64, bars)
	last := 0
	for _, sc := range recent {
		last = max(last, sc.Second/seconds)
	}
	first = max(last-bars+1, 0)
	for _, sc := range recent {
		if i := sc.Second/seconds - first; i >= 0 && i < bars {
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

// trimFloat is v with at most one decimal, without a trailing .0.
func trimFloat(v float64) string {
	return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
}
