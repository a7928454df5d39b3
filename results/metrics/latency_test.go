package metrics

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// truePercentile is the order statistic HdrHistogram approximates: the value
// of rank round(p% × n), at least rank 1, in the sorted latencies.
func truePercentile(sorted []time.Duration, p float64) time.Duration {
	rank := max(int(p/100*float64(len(sorted))+0.5), 1)
	return sorted[rank-1]
}

// withinPrecision reports whether a and b are equal within the histogram's
// precision: 3 significant figures (0.1%) plus its 1 µs unit.
func withinPrecision(a, b time.Duration) bool {
	diff := a - b
	if diff < 0 {
		diff = -diff
	}
	return diff <= max(a, b)/1000+time.Microsecond
}

func TestLatencyPercentiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func(n int, f func(i int) time.Duration) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	tests := []struct {
		name string
		lat  []time.Duration
	}{
		{"one value", []time.Duration{1234567 * time.Nanosecond}},
		{"two values", []time.Duration{time.Millisecond, 3 * time.Second}},
		{"uniform µs", gen(1000, func(i int) time.Duration { return time.Duration(i+1) * time.Microsecond })},
		{"sub-microsecond", gen(100, func(i int) time.Duration { return time.Duration(i * 9) })},
		{"exponential", gen(20000, func(int) time.Duration {
			return time.Duration(rng.ExpFloat64() * float64(20*time.Millisecond))
		})},
		{"bimodal with slow tail", gen(5000, func(i int) time.Duration {
			if i%50 == 0 {
				return 2*time.Second + time.Duration(rng.IntN(1e9))
			}
			return 800*time.Microsecond + time.Duration(rng.IntN(400000))
		})},
		{"up to the 60 s bound", gen(300, func(i int) time.Duration { return time.Duration(i+1) * 200 * time.Millisecond })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLatency()
			var sum time.Duration
			for _, d := range tt.lat {
				l.record(d)
				sum += d
			}
			got := l.summary()
			sorted := slices.Sorted(slices.Values(tt.lat))
			exact := map[string][2]time.Duration{
				"Min":  {got.Min, sorted[0]},
				"Max":  {got.Max, sorted[len(sorted)-1]},
				"Mean": {got.Mean, sum / time.Duration(len(sorted))},
			}
			for name, gw := range exact {
				if d := gw[0] - gw[1]; d < -1 || d > 1 { // the mean may round by 1 ns
					t.Errorf("%s = %v; want %v", name, gw[0], gw[1])
				}
			}
			for _, pc := range []struct {
				p   float64
				got time.Duration
			}{{50, got.P50}, {90, got.P90}, {99, got.P99}} {
				want := truePercentile(sorted, pc.p)
				if !withinPrecision(pc.got, want) {
					t.Errorf("p%v = %v; want %v within 0.1%% + 1µs", pc.p, pc.got, want)
				}
				if pc.got < got.Min || pc.got > got.Max {
					t.Errorf("p%v = %v; outside [Min %v, Max %v]", pc.p, pc.got, got.Min, got.Max)
				}
			}
			if got.OutOfRange != 0 {
				t.Errorf("OutOfRange = %d; want 0", got.OutOfRange)
			}
		})
	}
}

func TestLatencyOutOfRange(t *testing.T) {
	l := newLatency()
	for _, d := range []time.Duration{-5 * time.Millisecond, time.Millisecond, 2 * time.Millisecond, 90 * time.Second} {
		l.record(d)
	}
	got := l.summary()
	want := LatencySummary{
		Min:        0, // the negative latency counts as 0
		Mean:       (0 + time.Millisecond + 2*time.Millisecond + 90*time.Second) / 4,
		P50:        time.Millisecond,
		P90:        60 * time.Second, // recorded at the histogram's bound
		P99:        60 * time.Second,
		Max:        90 * time.Second, // exact
		OutOfRange: 2,
	}
	opt := cmp.Comparer(withinPrecision)
	if diff := cmp.Diff(want, got, opt); diff != "" {
		t.Errorf("summary() (-want +got):\n%s", diff)
	}
}

func TestLatencyEmpty(t *testing.T) {
	l := newLatency()
	if got := l.summary(); got != (LatencySummary{}) {
		t.Errorf("summary() of nothing = %+v; want zero", got)
	}
}
