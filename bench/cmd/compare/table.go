package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// row is one line of the comparison table.
type row struct {
	Measurement string
	Ratecheck   string
	Vegeta      string
	Ratio       float64 // ratecheck ÷ vegeta; NaN when there is none
	Goal        string
	Met         string // "yes", "no", or "" when the row has no goal
}

// table turns the samples into rows of medians over the repetitions.
func table(samples []sample, o options) []row {
	var rows []row
	if r, ok := throughputRow(samples, o); ok {
		rows = append(rows, r)
	}
	for _, rate := range o.Rates {
		if r, ok := rateRow(samples, o, rate); ok {
			rows = append(rows, r)
		}
	}
	for _, rate := range o.Rates {
		if r, ok := lagRow(samples, o, rate); ok {
			rows = append(rows, r)
		}
	}
	if r, ok := rssRow(samples, o); ok {
		rows = append(rows, r)
	}
	if r, ok := rssLimitedRow(samples, o); ok {
		rows = append(rows, r)
	}
	if r, ok := cpuRow(samples, o); ok {
		rows = append(rows, r)
	}
	rows = append(rows, soakRows(samples, o)...)
	return rows
}

// filter returns the samples of one section and tool, at rate, with the given
// workers (0: any).
func filter(samples []sample, section, tool string, rate int, workers uint64) []sample {
	var out []sample
	for _, s := range samples {
		if s.Section == section && s.Tool == tool && s.Rate == rate && (workers == 0 || s.Workers == workers) {
			out = append(out, s)
		}
	}
	return out
}

// medianOf is the median of f over samples; NaN for none.
func medianOf(samples []sample, f func(sample) float64) float64 {
	xs := make([]float64, len(samples))
	for i, s := range samples {
		xs[i] = f(s)
	}
	return median(xs)
}

