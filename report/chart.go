package report

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/ratecheck/ratecheck/results/metrics"
	"github.com/ratecheck/ratecheck/scenarios"
)

// Geometry of the timeline chart, in SVG user units (the viewBox). The chart is
// scaled to the page width, so these are proportions rather than pixels.
const (
	chartWidth   = 1200
	chartHeight  = 330
	plotLeft     = 64.0
	plotRight    = 1188.0
	plotTop      = 34.0
	plotBottom   = 296.0
	maxBars      = 240                  // more seconds than this are summed into bins of several seconds
	maxSpan      = 10 * 365 * 24 * 3600 // seconds; longer timelines are cut
	maxCount     = 1 << 50              // answers per bin; larger counts are capped
	labelCharPx  = 7.0                  // rough width of one label character
	targetXTicks = 12
	targetYTicks = 5
)

// chart is a stacked bar chart of answers per second (admitted, 429, other),
// with the phase boundaries, laid out for the HTML template.
type chart struct {
	Width, Height    int
	Left, Right      string
	Top, Bottom      string
	Bars             []bar
	YTicks, XTicks   []tick
	Phases           []phaseMark
	YLabel           string // "answers per second" or "answers per 5 s"
	TickEnd, XLabelY string // bottom of the x tick marks; baseline of their labels
	PhaseLabelY      string
	Limits           []limitMark // the limits, as lines of admitted requests per bar
	Undrawn          []string    // limits whose window is longer than the run, not drawn
	Marks            []violationMark
}

// bar is the column of one bin; Segs are stacked from the bottom.
type bar struct {
	Title string // tooltip: "2 s – 3 s: 20 admitted, 5 × 429, 0 other"
	Segs  []seg
}

// seg is one coloured rectangle of a bar.
type seg struct {
	Class      string // admitted, limited, other
	X, Y, W, H string
}

// tick is one labelled grid line; Pos is its x or y in chart units.
type tick struct {
	Pos   string
	Label string
}

// phaseMark is the start of a phase: a line at X (omitted for the first phase)
// and its name, shortened to fit the phase's width ("" when nothing fits).
type phaseMark struct {
	X      string
	LabelX string
	Label  string
	Name   string // the full name, for the tooltip
	Line   bool
}

// newContractChart lays out the timeline with the contract drawn on it: each
// limit as a line of admitted requests per bar, and each violating request
// marked where it was sent, linked to its evidence. A run longer than maxBars
// seconds is drawn from bins of several seconds (the verdict is judged from
// every request; the picture only downsamples).
func newContractChart(timeline []metrics.SecondCounts, phases []metrics.PhaseSnapshot, limits []LimitInfo, marks []violation) *chart {
	span := spanSeconds(timeline, phases)
	if span == 0 {
		return nil
	}
	binSec := (span + maxBars - 1) / maxBars
	bins := binCounts(timeline, binSec, (span+binSec-1)/binSec)
	peak := maxTotal(bins)
	if peak == 0 {
		return nil
	}
	lines := limitLevels(limits, binSec, span)
	for _, l := range lines {
		peak = max(peak, int64(math.Ceil(l.level)))
	}
	top := niceCeil(peak)
	if top == 0 {
		return nil
	}
	total := float64(int64(len(bins)) * binSec) // seconds across the plot
	c := &chart{
		Width: chartWidth, Height: chartHeight,
		Left: num(plotLeft), Right: num(plotRight), Top: num(plotTop), Bottom: num(plotBottom),
		TickEnd: num(plotBottom + 5), XLabelY: num(plotBottom + 8), PhaseLabelY: num(plotTop - 10),
		YLabel: yLabel(binSec),
	}
	c.Bars = layoutBars(bins, binSec, total, float64(top))
	c.YTicks = yTicks(top)
	c.XTicks = xTicks(int64(total))
	c.Phases = phaseMarks(phases, total)
	c.Limits = layoutLimits(lines, float64(top))
	c.Marks = layoutMarks(marks, total)
	for _, l := range limits {
		if !l.Unlimited && l.Requests > 0 && l.WindowMS > 0 && !slices.ContainsFunc(lines, func(x level) bool { return x.name == l.Name }) {
			c.Undrawn = append(c.Undrawn, l.Name)
		}
	}
	return c
}

