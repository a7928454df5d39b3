package metrics

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// The latency histogram's range and precision: 1 µs to 60 s, 3 significant
// figures, so a percentile is within 0.1% (plus the 1 µs unit) of the true
// order statistic. It takes about 140 KiB.
const (
	histUnit     = time.Microsecond
	histLowest   = 1                                          // in histUnit
	histHighest  = int64(60 * time.Second / time.Microsecond) // in histUnit
	histSigFigs  = 3
	maxHistValue = time.Duration(histHighest) * histUnit
)

// latency records the latencies of answered requests: percentiles from an
// HdrHistogram, min, max and mean exactly.
type latency struct {
	hist       *hdrhistogram.Histogram
	n          int64
	sum        float64 // nanoseconds; a float so that no run can overflow it
	min, max   time.Duration
	outOfRange int64
}

func newLatency() latency {
	return latency{hist: hdrhistogram.New(histLowest, histHighest, histSigFigs)}
}

// record adds one latency. Negative latencies count as 0, and latencies over
// 60 s go into the histogram as 60 s; both are counted as out of range.
func (l *latency) record(d time.Duration) {
	if d < 0 {
		d = 0
		l.outOfRange++
	}
	if l.n == 0 || d < l.min {
		l.min = d
	}
	if d > l.max {
		l.max = d
	}
	l.n++
	l.sum += float64(d)
	v := min(d, maxHistValue)
	if d > maxHistValue {
		l.outOfRange++
	}
	if err := l.hist.RecordValue(int64(v / histUnit)); err != nil {
		l.outOfRange++ // unreachable for values clamped to the range
	}
}

// summary is the latency summary so far; all zero when nothing was recorded.
func (l *latency) summary() LatencySummary {
	if l.n == 0 {
		return LatencySummary{OutOfRange: l.outOfRange}
	}
	return LatencySummary{
		Min:        l.min,
		Mean:       time.Duration(l.sum / float64(l.n)),
		P50:        l.percentile(50),
		P90:        l.percentile(90),
		P99:        l.percentile(99),
		Max:        l.max,
		OutOfRange: l.outOfRange,
	}
}

// percentile is the latency at percent p (0 to 100, as hdrhistogram-go's
// ValueAtQuantile takes it, despite its name). The histogram gives the highest
// value equivalent to the order statistic, so the result is clamped to the
// exact min and max: p99 never exceeds Max.
func (l *latency) percentile(p float64) time.Duration {
	d := time.Duration(l.hist.ValueAtQuantile(p)) * histUnit
	return max(l.min, min(d, l.max))
}