// spread formats the median of f over samples, followed by the range
// [min–max] when there is more than one sample.
func spread(samples []sample, f func(sample) float64, format func(float64) string) string {
	m := format(medianOf(samples, f))
	if len(samples) < 2 {
		return m
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range samples {
		lo, hi = min(lo, f(s)), max(hi, f(s))
	}
	return fmt.Sprintf("%s [%s–%s]", m, format(lo), format(hi))
}

func ratio3(x float64) string    { return fmt.Sprintf("%.3f", x) }
func megabytes(x float64) string { return fmt.Sprintf("%.0f MB", x/1e6) }

// median is the middle value, or the mean of the middle two; NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

func throughputRow(samples []sample, o options) (row, bool) {
	rc := filter(samples, "throughput", "ratecheck", 0, 0)
	vg := filter(samples, "throughput", "vegeta", 0, o.Workers)
	if len(rc) == 0 || len(vg) == 0 {
		return row{}, false
	}
	achieved := func(s sample) float64 { return s.Achieved }
	r, v := medianOf(rc, achieved), medianOf(vg, achieved)
	return row{
		Measurement: fmt.Sprintf("max throughput, req/s (unpaced, %d workers)", o.Workers),
		Ratecheck:   spread(rc, achieved, thousands), Vegeta: spread(vg, achieved, thousands), Ratio: r / v,
		Goal: "ratio ≥ 0.95", Met: yesNo(r/v >= 0.95),
	}, true
}

func rateRow(samples []sample, o options, rate int) (row, bool) {
	rc := filter(samples, "rates", "ratecheck", rate, 0)
	vg := filter(samples, "rates", "vegeta", rate, o.Workers)
	if len(rc) == 0 || len(vg) == 0 {
		return row{}, false
	}
	share := func(s sample) float64 { return s.Achieved / float64(s.Rate) }
	r, v := medianOf(rc, share), medianOf(vg, share)
	out := row{
		Measurement: fmt.Sprintf("achieved ÷ requested at %s/s", thousands(float64(rate))),
		Ratecheck:   spread(rc, share, ratio3), Vegeta: spread(vg, share, ratio3), Ratio: r / v,
		Goal: "≥ 0.995", Met: yesNo(r >= 0.995),
	}
	if rate > bestOfAbove {
		best, w, bestSamples := v, o.Workers, vg
		for _, bw := range o.BestOf {
			bs := filter(samples, "rates", "vegeta", rate, bw)
			if m := medianOf(bs, share); m > best {
				best, w, bestSamples = m, bw, bs
			}
		}
		out.Vegeta = fmt.Sprintf("%s (best: %d workers)", spread(bestSamples, share, ratio3), w)
		out.Ratio, out.Goal, out.Met = r/best, "≥ vegeta's best", yesNo(r >= best)
	}
	return out, true
}

func lagRow(samples []sample, o options, rate int) (row, bool) {
	rc := filter(samples, "rates", "ratecheck", rate, 0)
	vg := filter(samples, "rates", "vegeta", rate, o.Workers)
	if len(rc) == 0 || len(vg) == 0 {
		return row{}, false
	}
	lag := func(s sample) float64 { return float64(s.LagP99) }
	r, v := medianOf(rc, lag), medianOf(vg, lag)
	return row{
		Measurement: fmt.Sprintf("send-time deviation p99 at %s/s", thousands(float64(rate))),
		Ratecheck:   spread(rc, lag, duration),
		Vegeta:      spread(vg, lag, duration), Ratio: r / v,
		Goal: "≤ vegeta", Met: yesNo(r <= v),
	}, true
}

// rssSamples returns ratecheck's samples of section and vegeta's of the RSS
// run, ok when there are both.
func rssSamples(samples []sample, section string, o options) (rc, vg []sample, ok bool) {
	rc = filter(samples, section, "ratecheck", o.RSSRate, 0)
	vg = filter(samples, "rss", "vegeta", o.RSSRate, o.Workers)
	return rc, vg, len(rc) > 0 && len(vg) > 0
}

// rssOf is a sample's peak RSS, in bytes.
func rssOf(s sample) float64 { return float64(s.RSS) }

func rssRow(samples []sample, o options) (row, bool) {
	rc, vg, ok := rssSamples(samples, "rss", o)
	if !ok {
		return row{}, false
	}
	part := func(i int) func(sample) float64 {
		return func(s sample) float64 {
			if i < len(s.RSSParts) {
				return float64(s.RSSParts[i])
			}
			return math.NaN()
		}
	}
	r, v := medianOf(rc, rssOf), medianOf(vg, rssOf)
	// runVegeta measures its processes in the order attack, report.
	return row{
		Measurement: fmt.Sprintf("peak RSS, %s requests at %s/s", thousands(float64(o.RSSRequests)), thousands(float64(o.RSSRate))),
		Ratecheck:   spread(rc, rssOf, megabytes),
		Vegeta:      fmt.Sprintf("%s (attack %.0f + report %.0f)", spread(vg, rssOf, megabytes), medianOf(vg, part(0))/1e6, medianOf(vg, part(1))/1e6),
		Ratio:       r / v,
		Goal:        "≤ vegeta and < 200 MB", Met: yesNo(r <= v && r < 200e6),
	}, true
}

// rssLimitedRow compares ratecheck judging the RSS run's traffic under a
// limit of half its rate (every request replayed through the models) with
// vegeta's run of that traffic, which judges nothing.
func rssLimitedRow(samples []sample, o options) (row, bool) {
	rc, vg, ok := rssSamples(samples, "rss-limited", o)
	if !ok {
		return row{}, false
	}
	r, v := medianOf(rc, rssOf), medianOf(vg, rssOf)
	return row{
		Measurement: fmt.Sprintf("peak RSS, the same run limited to %s per 1s (every request replayed)", thousands(float64(o.rssLimit()))),
		Ratecheck:   spread(rc, rssOf, megabytes),
		Vegeta:      spread(vg, rssOf, megabytes) + " (judges nothing)",
		Ratio:       r / v,
		Goal:        "< 200 MB", Met: yesNo(r < 200e6),
	}, true
}

func cpuRow(samples []sample, o options) (row, bool) {
	rc := filter(samples, "throughput", "ratecheck", 0, 0)
	vg := filter(samples, "throughput", "vegeta", 0, o.Workers)
	if len(rc) == 0 || len(vg) == 0 {
		return row{}, false
	}
	perReq := func(s sample) float64 { return float64(s.CPU) / float64(max(s.Requests, 1)) }
	r, v := medianOf(rc, perReq), medianOf(vg, perReq)
	return row{
		Measurement: "CPU per request at max throughput (tool's processes)",
		Ratecheck:   spread(rc, perReq, duration), Vegeta: spread(vg, perReq, duration), Ratio: r / v, Goal: "(information)",
	}, true
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

// thousands formats x rounded to a whole number with thousands separators.
func thousands(x float64) string {
	if math.IsNaN(x) {
		return "—"
	}
	s := strconv.FormatInt(int64(math.Round(x)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// duration formats nanoseconds with three significant figures.
func duration(ns float64) string {
	if math.IsNaN(ns) {
		return "—"
	}
	d := time.Duration(ns)
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.3g s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.3g ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.3g µs", float64(d)/1e3)
	}
}

// writeTable prints rows as a Markdown table.
func writeTable(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| measurement | ratecheck | vegeta CLI | ratio | goal | met |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---|---|")
	for _, r := range rows {
		ratio := "—"
		if !math.IsNaN(r.Ratio) && !math.IsInf(r.Ratio, 0) {
			ratio = fmt.Sprintf("%.3f", r.Ratio)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", r.Measurement, r.Ratecheck, r.Vegeta, ratio, r.Goal, r.Met)
	}
}

// ownLag describes ratecheck's own send_lag p99 (its JSON report measures
// from the start of the run, not from the first request) at each rate.
func ownLag(samples []sample, o options) string {
	var parts []string
	for _, rate := range o.Rates {
		rc := filter(samples, "rates", "ratecheck", rate, 0)
		if len(rc) > 0 {
			own := func(s sample) float64 { return float64(s.ReportLagP99) }
			parts = append(parts, fmt.Sprintf("%s/s: %s", thousands(float64(rate)), duration(medianOf(rc, own))))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "ratecheck's own send_lag p99 (JSON report, counted from each phase's launch): " + strings.Join(parts, ", ")
}

// notes lists what makes samples doubtful: failed requests, a busy machine,
// a short run.
func notes(samples []sample, o options) []string {
	var out []string
	for _, s := range samples {
		what := fmt.Sprintf("%s rep %d %s w=%d rate %d", s.Section, s.Rep+1, s.Tool, s.Workers, s.Rate)
		if s.Success < 1 {
			out = append(out, fmt.Sprintf("%s: only %.2f%% of requests succeeded", what, 100*s.Success))
		}
		if s.Other > o.Quiet {
			out = append(out, fmt.Sprintf("%s: other processes used %.2f cores meanwhile", what, s.Other))
		}
		if s.Section == "rss" && float64(s.Requests) < 0.99*float64(o.RSSRequests) {
			out = append(out, fmt.Sprintf("%s: sent %d of %d requests", what, s.Requests, o.RSSRequests))
		}
	}
	return out
}