// spanSeconds is how many seconds the chart covers: the last second with
// answers, or the planned phases, whichever is longer. Negative seconds are
// ignored and absurd spans are capped.
func spanSeconds(timeline []metrics.SecondCounts, phases []metrics.PhaseSnapshot) int64 {
	var span int64
	for _, s := range timeline {
		if s.Second >= 0 && int64(s.Second) < maxSpan {
			span = max(span, int64(s.Second)+1)
		}
	}
	var planned time.Duration
	for _, p := range phases {
		if p.Duration > 0 {
			planned += p.Duration
		}
	}
	if planned > 0 {
		span = max(span, int64(math.Ceil(planned.Seconds())))
	}
	return min(span, maxSpan)
}

// binCounts sums the timeline into n bins of binSec seconds each.
func binCounts(timeline []metrics.SecondCounts, binSec, n int64) []metrics.SecondCounts {
	bins := make([]metrics.SecondCounts, n)
	for i := range bins {
		bins[i].Second = i * int(binSec)
	}
	for _, s := range timeline {
		i := int64(s.Second) / binSec
		if s.Second < 0 || i >= n {
			continue
		}
		bins[i].Admitted = capAdd(bins[i].Admitted, s.Admitted)
		bins[i].Limited = capAdd(bins[i].Limited, s.Limited)
		bins[i].Other = capAdd(bins[i].Other, s.Other)
	}
	return bins
}

// capAdd adds a count to a sum, ignoring negative counts and capping at maxCount,
// so that no sum of three bins can overflow.
func capAdd(sum, n int64) int64 {
	return min(sum+min(max(n, 0), maxCount), maxCount)
}

// maxTotal is the tallest bin.
func maxTotal(bins []metrics.SecondCounts) int64 {
	var m int64
	for _, b := range bins {
		m = max(m, b.Admitted+b.Limited+b.Other)
	}
	return m
}

// layoutBars turns bins into stacked rectangles: x = left + second/total × plot
// width, height = count/top × plot height.
func layoutBars(bins []metrics.SecondCounts, binSec int64, total, top float64) []bar {
	slot := (plotRight - plotLeft) / float64(len(bins))
	width := slot
	if slot >= 3 {
		width = slot * 0.8
	}
	scale := (plotBottom - plotTop) / top
	out := make([]bar, 0, len(bins))
	for i, b := range bins {
		x := plotLeft + float64(i)*slot + (slot-width)/2
		y := plotBottom
		br := bar{Title: binTitle(b, binSec)}
		for _, part := range []struct {
			class string
			n     int64
		}{{"admitted", b.Admitted}, {"limited", b.Limited}, {"other", b.Other}} {
			if part.n == 0 {
				continue
			}
			h := float64(part.n) * scale
			y -= h
			br.Segs = append(br.Segs, seg{Class: part.class, X: num(x), Y: num(y), W: num(width), H: num(h)})
		}
		if len(br.Segs) > 0 {
			out = append(out, br)
		}
	}
	return out
}

// binTitle is a bar's tooltip.
func binTitle(b metrics.SecondCounts, binSec int64) string {
	from := int64(b.Second)
	return secondsLabel(from) + " – " + secondsLabel(from+binSec) + ": " +
		fmtCount(b.Admitted) + " admitted, " + fmtCount(b.Limited) + " × 429, " +
		fmtCount(b.Other) + " other"
}

// yLabel names the y axis.
func yLabel(binSec int64) string {
	if binSec == 1 {
		return "answers per second"
	}
	return "answers per " + strconv.FormatInt(binSec, 10) + " s"
}

// yTicks are evenly spaced counts from 0 to top.
func yTicks(top int64) []tick {
	step := niceStep(float64(top) / targetYTicks)
	var out []tick
	for i := range top/step + 1 {
		v := i * step
		y := plotBottom - float64(v)/float64(top)*(plotBottom-plotTop)
		out = append(out, tick{Pos: num(y), Label: fmtCount(v)})
	}
	return out
}

