package report

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/results/metrics"
)

// useChart draws how close the run came to each limit with a window of
// useMinWindow or more, however long: for each bar of the timeline, the most
// requests admitted within one window of the limit ending in that bar, as a
// share of the limit: a per-minute limit's over phases, a per-day quota
// filling up over an hour's run. It is drawn from the per-second counts
// (admitted requests of every key together, counted by the second they were
// sent), at most maxBars points a limit, whatever the length of the run.
// Shorter windows are the timeline's: against them a second of the run is
// too coarse a count.
type useChart struct {
	Width, Height            int
	Left, Right, Top, Bottom string
	TickEnd, XLabelY         string
	Full                     string // y of 100% of a limit
	YTicks, XTicks           []tick
	Lines                    []useLine
	Bar                      string   // "1 s", "5 s": what one point covers
	Skipped                  []string // limits whose window is under useMinWindow
}

// useMinWindow is the shortest window drawn: a count by whole seconds of
// sending is within a tenth of it.
const useMinWindow = 10 * time.Second

// useLine is one limit's use.
type useLine struct {
	Name   string // "per-day: 5,000 per 24h"
	Class  string // colour, l0..l7
	Points string
	Peak   string // "2,542 of 5,000 (51%)"
	Title  string
}

// useClasses are the lines' colours: the latency chart's, red (l2) left
// out, since the 100% line is red.
var useClasses = []string{"l0", "l1", "l3", "l4", "l5", "l7", "l6"}

// newUseChart lays out the use of each limit with a window of useMinWindow
// or more; nil when no limit has one or nothing was admitted.
func newUseChart(timeline []metrics.SecondCounts, phases []metrics.PhaseSnapshot, limits []LimitInfo) *useChart {
	span := spanSeconds(timeline, phases)
	if span == 0 {
		return nil
	}
	binSec := (span + maxBars - 1) / maxBars
	nBins := (span + binSec - 1) / binSec
	adm := admittedBySecond(timeline)
	c := &useChart{Bar: strconv.FormatInt(binSec, 10) + " s"}
	type series struct {
		l    LimitInfo
		pcts []float64
		peak int64
	}
	var all []series
	top := 100.0
	for _, l := range limits {
		if l.Unlimited || l.Requests <= 0 || l.WindowMS <= 0 {
			continue
		}
		if l.WindowMS < useMinWindow.Milliseconds() {
			c.Skipped = append(c.Skipped, l.Name)
			continue
		}
		wsec := (l.WindowMS + 999) / 1000
		peaks := adm.windowPeaks(wsec, binSec, nBins)
		s := series{l: l, pcts: make([]float64, len(peaks))}
		for i, p := range peaks {
			s.peak = max(s.peak, p)
			s.pcts[i] = 100 * float64(p) / float64(l.Requests)
		}
		top = max(top, slices.Max(s.pcts))
		all = append(all, s)
	}
	if len(all) == 0 || adm.total() == 0 {
		return nil
	}
	topPct := niceCeil(int64(math.Ceil(top)))
	c.Width, c.Height = chartWidth, chartHeight
	c.Left, c.Right, c.Top, c.Bottom = num(plotLeft), num(plotRight), num(plotTop), num(plotBottom)
	c.TickEnd, c.XLabelY = num(plotBottom+5), num(plotBottom+8)
	c.Full = num(plotBottom - 100/float64(topPct)*(plotBottom-plotTop))
	c.YTicks = yTicks(topPct)
	for i := range c.YTicks {
		c.YTicks[i].Label += "%"
	}
	total := float64(nBins * binSec)
	c.XTicks = xTicks(int64(total))
	for k, s := range all {
		var pts strings.Builder
		for i, p := range s.pcts {
			// Each point covers its bar: drawn at both ends, a step.
			y := num(plotBottom - p/float64(topPct)*(plotBottom-plotTop))
			for _, edge := range []int64{int64(i), int64(i) + 1} {
				x := plotLeft + float64(edge*binSec)/total*(plotRight-plotLeft)
				fmt.Fprintf(&pts, "%s,%s ", num(x), y)
			}
		}
		window := time.Duration(s.l.WindowMS) * time.Millisecond
		peak := fmt.Sprintf("%s of %s (%s)", fmtCount(s.peak), fmtCount(s.l.Requests), shareOf(s.peak, s.l.Requests))
		name := fmt.Sprintf("%s: %s per %s", s.l.Name, fmtCount(s.l.Requests), check.FormatWindow(window))
		c.Lines = append(c.Lines, useLine{
			Name: name, Class: useClasses[k%len(useClasses)], Points: strings.TrimSpace(pts.String()), Peak: peak,
			Title: fmt.Sprintf("%s: at most %s admitted within one window", name, peak),
		})
	}
	return c
}

// shareOf is n of of as a whole percentage, "51%"; "<1%" for a little.
func shareOf(n, of int64) string {
	p := 100 * float64(n) / float64(of)
	if n > 0 && p < 1 {
		return "<1%"
	}
	return strconv.FormatFloat(math.Round(p), 'f', -1, 64) + "%"
}

// secondCounts are admitted requests by second of the run, sorted, with
// their running sum: seconds[i] had counts[i], and sums[i] is the sum of
// counts[:i].
type secondCounts struct {
	seconds []int64
	sums    []int64
}

// admittedBySecond gathers the admitted counts of the timeline, ignoring
// negative seconds and those past maxSpan, as the timeline does.
func admittedBySecond(timeline []metrics.SecondCounts) secondCounts {
	ts := slices.Clone(timeline)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Second < ts[j].Second })
	out := secondCounts{sums: []int64{0}}
	for _, s := range ts {
		if s.Second < 0 || int64(s.Second) >= maxSpan || s.Admitted <= 0 {
			continue
		}
		out.seconds = append(out.seconds, int64(s.Second))
		out.sums = append(out.sums, capAdd(out.sums[len(out.sums)-1], s.Admitted))
	}
	return out
}

func (sc secondCounts) total() int64 { return sc.sums[len(sc.sums)-1] }

// upTo is the sum of the counts of the seconds before t.
func (sc secondCounts) upTo(t int64) int64 {
	i, _ := slices.BinarySearch(sc.seconds, t)
	return sc.sums[i]
}

// windowPeaks is, for each of n bins of binSec seconds, the most admitted
// within wsec consecutive seconds ending in that bin. The sum only rises at
// a second with admissions, so the bin's first second and each such second
// in it are the candidates.
func (sc secondCounts) windowPeaks(wsec, binSec, n int64) []int64 {
	out := make([]int64, n)
	within := func(end int64) int64 { return sc.upTo(end+1) - sc.upTo(end+1-wsec) }
	i := 0
	for b := range n {
		from, to := b*binSec, (b+1)*binSec
		best := within(from)
		for ; i < len(sc.seconds) && sc.seconds[i] < to; i++ {
			if sc.seconds[i] >= from {
				best = max(best, within(sc.seconds[i]))
			}
		}
		out[b] = best
	}
	return out
}
