package report

import (
	"fmt"
	"strconv"
	"time"
)

// maxMarks bounds the violation marks drawn on the timeline; evidence is
// already bounded, this keeps a pathological report quick to open.
const maxMarks = 500

// level is one limit as a count of admitted requests per bar.
type level struct {
	name  string
	level float64
	label string // "per-second: 20 per 1s"
}

// limitMark is a limit's line on the chart.
type limitMark struct {
	Y, LabelY string
	Label     string
	Title     string
}

// violation is one request that broke the contract: where it was sent and
// the evidence row it links to.
type violation struct {
	Offset time.Duration
	Title  string // "#261 limit.enforced: admitted #21 in the window …"
	Anchor string // id of the evidence row
}

// violationMark is a violation placed on the chart.
type violationMark struct {
	X, Y  string
	Title string
	Href  string
}

// limitLevels turns each limit into admitted requests per bar of binSec
// seconds: Requests × binSec / window. A window longer than the run (a day,
// a month) cannot be seen in it and is left out.
func limitLevels(limits []LimitInfo, binSec, span int64) []level {
	var out []level
	for _, l := range limits {
		if l.Unlimited || l.Requests <= 0 || l.WindowMS <= 0 || l.WindowMS > span*1000 {
			continue
		}
		window := time.Duration(l.WindowMS) * time.Millisecond
		v := float64(l.Requests) * float64(binSec) * 1000 / float64(l.WindowMS)
		label := fmt.Sprintf("%s: %d per %s", l.Name, l.Requests, window)
		if binSec*1000 != l.WindowMS {
			label += " = " + strconv.FormatFloat(v, 'f', -1, 64) + " per " + yUnit(binSec)
		}
		out = append(out, level{name: l.Name, level: v, label: label})
	}
	return out
}

func yUnit(binSec int64) string {
	if binSec == 1 {
		return "second"
	}
	return strconv.FormatInt(binSec, 10) + " s"
}

// layoutLimits places each limit's line: y = bottom − level/top × plot height.
func layoutLimits(lines []level, top float64) []limitMark {
	out := make([]limitMark, 0, len(lines))
	for _, l := range lines {
		y := plotBottom - l.level/top*(plotBottom-plotTop)
		out = append(out, limitMark{Y: num(y), LabelY: num(y - 5), Label: "limit " + l.label,
			Title: "limit " + l.label + ": the bars count seconds of the run, which the limiter's windows need not match; the marks below are the requests that broke it"})
	}
	return out
}

// layoutMarks places the violations along the bottom axis at their send time.
func layoutMarks(marks []violation, total float64) []violationMark {
	if total <= 0 {
		return nil
	}
	out := make([]violationMark, 0, min(len(marks), maxMarks))
	for _, m := range marks[:min(len(marks), maxMarks)] {
		x := plotLeft + min(max(m.Offset.Seconds()/total, 0), 1)*(plotRight-plotLeft)
		out = append(out, violationMark{X: num(x), Y: num(plotBottom - 4), Title: m.Title, Href: "#" + m.Anchor})
	}
	return out
}
