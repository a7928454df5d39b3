package dashboard

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/ratecheck/ratecheck/conformance/check"
	"github.com/ratecheck/ratecheck/results/metrics"
)

// remainingBlock shows the Remaining header the target reported, per second,
// beside a count the dashboard can make exactly: the limit minus the requests
// the target admitted in the last window (a sliding count, from a full quota
// at the start of the run). The two agree for a sliding window; a fixed
// window or a bucket gives quota back sooner, so "reported" above "sliding"
// is not a fault in itself. The checks judge the header; this only shows it.
// Nothing is drawn when the scenario promises no Remaining header.
func (m model) remainingBlock() block {
	if m.frame.Remaining == nil {
		return block{}
	}
	return block{prio: prioRemaining, grow: growRemaining, min: 1, max: 2 + 2*remainingRows, draw: m.remainingLines}
}

// remainingRows is how many rows each series takes at most.
const remainingRows = 2

// sliding reports whether the window is whole seconds, so that the
// per-second counts give the sliding count exactly.
func (m model) sliding() bool {
	w := m.frame.Remaining.Limit.Window
	return w >= time.Second && w%time.Second == 0
}

// remainingLines draws the header line, then the reported and sliding
// series, one column per second as the chart draws them.
func (m model) remainingLines(n int) []string {
	lines := []string{m.remainingHeader()}
	rs := m.frame.Metrics.Remaining
	if n < 3 || rs == nil || len(rs.Seconds) == 0 {
		return lines
	}
	room := m.common.width - chartLabelSize
	secs := rs.Seconds[max(len(rs.Seconds)-room, 0):]
	zoom := min(max(room/max(m.chartSpan(), 1), 1), chartMaxZoom)
	if len(secs)*zoom > room {
		zoom = 1
	}
	rows := min((n-1)/2, remainingRows)
	top := float64(m.frame.Remaining.Limit.Requests)
	reported, counted, seen := make([]float64, 0, len(secs)), make([]float64, 0, len(secs)), make([]bool, 0, len(secs))
	for _, s := range secs {
		reported = append(reported, float64(s.Lowest))
		counted = append(counted, float64(slidingLeft(m.frame.Remaining.Limit, s)))
		seen = append(seen, s.Reported)
	}
	s := m.common.styles
	lines = append(lines, remainingSeries("reported", s, s.admitted, widen(reported, zoom), widenBool(seen, zoom), top, rows)...)
	if m.sliding() {
		lines = append(lines, remainingSeries("sliding", s, s.limitLine, widen(counted, zoom), nil, top, rows)...)
		if len(lines) < n {
			lines = append(lines, s.dim.Render(strings.Repeat(" ", chartLabelSize)+
				"· no Remaining read · a fixed window or a bucket gives quota back before a sliding count does; the checks judge the header"))
		}
	}
	return lines
}

// slidingLeft is the limit less what was admitted in the window ending with
// second s, at least 0.
func slidingLeft(l LimitLine, s metrics.RemainingSecond) int64 {
	return max(l.Requests-s.InWindow, 0)
}

// remainingHeader gives the latest second's values, what the target
// reported and the sliding count with how it was made, then names the header
// (and the key followed): the numbers first, so that 80 columns keep them.
func (m model) remainingHeader() string {
	s, ri := m.common.styles, m.frame.Remaining
	rs := m.frame.Metrics.Remaining
	source := ri.Header
	if rs != nil && rs.Key != "" {
		source += ", key " + rs.Key
	}
	if ri.Approximate {
		source += ", approximate as the scenario says"
	}
	head := s.heading.Render("Remaining") + " "
	last, ok := latestReported(rs)
	if !ok {
		return head + s.dim.Render(noneRead(rs)+" · "+source)
	}
	head += s.dim.Render(fmt.Sprintf("at %ds: ", last.Second)) + s.admitted.Render("reported "+count(last.Lowest))
	if m.sliding() {
		head += s.dim.Render(" · ") + s.limitLine.Render("sliding "+count(slidingLeft(ri.Limit, last))) +
			s.dim.Render(slidingSum(ri.Limit, last))
	} else {
		head += s.dim.Render(fmt.Sprintf(" of %d per %s (a window under whole seconds: no per-second count)", ri.Limit.Requests, check.FormatWindow(ri.Limit.Window)))
	}
	return head + s.dim.Render(" · "+source)
}

// slidingSum says how the sliding count of second last was made: the limit
// less what was admitted in the window ending then. When more than the limit
// was admitted in that window (a fixed window that began again inside it, a
// bucket's refill: quota given back sooner than a sliding count gives it, or
// an over-admission, which the checks judge) there is nothing to subtract,
// and it says so rather than show "60 − 90".
func slidingSum(l LimitLine, last metrics.RemainingSecond) string {
	since := "in the last " + check.FormatWindow(l.Window)
	if last.Second+1 < int(l.Window/time.Second) {
		since = "since the start"
	}
	if over := last.InWindow - l.Requests; over > 0 {
		return fmt.Sprintf(" · %d admitted %s, %d more than %d: quota given back (the checks judge it)", last.InWindow, since, over, l.Requests)
	}
	return fmt.Sprintf(" = %d − %d admitted %s", l.Requests, last.InWindow, since)
}

// noneRead says that no Remaining was read: yet, or in the seconds shown
// once the run is longer than they are (a long pause).
func noneRead(rs *metrics.RemainingSnapshot) string {
	if rs == nil || len(rs.Seconds) == 0 || rs.Seconds[0].Second == 0 {
		return "none read yet"
	}
	return fmt.Sprintf("none read in the last %ds", len(rs.Seconds))
}

// latestReported is the last second with a reported Remaining.
func latestReported(rs *metrics.RemainingSnapshot) (metrics.RemainingSecond, bool) {
	if rs == nil {
		return metrics.RemainingSecond{}, false
	}
	for i := len(rs.Seconds) - 1; i >= 0; i-- {
		if rs.Seconds[i].Reported {
			return rs.Seconds[i], true
		}
	}
	return metrics.RemainingSecond{}, false
}

// levels are the block elements from empty to full, one eighth apart.
var levels = []rune(" ▁▂▃▄▅▆▇█")

// remainingSeries draws vs in rows rows scaled to top, with a label. Where
// seen is given and false (no Remaining read that second), the bottom row
// has a dim "·", so that a reported 0 (an empty column) and nothing read
// look different.
func remainingSeries(label string, s styles, style lipgloss.Style, vs []float64, seen []bool, top float64, rows int) []string {
	out := make([]string, rows)
	for r := range rows {
		floor := (rows - 1 - r) * 8
		var b strings.Builder
		for i, v := range vs {
			if seen != nil && !seen[i] {
				if r == rows-1 {
					b.WriteString(s.dim.Render("·"))
				} else {
					b.WriteString(" ")
				}
				continue
			}
			e := 0
			if top > 0 && v > 0 {
				e = max(int(math.Round(min(v/top, 1)*float64(rows*8))), 1)
			}
			b.WriteString(style.Render(string(levels[min(max(e-floor, 0), 8)])))
		}
		l := strings.Repeat(" ", chartLabelSize)
		if r == 0 {
			l = s.dim.Render(fmt.Sprintf("%-*s", chartLabelSize, label))
		}
		out[r] = l + b.String()
	}
	return out
}

// widenBool repeats every value zoom times.
func widenBool(vs []bool, zoom int) []bool {
	out := make([]bool, 0, len(vs)*zoom)
	for _, v := range vs {
		for range zoom {
			out = append(out, v)
		}
	}
	return out
}
