package report

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/results/metrics"
	"github.com/ratecheck/ratecheck/scenarios"
)

// Geometry of the latency chart, in SVG user units.
const (
	latWidth   = 1200
	latHeight  = 300
	latLeft    = 80.0
	latRight   = 1160.0
	latTop     = 16.0
	latBottom  = 262.0
	latClasses = 8 // colours l0..l7, cycled over the phases
)

// latencyChart draws each phase's latency percentiles (p50, p90, p99, max,
// from its HdrHistogram) as a line, HdrHistogram's way: the percentile on a
// log scale of 1/(1−q) across, the latency on a log scale up. A run's size
// does not matter: the percentiles come from the histograms, not the
// requests.
type latencyChart struct {
	Width, Height            int
	Left, Right, Top, Bottom string
	XLabelY                  string
	XTicks, YTicks           []tick
	Lines                    []latencyLine
}

// latencyLine is one phase's percentiles, or the whole run's (Class "all").
type latencyLine struct {
	Name   string
	Class  string
	Points string // polyline points
	Dots   []latencyDot
}

// latencyDot is one percentile of a line.
type latencyDot struct {
	X, Y  string
	Title string // "over p99: 12.35 ms"
}

// latencyPoints are the percentiles drawn, with their place across:
// log10(1/(1−q)), and max one decade past p99.
var latencyPoints = []struct {
	label string
	x     float64
	value func(metrics.LatencySummary) time.Duration
}{
	{"p50", math.Log10(2), func(l metrics.LatencySummary) time.Duration { return l.P50 }},
	{"p90", 1, func(l metrics.LatencySummary) time.Duration { return l.P90 }},
	{"p99", 2, func(l metrics.LatencySummary) time.Duration { return l.P99 }},
	{"max", 3, func(l metrics.LatencySummary) time.Duration { return l.Max }},
}

// newLatencyChart lays out the latency chart; nil when no phase had an
// answer with a latency.
func newLatencyChart(phases []metrics.PhaseSnapshot, all metrics.LatencySummary) *latencyChart {
	type series struct {
		name, class string
		lat         metrics.LatencySummary
	}
	var ss []series
	for i, st := range scenarios.Stretches(phaseKinds(phases)) {
		name, lat := phases[st[0]].Name, phases[st[0]].Latency
		if st[1]-st[0] > 1 {
			// A run of contract phases is one line, each percentile the
			// worst of its phases': an upper bound, named as such.
			name, lat = scenarios.ContractStretch+" (worst of its phases)", metrics.LatencySummary{}
			for _, ph := range phases[st[0]:st[1]] {
				lat.P50, lat.P90 = max(lat.P50, ph.Latency.P50), max(lat.P90, ph.Latency.P90)
				lat.P99, lat.Max = max(lat.P99, ph.Latency.P99), max(lat.Max, ph.Latency.Max)
			}
		}
		if lat.Max > 0 {
			ss = append(ss, series{name, "l" + strconv.Itoa(i%latClasses), lat})
		}
	}
	if len(ss) == 0 {
		return nil
	}
	if len(ss) > 1 && all.Max > 0 {
		ss = append(ss, series{"all requests", "all", all})
	}
	lo, hi := math.Inf(1), 0.0
	for _, s := range ss {
		for _, p := range latencyPoints {
			if v := float64(p.value(s.lat)); v > 0 {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	// Whole decades of nanoseconds, at least one, from 1 µs up.
	dlo := math.Floor(math.Log10(max(lo, 1e3)))
	dhi := max(math.Ceil(math.Log10(max(hi, 1e3))), dlo+1)
	xmin, xmax := math.Log10(2)-0.15, 3.15
	xAt := func(x float64) float64 { return latLeft + (x-xmin)/(xmax-xmin)*(latRight-latLeft) }
	yAt := func(d time.Duration) float64 {
		v := math.Log10(max(float64(d), math.Pow(10, dlo)))
		return latBottom - (v-dlo)/(dhi-dlo)*(latBottom-latTop)
	}
	c := &latencyChart{Width: latWidth, Height: latHeight, Left: num(latLeft), Right: num(latRight),
		Top: num(latTop), Bottom: num(latBottom), XLabelY: num(latBottom + 8)}
	for d := dlo; d <= dhi; d++ {
		c.YTicks = append(c.YTicks, tick{Pos: num(yAt(time.Duration(math.Pow(10, d)))), Label: decadeLabel(int(d))})
	}
	for _, p := range latencyPoints {
		c.XTicks = append(c.XTicks, tick{Pos: num(xAt(p.x)), Label: p.label})
	}
	for _, s := range ss {
		l := latencyLine{Name: s.name, Class: s.class}
		var pts []string
		for _, p := range latencyPoints {
			x, y := num(xAt(p.x)), num(yAt(p.value(s.lat)))
			pts = append(pts, x+","+y)
			l.Dots = append(l.Dots, latencyDot{X: x, Y: y, Title: s.name + " " + p.label + ": " + fmtLatency(p.value(s.lat))})
		}
		l.Points = strings.Join(pts, " ")
		c.Lines = append(c.Lines, l)
	}
	return c
}

// decadeLabel names 10^d nanoseconds: "1 µs", "100 µs", "10 ms", "1 s".
func decadeLabel(d int) string {
	units := []struct {
		exp  int
		name string
	}{{9, "s"}, {6, "ms"}, {3, "µs"}, {0, "ns"}}
	for _, u := range units {
		if d >= u.exp {
			return strconv.FormatFloat(math.Pow(10, float64(d-u.exp)), 'f', -1, 64) + " " + u.name
		}
	}
	return "1 ns"
}