// xTicks are seconds from the start at a step a clock reads well.
func xTicks(total int64) []tick {
	step := timeStep(float64(total) / targetXTicks)
	var out []tick
	for i := range total/step + 1 {
		s := i * step
		x := plotLeft + float64(s)/float64(total)*(plotRight-plotLeft)
		out = append(out, tick{Pos: num(x), Label: secondsLabel(s)})
	}
	return out
}

// phaseMarks places the phase boundaries from the cumulative phase durations.
// A run of contract phases (scenarios.Stretches) is one mark: up to twenty
// bursts a fraction of a second long would draw a thicket of lines.
func phaseMarks(phases []metrics.PhaseSnapshot, total float64) []phaseMark {
	var out []phaseMark
	var start time.Duration
	for _, st := range scenarios.Stretches(phaseKinds(phases)) {
		name, d := phases[st[0]].Name, time.Duration(0)
		if st[1]-st[0] > 1 {
			name = scenarios.ContractStretch
		}
		for _, p := range phases[st[0]:st[1]] {
			d += p.Duration
		}
		if d <= 0 {
			continue
		}
		x0 := plotLeft + start.Seconds()/total*(plotRight-plotLeft)
		start += d
		x1 := plotLeft + math.Min(start.Seconds()/total, 1)*(plotRight-plotLeft)
		if x0 >= plotRight {
			break
		}
		out = append(out, phaseMark{
			X: num(x0), LabelX: num(x0 + 4), Name: name,
			Label: fitLabel(name, x1-x0-8), Line: st[0] > 0,
		})
	}
	return out
}

// phaseKinds are the phases' kinds, for scenarios.Stretches.
func phaseKinds(phases []metrics.PhaseSnapshot) []scenarios.PhaseKind {
	kinds := make([]scenarios.PhaseKind, len(phases))
	for i, p := range phases {
		kinds[i] = scenarios.PhaseKind(p.Kind)
	}
	return kinds
}

// fitLabel shortens s with an ellipsis to fit width chart units.
func fitLabel(s string, width float64) string {
	n := int(width / labelCharPx)
	r := []rune(s)
	switch {
	case len(r) <= n:
		return s
	case n < 2:
		return ""
	}
	return string(r[:n-1]) + "…"
}

// niceCeil rounds n up to a multiple of a round step (1, 2 or 5 × 10^k).
func niceCeil(n int64) int64 {
	if n <= 0 {
		return 0
	}
	step := niceStep(float64(n) / targetYTicks)
	return (n + step - 1) / step * step
}

// niceStep is the smallest 1, 2 or 5 × 10^k that is at least raw (and at least 1).
func niceStep(raw float64) int64 {
	if raw <= 1 {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			return int64(m * pow)
		}
	}
	return int64(10 * pow)
}

// timeSteps are the x-axis steps in seconds, as a clock divides time.
var timeSteps = []int64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 4 * 3600, 6 * 3600, 12 * 3600, 86400}

// timeStep is the smallest of timeSteps at least raw; whole days beyond those.
func timeStep(raw float64) int64 {
	for _, s := range timeSteps {
		if float64(s) >= raw {
			return s
		}
	}
	return int64(math.Ceil(raw/86400)) * 86400
}

// secondsLabel formats an offset in whole seconds: "45s", "2m", "2m30s", "1h5m".
func secondsLabel(s int64) string {
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + "s"
	case s < 3600 && s%60 == 0:
		return strconv.FormatInt(s/60, 10) + "m"
	case s < 3600:
		return strconv.FormatInt(s/60, 10) + "m" + strconv.FormatInt(s%60, 10) + "s"
	case s%3600 == 0:
		return strconv.FormatInt(s/3600, 10) + "h"
	}
	return strconv.FormatInt(s/3600, 10) + "h" + strconv.FormatInt(s%3600/60, 10) + "m"
}

// num formats a chart coordinate with at most two decimals.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}
